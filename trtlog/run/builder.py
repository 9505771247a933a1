"""Build an engine from ONNX with the TensorRT Python API and write the bundle.

Order matters: the bundle refusal is checked first; the ONNX file is parsed while messages are
buffered, so usage errors found then (a dynamic input without a profile, a --layer-precision that
matches nothing) exit 2 without leaving a bundle; from there on every outcome (parse error, build
failure, calibration failure, Ctrl-C) leaves build.log and status.json behind.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_OK, TrtlogError
from .bundle import Bundle, DriverVersion, collect_env, gpu_info, timing_cache_path
from .logger import LogSink, make_logger
from .options import INSTALL_HINT, BuildSpec, apply_plan, network_flags_value, plan_config
from .progress import Progress


@dataclass
class BuildResult:
    bundle: Path
    ok: bool
    exit_code: int
    error: str = ""
    build_seconds: Optional[float] = None
    engine_bytes: int = 0
    notes: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)


def import_tensorrt():
    try:
        import tensorrt as trt
    except ImportError:
        raise TrtlogError(INSTALL_HINT, EXIT_BAD_INPUT) from None
    return trt


def _parse_onnx(trt, parser, model: str) -> List[str]:
    if hasattr(parser, "parse_from_file"):
        ok = parser.parse_from_file(str(model))
    else:
        ok = parser.parse(Path(model).read_bytes())
    if ok:
        return []
    return [str(parser.get_error(i).desc()) if hasattr(parser.get_error(i), "desc") else str(parser.get_error(i))
            for i in range(parser.num_errors)] or ["the ONNX parser reported failure"]


def _inputs(network) -> List[tuple]:
    out = []
    for i in range(network.num_inputs):
        t = network.get_input(i)
        out.append((t.name, tuple(int(d) for d in t.shape), str(t.dtype).split(".")[-1]))
    return out


def _check_shapes(spec: BuildSpec, inputs) -> None:
    names = [n for n, _, _ in inputs]
    for n in spec.shape_names():
        if n not in names:
            raise TrtlogError(f"shape given for {n!r}, which is not a network input (inputs: {', '.join(names)})")
    for name, shape, _ in inputs:
        if -1 in shape and spec.profile_for(name) is None:
            dims = "x".join("?" if d < 0 else str(d) for d in shape)
            raise TrtlogError(f"input {name!r} has dynamic shape {dims}: give an optimization profile, e.g. "
                              f"--shapes {name}:{'x'.join('1' if d < 0 else str(d) for d in shape)} or "
                              "--min-shapes/--opt-shapes/--max-shapes")
        prof = spec.profile_for(name)
        if prof is not None:
            for which, dims in zip(("min", "opt", "max"), prof):
                if len(dims) != len(shape) or any(s not in (-1, d) for s, d in zip(shape, dims)):
                    raise TrtlogError(f"{which} shape {'x'.join(map(str, dims))} for {name!r} does not fit "
                                      f"its shape {tuple(shape)}")


class _Interrupt:
    """SIGINT: keep the partial log, record the interruption, exit 130 at once (TensorRT's own
    objects are not torn down; they would only delay the exit)."""

    def __init__(self, bundle: Bundle, sink: LogSink, progress: Progress, started: float):
        self.bundle, self.sink, self.progress, self.started = bundle, sink, progress, started
        self.previous = None

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self.handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)

    def handle(self, signum, frame):
        self.sink.flush()
        self.sink.close()
        self.progress.finish()
        self.bundle.write_status(False, EXIT_INTERRUPTED, f"interrupted (Ctrl-C) while {self.progress.phase}",
                                 None, 0, producer="python", interrupted=True,
                                 wall_seconds=round(time.perf_counter() - self.started, 3))
        sys.stderr.write(f"trtlog: interrupted; partial log kept in {self.bundle / 'build.log'}\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


def python_build(spec: BuildSpec, out, force: bool = False, argv: Optional[List[str]] = None,
                 progress: Optional[Progress] = None, note=None) -> BuildResult:
    """Run one build; returns the result (the caller turns exit_code into the process status).
    Raises TrtlogError only for usage errors, before the bundle exists."""
    started = time.perf_counter()
    note = note or (lambda msg: None)
    progress = progress or Progress(enabled=False)
    clock = PhaseClock()
    trt = import_tensorrt()
    clock.mark("import_tensorrt")
    plan = plan_config(spec, trt)
    for n in plan.notes:
        note(n)
    bundle = Bundle(out, force)
    bundle.check()
    if not Path(spec.model).is_file():
        raise TrtlogError(f"model {spec.model}: no such file")

    if plan.calibrate or spec.calib_cache:
        try:   # before the builder: TensorRT then runs in the context pycuda makes current
            import pycuda.autoinit  # noqa: F401
        except ImportError:
            raise TrtlogError("INT8 calibration needs pycuda: pip install 'trtlog[trt]'") from None

    sink = LogSink("V" if spec.verbose else "I", progress, echo=sys.stderr)
    logger = make_logger(trt, sink)
    driver = DriverVersion()
    clock.mark("trtlog_setup")
    builder = trt.Builder(logger)
    clock.mark("create_builder")
    network = builder.create_network(network_flags_value(plan, trt))
    parser = trt.OnnxParser(network, logger)
    progress.set_phase("parsing ONNX")
    parse_errors = _parse_onnx(trt, parser, spec.model)
    clock.mark("parse_onnx")
    inputs = _inputs(network) if not parse_errors else []
    if not parse_errors:
        _check_shapes(spec, inputs)
        if plan.layer_precisions:   # fail early on patterns that match nothing
            from .options import match_layers
            match_layers(plan.layer_precisions, [network.get_layer(i).name for i in range(network.num_layers)])

    bundle.create()
    sink.attach(bundle / "build.log")
    gpu = gpu_info()
    env = collect_env(str(trt.__version__), "python", gpu, driver)
    config_doc = {"argv": argv or [], "spec": spec.to_dict(), "plan": plan.to_dict(),
                  "inputs": [{"name": n, "shape": list(s), "dtype": t} for n, s, t in inputs]}
    bundle.write_json("config.json", config_doc)
    bundle.write_json("env.json", env)
    bundle.write_status(False, EXIT_FAIL, "build did not finish", None, 0, producer="python")
    clock.mark("write_bundle")

    def finish(ok: bool, code: int, error: str = "", secs=None, nbytes: int = 0, **extra) -> BuildResult:
        sink.flush()
        sink.close()
        progress.finish()
        clock.mark("write_bundle")
        bundle.write_status(ok, code, error, secs, nbytes, producer="python",
                            wall_seconds=round(time.perf_counter() - started, 3), timings_s=clock.rounded(),
                            warnings=sink.counts.get("W", 0), errors=sink.counts.get("E", 0) + sink.counts.get("F", 0),
                            **extra)
        return BuildResult(bundle.dir, ok, code, error, secs, nbytes, plan.notes, dict(sink.counts))

    with _Interrupt(bundle, sink, progress, started):
        if parse_errors:
            return finish(False, EXIT_FAIL, "ONNX parse failed: " + parse_errors[0], phase="parse")
        try:
            config = builder.create_builder_config()
            applied = apply_plan(plan, trt, config, network)
            config_doc["layer_precisions_applied"] = applied
            profile = None
            if spec.wants_profile():
                profile = builder.create_optimization_profile()
                for name, _, _ in inputs:
                    prof = spec.profile_for(name)
                    if prof is not None:
                        profile.set_shape(name, *prof)
                config.add_optimization_profile(profile)
            cache_file = timing_cache_path(spec.timing_cache, str(trt.__version__), gpu) if spec.timing_cache else None
            cache_bytes = cache_file.read_bytes() if cache_file is not None and cache_file.is_file() else b""
            timing_cache = config.create_timing_cache(cache_bytes)
            config.set_timing_cache(timing_cache, False)
            config_doc["timing_cache"] = {"file": str(cache_file) if cache_file else None,
                                          "loaded_bytes": len(cache_bytes)}
            calibrator = None
            if plan.calibrate or (spec.calib_cache and "INT8" in plan.builder_flags):
                calibrator = _calibrator(trt, spec, inputs, bundle, progress, config, profile)
                config.int8_calibrator = calibrator
            bundle.write_json("config.json", config_doc)
            clock.mark("configure")
        except TrtlogError as exc:
            return finish(False, EXIT_FAIL, str(exc), phase="configure")

        progress.set_phase("building")
        t0 = time.perf_counter()
        try:
            serialized = builder.build_serialized_network(network, config)
        except Exception as exc:   # noqa: BLE001  (TensorRT raises plain RuntimeError/MemoryError)
            serialized, build_error = None, f"{type(exc).__name__}: {exc}"
        else:
            build_error = ""
        secs = time.perf_counter() - t0
        clock.mark("build")
        if serialized is None:
            cal_err = getattr(calibrator, "error", None)
            error = (f"calibration failed: {cal_err}" if cal_err else build_error or sink.last_error
                     or "build_serialized_network returned no engine")
            return finish(False, EXIT_FAIL, error, secs, phase="build")

        progress.set_phase("writing bundle")
        bundle.write_bytes("engine.plan", serialized)
        nbytes = int(serialized.nbytes)
        cache_data = config.get_timing_cache().serialize()
        bundle.write_bytes("timing.cache", cache_data)
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            with open(cache_file, "wb") as f:
                f.write(cache_data)
        clock.mark("write_bundle")
        runtime = trt.Runtime(logger)
        engine = runtime.deserialize_cuda_engine(serialized)
        if engine is not None and hasattr(engine, "create_engine_inspector"):
            inspector = engine.create_engine_inspector()
            (bundle / "layers.json").write_text(
                inspector.get_engine_information(trt.LayerInformationFormat.JSON), encoding="utf-8")
        clock.mark("inspect_engine")
        extra = {}
        if calibrator is not None:
            extra["calibration_batches"] = calibrator.index
        return finish(True, EXIT_OK, "", secs, nbytes, phase="done", **extra)


class PhaseClock:
    """Seconds spent per phase of a build (status.json `timings_s`): what TensorRT spent (builder
    creation with its kernel library, ONNX parsing, the build, engine inspection) apart from what
    trtlog adds (its set-up and the bundle files). A phase marked twice accumulates."""

    def __init__(self):
        self.last = time.perf_counter()
        self.phases: Dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now

    def rounded(self) -> Dict[str, float]:
        return {k: round(v, 4) for k, v in self.phases.items()}


def _calibrator(trt, spec: BuildSpec, inputs, bundle: Bundle, progress: Progress, config, profile):
    from .calibrator import check_shapes, load_batches, make_calibrator

    names = [n for n, _, _ in inputs]
    batches = []
    if spec.calib_data:
        batches = load_batches(spec.calib_data, names, spec.calib_batches)
        expected = {}
        for name, shape, _ in inputs:
            prof = spec.profile_for(name)
            expected[name] = prof[1] if prof is not None else shape
        check_shapes(batches, expected)
        progress.calib_n = len(batches)
    elif not Path(spec.calib_cache).is_file():
        raise TrtlogError(f"--calib-cache {spec.calib_cache}: no such file (and no --calib-data)")
    cache_only = not batches
    if cache_only:   # buffers sized from the input shapes; TensorRT should only ask for the cache
        import numpy as np
        batches = [{n: np.zeros([max(d, 1) for d in s], dtype="float32") for n, s, _ in inputs}]
    dtypes = {n: t for n, _, t in inputs}
    calib = make_calibrator(trt, batches, dtypes, bundle / "calibration.cache",
                            read_cache=Path(spec.calib_cache) if spec.calib_cache else None,
                            cache_only=cache_only)
    if profile is not None and hasattr(config, "set_calibration_profile"):
        config.set_calibration_profile(profile)
    return calib
