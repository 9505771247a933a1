"""BuildLog: the typed tables parsed from one TensorRT log (or bundle), its facts, plus metadata.

Data flows one way: parse -> BuildLog -> rules / report / diff. Nothing downstream re-reads the log
text; the `messages` table keeps every line so evidence can be quoted.

`facts` (trtlog/facts.py) are the build facts resolved once from meta and the tables, each with its
evidence: read them there. `meta` is what the parser and the loader gathered, kept as it was; its
keys (all optional, absent when the log does not say):
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
A bundle's JSON documents (status.json, config.json, env.json, validate.json, bench.json) are also
typed on `bundle` (trtlog/parse/bundlemodels.py): `bl.bundle.status.engine_bytes`; each is None
where the file is absent (always, for a plain log).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import pandas as pd

from . import tables as T
from .parse.bundlemodels import Bundle

if TYPE_CHECKING:        # pragma: no cover
    from .facts import Facts


@dataclass
class BuildLog:
    path: str
    tables: Dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: Dict[str, Any] = field(default_factory=dict)
    lines: int = 0
    recognized: int = 0
    bundle: Bundle = field(default_factory=Bundle, repr=False, compare=False)
    _facts: Optional["Facts"] = field(default=None, repr=False, compare=False)

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
    def facts(self) -> "Facts":
        """The build facts (trtlog/facts.py), computed once: by the loader, else on first use."""
        if self._facts is None:
            from .facts import compute
            self._facts = compute(self)
        return self._facts

    @facts.setter
    def facts(self, value: "Facts") -> None:
        self._facts = value

    @property
    def trt_version(self) -> str:
        """The TensorRT version the log prints ('' when it prints none)."""
        return self.facts.trt_version

    @property
    def backend(self) -> str:
        """tensorrt or tensorrt-rtx."""
        return self.facts.backend

    @property
    def product(self) -> str:
        """What built the engine, with the version the log or bundle states: 'TensorRT 10.16.1',
        'TensorRT-RTX 1.7.1', 'TensorRT-RTX (version unknown)', '' when nothing is known."""
        return self.facts.product

    @property
    def trt_version_min(self) -> str:
        """The printed version, else the lowest version whose messages the log carries, else ''
        (what version-dependent advice may assume)."""
        return self.trt_version or self.facts.trt_version_min

    @property
    def trt_version_label(self) -> str:
        """For people: '10.8.0', '>= 8.6 (not printed)' or 'unknown'."""
        return self.facts.trt_version_label

    @property
    def producer(self) -> str:
        return self.facts.producer

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
        f = self.facts
        extra = {"backend": f.backend, "backend_version": f.backend_version or "unknown"} if f.rtx else {}
        return {"file": self.path, "trt_version": self.trt_version or "unknown", "producer": f.producer, **extra,
                "lines": self.lines, "recognized": self.recognized, "unknown": self.unknown,
                "tables": {n: int(len(df)) for n, df in self.tables.items()}}

    def run_ids(self) -> List[int]:
        runs = self.tables["runs"]
        return list(range(len(runs))) if len(runs) else [0]

    # -- notebooks and export (trtlog/parquet.py) -----------------------------------------------
    def _state(self) -> str:
        ok = self.facts.build_ok
        return "built" if ok is True else "build failed" if ok is False else "no build"

    def summary(self) -> List[tuple]:
        """(label, value) pairs of facts already parsed (nothing is computed: the rules do not run)."""
        f = self.facts
        took = f" in {f.build_seconds:.1f} s" if f.build_seconds else ""
        out = [("file", str(self.path)), ("producer", f.producer), ("built with", f.product or "unknown")]
        if f.gpu:
            out.append(("GPU", f.gpu))
        return out + [("build", self._state() + took), ("lines", f"{self.lines} ({self.recognized} recognised)"),
                      ("runs", str(len(self.tables["runs"]))), ("engine layers", str(len(self.tables["layers"])))]

    def __repr__(self) -> str:
        path = str(self.path)
        path = path if len(path) <= 60 else "\u2026" + path[-59:]
        n = {"line": self.lines, "run": len(self.tables["runs"]), "layer": len(self.tables["layers"])}
        counts = ", ".join(f"{v} {k}{'' if v == 1 else 's'}" for k, v in n.items())
        return f"<BuildLog {path!r}: {self.facts.producer}, {self.facts.product or 'TensorRT ?'}, {counts}, " \
               f"{self._state()}>"

    def _repr_html_(self) -> str:
        from html import escape as e
        cell = "style='text-align:left'"
        rows = "".join(f"<tr><th {cell}>{e(k)}</th><td {cell}>{e(v)}</td></tr>" for k, v in self.summary())
        sizes = ", ".join(f"{e(n)} {len(df)}" for n, df in self.tables.items() if len(df))
        return f"<div><b>BuildLog</b><table>{rows}<tr><th {cell}>tables (rows)</th><td {cell}>{sizes}</td></tr>" \
               "</table></div>"

    def to_parquet(self, directory, overwrite: bool = False):
        """One Parquet file per table plus meta.json in `directory` (needs pyarrow); returns the directory."""
        from .parquet import to_parquet
        return to_parquet(self, directory, overwrite=overwrite)
