"""CLI options -> BuildSpec (plain data) -> ConfigPlan (what to set on the builder, version aware).

The translation is pure: `plan_config(spec, trt)` only reads enum members and `trt.__version__`
from the module it is given, so the tables here can be checked without a GPU. `apply_plan` makes
the real builder-config calls and only runs where TensorRT is installed.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

from ..errors import TrtlogError
from .version import Version, at_least, parse_version

Dims = Tuple[int, ...]

PRECISIONS = ("fp16", "bf16", "int8")
# CLI dtype names -> trt.DataType member names (layer precision constraints)
DTYPES = {"fp32": "FLOAT", "float": "FLOAT", "fp16": "HALF", "half": "HALF", "bf16": "BF16",
          "int8": "INT8", "int32": "INT32", "fp8": "FP8", "bool": "BOOL"}
# first TensorRT that has each member we may set; used for messages when a member is missing
MIN_VERSION = {"BuilderFlag.BF16": "9.0", "BuilderFlag.OBEY_PRECISION_CONSTRAINTS": "8.2",
               "BuilderFlag.PREFER_PRECISION_CONSTRAINTS": "8.2",
               "NetworkDefinitionCreationFlag.STRONGLY_TYPED": "10.0",
               "IBuilderConfig.builder_optimization_level": "8.6",
               "IBuilderConfig.set_memory_pool_limit": "8.4",
               "TacticSource.JIT_CONVOLUTIONS": "8.5", "TacticSource.EDGE_MASK_CONVOLUTIONS": "8.4"}
WEAK_TYPING_GONE = "11.0"
INSTALL_HINT = "TensorRT is not installed: pip install 'trtlog[trt]' (TensorRT 8.5 or later, pycuda for INT8 calibration)"


@dataclass
class BuildSpec:
    """Everything `trtlog build` was asked to do, as plain data (written to config.json)."""
    model: str
    precisions: List[str] = field(default_factory=list)   # subset of PRECISIONS
    best: bool = False
    strongly_typed: bool = False
    layer_precisions: Dict[str, str] = field(default_factory=dict)  # layer name or glob -> dtype
    precision_constraints: str = "obey"                  # obey | prefer | none
    shapes: Dict[str, Dims] = field(default_factory=dict)
    min_shapes: Dict[str, Dims] = field(default_factory=dict)
    opt_shapes: Dict[str, Dims] = field(default_factory=dict)
    max_shapes: Dict[str, Dims] = field(default_factory=dict)
    workspace: Optional[int] = None                       # bytes
    tactic_sources: Optional[str] = None                  # trtexec syntax: "-CUBLAS,+JIT_CONVOLUTIONS"
    builder_opt_level: Optional[int] = None
    timing_cache: Optional[str] = None
    calib_data: Optional[str] = None
    calib_cache: Optional[str] = None
    calib_batches: Optional[int] = None
    verbose: bool = True
    # profiles after the first: [{"shapes": {...}, "min_shapes": {...}, "opt_shapes": ..., "max_shapes": ...}]
    extra_profiles: List[Dict[str, Dict[str, Dims]]] = field(default_factory=list)
    # TensorRT-RTX only
    compute_capabilities: List[str] = field(default_factory=list)   # "8.6", "12.0", "current"
    runtime_cache: Optional[str] = None
    weight_streaming: bool = False

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in SHAPE_KINDS:
            d[k] = {n: list(v) for n, v in d[k].items()}
        d["extra_profiles"] = [{k: {n: list(v) for n, v in p.get(k, {}).items()} for k in SHAPE_KINDS}
                               for p in self.extra_profiles]
        return d

    def wants_profile(self) -> bool:
        return bool(self.shapes or self.min_shapes or self.opt_shapes or self.max_shapes)

    def profile_count(self) -> int:
        return (1 if self.wants_profile() else 0) + len(self.extra_profiles)

    def profile_for(self, name: str, index: int = 0) -> Optional[Tuple[Dims, Dims, Dims]]:
        """(min, opt, max) for one input in profile `index`, trtexec style: --shapes fills all three;
        a missing min or max falls back to opt."""
        sets = self.extra_profiles[index - 1] if index else {k: getattr(self, k) for k in SHAPE_KINDS}
        shapes, min_shapes, opt_shapes, max_shapes = (sets.get(k, {}) for k in SHAPE_KINDS)
        opt = opt_shapes.get(name, shapes.get(name))
        lo = min_shapes.get(name, shapes.get(name, opt))
        hi = max_shapes.get(name, shapes.get(name, opt))
        if opt is None:
            if lo is None and hi is None:
                return None
            raise TrtlogError(f"input {name!r} has --min-shapes/--max-shapes but no --opt-shapes or --shapes")
        return tuple(lo), tuple(opt), tuple(hi)

    def shape_names(self) -> List[str]:
        seen: List[str] = []
        for sets in [{k: getattr(self, k) for k in SHAPE_KINDS}] + self.extra_profiles:
            for d in sets.values():
                seen += [n for n in d if n not in seen]
        return seen


SHAPE_KINDS = ("shapes", "min_shapes", "opt_shapes", "max_shapes")


# -- option value parsing (trtexec syntax) ----------------------------------------------------
def parse_dims(text: str) -> Dims:
    t = text.strip()
    if not re.fullmatch(r"\d+(x\d+)*", t):
        raise TrtlogError(f"bad shape {text!r}: expected dimensions like 1x3x224x224")
    return tuple(int(d) for d in t.split("x"))


def parse_shapes(values) -> Dict[str, Dims]:
    """'input:1x3x224x224,mask:1x128' (repeatable) -> {name: dims}. Names may contain ':'; the
    last ':' separates the dimensions, as in trtexec."""
    out: Dict[str, Dims] = {}
    for value in _items(values):
        name, sep, dims = value.rpartition(":")
        name = name.strip().strip("'\"")
        if not sep or not name:
            raise TrtlogError(f"bad shape spec {value!r}: expected NAME:1x3x224x224")
        out[name] = parse_dims(dims)
    return out


def parse_shape_sets(values) -> List[Dict[str, Dims]]:
    """Like parse_shapes, for several optimization profiles: the k-th time an input name is given
    it goes to profile k (`--shapes x:1x3 --shapes x:8x3` = two profiles)."""
    sets: List[Dict[str, Dims]] = []
    for value in _items(values):
        (name, dims), = parse_shapes(value).items()
        k = sum(1 for s in sets if name in s)
        if k == len(sets):
            sets.append({})
        sets[k][name] = dims
    return sets


_UNITS = {"": 2 ** 20, "b": 1, "k": 2 ** 10, "kib": 2 ** 10, "kb": 2 ** 10, "m": 2 ** 20, "mib": 2 ** 20,
          "mb": 2 ** 20, "g": 2 ** 30, "gib": 2 ** 30, "gb": 2 ** 30}


def parse_size(text: str) -> int:
    """Workspace size: a number in MiB like trtexec (--memPoolSize=workspace:1024), or with a unit
    (512K, 64MiB, 2G, 4096B)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = m.group(2).lower() if m else None
    if not m or unit not in _UNITS:
        raise TrtlogError(f"bad size {text!r}: expected a number of MiB or e.g. 512K, 64MiB, 2G")
    return int(float(m.group(1)) * _UNITS[unit])


