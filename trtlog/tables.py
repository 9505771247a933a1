"""The BuildLog tables: names, columns and dtypes, defined in one place.

Every parser sink, rule, report and diff reads these names. `docs/tables.md` is generated from
this module (`python -m trtlog.tables > docs/tables.md`). Every table carries `run` (0-based index
of the run inside a multi-run file) and `line` (1-based line number in the log, or the row number
in a JSON source) so that findings can point back at evidence.
"""
from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from .numbers import to_float, to_int

# dtype names: "int" -> Int64 (nullable), "float" -> float64, "str" -> object/str, "bool" -> bool,
# "cat" -> category of str (a per-line column of few distinct values: a small code per row, not a pointer)
TABLES: "OrderedDict[str, tuple[str, list[tuple[str, str, str]]]]" = OrderedDict()


def _table(name: str, doc: str, columns: list[tuple[str, str, str]]) -> None:
    TABLES[name] = (doc, [("run", "int", "run index inside the file (0-based)"),
                          ("line", "int", "1-based line number of the evidence")] + columns)


_table("messages", "Every line of the log, classified.", [
    ("severity", "cat", "V, I, W, E, F (internal error) or '' for lines without a severity"),
    ("source", "cat", "who wrote it: trt, trtexec, python, app (program output), cont (continuation line)"),
    ("msg_id", "cat", "grammar message id, or 'unknown'"),
    ("family", "cat", "grammar family (tactics, memory, ...), or 'unknown'"),
    ("text", "str", "message text without the envelope (prefix); where pandas keeps strings in Arrow (pandas 3 "
                    "with pyarrow) the column is its `str` dtype, one buffer, not one Python object per line, and "
                    "past TRTLOG_SPILL_MB (default 16) of text that buffer is a memory-mapped temporary file"),
])
_table("runs", "One row per run (a trtexec invocation or a Python build) found in the file.", [
    ("first_line", "int", "first line of the run"),
    ("last_line", "int", "last line of the run"),
    ("command", "str", "trtexec command line from the &&&& RUNNING banner, if any"),
    ("command_line", "int", "the line the command was read from: the &&&& RUNNING banner, or the closing &&&& PASSED/FAILED banner of an excerpt that kept only that one"),
    ("status", "str", "PASSED, FAILED or '' when the run has no closing banner"),
    ("trt_version", "str", "TensorRT version printed for this run ('' when unknown)"),
])
_table("tactics", "One row per timed (or skipped) tactic; chosen rows mark the winner.", [
    ("layer", "str", "layer (node) name being timed"),
    ("runner", "str", "runner / implementation type, e.g. CaskConvolution"),
    ("format", "str", "format combination being autotuned, e.g. 'Float(784,784,28,1) -> Half(...)'"),
    ("tactic", "str", "tactic id as printed (hex from 8.4, signed decimal up to 8.2)"),
    ("tactic_int", "int", "tactic id as a signed 64-bit integer (comparable across versions)"),
    ("kernel", "str", "kernel / tactic name when printed"),
    ("time_ms", "float", "measured time in ms (NaN when skipped)"),
    ("skipped", "str", "'' or why the tactic was skipped (scratch, memory, only-option, invalid)"),
    ("fastest", "bool", "fastest tactic of its runner for this layer and format"),
    ("chosen", "bool", "the runner+tactic TensorRT chose for this layer and format"),
])
_table("layers", "Engine layers (Engine Layer Information, --dumpLayerInfo or layer-info JSON).", [
    ("name", "str", "engine layer name (fused names joined with ' + ')"),
    ("type", "str", "layer type as printed, e.g. CaskConvolution, Reformat, Myelin"),
    ("tactic", "str", "tactic id"),
    ("kernel", "str", "kernel / tactic name when known"),
    ("inputs", "str", "input tensors for display, 'name (Dtype[dims])' joined with '; ' (typed: the tensors table)"),
    ("outputs", "str", "output tensors for display, same form"),
    ("in_dtype", "str", "data type of the first input (Float, Half, Int8, ...)"),
    ("out_dtype", "str", "data type of the first output"),
    ("in_formats", "str", "formats of all inputs for display, '; '-joined (their dtypes where no format is printed)"),
    ("out_formats", "str", "formats of all outputs for display, same form"),
    ("precision", "str", "realised precision: the narrowest compute precision among the layer's tensors "
                         "(FP4/INT4 < FP8/INT8 < FP16/BF16 < FP32, trtlog.vocab); INT32/INT64/BOOL only when "
                         "the layer has nothing else"),
    ("origin", "str", "where the row came from: log, dumpLayerInfo, json"),
    ("metadata", "str", "ONNX source layer names when known"),
])
_table("fusions", "Optimizer passes and what they fused, eliminated or inserted.", [
    ("pass_name", "str", "optimizer pass, e.g. ConvReluFusion"),
    ("action", "str", "running, fusing, eliminating, reformat, removing, merging (horizontal merge of parallel layers), retargeting, copy (concatenation elimination)"),
    ("target", "str", "layer the pass ran on / first fused layer"),
    ("other", "str", "second layer of a fused pair, or reformat detail"),
])
_table("precision", "Precision-relevant events: requested flags, INT8 scale problems, weight conversions.", [
    ("kind", "str", "requested, missing_scale, non_conforming, affected_weights, subnormal_weight, clamped_fp16, calibrator_unused, explicit_precision, subnormal_fp16, below_subnormal_fp16, int64_cast, double_cast, int32_clamped, weak_typing_deprecated, tf32_default, strongly_typed_default, fp16_layernorm_overflow, default_quant_params, sparsity_eligible / sparsity_picked (one row per listed layer, in `tensor`), int64_binding, user_range (a dynamic range set through the API, or trtexec's placeholder), constraint_unmet / constraint_ignored (a layer's precision constraint no implementation meets, under PREFER)"),
    ("tensor", "str", "tensor or layer named by the message"),
    ("count", "int", "number of affected weights where printed"),
    ("value", "str", "precision flags or other value"),
])
_table("calibration", "INT8 calibration progress and cache events.", [
    ("event", "str", "start, batch, post_processing, done, cache_write, cache_read, profile_default, maxima, scale"),
    ("batch", "int", "batch index or batch size"),
    ("seconds", "float", "duration"),
    ("tensor", "str", "tensor of a scale row"),
    ("scale", "float", "INT8 scale of the tensor (event scale)"),
    ("algorithm", "str", "calibrator algorithm of a cache write (EntropyCalibration2 from 'TRT-8600-EntropyCalibration2')"),
])
_table("fallbacks", "Layers that did not run where or how requested (DLA -> GPU, INT8 -> higher precision, plugin import).", [
    ("kind", "str", "dla_fallback, dla_layer, gpu_layer, dla_summary, int8_fallback, plugin_import, target_dropped (TensorRT-RTX: compute-capability targets dropped for a datatype they lack; device = the targets); Torch-TensorRT partitioning: torchtrt_unsupported_op (stays in PyTorch), torchtrt_support, torchtrt_subgraph_eliminated, torchtrt_engines"),
    ("layer", "str", "layer or tensor name"),
    ("device", "str", "DLA or GPU where relevant"),
    ("reason", "str", "reason as printed"),
])
_table("memory", "Memory events: MemUsageChange timeline, totals, workspace and skipped tactics.", [
    ("kind", "str", "change, snapshot, peak, layer_host_persistent, layer_device_persistent, layer_scratch (per engine layer; name = layer), total (the built engine's figure: last per run and name), total_interim (figures of candidate engines / pre-assignment), per_runner, workspace_insufficient, workspace_request, workspace_advice, tactic_skip_scratch, tactic_skip_memory (bytes asked; the 8.x form prints MB, converted), tactic_device_request (`Tactic Device request: 950MB Available: 302MB`: bytes and available_bytes), block_assignment, engine_size, context_memory, pool_option"),
    ("name", "str", "what: 'Init CUDA', 'Activation', 'workspace', ..."),
    ("cpu_mib", "float", "CPU delta (change) or value (snapshot/peak), MiB"),
    ("gpu_mib", "float", "GPU delta or value, MiB"),
    ("cpu_now_mib", "float", "CPU total after the change, MiB"),
    ("gpu_now_mib", "float", "GPU total after the change, MiB"),
    ("bytes", "int", "byte value (totals, requested scratch, blocks)"),
    ("available_bytes", "int", "available bytes where printed"),
    ("tactic", "str", "tactic id for skipped tactics"),
])
_table("phases", "Build phases and their timings, optimizer layer counts.", [
    ("phase", "str", "e.g. 'Graph construction and optimization', 'Formats and tactics selection', 'Engine generation', 'After vertical fusions'"),
    ("seconds", "float", "duration when printed"),
    ("layers", "int", "layer count for optimizer steps"),
])
_table("options", "trtexec option sections, the command line, builder settings.", [
    ("section", "str", "Model, Build, System, Inference, Reporting, command"),
    ("key", "str", "option name"),
    ("value", "str", "value as printed"),
])
_table("perf", "Performance summary (trtexec) and trtlog bench results.", [
    ("metric", "str", "Throughput, Latency, Enqueue Time, H2D Latency, GPU Compute Time, D2H Latency, Total Host Walltime, Total GPU Compute Time, ..."),
    ("stat", "str", "value, min, max, mean, median, p90, p95, p99"),
    ("value", "float", "number"),
    ("unit", "str", "ms, qps, s, %"),
])
_table("profile", "Per-layer profile table (trtexec --dumpProfile / --exportProfile).", [
    ("layer", "str", "layer name"),
    ("time_ms", "float", "total time"),
    ("avg_ms", "float", "average time per iteration"),
    ("median_ms", "float", "median time per iteration"),
    ("percent", "float", "share of total time, %"),
])
_table("device", "GPU / system facts (trtexec Device Information, builder-resource library).", [
    ("key", "str", "Selected Device, Compute Capability, SMs, Device Global Memory, ..."),
    ("value", "str", "value as printed"),
])
_table("errors", "Errors and failures: TensorRT error codes, ONNX parse errors, aborts, tracebacks.", [
    ("kind", "str", "error_code, onnx_node, onnx_error, invalid_node, trtexec_failure, assertion, traceback, plugin_not_found, tactic_exception (not fatal by itself), internal_check, cuda_init_failure, gpu_memory_unknown, engine_other_device (engine built on another GPU model; not fatal), export_failure (a program's own verdict, e.g. Ultralytics' `TensorRT: export failure`), deserialization_failure (7.x plugin/engine deserialisation lines), profile_invalid (IOptimizationProfile::isValid: node = the inputs), profile_rejected (addOptimizationProfile), profile_shape_conflict (valid profiles that break a shape constraint of the graph: 'values for profile N violate shape constraints'), no_profile (the build's 'no optimization profile has been defined'), cc_check_skipped (TensorRT-RTX skipped the compute-capability check: no driver), datatype_unsupported (a target GPU cannot compute a data type the model holds: 'Cannot compile for target(s) sm86, because the model contains HW-specific datatypes: fp4_e2m1'), calibration_failure (implicit INT8 without a single scale: 'Calibration failure occurred with no scaling factors detected'; ends the build), precision_constraint (a layer held in a precision no implementation can output, under OBEY; ends the build), implicit_batch_network (the ONNX parser refuses a network created without EXPLICIT_BATCH), dla_unavailable (a DLA-only engine asked of a GPU without DLA; ends the build)"),
    ("code", "int", "TensorRT error code where printed"),
    ("category", "str", "e.g. Internal Error, API Usage Error"),
    ("node", "str", "ONNX node or layer"),
    ("api", "str", "the API call or source location that reported it (IBuilder::buildSerializedNetwork, IRuntime::deserializeCudaEngine, checkMacros.cpp::catchCudaError::250)"),
    ("cuda_error", "int", "CUDA runtime error number where printed ('cudaError 35: ...')"),
    ("datatypes", "str", "data types the error names, as printed (datatype_unsupported: 'fp4_e2m1')"),
    ("plugin", "str", "the plugin (ONNX op) a failed creator lookup looked for (plugin_not_found)"),
    ("plugin_version", "str", "the plugin version that lookup asked for, where printed"),
    ("bytes", "int", "the size a failed GPU allocation asked for (oom: 'Requested amount of GPU memory (N bytes)')"),
    ("condition", "str", "a failed assertion's condition (assertion)"),
    ("text", "str", "message text"),
])
_table("timing_cache", "Timing cache events.", [
    ("event", "str", "local, global, invalid, unreadable, saved, serialized, deleted"),
    ("entries", "int", "entries"),
    ("hits", "int", "hits"),
    ("bytes", "int", "bytes saved"),
    ("path", "str", "cache file"),
])
_table("onnx", "ONNX parser events (header, nodes, plugins).", [
    ("kind", "str", "header, input, output, node, plugin_search, plugin_created, no_importer, initializer, unused_input, unused_input_kept (a network input no layer reads)"),
    ("name", "str", "node / tensor / header key"),
    ("op", "str", "ONNX op type"),
    ("detail", "str", "value or details"),
])

