"""Parse state and the handlers for stateful message families.

A handler gets (state, line number, grammar message, converted fields, message text) and appends
rows to tables. These are the genuinely stateful message families (runs, look-back rows, payload
parsing, several rows per line); what a line does that is only data -- a plain row, a tactic row,
a context variable, a fastest/chosen mark -- is an action (actions.py), run by bulk.py. Function
handlers run line by line (parser.py); scan.py leaves their lines to the line parser.
"""
from __future__ import annotations

import ast
import inspect
import re
import sys
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple

from .. import tables as T
from ..tensors import Tensor, display, formats
from ..vocab import (
    MiB,
    precision_of,
    realised_precision,
    tactic_int,  # noqa: F401  (re-exported: older imports)
)
from ..vocab import decode_version_code as trt_version_from_code
from .context import Context
from .structured import TENSOR_LISTS, parse_dump_record, parse_io_tensor, parse_stats, parse_tensor_list

# handlers that read rows already added to these tables (rows[-1] and the like): bulk rows of them
# are put in line order before each line the line parser handles (see bulk.py)
LOOKBACK_TABLES = ("onnx", "errors")


def _context_var(name: str) -> property:
    return property(lambda st: st.ctx.get(name), lambda st, value: st.ctx.set(name, value))


class State:
    # tactic timing context at the current line (see context.py)
    t_layer = _context_var("layer")
    t_runner = _context_var("runner")
    t_format = _context_var("format")
    t_kernel = _context_var("kernel")       # pending kernel name of the two-line (<= 8.5) form

    def __init__(self, grammar):
        self.grammar = grammar
        self.rows: Dict[str, List[dict]] = {name: [] for name in T.TABLES
                                             if name not in ("messages", "tactics")}
        # tactics are the bulk of a verbose log: stored column-wise, tactic_int computed at the end
        self.tac: Dict[str, list] = {c: [] for c in T.columns("tactics") if c != "tactic_int"}
        self.run = 0
        self.run_has_banner = False
        self.run_start = 1
        self.block: Optional[str] = None
        self.producers: Dict[str, int] = {}
        self.producer_first: Dict[str, int] = {}    # first line of each producer's envelope
        self.meta: Dict[str, object] = {}
        self.features: Dict[str, int] = {}
        self.lines = 0
        self.recognized = 0
        self.trt_lines = False      # some line is a TensorRT or trtexec message (parser.parse_blocks)
        self.ctx = Context()
        # lines that start a new layer/format block of tactic rows (a new run); bulk.py adds the
        # actions' column-wise: block starts, "fastest"/"chosen" marks (lines, runners, tactics,
        # column) applied to the finished tactics table, table row batches, finished blocks of tactic rows
        self.resets: List[int] = []
        self.bulk_marks: List[tuple] = []
        self.bulk_resets: list = []
        self.batches: Dict[str, list] = {}
        self.tac_parts: List[dict] = []
        self.option_section = ""
        self.perf_metric = ""
        self.build_started = False      # this run printed a line only a build prints
        self.build_done = False         # ... and one that ends a build (engine generated / build failed)
        self.graph: list = ["", "", "", None, 0]   # GRAPH NODES dump: node, op, direction, index, axis
        self.run_rows: List[dict] = [{"run": 0, "line": 1, "first_line": 1, "command": "", "status": "",
                                      "trt_version": ""}]

    # -- rows ----------------------------------------------------------------------------------
    def add(self, table: str, line: int, fields: dict) -> dict:
        row = dict(fields)
        row["run"] = self.run
        row["line"] = line
        self.rows[table].append(row)
        return row

    def feature(self, name: str) -> None:
        self.features[name] = self.features.get(name, 0) + 1

    def producer(self, name: str, line: int, count: int = 1) -> None:
        self.producers[name] = self.producers.get(name, 0) + count
        self.producer_first[name] = min(line, self.producer_first.get(name, line))

    def new_block(self, line: int) -> None:
        """A new layer or format combination: "fastest"/"chosen" marks look at tactic rows after it."""
        self.resets.append(line)

    def set_version(self, version: str) -> None:
        if version and not self.run_rows[-1]["trt_version"]:
            self.run_rows[-1]["trt_version"] = version
        if version and not self.meta.get("trt_version"):
            self.meta["trt_version"] = version
            self.meta["trt_version_source"] = "printed"

    def new_run(self, line: int) -> None:
        self.run_rows[-1]["last_line"] = line - 1
        self.run += 1
        self.run_rows.append({"run": self.run, "line": line, "first_line": line, "command": "",
                              "status": "", "trt_version": ""})
        self.t_layer = self.t_runner = self.t_format = self.t_kernel = ""
        self.new_block(line)
        self.block = None
        self.build_started = self.build_done = False