def parse_layer_precisions(values) -> Dict[str, str]:
    """'NAME=fp32' or trtexec's 'NAME:fp32' (repeatable, comma separated); NAME may be a glob."""
    out: Dict[str, str] = {}
    for value in _items(values):
        if "=" in value:
            name, _, dtype = value.rpartition("=")
        else:
            name, _, dtype = value.rpartition(":")
        dtype = dtype.strip().lower()
        if not name or dtype not in DTYPES:
            raise TrtlogError(f"bad layer precision {value!r}: expected NAME=fp32 (types: {', '.join(sorted(DTYPES))})")
        out[name.strip()] = dtype
    return out


def parse_tactic_sources(text: str) -> List[Tuple[str, str]]:
    """trtexec syntax -> [(sign, NAME)]: '+X' enables, '-X' disables relative to the defaults; a
    list without signs means exactly those sources (sign '=')."""
    out = []
    for item in _items([text]):
        sign = item[0] if item[0] in "+-" else "="
        name = item.lstrip("+-").strip().upper()
        if not re.fullmatch(r"[A-Z_]+", name):
            raise TrtlogError(f"bad tactic source {item!r}")
        out.append((sign, name))
    signs = {s for s, _ in out}
    if "=" in signs and len(signs) > 1:
        raise TrtlogError("tactic sources: either all entries signed (+X,-Y) or none (X,Y)")
    return out


