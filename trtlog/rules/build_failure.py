"""TRT1xx: the build failed, and why (parser errors, plugins, memory, profiles, versions)."""
from __future__ import annotations

import pandas as pd

from ..vocab import HARDWARE_PRECISION, format_bytes, precision_of
from .engine import Fix, iter_runs, rule
from .util import at_lines, by_id, names, plural, rejected_profile_runs, rows, timing_cache_read_errors

_CAUSE_KINDS = ("assertion", "plugin_not_found", "datatype_unsupported", "onnx_error", "invalid_node", "onnx_node",
                "error_code",
                "profile_invalid", "profile_rejected", "no_profile",
                "traceback", "trtexec_failure")


@rule("TRT101", "build-failed", severity="error", category="build",
      summary="The log shows a failed build (no engine was produced).",
      tables=("errors", "runs", "facts"),
      fix=Fix(python="Check the return of parser.parse() / builder.build_serialized_network(); "
                     "print parser.get_error(i) for every parser error and fix the first one.",
              trtexec="Re-run trtexec with --verbose and fix the first [E] line; the findings below "
                      "name the cause where it is known.",
              trt11="Same: the first error is the cause; TensorRT 11 also rejects weak-typing flags."),
      rationale="Everything after the first error is a consequence; the first error line names the cause.")
def build_failed(bl, check):
    failed_runs = set()
    runs = bl.tables["runs"]
    if len(runs):
        failed_runs |= set(runs.loc[runs["status"] == "FAILED", "run"].astype(int))
    if not failed_runs and bl.facts.build_ok is not False:
        return
    err = bl.tables["errors"]
    cause_rows = err[err["kind"].isin(_CAUSE_KINDS)] if len(err) else err
    first = cause_rows.sort_values("line").head(1) if len(cause_rows) else cause_rows
    lines = []
    if len(runs):
        lines += runs.loc[runs["status"] == "FAILED", "last_line"].dropna().astype(int).tolist()
    ev = check.evidence(first, "errors", lines=lines)
    if not ev:  # the parser said failed but kept no row: quote the last line of the log
        if bl.lines:
            ev = check.evidence(lines=[bl.lines])
    reason = bl.facts.failure or (first["text"].iat[0] if len(first) else "")
    msg = "The build did not produce an engine."
    if reason:
        msg += f" First cause: {reason.strip()}"
    if len(cause_rows) > 1:
        msg += f" ({plural(len(cause_rows), 'error line')} in total.)"
    yield check.finding("Engine build failed", msg, ev, total=len(cause_rows) or len(ev))


@rule("TRT102", "onnx-node-unsupported", severity="error", category="build",
      summary="The ONNX parser rejected a node (unsupported op, attribute or shape).",
      tables=("errors",),
      fix=Fix(python="Inspect the node named in the error; fold constants and simplify the graph "
                     "(polygraphy surgeon sanitize --fold-constants model.onnx -o folded.onnx), export "
                     "with another opset, or implement the op as a plugin.",
              trtexec="trtexec --onnx=folded.onnx after `polygraphy surgeon sanitize --fold-constants`; "
                      "check the op against the onnx-tensorrt operator support matrix.",
              trt11="Same; TensorRT 11 parses the same ops as 10.x plus newer opsets."),
      rationale="The parser stops at the first node it cannot import, so the build never starts; the "
                "node name and op type in the error identify what to change in the model.")
def onnx_node_unsupported(bl, check):
    err = rows(bl, "errors", "kind", ("onnx_node", "invalid_node", "onnx_error"))
    if err is None or err.empty:
        return
    if (bl.tables["errors"]["kind"] == "implicit_batch_network").any():
        return      # the parser refused the whole network, no node: TRT119
    nodes = [n for n in err["node"].tolist() if n]
    detail = ""
    onnx_err = err[err["kind"] == "onnx_error"]
    if len(onnx_err):
        # "ERROR: … In function convMultiInput:" and the assertion on the line after it are one error
        said, last = [], None
        for line, text in zip(onnx_err["line"].astype(int), onnx_err["text"].astype(str)):
            if last is not None and line != last + 1:
                break
            said.append(text.strip())
            last = line
        detail = f" Parser says: {' '.join(said)}"
    title = f"ONNX parser rejected {names(nodes, 3)}" if nodes else "ONNX parser rejected a node"
    msg = (f"The ONNX parser failed on {plural(len(set(nodes)) or 1, 'node')}"
           + (f" ({names(nodes)})" if nodes else "") + "." + detail)
    yield check.finding(title, msg, check.evidence(err, "errors"), total=len(err))


