"""TensorRT 8.6 Python-API builds with deprecated or unsupported builder settings (session 6, fourth call).

  $PY39 gpu/api_probe.py MODELS_DIR MODE > build.log      (TensorRT's trt.Logger prints to stdout)

All on resize_bn.onnx (gpu/probe_models.py), FP16, builder optimization level 0:
  strict-types     BuilderFlag.STRICT_TYPES (deprecated since 8.2)
  max-batch        builder.max_batch_size = 8 with an explicit-batch network
  safety           EngineCapability.SAFETY on the standard (non-safety) runtime
  dla-standalone   EngineCapability.DLA_STANDALONE on a GPU without DLA
  direct-io        BuilderFlag.DIRECT_IO
  no-tf32          FP32 only, BuilderFlag.TF32 cleared
What this script says itself goes to stderr, so that stdout is TensorRT's log alone.
"""
import sys
import warnings
from pathlib import Path

import tensorrt as trt

MODES = ("strict-types", "max-batch", "safety", "dla-standalone", "direct-io", "no-tf32")


def configure(builder, config, mode: str) -> None:
    F = trt.BuilderFlag
    config.builder_optimization_level = 0
    if mode != "no-tf32":
        config.set_flag(F.FP16)
    if mode == "strict-types":
        config.set_flag(F.STRICT_TYPES)
    elif mode == "max-batch":
        builder.max_batch_size = 8
    elif mode == "safety":
        config.engine_capability = trt.EngineCapability.SAFETY
    elif mode == "dla-standalone":
        config.engine_capability = trt.EngineCapability.DLA_STANDALONE
        config.default_device_type = trt.DeviceType.DLA
        config.DLA_core = 0
    elif mode == "direct-io":
        config.set_flag(F.DIRECT_IO)
    elif mode == "no-tf32":
        config.clear_flag(F.TF32)


def main(models: str, mode: str) -> int:
    if mode not in MODES:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    warnings.simplefilter("always")          # the Python API's DeprecationWarnings, on stderr
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(Path(models) / "resize_bn.onnx")):
        print("parse failed", file=sys.stderr)
        return 1
    config = builder.create_builder_config()
    # the device kit's cuBLAS/cuDNN are stubs (../shared/device-trt/README.md)
    config.set_tactic_sources(1 << int(trt.TacticSource.EDGE_MASK_CONVOLUTIONS)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    try:
        configure(builder, config, mode)
    except (AttributeError, TypeError, RuntimeError) as exc:
        print(f"{mode}: cannot configure: {exc!r}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    plan = builder.build_serialized_network(network, config)
    print(f"{mode}: engine {'None' if plan is None else plan.nbytes} bytes", file=sys.stderr)
    return 0 if plan is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
