"""Input sets: ONNX specs, seeded generation (never zeros), shapes, .npz files."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx_models import IR_VERSION  # noqa: E402

from trtlog.errors import TrtlogError  # noqa: E402
from trtlog.validate import inputs as I  # noqa: E402


def encoder(path, vocab=50):
    """input_ids (int64, [B, S]) -> Gather(embedding) ; attention_mask (int64) -> Cast ; Mul."""
    emb = np.random.default_rng(0).standard_normal((vocab, 8)).astype(np.float32)
    nodes = [helper.make_node("Gather", ["emb", "input_ids"], ["x"]),
             helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["m", "axes"], ["m3"]),
             helper.make_node("Mul", ["x", "m3"], ["y"])]
    g = helper.make_graph(
        nodes, "enc",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "S"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["B", "S"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "S", 8])],
        [numpy_helper.from_array(emb, "emb"), numpy_helper.from_array(np.array([2], dtype=np.int64), "axes")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=IR_VERSION),
              str(path))


def test_specs_find_embedding_range_and_mask(tmp_path):
    encoder(tmp_path / "enc.onnx", vocab=50)
    specs = I.input_specs(I.load_onnx(tmp_path / "enc.onnx"))
    ids, mask = specs
    assert (ids.name, ids.dtype, ids.dims, ids.index_range) == ("input_ids", np.dtype(np.int64), ["B", "S"], 50)
    assert mask.index_range is None
    shapes = {"input_ids": (2, 16), "attention_mask": (2, 16)}
    s = I.generate(specs, shapes, seed=0)
    assert s["input_ids"].min() >= 0 and s["input_ids"].max() < 50 and s["input_ids"].any()
    assert (s["attention_mask"] == 1).all()
    # ONNX Runtime accepts what was generated
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(str(tmp_path / "enc.onnx"), providers=["CPUExecutionProvider"])
    assert sess.run(None, s)[0].shape == (2, 16, 8)


def test_generation_is_seeded_and_never_zero():
    spec = I.InputSpec("x", np.dtype(np.float16), [1, 3, 32, 32])
    a = I.generate([spec], {"x": (1, 3, 32, 32)}, seed=4)["x"]
    b = I.generate([spec], {"x": (1, 3, 32, 32)}, seed=4)["x"]
    c = I.generate([spec], {"x": (1, 3, 32, 32)}, seed=5)["x"]
    assert a.dtype == np.float16 and np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.count_nonzero(a) == a.size
    assert 0.8 < float(np.std(a.astype(np.float32))) < 1.2
    flags = I.random_array(np.random.default_rng(0), I.InputSpec("f", np.dtype(np.bool_), [4]), (4,))
    assert flags.dtype == np.bool_ and flags.any()
    plain = I.random_array(np.random.default_rng(0), I.InputSpec("k", np.dtype(np.int32), [64]), (64,))
    assert plain.min() >= 1 and plain.max() < 16


def test_shapes_parsing_and_resolution():
    assert I.parse_shapes("input:1x3x224x224, mask:1x128") == {"input": (1, 3, 224, 224), "mask": (1, 128)}
    assert I.parse_shapes("input:0:2x4") == {"input:0": (2, 4)}
    for bad in ("input", "input:1xx3", "input:0x3"):
        with pytest.raises(TrtlogError):
            I.parse_shapes(bad)
    spec = I.InputSpec("x", np.dtype(np.float32), ["N", 3, "H", "W"])
    assert I.resolve_shape(spec, {}, profile_opt=(4, 3, 64, 64)) == (4, 3, 64, 64)
    assert I.resolve_shape(spec, {}, profile_opt=(4, 3, 64, 64), batch=2) == (2, 3, 64, 64)
    assert I.resolve_shape(spec, {"x": (1, 3, 8, 8)}) == (1, 3, 8, 8)
    with pytest.raises(TrtlogError, match="dynamic dimension"):
        I.resolve_shape(spec, {})
    with pytest.raises(TrtlogError, match="fixed shape"):
        I.resolve_shape(spec, {"x": (1, 4, 8, 8)})
    fixed_batch = I.InputSpec("y", np.dtype(np.float32), ["N", 10])
    assert I.resolve_shape(fixed_batch, {}) == (1, 10)


def test_sets_file_round_trip_keeps_odd_names(tmp_path):
    sets = [{"input:0": np.arange(6, dtype=np.float32).reshape(2, 3), "ids/x": np.ones(3, np.int64)},
            {"input:0": np.full((2, 3), 2, np.float32), "ids/x": np.full(3, 7, np.int64)}]
    outs = [{"out.1": np.ones(2)}, {"out.1": np.zeros(2)}]
    p = I.write_sets(tmp_path / "s.npz", sets, outs, {"seed": 9})
    got, got_out, meta = I.read_sets(p)
    assert meta["seed"] == 9 and len(got) == 2
    for a, b in zip(sets, got):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert np.array_equal(got_out[1]["out.1"], np.zeros(2))
    np.savez(tmp_path / "plain.npz", x=np.ones((1, 4), np.float64))
    plain, no_out, _ = I.read_sets(tmp_path / "plain.npz")
    assert no_out is None and list(plain[0]) == ["x"]
    spec = I.InputSpec("x", np.dtype(np.float32), ["N", 4])
    I.check_inputs(plain, [spec])
    assert plain[0]["x"].dtype == np.float32
    with pytest.raises(TrtlogError, match="lacks model input"):
        I.check_inputs(plain, [I.InputSpec("z", np.dtype(np.float32), [1])])
    with pytest.raises(TrtlogError, match="does not fit"):
        I.check_inputs([{"x": np.ones((1, 5))}], [spec])
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(TrtlogError, match="not a readable"):
        I.read_sets(tmp_path / "junk.npz")