@rule("TRT103", "plugin-not-found", severity="error", category="build",
      summary="A custom op / plugin creator was not found in the plugin registry.",
      tables=("errors", "onnx"),
      fix=Fix(python="Load the plugin library before parsing: ctypes.CDLL('libmyplugin.so') and "
                     "trt.init_libnvinfer_plugins(logger, ''); (10.x) "
                     "builder.get_plugin_registry().load_library(path).",
              trtexec="trtexec --plugins=libmyplugin.so (8.x) or --staticPlugins=/--dynamicPlugins= (10.x); "
                      "check the op name, plugin_version and plugin_namespace match the creator.",
              trt11="Load the library with --staticPlugins/--dynamicPlugins or the registry API; "
                    "prefer IPluginV3 plugins (IPluginV2 is deprecated)."),
      rationale="An op without an importer is looked up as a plugin by name, version and namespace; "
                "when no creator matches, parsing fails at that node.")
def plugin_not_found(bl, check):
    err = rows(bl, "errors", "kind", ("plugin_not_found",))
    if err is None or err.empty:
        return
    nodes = [n for n in err["node"].tolist() if n] if "node" in err else []
    ops = _plugin_ops(bl, nodes, err)
    what = f"op {names(ops, 3)}" if ops else names(nodes, 3)
    yield check.finding("Plugin not found" + (f" for {what}" if what else ""),
                        # one failed lookup prints a lookup error and the parser's assertion: count the ops
                        (f"{plural(len(ops), 'plugin lookup')} failed" if ops else
                         f"{plural(len(err), 'plugin lookup')} failed")
                        + (f" for op type{'s' if len(ops) > 1 else ''} {names(ops)}" if ops else "")
                        + (f" (node{'s' if len(set(nodes)) > 1 else ''} {names(nodes)})" if nodes else "")
                        + ": no plugin creator with that name/version/namespace was registered; the op type "
                          "is the plugin name TensorRT looked up.",
                        check.evidence(err, "errors"), total=len(err))


def _plugin_ops(bl, nodes, err) -> list:
    """The op types (= plugin names) behind the failed lookups: from the ONNX node table, or from the
    parser's own 'getPluginCreator could not find plugin: X' / 'No importer registered for op: X' words."""
    ops = []
    onnx = bl.tables.get("onnx")
    if onnx is not None and len(onnx) and nodes:
        hit = onnx[onnx["name"].isin(nodes) & (onnx["op"] != "")]
        ops += hit.drop_duplicates("name")["op"].tolist()
    lookups = not ops
    for plugin, version in zip(err["plugin"], err["plugin_version"]):   # the grammar's {plugin} / {version}
        if plugin:
            ops.append(plugin + (f" v{version}" if version else ""))
    if lookups and onnx is not None and len(onnx):   # 'No importer registered for op: X' names the op
        ops += onnx.loc[onnx["kind"] == "no_importer", "op"].tolist()
    ops = list(dict.fromkeys(ops))
    versioned = {o.split(" v")[0] for o in ops if " v" in o}    # "X v1" and a bare "X" are one op
    return [o for o in ops if " v" in o or o not in versioned]


@rule("TRT104", "no-implementation", severity="error", category="build",
      summary="\"Could not find any implementation for node\": no tactic could run the layer.",
      tables=("messages", "errors", "memory"),
      fix=Fix(python="config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 4 << 30); free GPU "
                     "memory used by other processes; check the layer's precision constraints.",
              trtexec="--memPoolSize=workspace:4096M (8.4+; --workspace=4096 before); fewer precision "
                      "constraints; update TensorRT if the node is a Myelin {ForeignNode[...]}.",
              trt11="--memPoolSize=workspace:4096M; remove conflicting casts in the strongly typed graph."),
      rationale="Every candidate tactic was rejected, most often for lack of workspace or GPU memory, "
                "sometimes because no kernel supports the requested types/formats.")