# --- helpers ------------------------------------------------------------------------------------
NEEDS: Dict[str, Tuple[str, ...]] = {}     # handler -> the fields it reads without a default (checked at load)


def needs(*fields: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        NEEDS[fn.__name__[2:]] = fields
        return fn
    return mark


def field_reads() -> Dict[str, FrozenSet[str]]:
    """Handler -> the field names it reads from its fields argument (`f.get("x", ...)`, `f["x"]`),
    read from this module's source: the grammar checks at load that some template of the handler's
    sections captures each ({} where the source is not available)."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    except (OSError, TypeError):
        return {}
    out: Dict[str, FrozenSet[str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("h_") and len(node.args.args) >= 4):
            continue
        f = node.args.args[3].arg
        names = set()
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get"
                    and isinstance(sub.func.value, ast.Name) and sub.func.value.id == f and sub.args
                    and isinstance(sub.args[0], ast.Constant)):
                names.add(sub.args[0].value)
            elif (isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load) and isinstance(sub.value, ast.Name)
                  and sub.value.id == f and isinstance(sub.slice, ast.Constant)):
                names.add(sub.slice.value)
        out[node.name[2:]] = frozenset(names)
    return out


# --- runs, banners, versions ---------------------------------------------------------------------
def h_run_start(st: State, n: int, msg, f: dict, text: str) -> None:
    if st.run_has_banner:
        st.new_run(n)
    st.run_has_banner = True
    row = st.run_rows[-1]
    row["command"] = f.get("command", "")
    row["command_line"] = n if row["command"] else None
    if f.get("version"):
        st.set_version(trt_version_from_code(f["version"]))
    st.add("options", n, {"section": "command", "key": "command", "value": f.get("command", "")})
    st.meta.setdefault("command", f.get("command", ""))


def h_run_end(st: State, n: int, msg, f: dict, text: str) -> None:
    row = st.run_rows[-1]
    row["status"] = f.get("status", "")
    if f.get("version"):
        st.set_version(trt_version_from_code(f["version"]))
    command = f.get("rest", "").partition("# ")[2].strip()
    if command and not row["command"]:       # an excerpt that kept only the closing banner
        row["command"] = command
        row["command_line"] = n
        st.meta.setdefault("command", command)
    st.meta["status"] = f.get("status", "")


def h_version(st: State, n: int, msg, f: dict, text: str) -> None:
    v = f.get("version", "")
    st.set_version(trt_version_from_code(v) if v.isdigit() else v)
    st.add("device", n, {"key": "TensorRT version", "value": v})


def h_ultralytics_export(st: State, n: int, msg, f: dict, text: str) -> None:
    """Ultralytics' "TensorRT: starting export with TensorRT 10.3.0...": the version it loaded, and
    the program that drove the build (its TensorRT lines are trt.Logger's, counted as python)."""
    v = f.get("version", "")
    st.set_version(v)
    st.add("device", n, {"key": "TensorRT version", "value": v})
    st.producer("ultralytics", n)


def h_program_frame(st: State, n: int, msg, f: dict, text: str) -> None:
    """A traceback frame in a program's entry point (trtllm-build): that program drove the build."""
    st.producer(msg.consts.get("producer", ""), n)


def h_library_version(st: State, n: int, msg, f: dict, text: str) -> None:
    st.set_version(f.get("version", ""))
    if f.get("sm"):
        st.meta.setdefault("sm", f["sm"])



# --- tactic timing -------------------------------------------------------------------------------
def _tactic_row(st: State, n: int, tactic: str, kernel: str, time_ms, skipped: str = "") -> None:
    tac = st.tac
    tac["run"].append(st.run)
    tac["line"].append(n)
    tac["layer"].append(st.t_layer)
    tac["runner"].append(st.t_runner)
    tac["format"].append(st.t_format)
    tac["tactic"].append(tactic)
    tac["kernel"].append(kernel)
    tac["time_ms"].append(time_ms)
    tac["skipped"].append(skipped)
    tac["fastest"].append(False)
    tac["chosen"].append(False)



















def h_tactic_mem_skip(st: State, n: int, msg, f: dict, text: str) -> None:
    """10.x: 'UNSUPPORTED_STATE: Skipping tactic N due to insufficient memory on requested size of B ...'
    (8.x: '... insuficient memory on requested size of MB ...', the size in MiB)"""
    size = f.get("requested")
    if size is None and f.get("requested_mb") is not None:
        size = f["requested_mb"] * MiB
    st.add("memory", n, {"kind": "tactic_skip_memory", "name": st.t_layer, "bytes": size,
                         "tactic": f.get("tactic", "")})


@needs("request_mb", "available_mb")
def h_tactic_device_request(st: State, n: int, msg, f: dict, text: str) -> None:
    """'Tactic Device request: 950MB Available: 302MB. Device memory is insufficient to use tactic.'"""
    st.add("memory", n, {"kind": "tactic_device_request", "name": st.t_layer,
                         "bytes": f["request_mb"] * MiB, "available_bytes": f["available_mb"] * MiB})


# --- engine layers -------------------------------------------------------------------------------
def engine_layer(add, name: str, ltype: str, tactic: str, lists: dict, origin: str, kernel: str = "",
                 metadata: str = "") -> None:
    """One engine layer -> a `layers` row and one `tensors` row per tensor. `lists` maps Inputs /
    Constants / Outputs to tensor dicts (name, dtype, dims, format, location); `add(table, fields)`
    adds a row. The layers table's inputs/outputs/in_formats/out_formats strings are display columns
    (parse --table layers, evidence rows of explain --format json): code reads the tensors table."""
    typed = {key: [Tensor(t["name"], t["dtype"], precision_of(t["dtype"]), t["dims"], t["format"])
                   for t in lists.get(key, ())] for key, _ in TENSOR_LISTS}
    ins, outs = typed["Inputs"], typed["Outputs"]
    # constants count: an INT4/INT8/FP8 weight makes the layer a quantized one (weight-only INT4 GEMM)
    dtypes = [t.dtype for t in ins + outs + typed["Constants"]]
    add("layers", {"name": name, "type": ltype, "tactic": tactic, "kernel": kernel,
                   "inputs": display(ins), "outputs": display(outs),
                   "in_dtype": ins[0].precision if ins else "", "out_dtype": outs[0].precision if outs else "",
                   "in_formats": formats(ins), "out_formats": formats(outs),
                   "precision": realised_precision(dtypes), "origin": origin, "metadata": metadata})
    for key, direction in TENSOR_LISTS:
        for i, (t, raw) in enumerate(zip(typed[key], lists.get(key, ()))):
            add("tensors", {"layer": name, "direction": direction, "index": i, "name": t.name,
                            "dtype": t.dtype, "precision": t.precision, "dims": t.dims, "format": t.format,
                            "location": raw["location"]})


def _log_tensors(ts) -> list:
    return [{"name": nm, "dtype": d, "dims": s, "format": "", "location": ""} for nm, d, s in ts]


def h_layer_info(st: State, n: int, msg, f: dict, text: str) -> None:
    io = f.get("io", "").strip()
    if io.startswith("->"):          # a layer without inputs (Constant): ",  -> out (Half[1,1024])"
        left, right = "", io[2:]
    else:
        left, sep, right = io.rpartition(" -> ")
        if not sep:
            left, right = io, ""
    engine_layer(lambda table, fields: st.add(table, n, fields), f.get("name", ""), f.get("type", ""),
               f.get("tactic", ""), {"Inputs": _log_tensors(parse_tensor_list(left)),
                                     "Outputs": _log_tensors(parse_tensor_list(right))}, "log")


def _clean_metadata(value: str) -> str:
    """TensorRT-RTX separates metadata entries with ASCII unit/record separators: drop them."""
    return value.replace("\x1f", "").replace("\x1e", "")


def h_layer_dump(st: State, n: int, msg, f: dict, text: str) -> None:
    rec = parse_dump_record(text)
    if rec is None:
        return
    engine_layer(lambda table, fields: st.add(table, n, fields), str(rec.get("Name", "")),
               str(rec.get("LayerType", "")), str(rec.get("TacticValue", rec.get("Tactic", ""))),
               {key: rec.get(key, []) for key, _ in TENSOR_LISTS}, "dumpLayerInfo",
               kernel=str(rec.get("TacticName", "")), metadata=_clean_metadata(str(rec.get("Metadata", ""))))


def h_binding_name(st: State, n: int, msg, f: dict, text: str) -> None:
    """A `Bindings:` line that names an I/O tensor and nothing else."""
    st.add("bindings", n, {"name": f.get("name", "")})


def h_io_tensor(st: State, n: int, msg, f: dict, text: str) -> None:
    """One `I/O Tensors:` / `Bindings:` line of a layer dump -> bindings rows (one per profile)."""
    rec = parse_io_tensor(text)
    if rec is None:
        return
    base = {"name": str(rec.get("Name", "")), "io_mode": str(rec.get("IOMode", "")),
            "dtype": str(rec.get("DataType", "")), "dims": str(rec.get("Dimensions", "")).strip("[]"),
            "location": str(rec.get("Location", "")), "shape_io": str(rec.get("IsShapeInferenceIO", ""))}
    for p, prof in enumerate(rec["profiles"] or [None]):
        row = dict(base)
        if prof is not None:
            row.update({"profile": p, "min_shape": prof["MinShape"], "opt_shape": prof["OptShape"],
                        "max_shape": prof["MaxShape"], "format": prof["Format"]})
        st.add("bindings", n, row)


# --- trtexec sections ------------------------------------------------------------------------------
def h_section(st: State, n: int, msg, f: dict, text: str) -> None:
    st.option_section = f.get("section", "")


def h_option(st: State, n: int, msg, f: dict, text: str) -> None:
    key, value = f.get("key", ""), f.get("value", "")
    st.add("options", n, {"section": st.option_section, "key": key, "value": value})
    if key == "Precision":
        st.meta.setdefault("precision_requested", [p for p in value.replace(" ", "").split("+") if p])


def h_device(st: State, n: int, msg, f: dict, text: str) -> None:
    key, value = f.get("key", ""), f.get("value", "")
    st.add("device", n, {"key": key, "value": value})
    if key == "Selected Device":
        st.meta.setdefault("gpu", value)
    elif key == "Compute Capability":
        st.meta.setdefault("compute_capability", value)


def h_perf_value(st: State, n: int, msg, f: dict, text: str) -> None:
    metric = msg.consts.get("metric") or f.get("metric", "")
    st.add("perf", n, {"metric": metric, "stat": msg.consts.get("stat", "value"),
                       "value": f.get("value"), "unit": msg.consts.get("unit", f.get("unit", ""))})


def h_trt7_perf_section(st: State, n: int, msg, f: dict, text: str) -> None:
    st.perf_metric = text.strip()
    st.feature("trt7_summary")


def h_trt7_perf_stat(st: State, n: int, msg, f: dict, text: str) -> None:
    stat = msg.consts.get("stat") or f.get("stat", "")
    if stat == "percentile":
        stat = "p" + str(f.get("pct", "")).rstrip("%")
    st.add("perf", n, {"metric": st.perf_metric or "Latency", "stat": stat, "value": f.get("value"),
                       "unit": "ms"})


def h_profile_row(st: State, n: int, msg, f: dict, text: str) -> None:
    if f.get("layer") == "Total":
        st.meta["profile_total_ms"] = f.get("time_ms")
        return
    st.add("profile", n, {"layer": f.get("layer", ""), "time_ms": f.get("time_ms"), "avg_ms": f.get("avg_ms"),
                          "median_ms": f.get("median_ms"), "percent": f.get("percent")})


# --- memory, phases, precision ----------------------------------------------------------------------
def h_memory_total(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("memory", n, {"kind": "total", "name": f.get("name", ""), "bytes": f.get("bytes")})
    if f.get("unit"):
        st.feature("byte_units")


def h_phase(st: State, n: int, msg, f: dict, text: str) -> None:
    phase = msg.consts.get("phase") or f.get("phase") or text.split(":", 1)[0].strip()
    st.add("phases", n, {"phase": phase, "seconds": f.get("seconds"), "layers": f.get("layers")})
    if phase in ("Engine generation", "Engine built"):
        st.build_done = True


def h_feature(st: State, n: int, msg, f: dict, text: str) -> None:
    st.feature(msg.consts.get("feature", msg.id))
    if msg.table:
        st.add(msg.table, n, f)


def h_error(st: State, n: int, msg, f: dict, text: str) -> None:
    api = (f.get("api") or f.get("where") or "").rstrip(":")
    row = {"kind": msg.consts.get("kind", "error"), "code": f.get("code"), "category": f.get("category", ""),
           "node": f.get("node", ""), "api": api, "cuda_error": f.get("cuda_error"),
           "datatypes": f.get("datatypes", ""), "plugin": f.get("plugin", ""),
           "plugin_version": f.get("version", "") if f.get("plugin") else "", "bytes": f.get("bytes"),
           "condition": f.get("cond", "").strip(), "text": text}
    st.add("errors", n, row)
    st.meta.setdefault("first_error_line", n)
    if api.startswith("IBuilder::build"):       # buildSerializedNetwork / buildEngineWithConfig failed
        st.build_done = True


def h_node_start(st: State, n: int, msg, f: dict, text: str) -> None:
    # the node's name follows on its own `name: "..."` line (h_node_field fills it in)
    st.add("errors", n, {"kind": "onnx_node", "node": "", "category": f.get("op", ""), "text": text})
    st.add("onnx", n, {"kind": "node_error", "name": "", "op": f.get("op", ""),
                       "detail": f.get("output", "")})


# --- precision / fallbacks -----------------------------------------------------------------------
def h_missing_scale(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("precision", n, {"kind": "missing_scale", "tensor": f.get("tensor", "")})
    st.add("fallbacks", n, {"kind": "int8_fallback", "layer": f.get("tensor", ""),
                            "reason": "missing scale and zero-point"})


def h_library_mismatch(st: State, n: int, msg, f: dict, text: str) -> None:
    """'TensorRT was linked against cuDNN 8.9.6 but loaded cuDNN 8.9.2': two device facts."""
    lib = f.get("library", "")
    st.add("device", n, {"key": f"{lib} linked", "value": f.get("linked", "")})
    st.add("device", n, {"key": f"{lib} loaded", "value": f.get("loaded", "")})


def h_placement(st: State, n: int, msg, f: dict, text: str) -> None:
    st.placement_device = msg.consts.get("device", "")


def h_placement_list(st: State, n: int, msg, f: dict, text: str) -> None:
    device = getattr(st, "placement_device", "")
    for layer in (x.strip() for x in f.get("layers", "").split(",")):
        if layer:
            st.add("fallbacks", n, {"kind": "gpu_layer" if device == "GPU" else "dla_layer",
                                    "layer": layer, "device": device})


def h_dla_offloaded(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("fallbacks", n, {"kind": "dla_summary", "device": "DLA",
                            "reason": f"{f.get('offloaded')} of {f.get('candidates')} DLA candidates offloaded"})


def h_plugin_import(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("onnx", n, {"kind": "no_importer", "op": f.get("op", "")})
    st.add("fallbacks", n, {"kind": "plugin_import", "layer": f.get("op", ""),
                            "reason": "no ONNX importer; imported as plugin"})


# --- trtexec performance -------------------------------------------------------------------------
def h_perf_stats_line(st: State, n: int, msg, f: dict, text: str) -> None:
    metric = f.get("metric", "")
    for stat, value, unit in parse_stats("min = " + f.get("stats", "")):
        st.add("perf", n, {"metric": metric, "stat": stat, "value": value, "unit": unit})


def h_perf_total(st: State, n: int, msg, f: dict, text: str) -> None:
    metric = text.split(":", 1)[0].strip()
    st.add("perf", n, {"metric": metric, "stat": "value", "value": f.get("value"), "unit": "s"})


def h_engine_saved(st: State, n: int, msg, f: dict, text: str) -> None:
    st.meta["engine_serialized"] = True


# --- ONNX ------------------------------------------------------------------------------------------
def h_onnx_header(st: State, n: int, msg, f: dict, text: str) -> None:
    key = text.split(":", 1)[0].strip()
    value = f.get("value", "")
    if key == "Input filename":
        _build_opens(st, n)
    st.add("onnx", n, {"kind": "header", "name": key, "detail": value})
    if key == "Input filename":
        st.meta.setdefault("model", value)


def h_node_field(st: State, n: int, msg, f: dict, text: str) -> None:
    if f.get("key") == "op_type":
        rows = st.rows["onnx"]
        if rows and rows[-1]["kind"] == "node_error" and not rows[-1].get("op"):
            rows[-1]["op"] = f.get("value", "").strip('"')
    elif f.get("key") == "name":
        rows = st.rows["onnx"]
        if rows and rows[-1]["kind"] == "node_error":
            rows[-1]["name"] = f.get("value", "").strip('"')
            errs = st.rows["errors"]
            if errs and errs[-1]["kind"] == "onnx_node":
                errs[-1]["node"] = rows[-1]["name"]


def h_onnx_error_detail(st: State, n: int, msg, f: dict, text: str) -> None:
    kind = "invalid_node" if f.get("node") else ("plugin_not_found" if "Plugin not found" in text
                                                  else "onnx_error")
    node = f.get("node", "")
    if not node:
        errs = [e for e in st.rows["errors"] if e["kind"] == "onnx_node"]
        node = errs[-1]["node"] if errs else ""
    st.add("errors", n, {"kind": kind, "code": f.get("code"), "node": node, "text": text})


# --- builder environment ------------------------------------------------------------------------------
def h_lazy_loading(st: State, n: int, msg, f: dict, text: str) -> None:
    st.meta["lazy_loading"] = "not enabled" not in text


def h_tactic_source(st: State, n: int, msg, f: dict, text: str) -> None:
    st.meta.setdefault("tactic_sources_used", []).append(text.replace("Using ", "").split(" as ")[0])


# --- non-TensorRT forms ----------------------------------------------------------------------------------
def h_traceback_start(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("errors", n, {"kind": "traceback", "text": text})


def h_traceback_end(st: State, n: int, msg, f: dict, text: str) -> None:
    errs = st.rows["errors"]
    if errs and errs[-1]["kind"] == "traceback":
        errs[-1]["text"] = text
        errs[-1]["category"] = (f.get("exception", "") + ("Error" if "Error" in text else "")).strip()


def h_python_warning(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("errors", n, {"kind": "python_warning", "category": f.get("category", "Deprecation") + "Warning",
                         "text": text})


def h_myelin_tactic(st: State, n: int, msg, f: dict, text: str) -> None:
    """10.x Myelin autotuning table row: one evaluated kernel of a {ForeignNode[...]} layer."""
    runner = st.t_runner
    st.t_runner = "Myelin"
    _tactic_row(st, n, f.get("tactic", ""), f.get("kernel", ""), f.get("time_ms"))
    st.t_runner = runner
    if f.get("ratio") == 1.0:
        st.tac["fastest"][-1] = True


def h_cached_result(st: State, n: int, msg, f: dict, text: str) -> None:
    """A timing-cache hit: the tactic was not timed in this build."""
    st.add("timing_cache", n, {"event": "hit", "path": f.get("layer", f.get("tensor", ""))})


def h_workspace_request(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("memory", n, {"kind": "workspace_request", "name": st.t_layer, "bytes": f.get("bytes")})


def h_tactic_source_disabled(st: State, n: int, msg, f: dict, text: str) -> None:
    st.meta.setdefault("tactic_sources_disabled", []).append(f.get("source", ""))


def h_parser_error_desc(st: State, n: int, msg, f: dict, text: str) -> None:
    missing = "Plugin not found" in text
    st.add("errors", n, {"kind": "plugin_not_found" if missing else "onnx_error", "node": f.get("node", ""),
                         "category": f.get("code", ""), "plugin": f.get("op", "") if missing else "", "text": text})


def h_mem_change(st: State, n: int, msg, f: dict, text: str) -> None:
    f["kind"] = "change"
    st.add("memory", n, f)
    if "builder kernel library" in f.get("name", ""):
        st.feature("kernel_library")


def h_engine_size(st: State, n: int, msg, f: dict, text: str) -> None:
    mib = f.get("mib")
    st.add("memory", n, {"kind": "engine_size", "name": f.get("name", ""), "gpu_mib": mib,
                         "bytes": int(mib * MiB) if mib is not None else None})
    if mib is not None:
        st.meta["engine_size_mib"] = mib


# --- per-layer memory --------------------------------------------------------------------------------
def h_layer_memory(st: State, n: int, msg, f: dict, text: str) -> None:
    """`Layer: X Host Persistent: a Device Persistent: b Scratch Memory: c` -> three memory rows."""
    layer = f.get("layer", "")
    for kind, key in (("layer_host_persistent", "host"), ("layer_device_persistent", "device"),
                      ("layer_scratch", "scratch")):
        if f.get(key) is not None:
            st.add("memory", n, {"kind": kind, "name": layer, "bytes": f[key]})


# --- builds inside one log: one run per build ------------------------------------------------------
def _build_opens(st: State, n: int) -> None:
    """A line that only the start of a build prints: a new run when this run already finished one."""
    if st.build_done:
        st.new_run(n)
    st.build_started = True


def h_build_start(st: State, n: int, msg, f: dict, text: str) -> None:
    _build_opens(st, n)
    if msg.consts.get("feature"):
        st.feature(msg.consts["feature"])
    if msg.table:
        fields = dict(f)
        fields.setdefault("text", text)
        st.add(msg.table, n, fields)


# --- the SYMBOLIC CHECKS / GRAPH NODES dump (symbolic.grammar) ----------------------------------------
def h_graph_start(st: State, n: int, msg, f: dict, text: str) -> None:
    st.graph = ["", "", "", None, 0]      # node, op, direction, index, next axis


def h_graph_node(st: State, n: int, msg, f: dict, text: str) -> None:
    st.graph = [f.get("name", ""), f.get("op", ""), "", None, 0]


def h_graph_io(st: State, n: int, msg, f: dict, text: str) -> None:
    g = st.graph
    g[2] = "input" if text.startswith("Input") else "output"
    g[3] = f.get("index")
    g[4] = 0


def h_graph_dim(st: State, n: int, msg, f: dict, text: str) -> None:
    g = st.graph
    st.add("graph", n, {"node": g[0], "op": g[1], "direction": g[2], "index": g[3], "axis": g[4],
                        "value": f.get("value", ""), "expr": f.get("expr", "")})
    g[4] += 1


# --- TensorRT-RTX / 11-era builder lines (rtx.grammar) ----------------------------------------------
ONNX_LAYER = re.compile(r"\[ONNX Layer: ([^\]\x1e\x1f]*)\]")


def h_region_metadata(st: State, n: int, msg, f: dict, text: str) -> None:
    """`ForeignNode {ForeignNode[a...b]} [profile p] metadata: [ONNX Layer: a]<RS>[ONNX Layer: b]`."""
    region, profile = f.get("region", ""), f.get("profile")
    nodes = ONNX_LAYER.findall(f.get("metadata", ""))
    for i, node in enumerate(nodes):
        st.add("regions", n, {"region": region, "profile": profile, "index": i, "onnx_node": node})
    if not nodes:      # the region exists, TensorRT named no ONNX node for it
        st.add("regions", n, {"region": region, "profile": profile, "index": None, "onnx_node": ""})


def h_pattern(st: State, n: int, msg, f: dict, text: str) -> None:
    st.add("patterns", n, {"pattern": msg.consts.get("pattern", ""), "event": msg.consts.get("event", ""),
                           "node": f.get("node", "")})


def h_pattern_nodes(st: State, n: int, msg, f: dict, text: str) -> None:
    """The comma-separated node list printed on the line after `Detected layernorm nodes in FP16.`"""
    for node in f.get("nodes", "").split(","):
        if node.strip():
            st.add("patterns", n, {"pattern": msg.consts.get("pattern", ""), "event": "fp16_node",
                                   "node": node.strip()})


def h_sparsity_layers(st: State, n: int, msg, f: dict, text: str) -> None:
    """`(Sparsity) Layers eligible for sparse math: a, b` / `... picked sparse implementation for layers: a`:
    one precision row per layer (`tensor`), one with no layer when the list is empty (the line still says
    that none was picked)."""
    layers = [x.strip() for x in f.get("value", "").split(", ") if x.strip()]
    for layer in layers or [""]:
        st.add("precision", n, {"kind": msg.consts.get("kind", ""), "tensor": layer, "value": f.get("value", "")})


def h_cuda_note(st: State, n: int, msg, f: dict, text: str) -> None:
    """A CUDA runtime error TensorRT only notes (not an error line), e.g. no driver on this host."""
    st.add("errors", n, {"kind": msg.consts.get("kind", "cuda_note"), "api": f.get("func", ""),
                         "cuda_error": f.get("cuda_error"), "text": text})


def h_torchtrt_device(st: State, n: int, msg, f: dict, text: str) -> None:
    """Torch-TensorRT's runtime naming the GPU its engine was built for."""
    st.add("device", n, {"key": "Selected Device", "value": f.get("gpu", "")})
    st.add("device", n, {"key": "Compute Capability", "value": f.get("sm", "")})
    st.meta.setdefault("gpu", f.get("gpu", ""))
    st.meta.setdefault("compute_capability", f.get("sm", ""))


def h_torchtrt_partition(st: State, n: int, msg, f: dict, text: str) -> None:
    """A Torch-TensorRT partitioning decision: the message itself is the reason (operator counts,
    subgraph size vs min_block_size, engines generated)."""
    st.add("fallbacks", n, {"kind": msg.consts.get("kind", ""), "layer": f.get("layer", ""),
                            "device": msg.consts.get("device", ""), "reason": text})


def h_engine_version_mismatch(st: State, n: int, msg, f: dict, text: str) -> None:
    """An engine built by another TensorRT version: the loaded library names its own version."""
    h_error(st, n, msg, f, text)
    st.meta.setdefault("engine_trt_version", f.get("got", ""))
    st.set_version(f.get("expected", ""))


HANDLERS: Dict[str, Callable] = {name[2:]: fn for name, fn in list(globals().items()) if name.startswith("h_")}

