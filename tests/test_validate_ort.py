"""The ONNX Runtime side for real, on small models built here with the onnx helper API."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx_models import IR_VERSION  # noqa: E402

from trtlog.validate import inputs as I  # noqa: E402
from trtlog.validate.accuracy import compare_outputs, model_from_bundle, resolve_target, stack_sets  # noqa: E402
from trtlog.validate.ort_runner import OrtRunner, write_reference  # noqa: E402
from trtlog.validate.per_layer import compare_tensors, first_jump, summarize  # noqa: E402


def _weights(seed=0):
    rng = np.random.default_rng(seed)
    return {"conv_w": rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.3,
            "conv_b": rng.standard_normal(4).astype(np.float32) * 0.1,
            "fc_w": rng.standard_normal((10, 4 * 6 * 6)).astype(np.float32) * 0.1,
            "fc_b": rng.standard_normal(10).astype(np.float32) * 0.1}


def classifier(path, dynamic_batch=True):
    """Conv(3->4, 3x3) + Relu + Flatten + Gemm(->10) + Softmax on 3x8x8 images."""
    w = _weights()
    batch = "N" if dynamic_batch else 2
    nodes = [helper.make_node("Conv", ["image", "conv_w", "conv_b"], ["conv"], kernel_shape=[3, 3]),
             helper.make_node("Relu", ["conv"], ["relu"]),
             helper.make_node("Flatten", ["relu"], ["flat"], axis=1),
             helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1),
             helper.make_node("Softmax", ["logits"], ["probs"], axis=1)]
    g = helper.make_graph(nodes, "cls", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, 8, 8])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [batch, 10])],
                          [numpy_helper.from_array(v, k) for k, v in w.items()])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=IR_VERSION),
              str(path))
    return w


def numpy_forward(x, w):
    n = x.shape[0]
    conv = np.zeros((n, 4, 6, 6), dtype=np.float64)
    for i in range(6):
        for j in range(6):
            patch = x[:, :, i:i + 3, j:j + 3].astype(np.float64)
            conv[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w["conv_w"]) + w["conv_b"]
    relu = np.maximum(conv, 0)
    logits = relu.reshape(n, -1) @ w["fc_w"].T.astype(np.float64) + w["fc_b"]
    e = np.exp(logits - logits.max(1, keepdims=True))
    return {"conv": conv, "relu": relu, "logits": logits, "probs": e / e.sum(1, keepdims=True)}


def test_ort_runs_the_classifier_like_numpy(tmp_path):
    w = classifier(tmp_path / "cls.onnx")
    r = OrtRunner(tmp_path / "cls.onnx")
    assert r.outputs == ["probs"]
    [spec] = r.specs
    assert spec.name == "image" and spec.dims == ["N", 3, 8, 8] and spec.is_dynamic
    x = I.generate(r.specs, {"image": (5, 3, 8, 8)}, seed=3)["image"]
    out = r.run({"image": x})
    ref = numpy_forward(x, w)
    np.testing.assert_allclose(out["probs"], ref["probs"], rtol=1e-4, atol=1e-6)
    r.close()


def test_intermediates_come_in_graph_order_with_real_values(tmp_path):
    w = classifier(tmp_path / "cls.onnx")
    r = OrtRunner(tmp_path / "cls.onnx", intermediates=True)
    assert r.order == ["conv", "relu", "flat", "logits", "probs"]
    assert set(r.available) == set(r.order)
    x = I.generate(r.specs, {"image": (2, 3, 8, 8)}, seed=1)["image"]
    out = r.run({"image": x})
    ref = numpy_forward(x, w)
    np.testing.assert_allclose(out["conv"], ref["conv"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["relu"], np.maximum(out["conv"], 0))
    np.testing.assert_allclose(out["logits"], ref["logits"], rtol=1e-4, atol=1e-5)
    r.close()


def test_reference_file_round_trip_and_fp16_engine_comparison(tmp_path):
    classifier(tmp_path / "cls.onnx")
    ref_path = write_reference(tmp_path / "cls.onnx", tmp_path / "ref.npz", random=3, seed=5,
                               shapes={"image": (4, 3, 8, 8)}, per_layer=True)
    sets, outs, meta = I.read_sets(ref_path)
    assert len(sets) == 3 and meta["graph_outputs"] == ["probs"] and meta["order"][0] == "conv"
    assert set(outs[0]) == {"conv", "relu", "flat", "logits", "probs"}   # set 0 carries intermediates
    assert set(outs[1]) == {"probs"}
    assert sets[0]["image"].shape == (4, 3, 8, 8) and not np.array_equal(sets[0]["image"], sets[1]["image"])

    # an "engine" that returns the reference rounded to FP16: small, measurable error
    eng = [{"probs": o["probs"].astype(np.float16)} for o in outs]
    rows = compare_outputs(eng, outs, ["probs"], atol=1e-3, rtol=1e-3, max_outside=0.0)
    [row] = rows
    assert row["passed"] and row["shape"] == [4, 10] and row["count"] == 3 * 4 * 10
    assert 0 < row["max_abs_err"] < 1e-3 and row["argmax_agreement"] == 1.0
    strict = compare_outputs(eng, outs, ["probs"], atol=0.0, rtol=0.0, max_outside=0.0)[0]
    assert not strict["passed"] and "outside tolerance" in strict["reasons"][0]
    missing = compare_outputs(eng, outs, ["nope"], 1e-3, 1e-3, 0.0)[0]
    assert not missing["passed"] and "not an output of the engine" in missing["reasons"][0]


def test_argmax_disagreement_is_reported(tmp_path):
    classifier(tmp_path / "cls.onnx")
    r = OrtRunner(tmp_path / "cls.onnx")
    sets = I.random_sets(r.specs, {"image": (8, 3, 8, 8)}, 2, seed=0)
    ref = [r.run(s) for s in sets]
    eng = [{"probs": o["probs"][:, ::-1].copy()} for o in ref]   # classes reversed
    row = compare_outputs(eng, ref, ["probs"], 1e-3, 1e-3, 1.0, min_argmax=0.9)[0]
    expected = np.mean(np.concatenate([o["probs"].argmax(1) for o in ref])
                       == np.concatenate([o["probs"][:, ::-1].argmax(1) for o in ref]))
    assert row["argmax_agreement"] == pytest.approx(expected) and expected < 0.9
    assert not row["passed"] and any("argmax" in x for x in row["reasons"])


def test_per_layer_ranking_finds_the_injected_jump(tmp_path):
    classifier(tmp_path / "cls.onnx")
    r = OrtRunner(tmp_path / "cls.onnx", intermediates=True)
    x = I.generate(r.specs, {"image": (2, 3, 8, 8)}, seed=2)
    ref = r.run(x)
    rng = np.random.default_rng(0)
    # a debug engine whose values drift a little everywhere, and badly from "logits" on
    eng = {k: (v * (1 + 1e-5 * rng.standard_normal(v.shape))).astype(np.float32) for k, v in ref.items()}
    eng["logits"] = ref["logits"] * 1.5
    eng["probs"] = ref["probs"][:, ::-1]
    producers = {"logits": {"layer": "Gemm_3", "layer_type": "MATRIX_MULTIPLY"}}
    rows = compare_tensors(eng, ref, r.order, 1e-3, 1e-3, producers)
    assert [row["name"] for row in rows] == r.order
    jump = first_jump(rows)
    assert jump["name"] == "logits" and jump["index"] == 3 and jump["layer"] == "Gemm_3"
    assert jump["rel_l2"] == pytest.approx(0.5, rel=1e-3)
    summary = summarize(rows, top=2)
    assert summary["compared"] == 5 and len(summary["ranked"]) == 2
    assert {x["name"] for x in summary["ranked"]} == {"logits", "probs"}
    assert "fus" in summary["warning"]


def test_first_jump_rules():
    rows = [{"name": "a", "rel_l2": 2e-4}, {"name": "b", "rel_l2": 5e-4}, {"name": "c", "rel_l2": 4e-3},
            {"name": "d", "rel_l2": 5e-3}, {"name": "e", "rel_l2": 0.2}]
    j = first_jump(rows)   # c is 8x b: not a jump; e is 40x d: the jump
    assert j["name"] == "e" and j["ratio"] == pytest.approx(40.0)
    assert first_jump([{"name": "x", "rel_l2": 1e-4}, {"name": "y", "rel_l2": 5e-4}]) is None   # below the floor
    inf = first_jump([{"name": "x", "rel_l2": 1e-3}, {"name": "nan", "rel_l2": float("nan")}])
    assert inf["name"] == "x"   # x: first above the floor after exact-zero history
    assert first_jump([{"name": "x", "rel_l2": 2e-3}, {"name": "y", "rel_l2": float("nan")}])["name"] == "x"
    assert first_jump([{"name": "x", "rel_l2": 0.0}, {"name": "y", "rel_l2": float("inf")}])["name"] == "y"


def test_stack_sets_joins_batches():
    a, b = np.zeros((2, 10)), np.ones((2, 10))
    assert stack_sets([a, b]).shape == (4, 10)
    assert stack_sets([np.zeros(10), np.ones(10)]).shape == (2, 10)
    assert stack_sets([np.zeros((1, 3)), np.zeros((2, 3))]).shape == (9,)


def test_bundle_resolution(tmp_path):
    b = tmp_path / "bundle"
    b.mkdir()
    classifier(tmp_path / "cls.onnx")
    (b / "engine.plan").write_bytes(b"\0")
    (b / "config.json").write_text('{"spec": {"model": "%s"}}' % (tmp_path / "cls.onnx"))
    assert resolve_target(b) == (b / "engine.plan", b)
    assert resolve_target(b / "engine.plan") == (b / "engine.plan", b)
    assert model_from_bundle(b) == tmp_path / "cls.onnx"
    (b / "config.json").write_text('{"spec": {"model": "elsewhere/cls.onnx"}}')
    (b / "cls.onnx").write_bytes((tmp_path / "cls.onnx").read_bytes())
    assert model_from_bundle(b) == b / "cls.onnx"     # recorded path gone: the copy in the bundle


def test_weight_only_values_are_not_intermediates(tmp_path):
    """Exporters route weights through Identity/Constant nodes; those do not depend on the input."""
    w = np.ones((4, 3), np.float32)
    nodes = [helper.make_node("Identity", ["w_init"], ["onnx::MatMul_7"]),
             helper.make_node("Constant", [], ["two"], value=numpy_helper.from_array(np.array(2.0, np.float32))),
             helper.make_node("MatMul", ["x", "onnx::MatMul_7"], ["h"]),
             helper.make_node("Mul", ["h", "two"], ["y"])]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
                          [numpy_helper.from_array(w, "w_init")])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=IR_VERSION)
    onnx.save(model, str(tmp_path / "m.onnx"))
    r = OrtRunner(tmp_path / "m.onnx", intermediates=True)
    assert r.order == ["h", "y"]
    out = r.run({"x": np.ones((2, 4), np.float32)})
    np.testing.assert_allclose(out["y"], np.full((2, 3), 8.0))
    r.close()
