"""TRT5xx: compatibility — deprecated flags/APIs, weak typing (gone in TensorRT 11), Python tracebacks."""
from __future__ import annotations

from .engine import Fix, parse_version, rule
from .kinds import Present, present
from .util import at_lines, by_id, names, plural, requested_precisions, rows


@rule("TRT501", "deprecated-trtexec-flags", severity="warning", category="compatibility",
      summary="trtexec flags that are deprecated (and removed in later versions) were used.",
      tables=("messages", "options"),
      fix=Fix(python="(trtexec flags.)",
              trtexec="--workspace -> --memPoolSize=workspace:N; --buildOnly -> --skipInference; "
                      "--nvtxMode -> --profilingVerbosity; --explicitBatch -> (default); "
                      "--profilingVerbosity=verbose -> =detailed",
              trt11="Use the replacement flags; the deprecated ones are rejected by newer trtexec."),
      rationale="Deprecated flags keep working only until their removal; scripts break on upgrade.")
def deprecated_flags(bl, check):
    m = by_id(bl, ("trtexec.deprecated_flag",))
    if m.empty:
        return
    o = at_lines(bl, "options", m["line"])
    o = o[o["section"] == "deprecated"]
    pairs = [f"--{flag} -> --{new}" for flag, new in zip(o["key"], o["value"])]
    yield check.finding(f"{plural(len(m), 'deprecated trtexec flag')}",
                        "Deprecated: " + names(pairs, 8) + ".", check.evidence(m, "messages"),
                        fix=Fix(trtexec="; ".join(pairs)) if pairs else None, total=len(m))


# grammar message -> the deprecated call it reports
_DEPRECATED_API = {"err.max_batch": "getMaxBatchSize()", "app.deprecated_build_engine": "build_engine()"}


@rule("TRT502", "deprecated-api", severity="info", category="compatibility",
      summary="Deprecated TensorRT API calls (implicit-batch APIs, build_engine, ...).",
      tables=("messages",),
      fix=Fix(python="Use explicit-batch APIs: engine.get_tensor_shape(name) instead of get_max_batch_size(); "
                     "builder.build_serialized_network() instead of build_engine().",
              trtexec="(application code.)",
              trt11="Implicit batch and build_engine are removed in 10.x; port to the tensor-name APIs."),
      rationale="Implicit-batch APIs were deprecated in 8.x and removed in 10.0.")
def deprecated_api(bl, check):
    m = by_id(bl, _DEPRECATED_API)
    if m.empty:
        return
    kinds = [_DEPRECATED_API[i] for i in m["msg_id"]]
    yield check.finding("Deprecated API calls: " + names(kinds, 3),
                        f"{plural(len(m), 'warning')} about deprecated APIs ({names(kinds)}).",
                        check.evidence(m, "messages"), total=len(m))


present(Present(table="precision", kinds=("weak_typing_deprecated",),
                title="Weak typing is deprecated",
                message="This build uses weak typing (precision flags); TensorRT 11 removes it."),
        "TRT503", "weak-typing-deprecated",
        severity="warning",
        category="compatibility",
        summary="TensorRT warned that weakly-typed networks (precision flags) are deprecated.",
        min_version=(10, 12),
        fix=Fix(python="Create the network strongly typed: builder.create_network(1 << "
                       "int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)) and put FP16/INT8 into the ONNX "
                       "(AutoCast / TensorRT Model Optimizer).",
                trtexec="--stronglyTyped with an FP16/Q-DQ ONNX instead of --fp16/--int8/--best.",
                trt11="Required: TensorRT 11 has no weak typing; --fp16/--int8/--best and BuilderFlag.FP16/INT8 "
                      "are removed."),
        rationale="The precision flags (weak typing) are removed in TensorRT 11; builds relying on them stop "
                  "working on upgrade.")


@rule("TRT504", "weak-typing-flags-trt11", severity="info", category="compatibility",
      summary="The build relies on --fp16/--int8/--best (or BuilderFlag.FP16/INT8), which TensorRT 11 removes.",
      tables=("options", "runs", "facts", "precision"), max_version=(11, 0),
      fix=Fix(python="Move precision into the model: export FP16 ONNX (or AutoCast) and Q/DQ for INT8 "
                     "(TensorRT Model Optimizer); build with NetworkDefinitionCreationFlag.STRONGLY_TYPED.",
              trtexec="--stronglyTyped on an FP16/Q-DQ ONNX instead of --fp16/--int8/--best.",
              trt11="Strong typing only; calibrators and precision flags are gone."),
      rationale="Weak-typing builder flags have no TensorRT 11 equivalent; the engine's precision must come "
                "from the graph.")
def weak_typing_flags(bl, check):
    if bl.facts.strongly_typed:
        return
    req = requested_precisions(bl) & {"FP16", "INT8", "BF16", "FP8"}
    if not req:
        return
    if len(rows(bl, "precision", "kind", ("weak_typing_deprecated",))):
        return  # TRT503 already says it with TensorRT's own warning
    o = bl.tables["options"]
    ev = o[o["key"].astype(str).str.lower() == "precision"] if len(o) else o
    lines = []
    if ev.empty:
        runs = bl.tables["runs"]
        lines = [int(x) for x in runs["command_line"].dropna().head(1)]    # where the command line was printed
    r = bl.tables["precision"]
    if not lines and ev.empty and len(r):
        ev = r[r["kind"] == "requested"]
    yield check.finding("Precision flags removed in TensorRT 11",
                        f"The build asks for {'/'.join(sorted(req))} through builder flags (weak typing). "
                        "TensorRT 11 removes these flags; the precision must come from the ONNX graph.",
                        check.evidence(ev, "options", lines=lines), total=max(len(ev), len(lines)))