def no_implementation(bl, check):
    m = by_id(bl, _NO_IMPL)
    if m.empty:
        return
    nodes = [n.strip() for n in at_lines(bl, "errors", m["line"])["node"] if n]
    what = names(nodes) or "a node"
    cause = _cause_before(bl, int(m["line"].min()))
    if cause is None:
        yield check.finding("No implementation found for " + (names(nodes, 2) or "a node"),
                            f"TensorRT found no tactic for {what}; every candidate was "
                            "rejected (workspace / memory / unsupported type or format). No error or "
                            "warning in the lines before it names a more specific cause.",
                            check.evidence(m, "messages"), total=len(m))
        return
    kind, label, rows_, fix = cause
    # an exception whose text runs over the plain lines after it (TensorRT 10's shape-inference error)
    first = int(rows_["line"].iat[0])
    more = by_id(bl, _EXCEPTION_TEXT)
    more = more[(more["line"] > first) & (more["line"] < int(m["line"].min()))]
    goes_on = (f" Its text goes on over {plural(len(more), 'line')} and ends: "
               f"{str(more['text'].iat[-1]).strip()[:240]}") if len(more) else ""
    yield check.finding(f"No implementation found for {names(nodes, 2) or 'a node'}: {label}",
                        f"TensorRT found no tactic for {what}. The lines just before it name the cause: "
                        f"{rows_['text'].iat[0].strip()[:240]}"
                        + (f" ({plural(len(rows_), 'line')} of this kind)." if len(rows_) > 1 else ".") + goes_on,
                        check.evidence(rows_.head(4), "messages", lines=m["line"].tolist() + more["line"].tolist()),
                        fix=fix, total=len(m) + len(rows_))


_EXCEPTION_TEXT = ("err.shape_inference_text",)


_NO_IMPL = ("err.no_implementation_code", "err.could_not_find_impl")

# What the lines before "Could not find any implementation" can say, most specific first: (kind, the
# lines of that kind (typed rows), short label, fix). Only E/W/F lines of the same run within _LOOKBACK
# lines before the first no-implementation error count.
_LOOKBACK = 200


def _cuda_lines(bl) -> set:
    err = bl.tables["errors"]
    return set(err.loc[(err["category"] == "Cuda Runtime") | err["cuda_error"].notna(), "line"])


def _exception_lines(bl) -> set:
    err = bl.tables["errors"]
    return set(err.loc[err["kind"].isin(["tactic_exception", "assertion"]), "line"]) | set(
        by_id(bl, ("tactic.skip_exception", "err.tactic_exception_code", "app.exception_line",
                   "pload.invalid_state"))["line"])


def _workspace_lines(bl) -> set:
    mem = bl.tables["memory"]
    return set(mem.loc[mem["kind"].isin(["workspace_insufficient", "tactic_skip_memory", "tactic_skip_scratch"]),
                       "line"])


_NO_IMPL_CAUSES = (
    ("cuda", _cuda_lines, "a CUDA error came first",
     Fix(python="Fix the CUDA error first (an illegal memory access poisons the CUDA context, so every "
                "later tactic fails): run the build alone on the GPU, with compute-sanitizer, and with "
                "a newer driver/TensorRT; a workspace change does not address it.",
         trtexec="Rerun the build alone on the GPU (CUDA_LAUNCH_BLOCKING=1) to find the failing kernel; "
                 "--tacticSources=-CUDNN,-CUBLAS to rule out a library kernel.",
         trt11="Same: the CUDA error, not the tactic search, is the cause.")),
    ("exception", _exception_lines, "tactics failed with exceptions",
     Fix(python="Read the exception lines: they name the check every tactic failed; change the "
                "layer's type/format (or its precision constraint) accordingly.",
         trtexec="--verbose and read the tactic exceptions before the error.",
         trt11="Same.")),
    ("workspace", _workspace_lines, "tactics were skipped for lack of memory", None),
)


def _cause_before(bl, line: int):
    """The most specific reason the lines before `line` give for a no-implementation error."""
    m = bl.tables.get("messages")
    if m is None or m.empty:
        return None
    run = m.loc[m["line"] == line, "run"]
    before = m[(m["line"] < line) & (m["line"] >= line - _LOOKBACK) & m["severity"].isin(["E", "W", "F"])]
    if len(run):
        before = before[before["run"] == run.iat[0]]
    if before.empty:
        return None
    for kind, lines_of, label, fix in _NO_IMPL_CAUSES:
        hit = before[before["line"].isin(lines_of(bl))]
        if len(hit):
            return kind, label, hit, fix
    return None


@rule("TRT105", "build-out-of-memory", severity="error", category="build",
      summary="GPU memory ran out while building (CUDA out of memory / allocation failed).",
      tables=("messages", "errors"),
      fix=Fix(python="Lower the workspace pool (set_memory_pool_limit), narrow the max shapes of the "
                     "optimization profile, build with fewer concurrent processes on the GPU.",
              trtexec="--memPoolSize=workspace:1024M, smaller --maxShapes, close other GPU processes; "
                      "on Jetson also add swap and stop the desktop.",
              trt11="Same; strongly typed FP16/INT8 graphs also shrink weights and activations."),
      rationale="Tactic timing allocates activations for the max profile shape plus the workspace; "
                "when cudaMalloc fails the tactic (or the whole build) is dropped.")
