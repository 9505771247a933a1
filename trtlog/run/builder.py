"""Build an engine from ONNX with the TensorRT Python API and write the bundle.

Order matters: the bundle refusal is checked first; the ONNX file is parsed while messages are
buffered, so usage errors found then (a dynamic input without a profile, a --layer-precision that
matches nothing) exit 2 without leaving a bundle; from there on every outcome (parse error, build
failure, calibration failure, Ctrl-C) leaves build.log and status.json behind.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

from ..errors import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK, TrtlogError
from .bundle import Bundle, DriverVersion, timing_cache_path
from .logger import LogSink, make_logger
from .options import INSTALL_HINT, BuildSpec, apply_plan, network_flags_value, plan_config
from .progress import Progress
from .session import (  # noqa: F401
    BuildResult,
    ExitOnInterrupt,
    PhaseClock,
    Session,
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


def import_tensorrt():
    try:
        import tensorrt as trt
    except ImportError:
        raise TrtlogError(INSTALL_HINT, EXIT_BAD_INPUT) from None
    return trt


def python_build(spec: BuildSpec, out, force: bool = False, argv: Optional[List[str]] = None,
                 progress: Optional[Progress] = None, note=None) -> BuildResult:
    """Run one build; returns the result (the caller turns exit_code into the process status).
    Raises TrtlogError only for usage errors, before the bundle exists."""
    started = time.perf_counter()
    note = note or (lambda msg: None)
    progress = progress or Progress(enabled=False)
    clock = PhaseClock()
    bundle = Bundle(out, force)
    bundle.check()
    check_values(spec)
    check_model(spec.model)
    trt = import_tensorrt()
    clock.mark("import_tensorrt")
    plan = plan_config(spec, trt)
    for n in plan.notes:
        note(n)

    if plan.calibrate or spec.calib_cache:
        try:   # before the builder: TensorRT then runs in the context pycuda makes current
            import pycuda.autoinit  # noqa: F401
        except ImportError:
            raise TrtlogError("INT8 calibration needs pycuda: pip install 'trtlog[trt]'") from None

    sink = LogSink("V" if spec.verbose else "I", progress, echo=sys.stderr)
    logger = make_logger(trt, sink)
    driver = DriverVersion()
    clock.mark("trtlog_setup")
    with ExitOnInterrupt():     # until the bundle exists
        builder = trt.Builder(logger)
        clock.mark("create_builder")
        network = builder.create_network(network_flags_value(plan, trt))
        parser = trt.OnnxParser(network, logger)
        progress.set_phase("parsing ONNX")
        parse_errors = parse_onnx(parser, spec.model)
        clock.mark("parse_onnx")
        inputs = network_inputs(network) if not parse_errors else []
        if not parse_errors:
            check_shapes(spec, inputs)
            if plan.layer_precisions:   # fail early on patterns that match nothing
                from .options import match_layers
                match_layers(plan.layer_precisions, [network.get_layer(i).name for i in range(network.num_layers)])

        session, config_doc, gpu = open_session("tensorrt", trt, spec, plan, inputs, argv, driver, bundle, sink,
                                                progress, started, clock)
        finish = session.finish

    with session:
        if parse_errors:
            return finish(False, EXIT_FAIL, "ONNX parse failed: " + parse_errors[0], phase="parse")
        try:
            config = builder.create_builder_config()
            applied = apply_plan(plan, trt, config, network)
            config_doc["layer_precisions_applied"] = applied
            profile = None
            if spec.profile_count():
                config_doc["profiles_added"], profiles = add_profiles(builder, config, spec, inputs)
                profile = profiles[0]
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

        serialized, build_error, secs = build_serialized(builder, network, config, progress, clock)
        if serialized is None:
            cal_err = getattr(calibrator, "error", None)
            error = (f"calibration failed: {cal_err}" if cal_err else
                     failure_reason(sink, config_doc.get("profiles_added", []), build_error, "TensorRT"))
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