# the line that names a Python exception: a traceback's last line, or one printed on its own
_EXCEPTION_LINES = ("app.traceback_exception", "app.numpy_bool_error", "app.exception_line")
# exception lines a specific rule explains (TRT506)
_DIAGNOSED_EXCEPTIONS = ("app.numpy_bool_error",)


@rule("TRT505", "python-traceback", severity="error", category="compatibility",
      summary="A Python traceback appears in the captured log.",
      tables=("errors", "messages"),
      fix=Fix(python="Read the last line of the traceback (exception type and message) and the innermost frame "
                     "in your code.",
              trtexec="(Python application code.)", trt11="Check the API against the TensorRT 10/11 Python docs."),
      rationale="A Python exception stops the build or inference script; TensorRT lines after it come from "
                "another step or are absent.")
def python_traceback(bl, check):
    exc = by_id(bl, _EXCEPTION_LINES)
    if len(exc) and exc["msg_id"].isin(_DIAGNOSED_EXCEPTIONS).all():
        return      # the log's exceptions are ones a specific rule explains
    err = rows(bl, "errors", "kind", ("traceback",))
    table = "errors"
    if err is None or err.empty:
        err, table = by_id(bl, ("app.traceback_start",)), "messages"
    if err.empty:
        return
    exc = exc[exc["line"] > int(err["line"].min())] if len(exc) else exc
    last = exc["text"].iat[0].strip() if len(exc) else ""
    err_lines = [int(exc["line"].iat[0])] if len(exc) else []
    yield check.finding("Python traceback in the log", "A Python exception was raised"
                        + (f": {last}" if last else "."), check.evidence(err, table, lines=err_lines),
                        total=len(err))


@rule("TRT506", "numpy-bool-trt8", severity="error", category="compatibility",
      summary="TensorRT <= 8.5 Python (trt.nptype) fails with numpy >= 1.24: module 'numpy' has no attribute 'bool'.",
      tables=("messages",),
      fix=Fix(python="pip install 'numpy<1.24' for TensorRT <= 8.5, or upgrade to TensorRT >= 8.6 "
                     "(fixed to np.bool_).",
              trtexec="(Python only; trtexec is unaffected.)",
              trt11="Not affected."),
      rationale="tensorrt/__init__.py up to 8.5 maps trt.bool to np.bool inside trt.nptype(), an alias numpy 1.24 "
                "removed: every trt.nptype() call raises AttributeError (TensorRT's samples size their I/O buffers "
                "with it). 8.6.0's maps it to np.bool_ (checked in the wheel). numpy 1.20-1.23 only warn, and only "
                "where DeprecationWarnings are shown: then this is a warning of what the next numpy does.")
def numpy_bool(bl, check):
    m = by_id(bl, ("app.numpy_bool_error", "app.numpy_bool_warning"))
    if m.empty:
        return
    v = parse_version(bl.trt_version_min)
    conf = "high" if v is None or v < (8, 6) else "medium"
    if (m["msg_id"] == "app.numpy_bool_error").any():
        yield check.finding("numpy >= 1.24 breaks TensorRT 8.x trt.nptype",
                            "np.bool was removed in numpy 1.24; TensorRT 8.5's Python package (and older) still "
                            "uses it in trt.nptype(), so the script stopped there.",
                            check.evidence(m, "messages"), confidence=conf, total=len(m))
        return
    yield check.finding("TensorRT 8.x trt.nptype uses np.bool: numpy >= 1.24 will break it",
                        "numpy warns that np.bool is a deprecated alias (numpy 1.20-1.23): this run went on, but "
                        "with numpy >= 1.24 every trt.nptype() call raises AttributeError.",
                        check.evidence(m, "messages"), confidence=conf, total=len(m), severity="warning")


@rule("TRT507", "library-version-mismatch", severity="warning", category="compatibility",
      summary="TensorRT was linked against one cuDNN / cuBLAS version but loaded another at run time.",
      tables=("device",),
      fix=Fix(python="Install the cuDNN / cuBLAS version TensorRT was built with (its support matrix, or the "
                     "pip wheels nvidia-cudnn-cu1x / nvidia-cublas-cu1x it names) and put it first on "
                     "LD_LIBRARY_PATH (PATH on Windows); check with ldd libnvinfer.so.",
              trtexec="Same, for the trtexec process: LD_LIBRARY_PATH=/path/to/matching/cudnn/lib trtexec ...",
              trt11="TensorRT 10+ no longer needs cuDNN/cuBLAS for most layers (tactic sources off by default); "
                    "a mismatch there only matters if those sources are enabled."),
      rationale="TensorRT's cuDNN/cuBLAS tactics were built and tested against one library version; another "
                "minor version usually works but can change which kernels exist, their speed, or fail to load.",
      confidence="medium")
def library_version_mismatch(bl, check):
    d = bl.tables.get("device")
    if d is None or d.empty:
        return
    keys = d["key"].astype(str)
    linked = d[keys.str.endswith(" linked")]
    if linked.empty:
        return
    loaded = d[keys.str.endswith(" loaded")]
    pairs = []
    for (lib_key, ver), g in linked.groupby(["key", "value"], sort=False):
        lib = lib_key[:-len(" linked")]
        got = loaded[(loaded["key"] == f"{lib} loaded") & loaded["line"].isin(g["line"])]["value"]
        pairs.append(f"{lib} {ver} linked, {got.iat[0] if len(got) else '?'} loaded ({plural(len(g), 'time')})")
    rows = d[keys.str.endswith(" linked")]
    yield check.finding("Library version mismatch: " + "; ".join(p.split(" (")[0] for p in pairs),
                        "TensorRT reports it was built against another library version than the one it loaded: "
                        + "; ".join(pairs) + ".", check.evidence(rows, "device"), total=len(rows))