def build_oom(bl, check):
    err = bl.tables["errors"]
    oom_code = err.loc[(err["kind"] == "error_code") & (err["category"] == "OutOfMemory"), "line"]
    m = by_id(bl, _OOM)
    m = pd.concat([m, by_id(bl, _ERROR_CODE).pipe(lambda e: e[e["line"].isin(oom_code)])]).sort_index()
    if m.empty:
        return
    # an error/warning severity, or a recognised error message printed without envelope (an
    # application forwarding TensorRT's words as is)
    m = m[m["severity"].isin(["E", "F", "W"]) | (m["family"] == "errors")]
    if m.empty:
        return
    req = [int(b) for b in at_lines(bl, "errors", m["line"])["bytes"].dropna()]   # err.oom's {bytes}
    apis = " ".join(at_lines(bl, "errors", m["line"])["api"].astype(str))
    # the same allocator fails at runtime too: say where, from TensorRT's own source location
    where = ("while creating the execution context" if "ExecutionContext" in apis else
             "while deserializing the engine" if "deserializ" in apis.lower() else "during the build")
    msg = f"{plural(len(m), 'line')} report a failed GPU allocation {where}."
    if req:
        msg += f" Largest failed request: {max(req)} bytes ({format_bytes(max(req))})."
    yield check.finding(f"Out of GPU memory {where}", msg, check.evidence(m, "messages"), total=len(m))


_OOM = ("err.oom", "err.oom_bare", "err.cuda_out_of_memory", "err.cuda_out_of_memory_bare")
_ERROR_CODE = ("err.error_code", "err.error_code_bare", "err.error_code_bare_numbered")


@rule("TRT106", "profile-shape-violation", severity="error", category="build",
      summary="An input shape is outside the optimization profile, or the profile's shapes break the network's "
              "shape constraints.",
      tables=("messages", "errors"),
      fix=Fix(python="profile.set_shape(name, min, opt, max) with min <= opt <= max covering every runtime "
                     "shape; call context.set_input_shape() only with shapes inside [min, max].",
              trtexec="--minShapes/--optShapes/--maxShapes that cover the runtime --shapes.",
              trt11="Same API (set_input_shape); profiles are unchanged in TensorRT 11."),
      rationale="An engine only runs shapes inside the profile it was built for; TensorRT rejects others "
                "with an API Usage Error and the inference call fails.")
def profile_shape_violation(bl, check):
    # a profile that is invalid in itself (min <= opt <= max broken: IOptimizationProfile::isValid) is
    # TRT115's; this rule is about shapes against the profile and profiles against the network
    m = by_id(bl, ("rtx.profile_shape_conflict", "rtx.no_profile"))
    err = bl.tables["errors"]
    kinds = m["line"].map(dict(zip(err["line"], err["kind"])))     # the grammar's error kind of each line
    # after a rejected profile, 'no optimization profile has been defined' is TRT115's consequence
    m = m[~(m["run"].isin(rejected_profile_runs(bl)) & (kinds == "no_profile"))]
    if m.empty:
        return
    conflict = kinds[m.index] == "profile_shape_conflict"
    title = ("Optimization profile shapes break the network's shape constraints" if conflict.all()
             else "Input shape outside the optimization profile")
    detail = (" The profile's min/opt/max of different inputs must agree wherever the network ties their "
              "dimensions (an elementwise op, a Concat, a Reshape)." if conflict.any() else "")
    yield check.finding(title,
                        f"{plural(len(m), 'error line')} about optimization-profile shapes.{detail}",
                        check.evidence(m, "messages"), total=len(m))


@rule("TRT107", "engine-version-mismatch", severity="error", category="build",
      summary="The engine plan was built by a different TensorRT version than the runtime loading it.",
      tables=("messages", "facts", "errors", "timing_cache"),
      fix=Fix(python="Rebuild the engine with the same TensorRT version as the runtime, or build with "
                     "config.set_flag(trt.BuilderFlag.VERSION_COMPATIBLE) (8.6+) and load with a lean runtime.",
              trtexec="Rebuild with the runtime's trtexec; --versionCompatible (8.6+) for forward compatibility.",
              trt11="Engines are tied to the TensorRT version unless built version-compatible; rebuild."),
      rationale="Serialized engines embed the library version; deserialization refuses other versions.")
