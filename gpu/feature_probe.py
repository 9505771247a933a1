"""TensorRT 8.6 Python-API builds of builder features the project holds no real log of (session 6).

  $PY39 gpu/feature_probe.py MODELS_DIR MODE > build.log      (TensorRT's trt.Logger prints to stdout)

MODE (model, flags):
  sparse-fp16    sparse_conv.onnx  FP16 + SPARSE_WEIGHTS (2:4 weights), builder optimization level 2
  qdq-int8       qdq_conv.onnx     INT8 + FP16, explicit quantization (Q/DQ in the model), level 1
  vc-hwcompat    resize_bn.onnx    FP16 + VERSION_COMPATIBLE + EXCLUDE_LEAN_RUNTIME, hardware compatibility
                                   level AMPERE_PLUS, level 0
  obey-fp32      resize_bn.onnx    FP16 + OBEY_PRECISION_CONSTRAINTS, the first layer held in FP32, level 0
  dla-on-gpu     resize_bn.onnx    FP16, default device DLA + GPU_FALLBACK on a GPU without DLA, level 0
  refit          resize_bn.onnx    FP16 + REFIT, level 0
What this script says itself goes to stderr, so that stdout is TensorRT's log alone.
"""
import sys
from pathlib import Path

import tensorrt as trt

MODES = {"sparse-fp16": "sparse_conv.onnx", "qdq-int8": "qdq_conv.onnx", "vc-hwcompat": "resize_bn.onnx",
         "obey-fp32": "resize_bn.onnx", "dla-on-gpu": "resize_bn.onnx", "refit": "resize_bn.onnx"}


def configure(builder, network, config, mode: str) -> None:
    F = trt.BuilderFlag
    config.set_flag(F.FP16)
    config.builder_optimization_level = {"sparse-fp16": 2, "qdq-int8": 1}.get(mode, 0)
    if mode == "sparse-fp16":
        config.set_flag(F.SPARSE_WEIGHTS)
    elif mode == "qdq-int8":
        config.set_flag(F.INT8)
    elif mode == "vc-hwcompat":
        config.set_flag(F.VERSION_COMPATIBLE)
        config.set_flag(F.EXCLUDE_LEAN_RUNTIME)
        config.hardware_compatibility_level = trt.HardwareCompatibilityLevel.AMPERE_PLUS
    elif mode == "obey-fp32":
        config.set_flag(F.OBEY_PRECISION_CONSTRAINTS)
        first = network.get_layer(0)
        first.precision = trt.float32
        for i in range(first.num_outputs):
            first.set_output_type(i, trt.float32)
        print(f"held in FP32: {first.name}", file=sys.stderr)
    elif mode == "dla-on-gpu":
        config.default_device_type = trt.DeviceType.DLA
        config.DLA_core = 0
        config.set_flag(F.GPU_FALLBACK)
    elif mode == "refit":
        config.set_flag(F.REFIT)


def main(models: str, mode: str) -> int:
    if mode not in MODES:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(Path(models) / MODES[mode])):
        print("parse failed", file=sys.stderr)
        return 1
    config = builder.create_builder_config()
    # the device kit's cuBLAS/cuDNN are stubs (../shared/device-trt/README.md)
    config.set_tactic_sources(1 << int(trt.TacticSource.EDGE_MASK_CONVOLUTIONS)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    configure(builder, network, config, mode)
    sys.stdout.flush()
    plan = builder.build_serialized_network(network, config)
    print(f"{mode}: engine {'None' if plan is None else plan.nbytes} bytes", file=sys.stderr)
    return 0 if plan is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
