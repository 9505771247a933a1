"""trtlog.load(): a log file, stdin, a layer-info/profile JSON, or a bundle directory -> BuildLog."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional

import pandas as pd

from .. import tables as T
from ..buildlog import BuildLog
from ..errors import TrtlogError
from .bulk import table_columns
from . import bundlejson as J
from .layerjson import bench_rows, is_profile, layer_rows, profile_rows, read_json
from .parser import parse_blocks
from .reader import LogSource

BUNDLE_LOGS = ("build.log", "build.log.xz", "build.log.gz", "trtexec.log")


def load(path, *, allow_non_trt: bool = False) -> BuildLog:
    path = str(path)
    if path != "-" and os.path.isdir(path):
        return _load_bundle(Path(path))
    if path != "-" and path.lower().endswith((".json", ".json.xz", ".json.gz")):
        return _load_json(path)
    return _load_log(path, allow_non_trt=allow_non_trt)


def _load_log(path: str, allow_non_trt: bool = False) -> BuildLog:
    src = LogSource(path)
    st = parse_blocks(src.blocks())
    name = "<stdin>" if path == "-" else path
    if st.lines == 0:
        raise TrtlogError(f"{name}: empty file")
    # each table's rows and columns are let go as soon as its DataFrame exists (lower peak memory)
    tables = {}
    for n in list(st.rows):
        cols = table_columns(st, n)
        if n == "memory":
            _mark_interim_totals(cols)
        tables[n] = T.frame(n, cols)
        st.rows[n] = []
        st.batches.pop(n, None)
    tables["tactics"] = T.frame("tactics", st.tactics)
    st.tactics = None
    tables["messages"] = T.frame("messages", st.messages, no_none=True)   # strings by construction
    tables["messages"]["family"] = st.messages["family"]
    st.messages = None
    bl = BuildLog(path=name, tables=tables, meta=dict(st.meta), lines=st.lines, recognized=st.recognized)
    bl.meta["encoding"] = src.encoding
    if src.leading_nuls:
        bl.meta["leading_nul_bytes"] = src.leading_nuls
    if src.compression:
        bl.meta["compression"] = src.compression
    _finish_meta(bl, st)
    if not allow_non_trt and not (st.trt_lines or bl.meta.get("trt_version")):
        raise TrtlogError(f"{name}: not a TensorRT log (no TensorRT or trtexec message found "
                          f"in {st.lines} lines)")
    return bl


def _mark_interim_totals(cols: Dict[str, list]) -> None:
    """TensorRT prints `Total X Memory` for every candidate engine it evaluates (and before 8.5 a
    first Activation figure that still counts the workspace block). Only the last one per run and
    name describes the built engine: earlier ones become kind `total_interim`."""
    kind = cols["kind"]
    last: Dict[tuple, int] = {}
    for i, (k, run, name) in enumerate(zip(kind, cols["run"], cols["name"])):
        if k == "total":
            last[(run, name)] = i
    keep = set(last.values())
    for i, k in enumerate(kind):
        if k == "total" and i not in keep:
            kind[i] = "total_interim"


def _columns(rows: List[dict], table: str) -> Dict[str, list]:
    cols = T.columns(table)
    return {c: [r.get(c) for r in rows] for c in cols}


# version features -> earliest version that prints them (log wins over docs; see MESSAGES.md)
_INFER = [("rtx", "RTX"), ("byte_units", "10.14"), ("runner_ids", "8.6"), ("profiling_completed", "8.6"),
          ("kernel_library", "8.4"), ("hex_tactics", "8.4"),
          ("snapshot_kernel_library", "8.2"), ("snapshot", "8.0"), ("decimal_tactics", "8.0"),
          ("trt7_summary", "7")]


def _finish_meta(bl: BuildLog, st) -> None:
    meta = bl.meta
    if st.producers:
        prod = max(st.producers.items(), key=lambda kv: kv[1])[0]
        if "trtexec" in st.producers and any(r.get("command") for r in st.run_rows):
            prod = "trtexec"
        meta["producer"] = prod
    if not meta.get("model") and meta.get("command"):
        for tok in str(meta["command"]).split():
            if tok.startswith(("--onnx=", "--deploy=", "--uff=", "--loadEngine=")):
                meta["model"] = tok.split("=", 1)[1]
                break
    if not meta.get("trt_version"):
        for feat, ver in _INFER:
            if st.features.get(feat):
                meta["trt_version"] = ver
                meta["trt_version_source"] = f"inferred (>= {ver}: {feat.replace('_', ' ')})"
                break
    errors = bl.tables["errors"]
    phases = bl.tables["phases"]
    done = phases[phases["phase"].isin(["Engine built", "Engine generation", "Engine deserialized"])]
    calib = bl.tables["calibration"]
    if len(calib):
        # a calibrated INT8 build generates an FP32 calibration engine first: only an engine
        # generated after the last calibration message is the built engine
        done = done[done["line"] > calib["line"].max()]
    built = len(done) > 0 or bool(meta.get("engine_serialized"))
    failed = meta.get("status") == "FAILED" or (errors["kind"].isin(
        ["assertion", "trtexec_failure", "build_failed"]).any())
    if failed:
        meta["build_ok"] = False
        first = errors.iloc[0] if len(errors) else None
        if first is not None:
            meta["failure"] = str(first["text"])[:300]
    elif built or meta.get("status") == "PASSED":
        meta["build_ok"] = True
    else:
        meta["build_ok"] = None
    meta.setdefault("engine_layers", int(len(bl.tables["layers"])))
    for phase in ("Engine built", "Engine generation", "build engine"):
        secs = done.loc[done["phase"] == phase, "seconds"].dropna() if phase != "build engine" else \
            phases.loc[phases["phase"] == phase, "seconds"].dropna()
        if len(secs):
            meta["build_seconds"] = float(secs.iloc[-1])
            break


def _load_json(path: str) -> BuildLog:
    doc = read_json(path)
    if is_profile(doc):
        rows = profile_rows(J.check(doc, J.PROFILE, path))
        bl = BuildLog(path=path, tables={"profile": T.frame("profile", _columns(rows, "profile"))},
                      meta={"producer": "json", "sources": [path]}, lines=len(doc), recognized=len(doc))
        return bl
    rows, io = layer_rows(J.check(doc, J.LAYERS, path))
    bl = BuildLog(path=path, tables={"layers": T.frame("layers", _columns(rows, "layers"))},
                  meta={"producer": "json", "io_tensors": io, "sources": [path], "engine_layers": len(rows)},
                  lines=len(rows), recognized=len(rows))
    return bl


def _first(bundle: Path, names) -> Optional[Path]:
    for n in names:
        p = bundle / n
        if p.is_file():
            return p
    return None


def _load_bundle(bundle: Path) -> BuildLog:
    if not os.access(bundle, os.R_OK | os.X_OK):
        raise TrtlogError(f"cannot read {bundle}: permission denied")
    log = _first(bundle, BUNDLE_LOGS)
    if log is None:
        raise TrtlogError(f"{bundle} is a directory without build.log (not a trtlog bundle)")
    # a bundle trtlog wrote may hold a log of a build that failed before TensorRT printed anything;
    # a build.log that is a link to some other file gets the same check as any log
    bl = _load_log(str(log), allow_non_trt=not log.is_symlink())
    bl.meta["bundle"] = str(bundle)
    sources = [str(log)]
    lj = _first(bundle, ("layers.json", "layers.json.xz", "layers.json.gz"))
    if lj is not None:
        rows, io = layer_rows(J.read_model(str(lj), J.LAYERS))
        if rows:
            bl.tables["layers"] = T.frame("layers", _columns(rows, "layers"))
            bl.meta["io_tensors"] = io
            bl.meta["engine_layers"] = len(rows)
        sources.append(str(lj))
    pj = _first(bundle, ("profile.json", "profile.json.xz"))
    if pj is not None:
        doc = read_json(str(pj))
        if is_profile(doc):
            doc = J.check(doc, J.PROFILE, str(pj))
            bl.tables["profile"] = T.frame("profile", _columns(profile_rows(doc), "profile"))
            sources.append(str(pj))
    bj = _first(bundle, ("bench.json",))
    if bj is not None:
        rows = bench_rows(J.read_model(str(bj), J.BENCH))
        if rows:
            perf = T.frame("perf", _columns(rows, "perf"))
            bl.tables["perf"] = pd.concat([bl.tables["perf"], perf], ignore_index=True) if len(bl.tables["perf"]) else perf
            sources.append(str(bj))
    for name, key, model in J.MODELS:
        p = bundle / name
        if p.is_file():
            bl.meta[key] = J.read_model(str(p), model)
            sources.append(str(p))
    env = bl.meta.get("env") or {}
    if isinstance(env, dict):
        gpu = env.get("gpu") or env.get("gpu_name")
        if gpu:
            bl.meta.setdefault("gpu", gpu)
        if env.get("compute_capability"):
            bl.meta.setdefault("compute_capability", str(env["compute_capability"]))
        if env.get("tensorrt") and (not bl.meta.get("trt_version") or
                                    bl.meta.get("trt_version_source", "").startswith("inferred")):
            bl.meta["trt_version"] = str(env["tensorrt"])
            bl.meta["trt_version_source"] = "env.json"
    status = bl.meta.get("status_json") or {}
    if isinstance(status, dict) and status.get("ok") is not None:
        bl.meta["build_ok"] = bool(status["ok"])
        if not status["ok"] and status.get("error"):
            bl.meta.setdefault("failure", str(status["error"]))
        if status.get("build_seconds") is not None:
            bl.meta["build_seconds"] = float(status["build_seconds"])
        if status.get("engine_bytes"):
            bl.meta["engine_size_mib"] = round(status["engine_bytes"] / 2**20, 3)
    cfg = bl.meta.get("config") or {}
    spec = cfg.get("spec", cfg) if isinstance(cfg, dict) else {}
    if isinstance(spec, dict):
        precs = [str(p).upper() for p in (spec.get("precisions") or [])]
        if spec.get("best"):
            precs += ["FP16", "INT8"]
        if "precisions" in spec or precs or spec.get("strongly_typed"):
            bl.meta["precision_requested"] = ["FP32"] + [p for p in dict.fromkeys(precs) if p != "FP32"]
        if spec.get("strongly_typed"):
            bl.meta["strongly_typed"] = True
        if spec.get("model"):
            bl.meta.setdefault("model", spec["model"])
    bl.meta["sources"] = sources
    return bl
