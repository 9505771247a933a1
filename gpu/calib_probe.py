"""INT8 builds with TensorRT 8.6's Python API that the project holds no real log of (session 6).

  $PY39 gpu/calib_probe.py MODEL.onnx MODE > build.log      (TensorRT's trt.Logger prints to stdout)

MODE empty-calibrator  an IInt8EntropyCalibrator2 whose get_batch returns None at once (a calibration data
                       loader that yields nothing: an empty folder, a wrong glob) -- the build's INT8
                       calibration has no batch
MODE no-calibrator     the INT8 flag, no calibrator and no dynamic ranges
What this script says itself goes to stderr, so that stdout is TensorRT's log alone.
"""
import sys

import tensorrt as trt


class EmptyCalibrator(trt.IInt8EntropyCalibrator2):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def get_batch_size(self):
        return 1

    def get_batch(self, names):
        self.calls += 1
        return None

    def read_calibration_cache(self):
        return None

    def write_calibration_cache(self, cache):
        print(f"write_calibration_cache: {len(cache)} bytes", file=sys.stderr)


def main(model: str, mode: str) -> int:
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(model):
        print("parse failed", file=sys.stderr)
        return 1
    config = builder.create_builder_config()
    config.set_flag(trt.BuilderFlag.INT8)
    config.builder_optimization_level = 0
    # the device kit's cuBLAS/cuDNN are stubs (../shared/device-trt/README.md)
    config.set_tactic_sources(1 << int(trt.TacticSource.EDGE_MASK_CONVOLUTIONS)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    calib = None
    if mode == "empty-calibrator":
        calib = EmptyCalibrator()
        config.int8_calibrator = calib
    elif mode != "no-calibrator":
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    plan = builder.build_serialized_network(network, config)
    print(f"{mode}: engine {'None' if plan is None else plan.nbytes} bytes; get_batch calls "
          f"{calib.calls if calib else '-'}", file=sys.stderr)
    return 0 if plan is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
