"""The per-input task, the same for the local process pool and for Dask workers: hash the input, skip
it when the dataset has it, else parse it, run the rules and write its own parts (one Parquet file per
non-empty table) into the dataset. It returns a small dict; nothing big travels back."""
from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import tables as T
from ..errors import TrtlogError
from . import dataset
from .inputs import Input, digest
from .schema import PRECISIONS, SEVERITIES, partition, schema

_PREC_COL = {"FP32": "fp32", "TF32": "tf32", "TF32?": "tf32", "FP16": "fp16", "BF16": "bf16", "FP8": "fp8",
             "INT8": "int8"}


def run_task(inp: Input, root: str, known: FrozenSet[str] = frozenset()) -> Dict[str, Any]:
    """Process one input. Returns {'status': 'ok'|'error'|'skipped', 'log_id', 'path', 'bytes',
    'seconds', 'cpu_seconds', 'peak_rss_mib', 'pid', 'error'}. Never raises for a bad input."""
    t0, c0 = time.perf_counter(), _cpu()
    before = os.environ.get("TRTLOG_JOBS")
    os.environ["TRTLOG_JOBS"] = "1"     # the fleet parallelises over files, not inside one
    try:
        out = _run(inp, Path(root), known)
    finally:
        if before is None:
            os.environ.pop("TRTLOG_JOBS", None)
        else:
            os.environ["TRTLOG_JOBS"] = before
    out["seconds"] = time.perf_counter() - t0
    out["cpu_seconds"] = _cpu() - c0
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _run(inp: Input, root: Path, known: FrozenSet[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"path": inp.path, "pid": os.getpid(), "error": ""}
    try:
        sha, size = digest(inp)
    except OSError as exc:
        sha, size = "", 0
        out["error"] = f"cannot read: {exc.strerror or exc}"
    out.update(sha256=sha, log_id=sha[:16], bytes=size)
    if sha and sha in known:
        out["status"] = "skipped"
        return out
    written = _process(inp, root, sha, size, out)
    dataset.commit(root, written["staged"], out["log_id"], written["tables"])
    return out


def _path_id(inp: Input) -> str:
    import hashlib
    return "unreadable-" + hashlib.sha256(inp.path.encode("utf-8")).hexdigest()[:16]


def _process(inp: Input, root: Path, sha: str, size: int, out: Dict[str, Any]) -> Dict[str, Any]:
    log_id = sha[:16] if sha else _path_id(inp)
    out["log_id"] = log_id
    staged = root / dataset.STAGING / f"{log_id}.{os.getpid()}"
    staged.mkdir(parents=True, exist_ok=True)
    row = _base_row(inp, log_id, sha, size)
    written: Dict[str, str] = {}
    if not out["error"]:
        try:
            row.update(_parse_into(inp, staged, log_id, written))
        except TrtlogError as exc:
            out["error"] = str(exc)
        except MemoryError:
            out["error"] = "out of memory while parsing"
        except Exception as exc:  # a parser/rule bug must not stop the fleet: record it on the input
            out["error"] = f"internal error: {type(exc).__name__}: {exc}"
    if out["error"]:
        for name in written:
            (staged / f"{name}.parquet").unlink(missing_ok=True)
        written.clear()
        row.update(status="error", error=out["error"])
    part = partition(row["trt_version"], row["backend"]) if not out["error"] else "unknown"
    for name in written:
        written[name] = part
    _write_rows(staged / "logs.parquet", "logs", [row])
    written["logs"] = part
    out["status"] = row["status"]
    return {"staged": staged, "tables": written}


def _parse_into(inp: Input, staged: Path, log_id: str, written: Dict[str, str]) -> Dict[str, Any]:
    """Parse, run the rules, stage every non-empty table; returns the input's facts for `logs`."""
    from .. import load
    from ..rules import run_rules
    bl = load(inp.path)
    findings = run_rules(bl)
    facts = _facts(bl, findings)
    for name in T.TABLES:
        df = bl.tables[name]
        if len(df):
            _write(staged / f"{name}.parquet", name, df, log_id)
            written[name] = ""
    if findings:
        _write_rows(staged / "findings.parquet", "findings", [_finding_row(log_id, f) for f in findings])
        written["findings"] = ""
    return facts


def _write(path: Path, name: str, df: pd.DataFrame, log_id: str) -> None:
    sch = schema(name)
    arrays = [pa.array([log_id] * len(df), pa.string())]
    for field in list(sch)[1:]:
        col = df[field.name]
        try:
            arr = pa.array(col, type=field.type, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            if not pa.types.is_string(field.type):
                raise
            arr = pa.array(col.map(_text), type=field.type)     # a non-str value in a str column
        if pa.types.is_string(field.type) and arr.null_count:
            arr = arr.fill_null("")                              # str columns hold '' when absent
        arrays.append(arr)
    pq.write_table(pa.Table.from_arrays(arrays, schema=sch), path)


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return v if isinstance(v, str) else str(v)


def _write_rows(path: Path, name: str, rows: List[Dict[str, Any]]) -> None:
    sch = schema(name)
    pq.write_table(pa.Table.from_pylist(rows, schema=sch), path)


def _base_row(inp: Input, log_id: str, sha: str, size: int) -> Dict[str, Any]:
    row: Dict[str, Any] = {f.name: None for f in schema("logs")}
    row.update(log_id=log_id, path=inp.path, sha256=sha, size_bytes=size, kind=inp.kind, status="ok",
               error="", producer="", backend="", trt_version="", trt_version_source="", gpu="",
               compute_capability="", model="", model_path="", failure="", precision_requested="")
    return row


def model_name(model_path: str) -> str:
    """'/tmp/work/models/cnn.onnx' -> 'cnn'; Windows paths too."""
    base = str(model_path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    for ext in (".onnx", ".engine", ".plan", ".trt", ".prototxt", ".uff", ".caffemodel"):
        if base.lower().endswith(ext):
            return base[: -len(ext)]
    return base


def _facts(bl, findings) -> Dict[str, Any]:
    facts = bl.facts
    # TensorRT-RTX numbers its own releases (1.x): its rows carry that version, `backend` says whose
    version = facts.version_text
    key = facts.version
    layers = bl.tables["layers"]
    precs = layers["precision"][layers["precision"] != ""] if len(layers) else pd.Series([], dtype=object)
    shares: Dict[str, Optional[float]] = {f"share_{p}": None for p in PRECISIONS}
    if len(precs):
        counts = precs.map(lambda p: _PREC_COL.get(p, "other")).value_counts()
        for p in PRECISIONS:
            shares[f"share_{p}"] = float(counts.get(p, 0)) / len(precs)
    sev = {s: 0 for s in SEVERITIES}
    for f in findings:
        sev[f.severity] = sev.get(f.severity, 0) + 1
    model_path = facts.model
    size = facts.engine_size_mib
    return {
        "producer": facts.producer, "backend": "TensorRT-RTX" if facts.rtx else "TensorRT",
        "trt_version": version, "trt_version_key": list(key.release) if key is not None else None,
        "trt_version_source": facts.version_source,
        "gpu": facts.gpu, "compute_capability": facts.compute_capability,
        "model": model_name(model_path) if model_path else "", "model_path": model_path,
        "build_ok": facts.build_ok, "failure": facts.failure,
        "build_seconds": facts.build_seconds, "engine_size_mib": None if size is None else round(size, 3),
        "precision_requested": ",".join(facts.precision_requested),
        "strongly_typed": facts.strongly_typed,
        "engine_layers": int(len(precs)), **shares,
        **{f"findings_{s}": n for s, n in sev.items()},
        "lines": int(bl.lines), "recognized": int(bl.recognized),
        "coverage": (bl.recognized / bl.lines) if bl.lines else None,
    }


def _finding_row(log_id: str, f) -> Dict[str, Any]:
    return {"log_id": log_id, "code": f.code, "name": f.name, "severity": f.severity, "category": f.category,
            "title": f.title, "message": f.message, "confidence": f.confidence, "run": f.run,
            "evidence_total": max(f.evidence_total, len(f.evidence)),
            "evidence_lines": [int(e.line) for e in f.evidence], "evidence_text": [str(e.text) for e in f.evidence]}
