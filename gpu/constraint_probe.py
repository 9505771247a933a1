"""TensorRT 8.6 Python-API builds of precision constraints and API misuse (session 6, third call).

  $PY39 gpu/constraint_probe.py MODELS_DIR MODE > build.log      (TensorRT's trt.Logger prints to stdout)

All on resize_bn.onnx (gpu/probe_models.py), builder optimization level 0:
  obey-int8-cubic     FP16 + INT8, dynamic range [-4, 4] on every tensor, OBEY_PRECISION_CONSTRAINTS, the cubic
                      Resize (resize_cubic) held in INT8
  prefer-int8-cubic   the same with PREFER_PRECISION_CONSTRAINTS
  partial-ranges      INT8 without calibrator, a dynamic range on the network input only
  implicit-batch      the network created without the EXPLICIT_BATCH flag (a TensorRT 7-era script)
  fp16-io-hwc8        FP16, the network input and output as FP16 in HWC8 (allowed_formats)
  aux-streams         FP16, max_aux_streams = 4
What this script says itself goes to stderr, so that stdout is TensorRT's log alone.
"""
import sys
from pathlib import Path

import tensorrt as trt

MODES = ("obey-int8-cubic", "prefer-int8-cubic", "partial-ranges", "implicit-batch", "fp16-io-hwc8", "aux-streams")


def _all_tensors(network):
    seen = {}
    for i in range(network.num_inputs):
        t = network.get_input(i)
        seen[t.name] = t
    for i in range(network.num_layers):
        layer = network.get_layer(i)
        for j in range(layer.num_outputs):
            t = layer.get_output(j)
            seen[t.name] = t
    return list(seen.values())


def configure(network, config, mode: str) -> None:
    F = trt.BuilderFlag
    config.builder_optimization_level = 0
    config.set_flag(F.FP16)
    if mode in ("obey-int8-cubic", "prefer-int8-cubic"):
        config.set_flag(F.INT8)
        for t in _all_tensors(network):
            t.set_dynamic_range(-4.0, 4.0)
        config.set_flag(F.OBEY_PRECISION_CONSTRAINTS if mode.startswith("obey") else F.PREFER_PRECISION_CONSTRAINTS)
        for i in range(network.num_layers):
            layer = network.get_layer(i)
            if layer.name == "resize_cubic":
                layer.precision = trt.int8
                layer.set_output_type(0, trt.int8)
                print(f"held in INT8: {layer.name}", file=sys.stderr)
    elif mode == "partial-ranges":
        config.set_flag(F.INT8)
        network.get_input(0).set_dynamic_range(-4.0, 4.0)
    elif mode == "fp16-io-hwc8":
        for t in (network.get_input(0), network.get_output(0)):
            t.dtype = trt.float16
            t.allowed_formats = 1 << int(trt.TensorFormat.HWC8)
    elif mode == "aux-streams":
        config.max_aux_streams = 4


def main(models: str, mode: str) -> int:
    if mode not in MODES:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    flags = 0 if mode == "implicit-batch" else 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    network = builder.create_network(flags)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(Path(models) / "resize_bn.onnx")):
        for i in range(parser.num_errors):
            print(f"parser error: {parser.get_error(i)}", file=sys.stderr)
        return 1
    config = builder.create_builder_config()
    # the device kit's cuBLAS/cuDNN are stubs (../shared/device-trt/README.md)
    config.set_tactic_sources(1 << int(trt.TacticSource.EDGE_MASK_CONVOLUTIONS)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    configure(network, config, mode)
    sys.stdout.flush()
    plan = builder.build_serialized_network(network, config)
    print(f"{mode}: engine {'None' if plan is None else plan.nbytes} bytes", file=sys.stderr)
    return 0 if plan is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