_table("tensors", "Typed tensor rows of every engine layer of the layers table, one per tensor: Engine Layer "
       "Information lines, --dumpLayerInfo / TensorRT-RTX `Layers:` records, layer-info JSON (`line` is then the "
       "JSON layer's row, as in layers). Align, rules and the report read tensors here (trtlog.tensors).", [
    ("layer", "str", "engine layer name"),
    ("direction", "str", "input, constant or output"),
    ("index", "int", "position among the layer's tensors of that direction (0-based)"),
    ("name", "str", "tensor name"),
    ("dtype", "str", "data type as printed (Float, Half, BFloat16, Int8, FP8, Int4, Int32, ...)"),
    ("precision", "str", "dtype in the precision vocabulary (FP32, FP16, BF16, INT8, FP8, INT4, INT32, ...)"),
    ("dims", "str", "dimensions, comma-joined as printed ('1,3,224,224'; -1 = dynamic)"),
    ("format", "str", "tensor format as printed, e.g. '(Linear) Row major linear format' (8.x-10.x layer-info "
                      "JSON and dumps print one Format/Datatype: dtype and format then hold the same text)"),
    ("location", "str", "Device or Host where printed"),
])
_table("bindings", "Engine I/O tensors (`I/O Tensors:` / `Bindings:` of a layer dump): one row per tensor and profile.", [
    ("name", "str", "I/O tensor name"),
    ("io_mode", "str", "Input or Output"),
    ("dtype", "str", "data type as printed"),
    ("dims", "str", "dimensions as printed (-1 = dynamic)"),
    ("location", "str", "Device or Host"),
    ("shape_io", "str", "IsShapeInferenceIO as printed (true/false)"),
    ("profile", "int", "optimization profile index of the ProfileInfo entry"),
    ("min_shape", "str", "MinShape of the profile ('' for outputs)"),
    ("opt_shape", "str", "OptShape of the profile"),
    ("max_shape", "str", "MaxShape of the profile"),
    ("format", "str", "format of the tensor in that profile"),
])
_table("regions", "Myelin regions ({ForeignNode[...]}) and the ONNX nodes TensorRT says they hold (`metadata: [ONNX Layer: ...]`).", [
    ("region", "str", "region (engine layer) name, e.g. {ForeignNode[conv1...relu1]}"),
    ("profile", "int", "optimization profile of a per-profile metadata line (else empty)"),
    ("index", "int", "position of the ONNX node in the metadata list (0-based)"),
    ("onnx_node", "str", "ONNX node name"),
])
_table("graph", "The builder's `SYMBOLIC CHECKS` / `GRAPH NODES` dump: one row per dimension of every node input/output.", [
    ("node", "str", "network layer name"),
    ("op", "str", "layer kind as printed (CONVOLUTION, ACTIVATION, MATRIX_MULTIPLY, ...)"),
    ("direction", "str", "input or output"),
    ("index", "int", "input/output index of the node"),
    ("axis", "int", "dimension index (0-based)"),
    ("value", "str", "value or range of the dimension as printed ('3', '[1,16]')"),
    ("expr", "str", "symbolic expression or dim name as printed ('3', 'N', '(# 0 (SHAPE x))')"),
])
_table("patterns", "Graph patterns the builder recognised (self-attention, layer norm) and what it did with them.", [
    ("pattern", "str", "self-attention or layer-norm"),
    ("event", "str", "member (a node is part of the pattern), reassigned (Myelin backends reassigned), fp16 (pattern nodes found in FP16), fp16_node (one node of that FP16 list)"),
    ("node", "str", "ONNX node / layer name"),
])

