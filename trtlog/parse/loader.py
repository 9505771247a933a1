"""trtlog.load(): a log file, stdin, a layer-info/profile JSON, or a bundle directory -> BuildLog."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import pandas as pd

from .. import heap
from .. import tables as T
from ..buildlog import BuildLog
from ..errors import TrtlogError
from ..facts import compute as compute_facts
from . import bundlejson as J
from .bulk import table_columns
from .layerjson import bench_rows, is_profile, layer_rows, profile_rows, read_json
from .parser import parse_blocks
from .reader import LogSource

BUNDLE_LOGS = ("build.log", "build.log.xz", "build.log.gz", "trtexec.log")


def load(path, *, allow_non_trt: bool = False, jobs: Optional[int] = None,
         progress: Optional[Callable[[int, int], None]] = None) -> BuildLog:
    """`jobs`: processes that scan the log's blocks; None (a library call: 1, in this process, no
    worker) unless the CLI set trtlog.parse.DEFAULT_JOBS from --jobs / TRTLOG_JOBS.
    `progress(done_bytes, total_bytes)` is called as the log text is read (see LogSource)."""
    path = str(path)
    if path != "-" and os.path.isdir(path):
        bl = _load_bundle(Path(path), jobs, progress=progress)
    elif path != "-" and path.lower().endswith((".json", ".json.xz", ".json.gz")):
        bl = _load_json(path)
    else:
        bl = _load_log(path, allow_non_trt=allow_non_trt, jobs=jobs, progress=progress)
    bl.facts = compute_facts(bl)         # resolved once, from the finished meta and tables
    return bl


def _load_log(path: str, allow_non_trt: bool = False, jobs: Optional[int] = None,
              progress: Optional[Callable[[int, int], None]] = None) -> BuildLog:
    src = LogSource(path, progress=progress)
    st = parse_blocks(src.blocks(), jobs=jobs)
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
    heap.release(st.lines)    # the freed row lists and parts, before the messages columns are made
    messages = st.messages()
    st.messages = None
    tables["messages"] = T.frame("messages", messages, no_none=True)   # strings by construction
    del messages
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


# version features -> earliest version that prints them (log wins over docs; see MESSAGES.md).
# byte_units (" bytes" after the memory totals): 10.3 prints none (tests/corpus/logs/trt10.3-trtexec-
# rtmpose-*); a TensorRT-LLM 0.20 build prints them (trtllm0.20-trtllm-build-*, line 58), and that release
# ships TensorRT 10.10 (its release notes): the first release with the unit lies in 10.4-10.10, claim 10.4
_INFER = [("byte_units", "10.4"), ("runner_ids", "8.6"), ("profiling_completed", "8.6"),
          ("kernel_library", "8.4"), ("hex_tactics", "8.4"),
          ("snapshot_kernel_library", "8.2"), ("snapshot", "8.0"), ("decimal_tactics", "8.0"),
          ("trt7_summary", "7")]


# errors reported by these calls are deserialisation / inference failures, not build failures
_RUNTIME_APIS = ("IRuntime::", "ICudaEngine::", "IExecutionContext::", "IRuntimeCache", "IRuntimeConfig")


# programs that print their own lines beside TensorRT's trt.Logger lines ([TRT] under the python envelope):
# the log is theirs, however many TensorRT lines it holds
_HOST_PRODUCERS = ("ultralytics", "tensorrt-llm")


def _finish_meta(bl: BuildLog, st) -> None:
    meta = bl.meta
    if st.producers:
        prod = max(st.producers.items(), key=lambda kv: kv[1])[0]
        hosts = [h for h in _HOST_PRODUCERS if h in st.producers]
        if "trtexec" in st.producers and any(r.get("command") for r in st.run_rows):
            prod = "trtexec"
        elif hosts:
            prod = hosts[0]
        meta["producer"] = prod
    if not meta.get("model") and meta.get("command"):
        for tok in str(meta["command"]).split():
            if tok.startswith(("--onnx=", "--deploy=", "--uff=", "--loadEngine=")):
                meta["model"] = tok.split("=", 1)[1]
                break
    if st.features.get("rtx") or st.features.get("cpu_only_build") or meta.get("backend") == "tensorrt-rtx":
        # TensorRT-RTX numbers its releases on its own (1.x): no TensorRT version is inferred from
        # its wordings; the version is what a line or the bundle states, else "unknown"
        meta["backend"] = "tensorrt-rtx"
        meta["strongly_typed"] = True
        meta.setdefault("backend_version", "unknown")
        meta.setdefault("backend_version_source", "not stated in the log")
    elif not meta.get("trt_version"):
        # not printed: the version stays unknown; message forms only give a lower bound (a 10.4
        # log prints 8.6's "profiling completed" too)
        for feat, ver in _INFER:
            if st.features.get(feat):
                meta["trt_version_min"] = ver
                meta["trt_version_source"] = f"not printed (>= {ver}: {feat.replace('_', ' ')})"
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
    # TensorRT 8.x's builder prints "[MemUsageChange] TensorRT-managed allocation in building engine" as the
    # last step of a build that returned an engine (8.4 Python logs have no "Engine generation completed")
    mem = bl.tables["memory"]
    if not built and len(mem):
        made = mem[(mem["kind"] == "change") & (mem["name"] == "TensorRT-managed allocation in building engine")]
        if len(calib):
            made = made[made["line"] > calib["line"].max()]
        built = len(made) > 0
    # a run that only deserialized an engine (trtexec --loadEngine, a Python runtime): no build here
    generated = done[done["phase"] != "Engine deserialized"]
    loaded = phases["phase"].eq("Engine deserialized").any() or "--loadEngine" in str(meta.get("command") or "")
    if loaded and len(generated) == 0 and not meta.get("engine_serialized"):
        meta["engine_loaded"] = True
        built = False
    # "Could not find any implementation" always ends the build (the builder returns no engine)
    # and so does an error reported by the build call itself (Python/C++ API: no plan is returned)
    api = errors["api"].astype(str)
    build_api = api.str.startswith("IBuilder::build")      # buildSerializedNetwork / buildEngineWithConfig
    no_impl = errors["kind"].eq("no_implementation") | errors["text"].astype(str).str.contains(
        "Could not find any implementation for node", regex=False) | build_api
    fatal = ["assertion", "trtexec_failure", "build_failed", "calibration_failure", "precision_constraint",
             "dla_unavailable"]
    failed = (meta.get("status") == "FAILED" or bool(errors["kind"].isin(fatal).any())
              or bool(no_impl.any() and not built))
    # deserialising or running an engine is not building it: kept apart from build_ok
    runtime = errors[api.str.startswith(_RUNTIME_APIS)]
    if len(runtime):
        meta["runtime_failure"] = str(runtime["text"].iat[0])[:300]
        meta["runtime_failure_line"] = int(runtime["line"].iat[0])
    if failed:
        meta["build_ok"] = False
        first = errors.iloc[0] if len(errors) else None
        if first is not None:
            meta["failure"] = str(first["text"])[:300]
    elif built or (meta.get("status") == "PASSED" and not meta.get("engine_loaded")):
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
    n = len(rows["layers"])
    bl = BuildLog(path=path, tables={t: T.frame(t, _columns(r, t)) for t, r in rows.items()},
                  meta={"producer": "json", "io_tensors": io, "sources": [path], "engine_layers": n},
                  lines=n, recognized=n)
    return bl


def _first(bundle: Path, names) -> Optional[Path]:
    for n in names:
        p = bundle / n
        if p.is_file():
            return p
    return None


def _load_bundle(bundle: Path, jobs: Optional[int] = None,
                 progress: Optional[Callable[[int, int], None]] = None) -> BuildLog:
    if not os.access(bundle, os.R_OK | os.X_OK):
        raise TrtlogError(f"cannot read {bundle}: permission denied")
    log = _first(bundle, BUNDLE_LOGS)
    if log is None:
        raise TrtlogError(f"{bundle} is a directory without build.log (not a trtlog bundle)")
    # a bundle trtlog wrote may hold a log of a build that failed before TensorRT printed anything;
    # a build.log that is a link to some other file gets the same check as any log
    bl = _load_log(str(log), allow_non_trt=not log.is_symlink(), jobs=jobs, progress=progress)
    bl.meta["bundle"] = str(bundle)
    sources = [str(log)]
    lj = _first(bundle, ("layers.json", "layers.json.xz", "layers.json.gz"))
    if lj is not None:
        rows, io = layer_rows(J.read_model(str(lj), J.LAYERS))
        if rows["layers"]:
            # the engine inspector's layers replace the log's, with their tensors
            for t, r in rows.items():
                bl.tables[t] = T.frame(t, _columns(r, t))
            bl.meta["io_tensors"] = io
            bl.meta["engine_layers"] = len(rows["layers"])
        sources.append(str(lj))
    pj = _first(bundle, ("profile.json", "profile.json.xz"))
    if pj is not None:
        doc = read_json(str(pj))
        if is_profile(doc):
            doc = J.check(doc, J.PROFILE, str(pj))
            bl.tables["profile"] = T.frame("profile", _columns(profile_rows(doc), "profile"))
            sources.append(str(pj))
    docs = J.read_bundle(str(bundle))
    bl.bundle = docs
    if docs.bench is not None:
        rows = bench_rows({"metrics": docs.bench.metrics, "units": docs.bench.units})
        if rows:
            perf = T.frame("perf", _columns(rows, "perf"))
            old = bl.tables["perf"]
            bl.tables["perf"] = pd.concat([old, perf], ignore_index=True) if len(old) else perf
            sources.append(str(bundle / "bench.json"))
    for name, doc, key in (("env.json", docs.env, "env"), ("config.json", docs.config, "config"),
                           ("status.json", docs.status, "status_json"),
                           ("validate.json", docs.validation, "validation")):
        if doc is not None:
            bl.meta[key] = dict(doc.raw)        # the documents as written, for meta.json (trtlog/parquet.py)
            sources.append(str(bundle / name))
    env = docs.env
    if env is not None:
        if env.gpu_label:
            bl.meta.setdefault("gpu", env.gpu_label)
        if env.compute_capability:
            bl.meta.setdefault("compute_capability", str(env.compute_capability))
        if env.rtx:
            bl.meta["backend"] = "tensorrt-rtx"
            if env.tensorrt_rtx:
                bl.meta["backend_version"] = str(env.tensorrt_rtx)
                bl.meta["backend_version_source"] = "env.json"
            else:
                bl.meta.setdefault("backend_version", "unknown")
                bl.meta.setdefault("backend_version_source", "not stated in the log or env.json")
        elif env.tensorrt and (not bl.meta.get("trt_version") or
                               bl.meta.get("trt_version_source", "").startswith(("inferred", "not printed"))):
            bl.meta["trt_version"] = str(env.tensorrt)
            bl.meta["trt_version_source"] = "env.json"
    status = docs.status
    if status is not None and status.builds:
        # several steps in one bundle (tests/zoo/two_builds.py): `ok` covers them all; the engine
        # builds are `builds[i].ok`, and a failed deserialisation is a runtime failure, not a build one
        bl.meta["build_ok"] = all(bool(b.ok) for b in status.builds)
        if not bl.meta["build_ok"] and status.error:
            bl.meta.setdefault("failure", str(status.error))
        if any(b.deserialized is False for b in status.builds):
            bl.meta.setdefault("runtime_failure", str(status.error or "the engine did not deserialize"))
    elif status is not None and status.ok is not None:
        bl.meta["build_ok"] = bool(status.ok)
        if not status.ok and status.error:
            bl.meta.setdefault("failure", str(status.error))
        if status.build_seconds is not None:
            bl.meta["build_seconds"] = float(status.build_seconds)
        if status.engine_bytes:
            bl.meta["engine_size_mib"] = round(status.engine_bytes / 2**20, 3)
    cfg = docs.config
    if cfg is not None and cfg.spec is not None:
        precs = [str(p).upper() for p in cfg.precisions or ()]
        if cfg.best:
            precs += ["FP16", "INT8"]
        rtx = bl.meta.get("backend") == "tensorrt-rtx"      # strongly typed: no precision is requested
        if (cfg.precisions is not None or precs or cfg.strongly_typed) and not rtx:
            bl.meta["precision_requested"] = ["FP32"] + [p for p in dict.fromkeys(precs) if p != "FP32"]
        if cfg.strongly_typed:
            bl.meta["strongly_typed"] = True
        if cfg.model:
            bl.meta.setdefault("model", cfg.model)
        profiles = _requested_profiles(cfg.spec, cfg.profiles_added)
        if profiles:
            bl.meta["requested_profiles"] = profiles
    if bl.meta.get("backend") == "tensorrt-rtx":
        bl.meta["strongly_typed"] = True         # TensorRT-RTX networks are always strongly typed
    if cfg is not None and cfg.tactic_sources:
        bl.meta["tactic_sources"] = list(cfg.tactic_sources)
    bl.meta["sources"] = sources
    return bl


def _dims(v) -> str:
    return "x".join(str(d) for d in v) if isinstance(v, (list, tuple)) else str(v)


def _requested_profiles(spec: Mapping[str, Any], added: Optional[Sequence[int]]) -> List[dict]:
    """The optimisation profiles a bundle's config.json asked for, one dict per profile and input:
    {profile, input, min, opt, max, added}; `added` is False where TensorRT rejected the profile
    (config.json `profiles_added` holds -1 for it) and None where the bundle does not say."""
    out: List[dict] = []
    for p, prof in enumerate([spec] + list(spec.get("extra_profiles") or [])):
        if not isinstance(prof, Mapping):
            continue
        fixed = prof.get("shapes") or {}
        names = list(dict.fromkeys(list(fixed) + list(prof.get("min_shapes") or {})))
        for name in names:
            row = {"profile": p, "input": name}
            for key in ("min", "opt", "max"):
                v = (prof.get(key + "_shapes") or {}).get(name, fixed.get(name))
                row[key] = _dims(v) if v is not None else ""
            row["added"] = (added[p] >= 0) if added is not None and p < len(added) else None
            out.append(row)
    return out