def engine_version_mismatch(bl, check):
    m = by_id(bl, ("err.version_mismatch_library", "err.version_mismatch_coded", "err.version_mismatch",
                   "err.serialization_version"))
    cache = timing_cache_read_errors(bl)
    if len(cache) and len(m):   # a timing cache written by another version (TRT304), not an engine
        m = m[~m.set_index(["run", "line"]).index.isin(cache.set_index(["run", "line"]).index)]
    if m.empty:
        return
    detail = ""
    # the library-version forms name the runtime's version and the plan's (facts)
    if m["msg_id"].isin(["err.version_mismatch_library", "err.version_mismatch_coded"]).any() \
            and bl.facts.engine_trt_version:
        detail = (f" The runtime is {bl.facts.trt_version}, the plan was written by "
                  f"{bl.facts.engine_trt_version}.")
    yield check.finding("Engine built by another TensorRT version",
                        "The engine could not be deserialized: version mismatch." + detail,
                        check.evidence(m, "messages"), total=len(m))


@rule("TRT108", "builder-assertion", severity="error", category="build",
      summary="The builder process aborted on an internal assertion (no TensorRT error message).",
      tables=("errors",),
      fix=Fix(python="Report it with the ONNX model; try a newer TensorRT, disable the precision that the "
                     "failing kernel uses, or isolate the subgraph with polygraphy debug reduce.",
              trtexec="Retry without --best/--int8 (or with --fp16 only) to find the precision that triggers it; "
                      "polygraphy debug reduce to isolate the node.",
              trt11="Same; in strongly typed graphs cast the offending tensor explicitly."),
      rationale="An assertion inside the builder (e.g. Myelin 'Unsupported type') kills the process; the "
                "log stops without &&&& FAILED, so it is easy to miss.")
def builder_assertion(bl, check):
    err = rows(bl, "errors", "kind", ("assertion",))
    if err is None or err.empty:
        return
    what = err["condition"].iat[0] or err["text"].iat[0].strip()[:160]
    yield check.finding("Builder aborted on an assertion",
                        f"The process aborted: assertion {what!r} failed. The log ends there.",
                        check.evidence(err, "errors"), total=len(err))


@rule("TRT109", "log-ends-mid-build", severity="warning", category="build",
      summary="The log stops while the engine is still being built (no result, no error).",
      tables=("messages", "errors", "facts", "runs"),
      fix=Fix(python="Capture the whole build (the builder may have been killed, e.g. by the OOM killer, "
                     "or the capture cut off); check dmesg and rerun with the logger at INFO.",
              trtexec="Rerun and keep the full output (trtexec ... 2>&1 | tee build.log).",
              trt11="Same."),
      rationale="Without the end of the build nothing can be said about the engine; a silent end is "
                "typical of a process killed by the kernel OOM killer or a timeout.",
      confidence="medium")
def log_ends_mid_build(bl, check):
    if bl.facts.build_ok is True or bl.facts.build_seconds:
        return
    runs = bl.tables["runs"]
    if len(runs) and (runs["status"] != "").any():
        return
    if len(bl.tables["errors"]):
        return
    started = by_id(bl, _BUILD_STARTED)
    if started.empty:
        return
    ended = by_id(bl, _BUILD_ENDED)
    if len(ended):
        return
    last = int(started["line"].max())
    yield check.finding("Log ends before the engine was built",
                        f"The build started (line {int(started['line'].min())}) but the log ends at line "
                        f"{bl.lines} with no engine, no timing summary and no error.",
                        check.evidence(lines=[last, bl.lines]))


_BUILD_STARTED = ("tc.local", "tc.global", "mem.workspace_insufficient", "mem.workspace_insufficient_old",
                  "mem.workspace_insufficient_old_bare", "tactic.autotuning_format", "tactic.timing_runner",
                  "trtllm.engine_build_starts")
# "Detected N inputs and M output network tensors" closes tactic selection (it is all a 6.x/7.x C++
# application's logger shows of the end of a build)
_BUILD_ENDED = ("opt.engine_generation", "trtexec.engine_built", "mem.total", "build.detected_io",
                "build.detected_io_bare", "li.engine_layer_information", "build.serialization", "app.bert_demo_phase",
                "trtexec.finished", "trtexec.starting_inference", "trtexec.perf_header")


@rule("TRT110", "dynamic-input-without-profile", severity="warning", category="build",
      summary="A dynamic input had no shapes/profile; trtexec overrode it to a fixed shape.",
      tables=("messages", "errors", "options"),
      fix=Fix(python="profile = builder.create_optimization_profile(); profile.set_shape(name, min, opt, max); "
                     "config.add_optimization_profile(profile)",
              trtexec="--minShapes=x:1x1x28x28 --optShapes=x:8x1x28x28 --maxShapes=x:32x1x28x28 "
                      "(or --shapes=x:NxCxHxW for a fixed shape)",
              trt11="Same optimization-profile API."),
      rationale="With no profile the engine is built (and benchmarked) for the overridden shape only, "
                "usually batch 1; other shapes fail at runtime.")