def _items(values) -> List[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [p.strip() for v in values for p in str(v).split(",") if p.strip()]


# -- version-aware plan -------------------------------------------------------------------------
@dataclass
class ConfigPlan:
    """The builder-config calls for one spec on one TensorRT version (recorded in config.json)."""
    trt_version: str
    network_flags: List[str] = field(default_factory=list)
    builder_flags: List[str] = field(default_factory=list)
    workspace: Optional[int] = None
    workspace_api: str = ""                # set_memory_pool_limit | max_workspace_size
    tactic_sources: List[Tuple[str, str]] = field(default_factory=list)
    builder_opt_level: Optional[int] = None
    profiling_verbosity: str = "DETAILED"
    layer_precisions: Dict[str, str] = field(default_factory=dict)   # glob -> DataType member
    calibrate: bool = False
    strongly_typed: bool = False
    notes: List[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["tactic_sources"] = [s + n if s != "=" else n for s, n in self.tactic_sources]
        return d


def trt_version_of(trt) -> Version:
    return parse_version(getattr(trt, "__version__", "0.0"))


def _has(trt, dotted: str) -> bool:
    obj = trt
    for part in dotted.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def _need(trt, v: Version, dotted: str, option: str) -> None:
    if not _has(trt, dotted):
        minimum = MIN_VERSION.get(dotted)
        need = f"TensorRT >= {minimum}" if minimum else f"a TensorRT with {dotted}"
        raise TrtlogError(f"{option} needs {need} (installed: {v})")


def plan_config(spec: BuildSpec, trt) -> ConfigPlan:
    """Translate a BuildSpec into builder-config calls for the given tensorrt module."""
    v = trt_version_of(trt)
    plan = ConfigPlan(trt_version=str(v))
    weak_gone = at_least(v, WEAK_TYPING_GONE)

    precisions = list(spec.precisions)
    if spec.best:
        precisions += ["fp16", "int8"] + (["bf16"] if _has(trt, "BuilderFlag.BF16") else [])
    precisions = [p for p in PRECISIONS if p in precisions]

    if weak_gone:
        asked = [f"--{p}" for p in spec.precisions] + (["--best"] if spec.best else [])
        asked += ["--layer-precision"] if spec.layer_precisions else []
        asked += ["--calib-data"] if spec.calib_data else []
        msg = (f"TensorRT {v} removed weak typing: the build is strongly typed and precision comes "
               "from the ONNX graph (convert with ModelOpt AutoCast, or add Q/DQ for INT8)")
        plan.notes.append(msg + (f"; ignoring {' '.join(asked)}" if asked else ""))
        plan.strongly_typed = True
        precisions = []
    elif spec.strongly_typed:
        _need(trt, v, "NetworkDefinitionCreationFlag.STRONGLY_TYPED", "--strongly-typed")
        if precisions or spec.layer_precisions or spec.calib_data:
            raise TrtlogError("--strongly-typed takes precision from the ONNX graph: drop "
                              "--fp16/--bf16/--int8/--best/--layer-precision/--calib-data")
        plan.strongly_typed = True
        plan.network_flags.append("STRONGLY_TYPED")

    if not at_least(v, "10.0") and _has(trt, "NetworkDefinitionCreationFlag.EXPLICIT_BATCH"):
        plan.network_flags.insert(0, "EXPLICIT_BATCH")

    for p in precisions:
        member = {"fp16": "FP16", "bf16": "BF16", "int8": "INT8"}[p]
        _need(trt, v, f"BuilderFlag.{member}", f"--{p}")
        plan.builder_flags.append(member)

    if spec.layer_precisions and not weak_gone:
        for name, dtype in spec.layer_precisions.items():
            member = DTYPES[dtype]
            _need(trt, v, f"DataType.{member}", f"--layer-precision {name}={dtype}")
            plan.layer_precisions[name] = member
        constraint = {"obey": "OBEY_PRECISION_CONSTRAINTS", "prefer": "PREFER_PRECISION_CONSTRAINTS"}.get(
            spec.precision_constraints)
        if constraint:
            _need(trt, v, f"BuilderFlag.{constraint}", f"--precision-constraints {spec.precision_constraints}")
            plan.builder_flags.append(constraint)
        else:
            plan.notes.append("--precision-constraints none: TensorRT may ignore the --layer-precision requests")

    if spec.calib_data and not weak_gone:
        if "INT8" not in plan.builder_flags:
            raise TrtlogError("--calib-data needs --int8 or --best")
        _need(trt, v, "IInt8EntropyCalibrator2", "--calib-data")
        plan.calibrate = True
    elif "INT8" in plan.builder_flags and not spec.calib_data and not spec.calib_cache:
        plan.notes.append("--int8 without --calib-data: no calibrator, TensorRT uses placeholder "
                          "dynamic ranges (fine for timing, not for accuracy) unless the ONNX has Q/DQ")

    if spec.workspace is not None:
        plan.workspace = int(spec.workspace)
        if _has(trt, "IBuilderConfig.set_memory_pool_limit") and _has(trt, "MemoryPoolType.WORKSPACE"):
            plan.workspace_api = "set_memory_pool_limit"
        elif _has(trt, "IBuilderConfig.max_workspace_size"):
            plan.workspace_api = "max_workspace_size"
        else:
            _need(trt, v, "IBuilderConfig.set_memory_pool_limit", "--workspace")

    if spec.tactic_sources:
        ops = parse_tactic_sources(spec.tactic_sources)
        for _, name in ops:
            if not _has(trt, f"TacticSource.{name}"):
                known = ", ".join(_members(getattr(trt, "TacticSource", None)))
                raise TrtlogError(f"unknown tactic source {name!r} in TensorRT {v} (known: {known})")
        plan.tactic_sources = ops

    if spec.builder_opt_level is not None:
        if not 0 <= spec.builder_opt_level <= 5:
            raise TrtlogError("--builder-opt-level must be 0..5")
        _need(trt, v, "IBuilderConfig.builder_optimization_level", "--builder-opt-level")
        plan.builder_opt_level = spec.builder_opt_level

    if not _has(trt, "ProfilingVerbosity.DETAILED"):
        plan.profiling_verbosity = ""
        plan.notes.append(f"TensorRT {v} has no ProfilingVerbosity.DETAILED: layers.json will be brief")
    return plan


def _members(enum) -> List[str]:
    if enum is None:
        return []
    names = getattr(enum, "__members__", None)
    if names:
        return sorted(names)
    return sorted(n for n in vars(enum) if n.isupper())


# -- applying the plan (needs the real TensorRT) --------------------------------------------------
def network_flags_value(plan: ConfigPlan, trt) -> int:
    value = 0
    for name in plan.network_flags:
        value |= 1 << int(getattr(trt.NetworkDefinitionCreationFlag, name))
    return value


def apply_plan(plan: ConfigPlan, trt, config, network) -> List[str]:
    """Make the builder-config calls; returns the names of layers given a precision."""
    for name in plan.builder_flags:
        config.set_flag(getattr(trt.BuilderFlag, name))
    if plan.workspace is not None:
        if plan.workspace_api == "set_memory_pool_limit":
            config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, plan.workspace)
        else:
            config.max_workspace_size = plan.workspace
    if plan.tactic_sources:
        mask = 0 if plan.tactic_sources[0][0] == "=" else int(config.get_tactic_sources())
        for sign, name in plan.tactic_sources:
            bit = 1 << int(getattr(trt.TacticSource, name))
            mask = mask & ~bit if sign == "-" else mask | bit
        config.set_tactic_sources(mask)
    if plan.builder_opt_level is not None:
        config.builder_optimization_level = plan.builder_opt_level
    if plan.profiling_verbosity:
        config.profiling_verbosity = getattr(trt.ProfilingVerbosity, plan.profiling_verbosity)
    return apply_layer_precisions(plan.layer_precisions, trt, network)


def match_layers(patterns: Dict[str, str], names: List[str]) -> Dict[str, str]:
    """Layer name -> DataType member for every layer a pattern (exact name or glob) matches; a
    pattern that matches nothing is an error naming a few of the layers."""
    chosen: Dict[str, str] = {}
    for pat, dtype in patterns.items():
        hits = [n for n in names if n == pat or fnmatch.fnmatchcase(n, pat)]
        if not hits:
            sample = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
            raise TrtlogError(f"--layer-precision {pat!r} matches no layer (layers: {sample})")
        for n in hits:
            chosen[n] = dtype
    return chosen


def apply_layer_precisions(patterns: Dict[str, str], trt, network) -> List[str]:
    if not patterns:
        return []
    layers = [network.get_layer(i) for i in range(network.num_layers)]
    chosen = match_layers(patterns, [l.name for l in layers])
    floats = {trt.DataType.FLOAT, trt.DataType.HALF}
    if hasattr(trt.DataType, "BF16"):
        floats.add(trt.DataType.BF16)
    done = []
    for layer in layers:
        member = chosen.get(layer.name)
        out_types = [layer.get_output_type(i) for i in range(layer.num_outputs)]
        # shape/index layers (INT32/BOOL outputs) keep their types: forcing them breaks the build
        if member is None or not out_types or any(t not in floats for t in out_types):
            continue
        dtype = getattr(trt.DataType, member)
        layer.precision = dtype
        for i in range(layer.num_outputs):
            layer.set_output_type(i, dtype)
        done.append(layer.name)
    return done
