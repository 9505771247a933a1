"""`trtlog validate` / `trtlog bench` through the real CLI: exit codes and one-line messages where
TensorRT or pycuda is missing (CI has neither), argument checks, the reference-file path."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAVE_TRT = importlib.util.find_spec("tensorrt") is not None
needs_no_trt = pytest.mark.skipif(HAVE_TRT, reason="TensorRT is installed here: the missing-extra path cannot run")


def trtlog(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "trtlog", *map(str, args)], capture_output=True, text=True,
                       cwd=cwd or ROOT, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture()
def model(tmp_path):
    pytest.importorskip("onnx")
    from tests.test_validate_ort import classifier
    path = tmp_path / "cls.onnx"
    classifier(path)
    return path


@pytest.fixture()
def bundle(tmp_path, model):
    b = tmp_path / "bundle"
    b.mkdir()
    (b / "engine.plan").write_bytes(b"placeholder: never deserialized in these tests")
    (b / "config.json").write_text(json.dumps({"spec": {"model": str(model), "precisions": ["fp16"]}}))
    return b


@needs_no_trt
def test_validate_without_tensorrt_is_one_line_exit_2(model, bundle):
    code, out, err = trtlog("validate", model, bundle, "--random", "2")
    assert code == 2
    assert err.strip() == "trtlog: error: TensorRT is not installed: pip install 'trtlog[trt]'"
    assert "Traceback" not in err and out == ""
    assert not (bundle / "validate.json").exists()


@needs_no_trt
def test_bench_without_tensorrt_is_one_line_exit_2(bundle):
    code, _, err = trtlog("bench", bundle, "--iterations", "10")
    assert code == 2
    assert err.strip() == "trtlog: error: TensorRT is not installed: pip install 'trtlog[trt]'"


def test_existing_results_are_not_overwritten(model, bundle):
    (bundle / "validate.json").write_text("{}")
    (bundle / "bench.json").write_text("{}")
    code, _, err = trtlog("validate", model, bundle)
    assert code == 2 and "validate.json exists; pass --force" in err
    code, _, err = trtlog("bench", bundle)
    assert code == 2 and "bench.json exists; pass --force" in err
    assert (bundle / "validate.json").read_text() == "{}"


def test_bad_arguments_exit_2(model, bundle, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = trtlog("validate", model, empty)
    assert code == 2 and "without engine.plan" in err
    code, _, err = trtlog("validate", tmp_path / "missing.onnx", bundle)
    assert code == 2 and "ONNX model not found" in err
    code, _, err = trtlog("bench", bundle, "--rotate", "1")
    assert code == 2 and "--rotate >= 2" in err
    code, _, err = trtlog("validate", model, bundle, "--random", "0")
    assert code == 2 and "at least 1" in err
    code, _, err = trtlog("validate", model, bundle, "--max-outside", "5")
    assert code == 2 and "between 0 and 1" in err
    for cmd in (("validate", model, bundle), ("bench", bundle)):
        code, _, err = trtlog(*cmd, "--shapes", "image:1xx3")
        assert code == 2 and "bad shape 'image:1xx3'" in err, err
        assert len(err.strip().splitlines()) == 1


@needs_no_trt
def test_reference_written_by_ort_runner_then_validate_asks_for_tensorrt(model, bundle, tmp_path):
    pytest.importorskip("onnxruntime")
    ref = tmp_path / "ref.npz"
    p = subprocess.run([sys.executable, "-m", "trtlog.validate.ort_runner", model, ref, "--random", "2",
                        "--shapes", "image:3x3x8x8", "--per-layer"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    from trtlog.validate.inputs import read_sets
    sets, outs, meta = read_sets(ref)
    assert len(sets) == 2 and sets[0]["image"].shape == (3, 3, 8, 8) and outs[0]["probs"].shape == (3, 10)
    assert meta["order"] == ["conv", "relu", "flat", "logits", "probs"]
    code, _, err = trtlog("validate", model, bundle, "--reference", ref)
    assert code == 2 and "TensorRT is not installed" in err
    p = subprocess.run([sys.executable, "-m", "trtlog.validate.ort_runner", model, ref],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert read_sets(ref)[0][0]["image"].shape == (1, 3, 8, 8)   # dynamic batch N defaults to 1
