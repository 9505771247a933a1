"""Build an engine from ONNX with TensorRT-RTX (`tensorrt_rtx`) and write the bundle.

TensorRT-RTX builds ahead of time on the CPU (no GPU or driver needed); the engine runs only on
RTX-class GPUs. Its networks are strongly typed, so the weak-typing options of the TensorRT backend
are refused up front with the graph-side way to get the same precision. What it adds: target compute
capabilities, weight streaming, a runtime cache for its JIT-compiled kernels.

With ProfilingVerbosity.DETAILED (the default here) the builder itself prints the `Layers:` and
`I/O Tensors:` blocks at VERBOSE, so the layer information is in build.log even where the engine
inspector cannot run (it needs a CUDA driver to deserialize the engine).

Order: option refusals and the model check first, then the import; usage errors found while the
ONNX file is parsed exit 2 without a bundle; from there on every outcome leaves the bundle.
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import List, Optional

from ..errors import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK, TrtlogError
from .bundle import Bundle, DriverVersion
from .logger import LogSink, make_logger
from .options import BuildSpec
from .progress import Progress
from .session import (
    BuildResult,
    ExitOnInterrupt,
    PhaseClock,
    add_profiles,
    build_serialized,
    check_model,
    check_shapes,
    check_values,
    failure_reason,
    network_inputs,
    open_session,
    parse_onnx,
)

INSTALL_HINT_RTX = "TensorRT-RTX is not installed: pip install 'trtlog[rtx]' (tensorrt-rtx-cu12)"
STRONG = ("TensorRT-RTX networks are strongly typed: precision comes from the ONNX graph (Cast nodes and "
          "FP16/BF16 initializers for half precision, QuantizeLinear/DequantizeLinear for INT8/FP8/INT4)")
_CC = re.compile(r"(?:sm_?)?(\d+)(?:\.(\d+))?|current", re.IGNORECASE)


def refused(spec: BuildSpec, precision_constraints_given: bool = False) -> Optional[str]:
    """The one-line error for the first option TensorRT-RTX does not have, or None."""
    weak = [f"--{p}" for p in spec.precisions] + (["--best"] if spec.best else [])
    if weak:
        return f"{' '.join(weak)}: no weak typing in TensorRT-RTX; {STRONG}"
    calib = [o for o, v in (("--calib-data", spec.calib_data), ("--calib-cache", spec.calib_cache),
                            ("--calib-batches", spec.calib_batches)) if v]
    if calib:
        return (f"{' '.join(calib)}: TensorRT-RTX has no INT8 calibration; put QuantizeLinear/DequantizeLinear "
                "with the scales into the ONNX graph (e.g. NVIDIA ModelOpt quantization)")
    if spec.layer_precisions or precision_constraints_given:
        opt = "--layer-precision" if spec.layer_precisions else "--precision-constraints"
        return (f"{opt}: TensorRT-RTX has no layer precision constraints; {STRONG}: keep a layer in FP32 by "
                "casting its inputs to float32 in the graph")
    if spec.tactic_sources:
        return ("--tactic-sources: TensorRT-RTX compiles its own kernels and disables both tactic sources it "
                "lists ('Disabling unused tactic source' in its log); drop the option")
    if spec.timing_cache:
        return ("--timing-cache: timing-cache calls are no-ops in TensorRT-RTX (deprecated in 1.2); "
                "use --runtime-cache FILE for its JIT-compiled kernels")
    return None


def parse_compute_capabilities(values) -> List[str]:
    """'8.6,8.9' / 'sm86' / '120' / 'current' (repeatable) -> ['8.6', '8.9', ...] or ['current']."""
    out: List[str] = []
    for v in values or ():
        for item in str(v).split(","):
            item = item.strip()
            if not item:
                continue
            m = _CC.fullmatch(item)
            if not m:
                raise TrtlogError(f"bad compute capability {item!r}: expected e.g. 8.6, 8.9, 12.0, sm86 or current")
            if item.lower() == "current":
                cc = "current"
            elif m.group(2) is not None:
                cc = f"{int(m.group(1))}.{int(m.group(2))}"
            elif len(m.group(1)) >= 2:
                cc = f"{int(m.group(1)[:-1])}.{int(m.group(1)[-1])}"
            else:
                raise TrtlogError(f"bad compute capability {item!r}: expected e.g. 8.6, 8.9, 12.0, sm86 or current")
            if cc not in out:
                out.append(cc)
    if "current" in out and len(out) > 1:
        raise TrtlogError("--compute-capability current stands alone (TensorRT-RTX: index 0, one target)")
    return out


def import_rtx():
    try:
        import tensorrt_rtx as trt
    except ImportError:
        raise TrtlogError(INSTALL_HINT_RTX, EXIT_BAD_INPUT) from None
    return trt


@dataclass
class RtxPlan:
    """The builder-config calls for one spec (recorded in config.json)."""
    tensorrt_rtx: str
    compute_capabilities: List[str] = field(default_factory=list)   # ComputeCapability member names
    workspace: Optional[int] = None
    builder_opt_level: Optional[int] = None
    weight_streaming: bool = False
    profiling_verbosity: str = "DETAILED"
    profiles: int = 0
    notes: List[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def plan_rtx(spec: BuildSpec, trt) -> RtxPlan:
    plan = RtxPlan(tensorrt_rtx=str(trt.__version__), workspace=spec.workspace,
                   weight_streaming=spec.weight_streaming, profiles=spec.profile_count())
    members = list(trt.ComputeCapability.__members__)
    for cc in spec.compute_capabilities:
        name = "CURRENT" if cc == "current" else "SM" + cc.replace(".", "")
        if name not in members:
            known = ", ".join(_cc_text(m) for m in members if m.startswith("SM"))
            raise TrtlogError(f"compute capability {cc} is not a TensorRT-RTX {trt.__version__} target "
                              f"(targets: {known})")
        plan.compute_capabilities.append(name)
    plan.builder_opt_level = spec.builder_opt_level
    if not spec.verbose:
        plan.notes.append("--no-verbose: TensorRT-RTX prints the Layers: and I/O Tensors: blocks as VERBOSE "
                          "messages, so this log will hold no layer information")
    return plan


def _cc_text(member: str) -> str:
    digits = member[2:]
    return f"{digits[:-1]}.{digits[-1]}"


def apply_rtx_plan(plan: RtxPlan, trt, config) -> None:
    if plan.compute_capabilities:
        config.num_compute_capabilities = len(plan.compute_capabilities)
        for i, name in enumerate(plan.compute_capabilities):
            if not config.set_compute_capability(getattr(trt.ComputeCapability, name), i):
                raise TrtlogError(f"TensorRT-RTX refused compute capability {name} at index {i}", EXIT_FAIL)
    if plan.workspace is not None:
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, plan.workspace)
    if plan.builder_opt_level is not None:
        config.builder_optimization_level = plan.builder_opt_level
    if plan.weight_streaming:
        config.set_flag(trt.BuilderFlag.WEIGHT_STREAMING)
    config.profiling_verbosity = getattr(trt.ProfilingVerbosity, plan.profiling_verbosity)


def rtx_build(spec: BuildSpec, out, force: bool = False, argv: Optional[List[str]] = None,
              progress: Optional[Progress] = None, note=None, precision_constraints_given: bool = False
              ) -> BuildResult:
    """Run one TensorRT-RTX build; returns the result. Raises TrtlogError only for usage errors,
    before the bundle exists."""
    started = time.perf_counter()
    note = note or (lambda msg: None)
    progress = progress or Progress(enabled=False)
    why = refused(spec, precision_constraints_given)
    if why:
        raise TrtlogError(why)
    check_values(spec)
    clock = PhaseClock()
    bundle = Bundle(out, force)
    bundle.check()
    check_model(spec.model)
    if spec.runtime_cache and Path(spec.runtime_cache).is_dir():
        raise TrtlogError(f"--runtime-cache {spec.runtime_cache}: is a directory")
    trt = import_rtx()
    clock.mark("import_tensorrt")
    plan = plan_rtx(spec, trt)
    for n in plan.notes:
        note(n)

    sink = LogSink("V" if spec.verbose else "I", progress, echo=sys.stderr)
    logger = make_logger(trt, sink)
    driver = DriverVersion()
    clock.mark("trtlog_setup")
    with ExitOnInterrupt():     # until the bundle exists
        builder = trt.Builder(logger)
        clock.mark("create_builder")
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        progress.set_phase("parsing ONNX")
        parse_errors = parse_onnx(parser, spec.model)
        clock.mark("parse_onnx")
        inputs = network_inputs(network) if not parse_errors else []
        if not parse_errors:
            check_shapes(spec, inputs)

        session, config_doc, gpu = open_session("rtx", trt, spec, plan, inputs, argv, driver, bundle, sink,
                                                progress, started, clock)
        finish = session.finish

    with session:
        if parse_errors:
            return finish(False, EXIT_FAIL, "ONNX parse failed: " + parse_errors[0], phase="parse")
        try:
            config = builder.create_builder_config()
            apply_rtx_plan(plan, trt, config)
            if spec.profile_count():
                config_doc["profiles_added"], _ = add_profiles(builder, config, spec, inputs)
            bundle.write_json("config.json", config_doc)
            clock.mark("configure")
        except TrtlogError as exc:
            return finish(False, exc.code, str(exc), phase="configure")

        # a rejected profile is still built (TensorRT-RTX's log then goes on to the build's own
        # error), but the status names the rejection: that is the root cause
        serialized, build_error, secs = build_serialized(builder, network, config, progress, clock)
        if serialized is None or int(serialized.nbytes) == 0:
            error = failure_reason(sink, config_doc.get("profiles_added", []), build_error, "TensorRT-RTX")
            return finish(False, EXIT_FAIL, error, secs, phase="build")

        progress.set_phase("writing bundle")
        bundle.write_bytes("engine.plan", serialized)
        nbytes = int(serialized.nbytes)
        clock.mark("write_bundle")
        def say(msg: str) -> None:     # a note, not drawn over by the progress line
            progress.clear()
            note(msg)

        session.extra.update(_after_build(trt, logger, serialized, gpu, bundle, spec, say))
        clock.mark("inspect_engine")
        return finish(True, EXIT_OK, "", secs, nbytes, phase="done")


def _after_build(trt, logger, serialized, gpu, bundle: Bundle, spec: BuildSpec, note) -> dict:
    """Engine inspector (layers.json) and runtime cache: both need the engine deserialized, which
    needs a CUDA driver and an RTX-class GPU. Without a driver, say so and skip."""
    if not gpu.get("compute_capability"):
        msg = ("no CUDA driver here: the engine was built ahead of time on the CPU and cannot be "
               "deserialized; no layers.json" + (" (the layer information is the log's Layers: block)"
                                                 if spec.verbose else ""))
        note(msg)
        extra = {"inspector": "skipped: no CUDA driver"}
        if spec.runtime_cache:
            note(f"--runtime-cache {spec.runtime_cache}: filled when the engine first runs on a GPU; not written here")
            extra["runtime_cache"] = "skipped: no CUDA driver"
        return extra
    runtime = trt.Runtime(logger)
    engine = runtime.deserialize_cuda_engine(serialized)
    if engine is None:
        note(f"the engine does not deserialize on this GPU ({gpu.get('gpu', '?')}, compute capability "
             f"{gpu['compute_capability']}): no layers.json")
        return {"inspector": "failed: the engine did not deserialize"}
    inspector = engine.create_engine_inspector()
    (bundle / "layers.json").write_text(inspector.get_engine_information(trt.LayerInformationFormat.JSON),
                                        encoding="utf-8")
    extra = {"inspector": "layers.json"}
    if spec.runtime_cache:
        extra["runtime_cache"] = _fill_runtime_cache(engine, Path(spec.runtime_cache))
    return extra


def _fill_runtime_cache(engine, path: Path) -> str:
    """Load FILE into a runtime cache, create an execution context (TensorRT-RTX compiles its
    kernels for this GPU then), write the cache back."""
    config = engine.create_runtime_config()
    cache = config.create_runtime_cache()
    loaded = bool(path.is_file() and cache.deserialize(path.read_bytes()))
    config.set_runtime_cache(cache)
    context = engine.create_execution_context(config)
    if context is None:
        return "failed: no execution context"
    data = cache.serialize()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return f"{'loaded and ' if loaded else ''}written {int(data.nbytes)} bytes to {path}"
