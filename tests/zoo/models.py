"""The zoo's ONNX models, made with onnx.helper: deterministic (seeded weights, fixed names, no
timestamps), no downloads. Each function returns a ModelProto; MODELS maps a model name to it.

The models are small on purpose (a build takes well under a second on the CPU) except `large`,
whose ~64 MiB of weights is what a weight-streaming build and the build benchmark need.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

F32, F16, BF16 = T.FLOAT, T.FLOAT16, T.BFLOAT16


class G:
    """A small graph builder: nodes, initializers and value infos with generated unique names."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.RandomState(seed)
        self.nodes: List[onnx.NodeProto] = []
        self.inits: List[onnx.TensorProto] = []
        self.count: Dict[str, int] = {}

    def name(self, base: str) -> str:
        k = self.count.get(base, 0)
        self.count[base] = k + 1
        return f"{base}_{k}" if k else base

    def const(self, base: str, array: np.ndarray) -> str:
        n = self.name(base)
        self.inits.append(nh.from_array(np.asarray(array), n))
        return n

    def weight(self, base: str, shape, dtype=np.float32, scale: float = 0.1) -> str:
        return self.const(base, (self.rng.randn(*shape) * scale).astype(dtype))

    def op(self, op_type: str, inputs, base: Optional[str] = None, outputs: int = 1, domain: str = "", **attrs):
        base = base or op_type.lower()
        node_name = self.name("/" + base)
        outs = [f"{node_name}_out{i}" if outputs > 1 else f"{node_name}_out" for i in range(outputs)]
        self.nodes.append(h.make_node(op_type, list(inputs), outs, name=node_name, domain=domain, **attrs))
        return outs if outputs > 1 else outs[0]

    def model(self, name: str, inputs, outputs, opset: int = 17, extra_opsets=()) -> onnx.ModelProto:
        graph = h.make_graph(self.nodes, name, inputs, outputs, self.inits)
        m = h.make_model(graph, producer_name="trtlog-zoo", producer_version="1",
                         opset_imports=[h.make_opsetid("", opset)] + [h.make_opsetid(d, v) for d, v in extra_opsets])
        m.ir_version = 10 if opset >= 21 else 8
        if any(not o.type.tensor_type.HasField("shape") for o in m.graph.output):
            inferred = onnx.shape_inference.infer_shapes(m)   # fills the output shapes left open
            known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
            for o in m.graph.output:
                if not o.type.tensor_type.HasField("shape") and o.name in known:
                    o.type.CopyFrom(known[o.name].type)
        return m


def vi(name, dtype, shape):
    return h.make_tensor_value_info(name, dtype, shape)