def dynamic_without_profile(bl, check):
    m = by_id(bl, ("trtexec.dynamic_override", "rtx.no_profile"))
    if m.empty:
        return
    rejected = rejected_profile_runs(bl)       # a profile was given and rejected: TRT115 says so
    for run, g in m.groupby("run"):
        if int(run) in rejected:
            continue
        o = at_lines(bl, "options", g["line"])
        o = o[o["section"] == "shape_override"]
        ins = o["key"].tolist()
        shapes = [f"{k}={v}" for k, v in zip(o["key"], o["value"])]
        msg = ("Dynamic input(s) " + names(ins) + " had no shapes; the engine was built for "
               + names(shapes) + " only." if ins else
               "The network has dynamic inputs but no optimization profile.")
        yield check.finding("Dynamic input built without a shape profile", msg,
                            check.evidence(g, "messages"), run=int(run), total=len(g))


@rule("TRT111", "int8-calibration-failed", severity="error", category="build",
      summary="INT8 build failed: calibration gave no scaling factors (no calibrator and no dynamic ranges, or a "
              "calibrator that yielded no batch).",
      tables=("errors", "messages", "calibration", "precision"),
      fix=Fix(python="Attach an IInt8EntropyCalibrator2 whose get_batch returns device pointers for each batch "
                     "(config.int8_calibrator = calib) or set tensor.set_dynamic_range(-a, a) for every tensor; "
                     "better: quantize the ONNX with Q/DQ (TensorRT Model Optimizer) and build in "
                     "explicit-quantization mode.",
              trtexec="--int8 --calib=cache.bin with a calibration cache, or build a Q/DQ ONNX.",
              trt11="Calibrators are gone: quantize the model offline (Q/DQ via TensorRT Model Optimizer) "
                    "and build strongly typed."),
      rationale="Implicit INT8 needs a scale for every tensor; when neither a calibrator nor dynamic ranges "
                "give one the builder stops. TensorRT 8.6 prints the same error whether no calibrator was "
                "attached or the calibrator ran and its get_batch returned no batch: the lines before it tell "
                "the two apart ('Calibrator is not being used' vs 'Starting Calibration').")
def int8_calibration_failed(bl, check):
    err = bl.tables["errors"]
    coded = err[err["kind"] == "calibration_failure"] if len(err) else err
    bare = by_id(bl, ("prec.calibration_failure",), ("E", "F"))
    lines = sorted(set(coded["line"].astype(int).tolist()) | set(bare["line"].astype(int).tolist()))
    if not lines:
        return
    first = lines[0]
    prec, cal = bl.tables["precision"], bl.tables["calibration"]
    unused = prec[(prec["kind"] == "calibrator_unused") & (prec["line"] < first)] if len(prec) else prec
    ran = cal[cal["line"] < first] if len(cal) else cal
    cause_lines: list = []
    if len(unused):
        cause_lines = [int(unused["line"].iat[-1])]
        cause = (f"No calibrator was attached (line {cause_lines[0]}: TensorRT says the calibrator is not being "
                 "used) and not every tensor got a dynamic range, so no layer has a scale.")
    elif len(ran):
        start = ran[ran["event"] == "start"]
        done = ran[ran["event"] == "done"]
        cause_lines = [int(x) for x in (start["line"].tolist()[-1:] + done["line"].tolist()[-1:])]
        took = f", completed in {float(done['seconds'].iat[-1]):g} s" if len(done) and done["seconds"].notna().iat[-1] \
            else ""
        batches = int((ran["event"] == "batch").sum())
        if batches:
            cause = (f"The calibrator ran (line {cause_lines[0]}{took}, {plural(batches, 'batch', 'batches')}) but "
                     "no scale came of it: check that the batches hold real, non-constant inputs.")
        else:
            cause = (f"The calibrator ran (line {cause_lines[0]}{took}) without a single 'Calibrated batch' line: "
                     "its get_batch gave TensorRT no batch (an empty calibration set, a wrong path or glob, a "
                     "loader exhausted by an earlier pass).")
    else:
        cause = "Neither a calibrator nor dynamic ranges gave TensorRT a scale."
    yield check.finding("INT8 calibration failed", "The INT8 build stopped: no scaling factors were available. "
                        + cause, check.evidence(lines=lines + cause_lines), total=len(lines))


