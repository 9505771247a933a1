"""TensorRT 8.5 Python: build a small network, load the engine, then size its I/O buffers the way
TensorRT's samples do (samples/python/common.py: `trt.nptype(engine.get_binding_dtype(binding))`).
TensorRT 8.5's `trt.nptype` maps trt.bool to `np.bool`, an alias numpy 1.24 removed (rule TRT506), so
with numpy >= 1.24 the last step raises AttributeError; numpy 1.20-1.23 warn instead.

  $PY39 gpu/numpy_bool_probe.py > run.log 2>&1     (TensorRT's trt.Logger prints to stdout)

The network is made with the network API (no ONNX on the device's Python 3.9): input [1,3,16,16],
a 3x3 convolution with 8 output channels and fixed weights, ReLU, output. What this script says
itself is prefixed "probe:".
"""
import sys

import numpy as np
import tensorrt as trt


def build(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    x = network.add_input("input", trt.float32, (1, 3, 16, 16))
    w = np.linspace(-1.0, 1.0, 8 * 3 * 3 * 3, dtype=np.float32).reshape(8, 3, 3, 3)
    conv = network.add_convolution_nd(x, 8, (3, 3), trt.Weights(w), trt.Weights(np.zeros(8, np.float32)))
    conv.padding_nd = (1, 1)
    relu = network.add_activation(conv.get_output(0), trt.ActivationType.RELU)
    relu.get_output(0).name = "output"
    network.mark_output(relu.get_output(0))
    config = builder.create_builder_config()
    # the device kit's cuBLAS/cuDNN are stubs (../shared/device-trt/README.md)
    config.set_tactic_sources(1 << int(trt.TacticSource.EDGE_MASK_CONVOLUTIONS)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    return builder.build_serialized_network(network, config)


def main() -> int:
    print(f"probe: tensorrt {trt.__version__}, numpy {np.__version__}", flush=True)
    logger = trt.Logger(trt.Logger.VERBOSE)
    plan = build(logger)
    if plan is None:
        print("probe: no engine", flush=True)
        return 1
    engine = trt.Runtime(logger).deserialize_cuda_engine(plan)
    for binding in engine:
        shape = engine.get_binding_shape(binding)
        dtype = trt.nptype(engine.get_binding_dtype(binding))      # samples/python/common.py allocate_buffers
        host = np.empty(trt.volume(shape), dtype=dtype)
        print(f"probe: {binding} {tuple(shape)} {host.dtype}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
