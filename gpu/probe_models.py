"""Small ONNX models that make TensorRT 8.6 print message families the project holds no real log of
(run on the GPU machine with its python3 + onnx; session 5).

  python3 gpu/probe_models.py OUTDIR

resize_bn.onnx  Conv -> Resize nearest x2 -> standalone BatchNormalization -> Relu -> Resize linear
                (align_corners, to 48x48) -> Resize cubic (half_pixel, x0.5): the importer's resize and
                BatchNorm lines and the optimiser's handling of a BatchNorm that follows no convolution.
custom_op.onnx  Relu -> MyCustomPlugin (an op no importer or plugin knows) -> Relu: the plugin-registry
                look-up and the plugin-not-found failure.
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _model(graph, opset=17):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="trtlog-probe")
    m.ir_version = 8          # TensorRT 8.6's parser reads IR <= 8
    onnx.checker.check_model(m)
    return m


def resize_bn():
    rng = np.random.default_rng(5)
    c = 8
    inits = [
        numpy_helper.from_array(rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.2, "conv.w"),
        numpy_helper.from_array(np.zeros(c, np.float32), "conv.b"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "up.scales"),
        numpy_helper.from_array(np.array([1, c, 48, 48], np.int64), "lin.sizes"),
        numpy_helper.from_array(np.array([1, 1, 0.5, 0.5], np.float32), "down.scales"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, c).astype(np.float32), "bn.scale"),
        numpy_helper.from_array(rng.standard_normal(c).astype(np.float32) * 0.1, "bn.bias"),
        numpy_helper.from_array(rng.standard_normal(c).astype(np.float32) * 0.1, "bn.mean"),
        numpy_helper.from_array(rng.uniform(0.5, 2.0, c).astype(np.float32), "bn.var"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.w", "conv.b"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Resize", ["conv", "", "up.scales"], ["up"], name="up_nearest", mode="nearest"),
        helper.make_node("BatchNormalization", ["up", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
                         name="bn_after_resize", epsilon=1e-5),
        helper.make_node("Relu", ["bn"], ["relu"], name="relu"),
        helper.make_node("Resize", ["relu", "", "", "lin.sizes"], ["lin"], name="resize_linear", mode="linear",
                         coordinate_transformation_mode="align_corners"),
        helper.make_node("Resize", ["lin", "", "down.scales"], ["output"], name="resize_cubic", mode="cubic",
                         coordinate_transformation_mode="half_pixel"),
    ]
    g = helper.make_graph(nodes, "resize_bn",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, c, 32, 32])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, c, 24, 24])], inits)
    return _model(g)


def custom_op():
    nodes = [
        helper.make_node("Relu", ["input"], ["a"], name="relu_in"),
        helper.make_node("MyCustomPlugin", ["a"], ["b"], name="my_custom", alpha=0.5),
        helper.make_node("Relu", ["b"], ["output"], name="relu_out"),
    ]
    g = helper.make_graph(nodes, "custom_op", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 16])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 16])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="trtlog-probe")
    m.ir_version = 8          # not checked: the checker rejects the unknown op, which is the point
    return m


def main(out: str) -> None:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    onnx.save(resize_bn(), str(d / "resize_bn.onnx"))
    onnx.save(custom_op(), str(d / "custom_op.onnx"))
    print("wrote", sorted(p.name for p in d.glob("*.onnx")))


if __name__ == "__main__":
    main(sys.argv[1])