@rule("TRT112", "unused-network-input", severity="warning", category="build",
      summary="A network input is read by no layer (TensorRT keeps it as a binding that must still be fed).",
      tables=("onnx",),
      fix=Fix(python="Remove the input from the network (or the ONNX export), or wire it to the layer that "
                     "should read it; a TensorRT-LLM position_ids input unused by the model is harmless but "
                     "still needs a buffer.",
              trtexec="Re-export the ONNX without the input (onnx-graphsurgeon: drop it from graph.inputs and "
                      "cleanup()); still pass a shape for it with --shapes while it exists.",
              trt11="Same: unused inputs are kept as I/O tensors."),
      rationale="An input nothing reads is usually an export mistake (a tensor wired to the wrong place) "
                "or a leftover; TensorRT warns but keeps it, so every inference must still bind it.")
def unused_network_input(bl, check):
    o = rows(bl, "onnx", "kind", ("unused_input", "unused_input_kept"))
    if o is None or o.empty:
        return
    for run, g in iter_runs(o):
        ins = list(dict.fromkeys(n for n in g["name"].astype(str) if n))
        yield check.finding(f"Unused network input{'s' if len(ins) > 1 else ''}: {names(ins, 3)}",
                            f"{plural(len(ins), 'network input')} ({names(ins)}) {'is' if len(ins) == 1 else 'are'} "
                            "read by no layer; TensorRT keeps "
                            f"{'it' if len(ins) == 1 else 'them'} as engine I/O, so inference must still "
                            "provide a buffer.",
                            check.evidence(g, "onnx"), run=run, total=len(g))


@rule("TRT113", "unrecognised-message", severity="warning", category="build",
      summary="An error or warning line under a TensorRT envelope that no grammar recognises: quoted as is, so a "
              "failure is never explained as 'no findings'.",
      tables=("messages",),
      fix=Fix(python="Read the quoted line: it is TensorRT's own words. Run `trtlog parse LOG --unknown` and add "
                     "the wording to grammars/ so a rule can explain it.",
              trtexec="Same; rerun with --verbose for the context before the line.",
              trt11="Same."),
      rationale="trtlog explains what its grammar knows; an [E]/[W] line it does not know may be the very "
                "cause of a failure, so it is surfaced verbatim instead of being dropped.",
      confidence="low")
def unrecognised_message(bl, check):
    m = bl.tables.get("messages")
    if m is None or m.empty:
        return
    u = m[(m["family"] == "unknown") & m["severity"].isin(["E", "F", "W"])]
    if u.empty:
        return
    errors = u[u["severity"].isin(["E", "F"])]
    first = (errors if len(errors) else u)["text"].iat[0].strip()
    kind = "error" if len(errors) else "warning"
    yield check.finding(f"Unrecognised TensorRT {kind}: {first[:80]}",
                        f"{plural(len(u), 'error/warning line')} under a TensorRT envelope match no grammar "
                        f"({len(errors)} errors). First: {first[:300]}",
                        check.evidence(u, "messages"), total=len(u),
                        severity="error" if len(errors) else "warning")


@rule("TRT118", "datatype-unsupported-on-target", severity="error", category="build",
      summary="A target GPU cannot compute a data type the model holds (FP8 before 8.9, FP4 before Blackwell).",
      tables=("errors",),
      fix=Fix(python="Drop the older targets from the build (TensorRT-RTX: config.set_compute_capability / "
                     "--compute-capability 12.0), build a second engine for them from a model without those "
                     "Q/DQ nodes (FP16 or INT8), or keep the quantized part out of the network.",
              trtexec="Build per GPU generation: --computeCapabilities for the targets that have the hardware, "
                      "and an FP16/INT8 model for the others.",
              trt11="Same: quantized FP8/FP4 layers need hardware for them; ship one engine per GPU generation."),
      rationale="A strongly typed network keeps the precision of its Q/DQ nodes: where the target has no "
                "FP8/FP4 hardware, no kernel exists and the build fails instead of falling back.")
