"""Source-name extraction for layer alignment, on engine layer names and tensors copied from
Engine Layer Information blocks of the corpus (file and line given with each)."""
from __future__ import annotations

from corpus import corpus_log

import trtlog
from trtlog.diff.align import layers_from_table, metadata_sources, name_sources, shape_wo_batch


def test_fused_name_plain():
    # trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log:1144
    assert name_sources("Conv-1 + ReLU-2") == ({"Conv-1", "ReLU-2"}, [])


def test_pointwise_name_drops_unnamed_layers():
    # trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log:4439
    srcs, ranges = name_sources("PWN((Unnamed Layer* 11) [ElementWise] + node_relu_2)")
    assert srcs == {"node_relu_2"} and ranges == []


def test_foreign_node_range():
    # trt10.16-trtexec-mnist-fp16-verbose-h100.log:4688
    srcs, ranges = name_sources("{ForeignNode[node_conv2d...node_relu]}")
    assert srcs == {"node_conv2d", "node_relu"}
    assert ranges == [(frozenset({"node_conv2d"}), frozenset({"node_relu"}))]


def test_foreign_node_with_fused_first_member():
    # trt10.16-trtexec-mnist-fp16-verbose-h100.log:4693: ONNXTRT_* helpers are TensorRT's own names
    srcs, ranges = name_sources("{ForeignNode[gemm2.bias + ONNXTRT_Broadcast_4...ONNXTRT_castHelper_9]}")
    assert srcs == {"gemm2.bias"}
    assert ranges == [(frozenset({"gemm2.bias"}), frozenset())]


def test_tf_style_fused_name():
    # trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log:1016
    srcs, _ = name_sources("MatMul + b3/read:0 + (Unnamed Layer* 21) [Shuffle] + unsqueeze_node_after_b3/read:0"
                           " + (Unnamed Layer* 21) [Shuffle] + add_2 + Relu_2")
    assert srcs == {"MatMul", "b3/read:0", "unsqueeze_node_after_b3/read:0", "add_2", "Relu_2"}


def test_metadata_onnx_layers():
    # trt10.16-trtexec-dumplayerinfo-h100.log:158 (Metadata of node_linear_myl4_0)
    assert metadata_sources("[ONNX Layer: node_linear][ONNX Layer: node_relu_2]") == {"node_linear", "node_relu_2"}
    # layer-info JSON separates entries with \x1f
    assert metadata_sources("[ONNX Layer: node_linear]\x1f[ONNX Layer: node_relu_2]") == {"node_linear", "node_relu_2"}
    assert metadata_sources("") == set()


def _layer_at(name: str, line: int):
    bl = trtlog.load(corpus_log(name))
    lay = bl.tables["layers"]
    return next(la for la in layers_from_table(lay, bl.tables["tensors"]) if la.line == line)


def test_tensor_shapes_without_batch_ignore_vectorisation():
    # align reads the tensors table: the 8.6 form (vectorised dims) and the 8.4 form come out alike
    new = _layer_at("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log", 3417).inputs
    old = _layer_at("trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log", 1144).inputs
    assert new[0].name == "Reformatted Input Tensor 0 to Conv-1 + ReLU-2" and new[0].dtype == "Half"
    assert old[0].name == "tensor-0" and old[0].dtype == "Float"
    assert shape_wo_batch(new[0]) == shape_wo_batch(old[0]) == ("1", "28", "28")