def _conv_bn_act(g: G, x: str, cin: int, cout: int, k: int = 3, stride: int = 1, group: int = 1,
                 act: str = "Relu", base: str = "conv") -> str:
    w = g.weight(f"{base}.weight", (cout, cin // group, k, k))
    y = g.op("Conv", [x, w], base, pads=[k // 2] * 4, strides=[stride, stride], group=group)
    bn = [g.const(f"{base}.bn.{p}", v) for p, v in (("scale", np.ones(cout, np.float32)),
                                                    ("bias", np.zeros(cout, np.float32)),
                                                    ("mean", g.rng.randn(cout).astype(np.float32) * 0.1),
                                                    ("var", np.ones(cout, np.float32)))]
    y = g.op("BatchNormalization", [y] + bn, base + "/bn")
    if act == "Relu":
        return g.op("Relu", [y], base + "/relu")
    if act == "Relu6":
        return g.op("Clip", [y, g.const("zero", np.float32(0)), g.const("six", np.float32(6))], base + "/relu6")
    if act == "SiLU":
        return g.op("Mul", [y, g.op("Sigmoid", [y], base + "/sigmoid")], base + "/silu")
    return y


def cnn() -> onnx.ModelProto:
    g = G(1)
    y = _conv_bn_act(g, "input", 3, 16, base="stem")
    y = g.op("MaxPool", [y], "pool", kernel_shape=[2, 2], strides=[2, 2])
    y = _conv_bn_act(g, y, 16, 32, base="block1")
    y = _conv_bn_act(g, y, 32, 32, base="block2")
    y = g.op("GlobalAveragePool", [y], "gap")
    y = g.op("Flatten", [y], "flatten")
    y = g.op("Gemm", [y, g.weight("fc.weight", (10, 32)), g.weight("fc.bias", (10,))], "fc", transB=1)
    return g.model("cnn", [vi("input", F32, [1, 3, 64, 64])], [vi(y, F32, [1, 10])])


def depthwise_relu6() -> onnx.ModelProto:
    g = G(2)
    y = _conv_bn_act(g, "input", 3, 32, stride=2, act="Relu6", base="stem")
    for i in range(2):
        y = _conv_bn_act(g, y, 32, 32, group=32, act="Relu6", base=f"dw{i}")
        y = _conv_bn_act(g, y, 32, 32, k=1, act="Relu6" if i == 0 else None, base=f"pw{i}")
    return g.model("depthwise_relu6", [vi("input", F32, [1, 3, 96, 96])], [vi(y, F32, None)])


def fp16_casts() -> onnx.ModelProto:
    """FP32 I/O; the body runs in FP16 because the graph casts and its initializers are FP16."""
    g = G(3)
    x = g.op("Cast", ["input"], "to_fp16", to=F16)
    for i, (cin, cout) in enumerate(((3, 16), (16, 16))):
        x = g.op("Conv", [x, g.weight(f"conv{i}.weight", (cout, cin, 3, 3), np.float16),
                          g.weight(f"conv{i}.bias", (cout,), np.float16)], f"conv{i}", pads=[1] * 4)
        x = g.op("Relu", [x], f"relu{i}")
    y = g.op("Cast", [x], "to_fp32", to=F32)
    return g.model("fp16_casts", [vi("input", F32, [1, 3, 64, 64])], [vi(y, F32, None)])


def fp16_mlp() -> onnx.ModelProto:
    """FP16 inputs, outputs and weights end to end."""
    g = G(4)
    x = "input"
    for i in range(3):
        x = g.op("MatMul", [x, g.weight(f"fc{i}.weight", (256, 256), np.float16)], f"fc{i}")
        x = g.op("Add", [x, g.weight(f"fc{i}.bias", (256,), np.float16)], f"fc{i}/bias")
        x = g.op("Relu", [x], f"fc{i}/relu") if i < 2 else x
    return g.model("fp16_mlp", [vi("input", F16, [8, 256])], [vi(x, F16, [8, 256])])


def bf16_mlp() -> onnx.ModelProto:
    g = G(5)
    x = g.op("Cast", ["input"], "to_bf16", to=BF16)
    for i in range(2):
        w = g.op("Cast", [g.weight(f"fc{i}.weight", (256, 256))], f"fc{i}/weight_to_bf16", to=BF16)
        x = g.op("MatMul", [x, w], f"fc{i}")
        x = g.op("Relu", [x], f"fc{i}/relu")
    y = g.op("Cast", [x], "to_fp32", to=F32)
    return g.model("bf16_mlp", [vi("input", F32, [8, 256])], [vi(y, F32, None)])


def _layernorm_op(g: G, x: str, d: int, dtype, base: str) -> str:
    return g.op("LayerNormalization", [x, g.const(f"{base}.gamma", np.ones(d, dtype)),
                                       g.const(f"{base}.beta", np.zeros(d, dtype))], base, axis=-1, epsilon=1e-5)


def _layernorm_decomposed(g: G, x: str, d: int, dtype, base: str) -> str:
    mean = g.op("ReduceMean", [x], base + "/mean", axes=[-1], keepdims=1)
    diff = g.op("Sub", [x, mean], base + "/sub")
    sq = g.op("Pow", [diff, g.const(f"{base}.two", np.array(2, dtype))], base + "/pow")
    var = g.op("ReduceMean", [sq], base + "/var", axes=[-1], keepdims=1)
    std = g.op("Sqrt", [g.op("Add", [var, g.const(f"{base}.eps", np.array(1e-5, dtype))], base + "/add_eps")],
               base + "/sqrt")
    y = g.op("Div", [diff, std], base + "/div")
    y = g.op("Mul", [y, g.const(f"{base}.gamma", np.ones(d, dtype))], base + "/scale")
    return g.op("Add", [y, g.const(f"{base}.beta", np.zeros(d, dtype))], base + "/shift")


def _attention_block(g: G, x: str, seq, d: int, heads: int, dtype, ln) -> str:
    """Pre-LN transformer block; attention as MatMul -> Softmax -> MatMul (what TensorRT fuses)."""
    npd = np.float16 if dtype == F16 else np.float32
    dh = d // heads
    y = ln(g, x, d, npd, "/ln1")
    qkv = []
    for p in "qkv":
        t = g.op("MatMul", [y, g.weight(f"attn.{p}.weight", (d, d), npd)], f"attn/{p}")
        t = g.op("Reshape", [t, g.const(f"attn.{p}.shape", np.array([0, -1, heads, dh], np.int64))], f"attn/{p}/split")
        qkv.append(g.op("Transpose", [t], f"attn/{p}/heads", perm=[0, 2, 3, 1] if p == "k" else [0, 2, 1, 3]))
    q, k, v = qkv
    s = g.op("MatMul", [q, k], "attn/qk")
    s = g.op("Mul", [s, g.const("attn.scale", np.array(1.0 / np.sqrt(dh), npd))], "attn/scale")
    p = g.op("Softmax", [s], "attn/softmax", axis=-1)
    o = g.op("MatMul", [p, v], "attn/pv")
    o = g.op("Transpose", [o], "attn/merge", perm=[0, 2, 1, 3])
    o = g.op("Reshape", [o, g.const("attn.merge.shape", np.array([0, -1, d], np.int64))], "attn/merge/reshape")
    o = g.op("MatMul", [o, g.weight("attn.out.weight", (d, d), npd)], "attn/out")
    x = g.op("Add", [x, o], "residual1")
    y = ln(g, x, d, npd, "/ln2")
    y = g.op("MatMul", [y, g.weight("mlp.fc1.weight", (d, 4 * d), npd)], "mlp/fc1")
    y = g.op("Gelu", [y], "mlp/gelu") if g.opset >= 20 else g.op("Relu", [y], "mlp/relu")
    y = g.op("MatMul", [y, g.weight("mlp.fc2.weight", (4 * d, d), npd)], "mlp/fc2")
    return g.op("Add", [x, y], "residual2")


def transformer(dtype=F32, seq=64, layernorm="op", dynamic=False, name="transformer") -> onnx.ModelProto:
    g = G(6)
    g.opset = 17
    ln = _layernorm_op if layernorm == "op" else _layernorm_decomposed
    d = 128
    y = _attention_block(g, "input", seq, d, 4, dtype, ln)
    shape = ["batch", "seq", d] if dynamic else [1, seq, d]
    return g.model(name, [vi("input", dtype, shape)], [vi(y, dtype, shape)])


def layernorm(dtype=F16, decomposed=False, name="layernorm") -> onnx.ModelProto:
    """One LayerNorm over 1024 features of inputs large enough to overflow FP16 sums of squares."""
    g = G(7)
    npd = np.float16 if dtype == F16 else np.float32
    x = g.op("MatMul", ["input", g.weight("proj.weight", (1024, 1024), npd, 1.0)], "proj")
    y = (_layernorm_decomposed if decomposed else _layernorm_op)(g, x, 1024, npd, "/ln")
    return g.model(name, [vi("input", dtype, [1, 16, 1024])], [vi(y, dtype, [1, 16, 1024])])


def detection_head() -> onnx.ModelProto:
    """YOLO-style neck/head: Conv+BN+SiLU, nearest Resize x2, Concat, and an INT64 Slice."""
    g = G(8)
    p3 = _conv_bn_act(g, "input", 3, 32, act="SiLU", base="p3")
    p4 = _conv_bn_act(g, p3, 32, 64, stride=2, act="SiLU", base="p4")
    up = g.op("Resize", [p4, "", g.const("up.scales", np.array([1, 1, 2, 2], np.float32))], "up", mode="nearest")
    cat = g.op("Concat", [p3, up], "concat", axis=1)
    y = _conv_bn_act(g, cat, 96, 85, k=1, act="SiLU", base="head")
    boxes = g.op("Slice", [y, g.const("box.starts", np.array([0], np.int64)),
                           g.const("box.ends", np.array([4], np.int64)), g.const("box.axes", np.array([1], np.int64))],
                 "boxes")
    scores = g.op("Slice", [y, g.const("cls.starts", np.array([4], np.int64)),
                            g.const("cls.ends", np.array([2 ** 62], np.int64)), "box.axes"], "scores")
    scores = g.op("Sigmoid", [scores], "scores/sigmoid")
    return g.model("detection_head", [vi("input", F32, [1, 3, 64, 64])],
                   [vi(boxes, F32, None), vi(scores, F32, None)])


def int8_qdq(per_channel: bool) -> onnx.ModelProto:
    """Explicit INT8: Q/DQ on the activations (per tensor) and on the weights (per tensor or per
    output channel, axis 0), as ModelOpt/pytorch-quantization export them."""
    g = G(9)
    x = "input"
    for i, (cin, cout) in enumerate(((3, 32), (32, 32))):
        s = g.const(f"act{i}.scale", np.float32(0.05))
        z = g.const(f"act{i}.zp", np.int8(0))
        x = g.op("DequantizeLinear", [g.op("QuantizeLinear", [x, s, z], f"act{i}/q"), s, z], f"act{i}/dq")
        w = g.rng.randn(cout, cin, 3, 3).astype(np.float32) * 0.1
        if per_channel:
            ws = (np.abs(w).reshape(cout, -1).max(1) / 127).astype(np.float32)
            wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
            wz = np.zeros(cout, np.int8)
        else:
            ws = np.float32(np.abs(w).max() / 127)
            wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
            wz = np.int8(0)
        wd = g.op("DequantizeLinear", [g.const(f"conv{i}.weight_q", wq), g.const(f"conv{i}.weight_scale", ws),
                                       g.const(f"conv{i}.weight_zp", wz)], f"conv{i}/weight_dq",
                  **({"axis": 0} if per_channel else {}))
        x = g.op("Conv", [x, wd], f"conv{i}", pads=[1] * 4)
        x = g.op("Relu", [x], f"relu{i}")
    name = "int8_qdq_per_channel" if per_channel else "int8_qdq_per_tensor"
    return g.model(name, [vi("input", F32, [1, 3, 64, 64])], [vi(x, F32, None)], opset=17)


def fp8_qdq() -> onnx.ModelProto:
    """FP8 (E4M3) Q/DQ on a GEMM's activation and weight (opset 19 float8 types)."""
    g = G(10)
    s = g.const("act.scale", np.float32(0.02))
    z = "act.zp"     # the zero point's type makes the Q/DQ FP8 (numpy has no float8)
    g.inits.append(h.make_tensor(z, T.FLOAT8E4M3FN, [], [0]))
    x = g.op("DequantizeLinear", [g.op("QuantizeLinear", ["input", s, z], "act/q"), s, z], "act/dq")
    w = g.rng.randn(256, 256).astype(np.float32) * 0.1
    ws = np.float32(np.abs(w).max() / 448)
    wq = h.make_tensor("fc.weight_q", T.FLOAT8E4M3FN, [256, 256], (w / ws).flatten().tolist())
    g.inits.append(wq)
    wd = g.op("DequantizeLinear", ["fc.weight_q", g.const("fc.weight_scale", ws), "act.zp"], "fc/weight_dq")
    y = g.op("MatMul", [x, wd], "fc")
    return g.model("fp8_qdq", [vi("input", F32, [16, 256])], [vi(y, F32, [16, 256])], opset=19)


def int4_weight_only() -> onnx.ModelProto:
    """INT4 weight-only GEMM: block-quantized INT4 weights (block 32 along K) dequantized to FP16
    (opset 21 DequantizeLinear with block_size), FP16 activations."""
    g = G(11)
    k, n, block = 256, 256, 32
    w = g.rng.randn(k, n).astype(np.float32) * 0.1
    scales = (np.abs(w).reshape(k // block, block, n).max(1) / 7).astype(np.float16)
    q = np.clip(np.round(w / np.repeat(scales.astype(np.float32), block, 0)), -8, 7).astype(np.int8)
    g.inits.append(h.make_tensor("fc.weight_q", T.INT4, [k, n], q.flatten().tolist()))
    wd = g.op("DequantizeLinear", ["fc.weight_q", g.const("fc.weight_scale", scales)], "fc/weight_dq",
              axis=0, block_size=block)
    y = g.op("MatMul", ["input", wd], "fc")
    return g.model("int4_weight_only", [vi("input", F16, [16, k])], [vi(y, F16, [16, n])], opset=21)


def fp4_weight_only() -> onnx.ModelProto:
    """FP4 (E2M1) weight-only GEMM: block-quantized FP4 weights (block 16 along K, FP32 scales) dequantized
    and multiplied by FP32 activations (opset 23 FLOAT4E2M1); only Blackwell targets (12.x) compute FP4."""
    g = G(12)
    k, n, block = 256, 256, 16
    w = g.rng.randn(k, n).astype(np.float32) * 0.1
    scales = (np.abs(w).reshape(k // block, block, n).max(1) / 6).astype(np.float32)
    q = w / np.repeat(scales, block, 0)
    grid = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], np.float32)         # the E2M1 magnitudes
    q = np.sign(q) * grid[np.abs(np.abs(q)[..., None] - grid).argmin(-1)]
    g.inits.append(h.make_tensor("fc.weight_q", T.FLOAT4E2M1, [k, n], q.flatten().tolist()))
    wd = g.op("DequantizeLinear", ["fc.weight_q", g.const("fc.weight_scale", scales)], "fc/weight_dq",
              axis=0, block_size=block)
    y = g.op("MatMul", ["input", wd], "fc")
    return g.model("fp4_weight_only", [vi("input", F32, [16, k])], [vi(y, F32, [16, n])], opset=23)


def _rnn(op: str) -> onnx.ModelProto:
    g = G(12)
    hidden, gates = 64, {"LSTM": 4, "GRU": 3}[op]
    w = g.weight(f"{op.lower()}.W", (1, gates * hidden, 32))
    r = g.weight(f"{op.lower()}.R", (1, gates * hidden, hidden))
    b = g.weight(f"{op.lower()}.B", (1, 2 * gates * hidden))
    outs = g.op(op, ["input", w, r, b], op.lower(), outputs=2, hidden_size=hidden)
    return g.model(op.lower(), [vi("input", F32, [16, 1, 32])], [vi(outs[0], F32, None)])


def lstm() -> onnx.ModelProto:
    return _rnn("LSTM")


def gru() -> onnx.ModelProto:
    return _rnn("GRU")


def loop() -> onnx.ModelProto:
    """A Loop running 4 iterations of x = relu(x @ W) (trip count from an initializer)."""
    g = G(13)
    w = g.weight("loop.W", (64, 64))
    body = h.make_graph(
        [h.make_node("MatMul", ["x_in", w], ["mm"], name="/loop/body/matmul"),
         h.make_node("Relu", ["mm"], ["x_out"], name="/loop/body/relu"),
         h.make_node("Identity", ["cond_in"], ["cond_out"], name="/loop/body/cond")],
        "loop_body", [vi("i", T.INT64, []), vi("cond_in", T.BOOL, []), vi("x_in", F32, [1, 64])],
        [vi("cond_out", T.BOOL, []), vi("x_out", F32, [1, 64])])
    trips = g.const("loop.trips", np.array(4, np.int64))
    cond = g.const("loop.cond", np.array(True))
    y = g.op("Loop", [trips, cond, "input"], "loop", body=body)
    return g.model("loop", [vi("input", F32, [1, 64])], [vi(y, F32, [1, 64])])


def if_cond() -> onnx.ModelProto:
    """If on a runtime boolean input: relu branch or negation branch."""
    g = G(14)
    then_g = h.make_graph([h.make_node("Relu", ["input"], ["t_out"], name="/if/then/relu")], "then",
                          [], [vi("t_out", F32, [1, 64])])
    else_g = h.make_graph([h.make_node("Neg", ["input"], ["e_out"], name="/if/else/neg")], "else",
                          [], [vi("e_out", F32, [1, 64])])
    y = g.op("If", ["flag"], "if", then_branch=then_g, else_branch=else_g)
    return g.model("if_cond", [vi("input", F32, [1, 64]), vi("flag", T.BOOL, [])], [vi(y, F32, [1, 64])])


def custom_op() -> onnx.ModelProto:
    """An op from a custom domain nobody implements."""
    g = G(15)
    x = g.op("Relu", ["input"], "relu")
    y = g.op("FancyActivation", [x], "fancy", domain="com.example.custom", alpha=0.5)
    return g.model("custom_op", [vi("input", F32, [1, 64])], [vi(y, F32, [1, 64])],
                   extra_opsets=[("com.example.custom", 1)])


def plugin_op() -> onnx.ModelProto:
    """EfficientNMS_TRT: an op TensorRT implements only as a plugin (from its plugin library)."""
    g = G(16)
    outs = g.op("EfficientNMS_TRT", ["boxes", "scores"], "nms", outputs=4, background_class=-1,
                box_coding=0, iou_threshold=0.5, max_output_boxes=100, plugin_version="1",
                score_activation=0, score_threshold=0.25)
    return g.model("plugin_op", [vi("boxes", F32, [1, 1000, 4]), vi("scores", F32, [1, 1000, 80])],
                   [vi(outs[0], T.INT32, [1, 1]), vi(outs[1], F32, [1, 100, 4]), vi(outs[2], F32, [1, 100]),
                    vi(outs[3], T.INT32, [1, 100])])


def dynamic_cnn() -> onnx.ModelProto:
    """The CNN with a dynamic batch and image size."""
    m = cnn()
    dims = m.graph.input[0].type.tensor_type.shape.dim
    for d, p in zip(dims, ("batch", None, "height", "width")):
        if p:
            d.ClearField("dim_value")
            d.dim_param = p
    m.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    m.graph.name = "dynamic_cnn"
    return m


def add_two_dynamic() -> onnx.ModelProto:
    """Two inputs with their own dynamic batch ('N' and 'M') added elementwise: only profiles that give
    both the same batch are valid."""
    g = G(20)
    y = g.op("Add", ["a", "b"], "add")
    return g.model("add_two_dynamic", [vi("a", F32, ["N", 4]), vi("b", F32, ["M", 4])], [vi(y, F32, ["N", 4])])


def large(hidden: int = 2048, layers: int = 4) -> onnx.ModelProto:
    """An MLP with hidden x hidden FP32 weights per layer: 4 x 2048 x 2048 x 4 B = 64 MiB."""
    g = G(17)
    x = "input"
    for i in range(layers):
        x = g.op("MatMul", [x, g.weight(f"fc{i}.weight", (hidden, hidden), scale=0.02)], f"fc{i}")
        x = g.op("Relu", [x], f"fc{i}/relu") if i < layers - 1 else x
    return g.model("large", [vi("input", F32, [8, hidden])], [vi(x, F32, [8, hidden])])


MODELS: Dict[str, Callable[[], onnx.ModelProto]] = {
    "cnn": cnn,
    "depthwise_relu6": depthwise_relu6,
    "fp16_casts": fp16_casts,
    "fp16_mlp": fp16_mlp,
    "bf16_mlp": bf16_mlp,
    "transformer": transformer,
    "transformer_fp16": lambda: transformer(F16, name="transformer_fp16"),
    "transformer_dynamic": lambda: transformer(dynamic=True, name="transformer_dynamic"),
    "transformer_fp16_ln_decomposed": lambda: transformer(F16, layernorm="decomposed",
                                                          name="transformer_fp16_ln_decomposed"),
    "layernorm_op_fp16": lambda: layernorm(F16, False, "layernorm_op_fp16"),
    "layernorm_decomposed_fp16": lambda: layernorm(F16, True, "layernorm_decomposed_fp16"),
    "layernorm_decomposed_fp32": lambda: layernorm(F32, True, "layernorm_decomposed_fp32"),
    "detection_head": detection_head,
    "int8_qdq_per_tensor": lambda: int8_qdq(False),
    "int8_qdq_per_channel": lambda: int8_qdq(True),
    "fp8_qdq": fp8_qdq,
    "int4_weight_only": int4_weight_only,
    "fp4_weight_only": fp4_weight_only,
    "lstm": lstm,
    "gru": gru,
    "loop": loop,
    "if_cond": if_cond,
    "custom_op": custom_op,
    "plugin_op": plugin_op,
    "dynamic_cnn": dynamic_cnn,
    "add_two_dynamic": add_two_dynamic,
    "large": large,
}


def write(name: str, folder) -> str:
    """Write one model as FOLDER/NAME.onnx (rewritten only when its bytes change); returns the path."""
    from pathlib import Path

    path = Path(folder) / f"{name}.onnx"
    data = MODELS[name]().SerializeToString()
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return str(path)


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 3 or any(n not in MODELS for n in sys.argv[1:-1]):
        sys.exit(f"usage: python tests/zoo/models.py NAME [NAME ...] DIR (names: {', '.join(MODELS)})")
    for n in sys.argv[1:-1]:
        print(write(n, sys.argv[-1]))
