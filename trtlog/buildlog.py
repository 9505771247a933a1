"""BuildLog: the typed tables parsed from one TensorRT log (or bundle), plus metadata.

Data flows one way: parse -> BuildLog -> rules / report / diff. Nothing downstream re-reads the log
text; the `messages` table keeps every line so evidence can be quoted.

`meta` keys (all optional, absent when the log does not say):
  trt_version        "8.6.0" (str), also on BuildLog.trt_version
  producer           trtexec | python | python-old | custom-logger | json | unknown (the program that wrote the log)
  backend            "tensorrt-rtx" for TensorRT-RTX logs and bundles (absent: TensorRT)
  backend_version    TensorRT-RTX version as stated ("1.7.1" from env.json `tensorrt_rtx`), else "unknown"
  backend_version_source  "env.json", "printed (line N)" or why it is unknown
  gpu                GPU name ("NVIDIA GeForce RTX 3090")
  compute_capability "8.6"
  command            trtexec command line
  precision_requested list like ["FP32", "FP16", "INT8"] (from trtexec options or builder flags)
  strongly_typed     bool
  build_ok           True (engine built), False (build failed / aborted), None (no build in log)
  failure            one-line reason when build_ok is False
  tactic_sources     bundle config: tactic sources the build enabled, e.g. ["EDGE_MASK_CONVOLUTIONS"]
  engine_loaded      True when the log only deserializes an engine (trtexec --loadEngine): build_ok is None
  build_seconds      total build time in s (Engine built in / Engine generation completed in)
  engine_size_mib    serialized engine size
  status             PASSED / FAILED from the trtexec closing banner
  bundle             path of the bundle directory when loaded from one
  sources            list of files that fed the tables
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import pandas as pd

from . import tables as T


@dataclass
class BuildLog:
    path: str
    tables: Dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: Dict[str, Any] = field(default_factory=dict)
    lines: int = 0
    recognized: int = 0

    def __post_init__(self) -> None:
        for name in T.TABLES:
            if name not in self.tables:
                self.tables[name] = T.empty(name)

    # -- convenience -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(name)

    def table(self, name: str) -> pd.DataFrame:
        if name not in T.TABLES:
            raise KeyError(f"unknown table {name!r}; known: {', '.join(T.TABLES)}")
        return self.tables[name]

    @property
    def trt_version(self) -> str:
        """The TensorRT version the log prints ('' when it prints none)."""
        return self.meta.get("trt_version", "")

    @property
    def backend(self) -> str:
        """tensorrt or tensorrt-rtx."""
        return self.meta.get("backend", "tensorrt")

    @property
    def product(self) -> str:
        """What built the engine, with the version the log or bundle states: 'TensorRT 10.16.1',
        'TensorRT-RTX 1.7.1', 'TensorRT-RTX (version unknown)', '' when nothing is known."""
        if self.backend == "tensorrt-rtx":
            v = self.meta.get("backend_version") or "unknown"
            return "TensorRT-RTX " + (v if v != "unknown" else "(version unknown)")
        label = self.trt_version_label
        return f"TensorRT {label}" if label != "unknown" else ""

    @property
    def trt_version_min(self) -> str:
        """The printed version, else the lowest version whose messages the log carries, else ''
        (what version-dependent advice may assume)."""
        return self.trt_version or self.meta.get("trt_version_min", "")

    @property
    def trt_version_label(self) -> str:
        """For people: '10.8.0', '>= 8.6 (not printed)' or 'unknown'."""
        if self.trt_version:
            return self.trt_version
        if self.meta.get("trt_version_min"):
            return f">= {self.meta['trt_version_min']} (not printed)"
        return "unknown"

    @property
    def producer(self) -> str:
        return self.meta.get("producer", "unknown")

    @property
    def unknown(self) -> int:
        return self.lines - self.recognized

    def line_text(self, line: int) -> str:
        """Text of a log line (without envelope) from the messages table; '' if absent."""
        m = self.tables["messages"]
        if m.empty:
            return ""
        # messages are stored in line order with line == index + 1 for text logs
        if 0 < line <= len(m) and int(m["line"].iat[line - 1]) == line:
            return m["text"].iat[line - 1]
        hit = m.loc[m["line"] == line, "text"]
        return hit.iat[0] if len(hit) else ""

    def stats(self) -> dict:
        extra = {"backend": self.backend, "backend_version": self.meta.get("backend_version", "unknown")} \
            if self.backend == "tensorrt-rtx" else {}
        return {"file": self.path, "trt_version": self.trt_version or "unknown", "producer": self.producer, **extra,
                "lines": self.lines, "recognized": self.recognized, "unknown": self.unknown,
                "tables": {n: int(len(df)) for n, df in self.tables.items()}}

    def run_ids(self) -> List[int]:
        runs = self.tables["runs"]
        return list(range(len(runs))) if len(runs) else [0]

    # -- notebooks and export (trtlog/display.py, trtlog/parquet.py) ----------------------------
    def __repr__(self) -> str:
        from .display import text
        return text(self)

    def _repr_html_(self) -> str:
        from .display import html_table
        return html_table(self)

    def to_parquet(self, directory, overwrite: bool = False):
        """One Parquet file per table plus meta.json in `directory` (needs pyarrow); returns the directory."""
        from .parquet import to_parquet
        return to_parquet(self, directory, overwrite=overwrite)