# from this many rows frame() puts the columns side by side (pd.concat); below, the DataFrame
# constructor is cheaper and keeps what empty and small tables always looked like
_CONCAT_ROWS = 10000


def _nan(v):
    return float("nan") if v is None else v


def columns(table: str) -> list[str]:
    return [c for c, _, _ in TABLES[table][1]]


def empty(table: str) -> pd.DataFrame:
    return frame(table, {})


def frame(table: str, data: dict, *, no_none: bool = False) -> pd.DataFrame:
    """Build a typed DataFrame for `table` from a dict of column lists (missing columns -> empty).
    `no_none`: the caller vouches that its str columns hold no None (skips a pass over each)."""
    cols = TABLES[table][1]
    n = max((len(v) for v in data.values()), default=0)
    out = []
    for name, kind, _ in cols:
        values = data.get(name)
        if values is None:
            values = [None] * n if kind != "bool" else [False] * n
        if kind == "cat":
            if not isinstance(values, pd.Categorical):
                values = pd.Categorical(["" if v is None else v for v in values])
            series = pd.Series(values, name=name, copy=False)
        elif kind == "str" and isinstance(getattr(values, "dtype", None), pd.StringDtype):
            series = pd.Series(values, name=name, copy=False)   # pandas strings already (parser.Messages.columns)
        elif kind == "str":
            if not no_none and None in values:
                values = ["" if v is None else v for v in values]
            # the parser's arrays are its own and let go once framed: no copy (pandas 3 would make one)
            series = pd.Series(values, dtype=object, name=name, copy=False)
        elif kind == "int":
            try:
                series = pd.Series(values, dtype="Int64", name=name, copy=False)
            except (OverflowError, TypeError, ValueError):   # beyond int64, or not a number
                series = pd.Series([to_int(v) for v in values], dtype="Int64", name=name)
        elif kind == "float":
            if None in values:
                values = [float("nan") if v is None else v for v in values]
            try:
                series = pd.Series(values, dtype="float64", name=name, copy=False)
            except (OverflowError, TypeError, ValueError):
                series = pd.Series([_nan(to_float(v)) for v in values], dtype="float64", name=name)
        else:
            series = pd.Series(values, dtype=bool, name=name, copy=False)
        out.append(series)
    if n < _CONCAT_ROWS:
        return pd.DataFrame({s.name: s for s in out}, columns=[c for c, _, _ in cols])
    # a big table: side by side, without first copying its str columns into one 2-D block
    return pd.concat(out, axis=1)


def markdown() -> str:
    lines = ["# BuildLog tables", "", "Generated from `trtlog/tables.py` — do not edit by hand.", "",
             "Every table has `run` and `line` first. dtypes: int = pandas Int64 (nullable), float = float64,",
             "str = Python str ('' when absent), bool = bool, cat = pandas category of str.", ""]
    for name, (doc, cols) in TABLES.items():
        lines += [f"## `{name}`", "", doc, "", "| column | dtype | meaning |", "|---|---|---|"]
        lines += [f"| `{c}` | {k} | {d} |" for c, k, d in cols]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
