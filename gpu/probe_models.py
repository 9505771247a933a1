"""Small ONNX models that make TensorRT 8.6 print message families the project holds no real log of
(run on the GPU machine with its python3 + onnx; session 5).

  python3 gpu/probe_models.py OUTDIR

resize_bn.onnx  Conv -> Resize nearest x2 -> standalone BatchNormalization -> Relu -> Resize linear
                (align_corners, to 48x48) -> Resize cubic (half_pixel, x0.5): the importer's resize and
                BatchNorm lines and the optimiser's handling of a BatchNorm that follows no convolution.
custom_op.onnx  Relu -> MyCustomPlugin (an op no importer or plugin knows) -> Relu: the plugin-registry
                look-up and the plugin-not-found failure.
sparse_conv.onnx  two 64-channel 3x3 convolutions whose weights are 2:4 structured-sparse along the input
                channels, with a ReLU between (session 6: sparse tactics under SPARSE_WEIGHTS)
qdq_conv.onnx   QuantizeLinear/DequantizeLinear around a convolution's input and weights, then Relu (session 6:
                explicit quantization)
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


def _sparse_2_4(w):
    """Zero the two smallest of every four consecutive input-channel weights (2:4 along C)."""
    k, c, r, s = w.shape
    g = w.transpose(0, 2, 3, 1).reshape(-1, 4)
    drop = np.argsort(np.abs(g), axis=1)[:, :2]
    np.put_along_axis(g, drop, 0.0, axis=1)
    return g.reshape(k, r, s, c).transpose(0, 3, 1, 2).copy()


def sparse_conv():
    rng = np.random.default_rng(6)
    c = 64
    inits = [numpy_helper.from_array(_sparse_2_4(rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.05), "w1"),
             numpy_helper.from_array(np.zeros(c, np.float32), "b1"),
             numpy_helper.from_array(_sparse_2_4(rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.05), "w2"),
             numpy_helper.from_array(np.zeros(c, np.float32), "b2")]
    nodes = [helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], name="sparse_conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["output"], name="sparse_conv2", pads=[1, 1, 1, 1])]
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [8, c, 56, 56]) for n in ("input", "output")]
    g = helper.make_graph(nodes, "sparse_conv", io[:1], io[1:], inits)
    return _model(g)


def qdq_conv():
    rng = np.random.default_rng(7)
    c = 32
    w = rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.1
    w_scale = (np.abs(w).reshape(c, -1).max(axis=1) / 127).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.zeros(c, np.float32), "b"),
             numpy_helper.from_array(np.array(0.02, np.float32), "x_scale"),
             numpy_helper.from_array(np.array(0, np.int8), "x_zero"),
             numpy_helper.from_array(w_scale, "w_scale"),
             numpy_helper.from_array(np.zeros(c, np.int8), "w_zero")]
    nodes = [helper.make_node("QuantizeLinear", ["input", "x_scale", "x_zero"], ["xq"], name="quant_input"),
             helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zero"], ["xdq"], name="dequant_input"),
             helper.make_node("QuantizeLinear", ["w", "w_scale", "w_zero"], ["wq"], name="quant_weight", axis=0),
             helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zero"], ["wdq"], name="dequant_weight", axis=0),
             helper.make_node("Conv", ["xdq", "wdq", "b"], ["conv"], name="qconv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["conv"], ["output"], name="qrelu")]
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, c, 32, 32]) for n in ("input", "output")]
    g = helper.make_graph(nodes, "qdq_conv", io[:1], io[1:], inits)
    return _model(g)


def main(out: str) -> None:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    onnx.save(resize_bn(), str(d / "resize_bn.onnx"))
    onnx.save(custom_op(), str(d / "custom_op.onnx"))
    onnx.save(sparse_conv(), str(d / "sparse_conv.onnx"))
    onnx.save(qdq_conv(), str(d / "qdq_conv.onnx"))
    print("wrote", sorted(p.name for p in d.glob("*.onnx")))


if __name__ == "__main__":
    main(sys.argv[1])
