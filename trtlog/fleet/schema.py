"""The fleet dataset's tables and their Arrow schemas, defined once.

A dataset is a directory: one sub-directory per table, hive-partitioned by TensorRT release series
(`trt=v8.6`, `trt=v10.16`, `trt=rtx`, `trt=unknown`; the `v` keeps readers from guessing a number),
one Parquet file per input and table (`<log_id>.parquet`). The BuildLog tables keep the columns and
meanings of trtlog/tables.py with `log_id` first; `logs` and `findings` are defined here.
"""
from __future__ import annotations

import re
from typing import Dict, List, Tuple

import pyarrow as pa

from .. import tables as T
from . import MARKER  # noqa: F401  (re-exported: the dataset marker)

FORMAT = 1
PARTITION = "trt"
PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "other")
SEVERITIES = ("error", "warning", "info")

_ARROW = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_(), "cat": pa.string()}

LOGS: List[Tuple[str, pa.DataType, str]] = [
    ("log_id", pa.string(), "first 16 hex digits of sha256: the key every table joins on"),
    ("path", pa.string(), "input as found by the scan (log file or bundle directory)"),
    ("sha256", pa.string(), "sha256 of the file (a bundle: of its file names and contents)"),
    ("size_bytes", pa.int64(), "bytes read (a bundle: all its files)"),
    ("kind", pa.string(), "log or bundle"),
    ("status", pa.string(), "ok, or error when the input could not be parsed"),
    ("error", pa.string(), "one-line reason when status is error"),
    ("producer", pa.string(), "trtexec, python, python-old, custom-logger, json, unknown"),
    ("backend", pa.string(), "TensorRT or TensorRT-RTX"),
    ("trt_version", pa.string(), "TensorRT version as resolved by the loader ('' when unknown)"),
    ("trt_version_key", pa.list_(pa.int64()), "the version as a list of ints: ORDER BY it sorts 8.6 before 10.16"),
    ("trt_version_source", pa.string(), "where the version came from (log line, env.json, inferred ...)"),
    ("gpu", pa.string(), "GPU name"),
    ("compute_capability", pa.string(), "e.g. 9.0"),
    ("model", pa.string(), "model name: file name of the model without extension"),
    ("model_path", pa.string(), "model path as printed / recorded"),
    ("build_ok", pa.bool_(), "engine built (true), failed (false), no build in the log (null)"),
    ("failure", pa.string(), "first failure reason when build_ok is false"),
    ("build_seconds", pa.float64(), "total build time, s"),
    ("engine_size_mib", pa.float64(), "serialized engine size, MiB"),
    ("precision_requested", pa.string(), "requested precisions, comma-joined (FP32,FP16)"),
    ("strongly_typed", pa.bool_(), "strongly typed network"),
    ("engine_layers", pa.int64(), "engine layers with a realised precision"),
] + [(f"share_{p}", pa.float64(), f"share of engine layers realised in {p.upper()} (0..1, null without layers)")
     for p in PRECISIONS] + [
    (f"findings_{s}", pa.int64(), f"findings of severity {s}") for s in SEVERITIES] + [
    ("lines", pa.int64(), "log lines"),
    ("recognized", pa.int64(), "lines a grammar recognised"),
    ("coverage", pa.float64(), "recognized / lines"),
]

FINDINGS: List[Tuple[str, pa.DataType, str]] = [
    ("log_id", pa.string(), "the input"),
    ("code", pa.string(), "rule code, e.g. TRT204"),
    ("name", pa.string(), "rule name"),
    ("severity", pa.string(), "error, warning, info"),
    ("category", pa.string(), "build, accuracy, performance, memory, compatibility"),
    ("title", pa.string(), "one-line title"),
    ("message", pa.string(), "the finding's message"),
    ("confidence", pa.string(), "high, medium, low"),
    ("run", pa.int64(), "run inside the file, when the rule says"),
    ("evidence_total", pa.int64(), "rows behind the finding"),
    ("evidence_lines", pa.list_(pa.int64()), "log line numbers quoted as evidence (0: a layer-info JSON row)"),
    ("evidence_text", pa.list_(pa.string()), "the quoted evidence, same order"),
]

EXTRA = {"logs": LOGS, "findings": FINDINGS}


def table_names() -> List[str]:
    return ["logs", "findings"] + list(T.TABLES)


def schema(table: str) -> pa.Schema:
    if table in EXTRA:
        return pa.schema([(n, t) for n, t, _ in EXTRA[table]])
    return pa.schema([("log_id", pa.string())] + [(c, _ARROW[k]) for c, k, _ in T.TABLES[table][1]])


def partition(trt_version: str, backend: str = "TensorRT") -> str:
    """'8.6.1.6' -> 'v8.6', TensorRT-RTX -> 'rtx', '' -> 'unknown': one directory per release series."""
    v = str(trt_version or "").strip()
    if backend == "TensorRT-RTX" or v.upper() == "RTX":
        return "rtx"
    m = re.match(r"(\d+)(?:\.(\d+))?", v)
    if not m:
        return "unknown"
    return "v" + ".".join(g for g in m.groups() if g is not None)


def docs() -> Dict[str, List[Tuple[str, str, str]]]:
    """(column, arrow type, meaning) of the two fleet-only tables, for docs/fleet.md."""
    return {t: [(n, str(ty), d) for n, ty, d in cols] for t, cols in EXTRA.items()}