def datatype_unsupported(bl, check):
    err = rows(bl, "errors", "kind", ("datatype_unsupported",))
    if err is None or err.empty:
        return
    printed = sorted({d.strip() for value in err["datatypes"] for d in str(value).split(",") if d.strip()})
    precisions = sorted({precision_of(d) for d in printed})
    needs = [f"{p} needs compute capability {HARDWARE_PRECISION[p][0]} or newer ({HARDWARE_PRECISION[p][1]})"
             for p in precisions if p in HARDWARE_PRECISION]
    nodes = sorted({n for n in err["node"] if n})
    what = (f"operation{'s' if len(nodes) > 1 else ''} {names(nodes)} in {names(precisions)}" if nodes
            else f"{names(printed)} data")
    yield check.finding(
        f"{names(precisions)} not computable on a build target",
        f"The model holds {what}, which at least one target GPU of the build has no kernel for, so the "
        f"build stopped" + (": " + "; ".join(needs) if needs else "") + "."
        + (" TensorRT-RTX has no FP32 GEMM for that target, while FP16 GEMMs build for it: cast these "
           "operations (or the model) to FP16, or drop that target." if nodes and precisions == ["FP32"] else ""),
        check.evidence(err, "errors"), total=len(err))



@rule("TRT119", "implicit-batch-network", severity="error", category="build",
      summary="The network was created without the EXPLICIT_BATCH flag (implicit batch, deprecated in 8.x, removed in "
              "10.0): the ONNX parser refuses it.",
      tables=("errors", "messages"),
      fix=Fix(python="builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)) (8.x); "
                     "TensorRT 10 networks are always explicit batch (create_network(0)); set the batch size in the "
                     "model's input shapes or an optimization profile instead of builder.max_batch_size.",
              trtexec="trtexec --onnx always builds explicit batch; --explicitBatch is only needed before 8.x.",
              trt11="Implicit batch does not exist any more: create_network() with no flag."),
      rationale="A TensorRT 7-era script creates the network with create_network() and no flag; 8.x warns that the "
                "implicit batch mode is deprecated, and its ONNX parser refuses such a network outright, before "
                "reading any node.")
def implicit_batch_network(bl, check):
    err = bl.tables["errors"]
    refused = err[err["kind"] == "implicit_batch_network"] if len(err) else err
    warned = by_id(bl, ("err.implicit_batch_deprecated",))
    if refused.empty and warned.empty:
        return
    lines = warned["line"].astype(int).tolist() + refused["line"].astype(int).tolist()
    if len(refused):
        yield check.finding("Network created in implicit batch mode: the ONNX parser refused it",
                            "The network was created without NetworkDefinitionCreationFlag::kEXPLICIT_BATCH"
                            + (f" (TensorRT warned at line {lines[0]})" if len(warned) else "")
                            + " and the ONNX parser only accepts explicit-batch networks: it stopped before the first "
                            f"node (line {int(refused['line'].iat[0])}).",
                            check.evidence(lines=lines), total=len(lines))
        return
    yield check.finding("Network created in implicit batch mode",
                        "The network was created without NetworkDefinitionCreationFlag::kEXPLICIT_BATCH: implicit "
                        "batch is deprecated in TensorRT 8.x and removed in 10.0.", check.evidence(lines=lines),
                        total=len(lines), severity="warning")


@rule("TRT120", "no-supported-format", severity="error", category="build",
      summary="\"could not find any supported formats consistent with input/output data types\": the node supports "
              "none of the types its tensors have.",
      tables=("errors",),
      fix=Fix(python="Give the node tensors of types it supports: cast them in the ONNX model (onnx-graphsurgeon; "
                     "e.g. INT64 outputs to INT32 for a plugin written for INT32), or extend the plugin's "
                     "supportsFormatCombination / getOutputDataType to the types the network gives it.",
              trtexec="Same fix in the ONNX model or the plugin, then rebuild; no builder flag changes a "
                      "tensor's type.",
              trt11="Strongly typed: the types are the network's own; insert explicit casts around the node."),
      rationale="Every node must agree with its neighbours on a data type and format for each tensor; when the "
                "combinations a plugin (its supportsFormatCombination) or a layer offers hold none of the types "
                "the network gives it, no tactic is even tried and the build stops. Typical: INT64 tensors, which "
                "TensorRT 10 keeps as INT64, meeting a plugin written for INT32.")
def no_supported_format(bl, check):
    err = bl.tables["errors"]
    hits = err[err["kind"] == "no_supported_formats"] if len(err) else err
    for run, g in iter_runs(hits):
        nodes = [n.strip() for n in g["node"] if n and n.strip()]
        yield check.finding("No supported type/format for " + (names(nodes, 2) or "a node"),
                            f"TensorRT found no data type and format combination that {names(nodes) or 'the node'} "
                            f"supports for the types of its inputs and outputs (line {int(g['line'].iat[0])}); "
                            "the build stops there. Check the tensor types at this node (INT64 against a plugin "
                            "written for INT32 is the usual case) and what the plugin or layer supports.",
                            check.evidence(g, "errors"), run=run, total=len(g))
