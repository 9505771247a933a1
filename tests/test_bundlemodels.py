"""The typed bundle documents (trtlog/parse/bundlemodels.py, `bl.bundle`) on committed real bundles: the
GPU runs of tests/fixtures/gpu (the *-run2 ones hold validate.json and bench.json) and the TensorRT-RTX
zoo of tests/fixtures/rtx. Every value asserted was read in the JSON file named beside it."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

import trtlog
from trtlog.cli import main
from trtlog.parse.bundlemodels import Bundle

ROOT = Path(__file__).resolve().parents[1]
GPU = ROOT / "tests" / "fixtures" / "gpu"
RTX = ROOT / "tests" / "fixtures" / "rtx"
LOCAL = ROOT / "tests" / "corpus" / "logs"


def test_status_config_validation_and_bench_of_a_gpu_run():
    bl = trtlog.load(str(GPU / "transformer-fp16-trt8.6.0-run2"))
    b = bl.bundle
    # status.json: "ok": true, "build_seconds": 7.948, "engine_bytes": 758988, "error": ""
    assert (b.status.ok, b.status.build_seconds, b.status.engine_bytes, b.status.error) == (True, 7.948, 758988, "")
    assert b.status.builds == ()
    # the facts come from those values, with status.json as the evidence
    assert bl.facts.engine_bytes == 758988 and bl.facts.where("engine_bytes").file == "status.json"
    assert bl.facts.build_seconds == 7.948 and bl.facts.where("build_seconds").file == "status.json"
    # config.json plan.builder_flags: ["FP16"]
    assert b.config.builder_flags == ("FP16",)
    # validate.json: "status": "PASS", "passed": true, one output "output" that passed
    assert (b.validation.status, b.validation.passed) == ("PASS", True)
    assert [(o.name, o.passed) for o in b.validation.outputs] == [("output", True)]
    # bench.json metrics["GPU Compute Time"]["median"] 0.08539200201630592, units["GPU Compute Time"] "ms"
    assert b.bench.metrics["GPU Compute Time"]["median"] == 0.08539200201630592
    assert b.bench.units["GPU Compute Time"] == "ms" and b.bench.units["Throughput"] == "qps"
    # the documents as written stay on meta for meta.json
    assert bl.meta["status_json"] == json.loads((GPU / "transformer-fp16-trt8.6.0-run2" / "status.json").read_text())


def test_a_failed_validation_is_typed():
    # mobilenet-fp16-O1 run2 validate.json: "status": "FAIL", output "output" failed with rel_l2 1.0, cosine 0.0,
    # max_abs_ref 1.7227896886851113e-09, NaN/Inf 0/0, reasons ["cosine similarity 0.000000 below 0.999"]
    bl = trtlog.load(str(GPU / "mobilenet-fp16-O1-trt8.6.0-run2"))
    v = bl.bundle.validation
    assert (v.status, v.passed) == ("FAIL", False)
    (o,) = v.outputs
    assert (o.name, o.passed, o.rel_l2, o.cosine) == ("output", False, 1.0, 0.0)
    assert o.max_abs_ref == 1.7227896886851113e-09
    assert dict(o.engine_nonfinite) == {"nan": 0, "inf": 0}
    assert o.reasons == ("cosine similarity 0.000000 below 0.999",)
    (f,) = [f for f in trtlog.run_rules(bl) if f.code == "TRT210"]
    assert "FP16 underflow" in f.message
    assert f.evidence[0].row["reasons"] == ["cosine similarity 0.000000 below 0.999"]   # the output as written


def test_layer_precision_config():
    # config.json: layer_precisions_applied ["/head/Gemm"], plan.layer_precisions {"/head/*": "FLOAT"},
    # plan.builder_flags ["FP16", "PREFER_PRECISION_CONSTRAINTS"]
    cfg = trtlog.load(str(GPU / "transformer-fp16-headfp32-prefer-trt8.6.0-run2")).bundle.config
    assert cfg.layer_precisions_applied == ("/head/Gemm",)
    assert dict(cfg.layer_precisions) == {"/head/*": "FLOAT"}
    assert cfg.builder_flags == ("FP16", "PREFER_PRECISION_CONSTRAINTS")


def test_env_of_a_tensorrt_rtx_bundle():
    # rtx/cnn env.json: "backend": "rtx", "tensorrt_rtx": "1.7.1.116", "nvidia_driver": "" (no driver here)
    bl = trtlog.load(str(RTX / "cnn"))
    env = bl.bundle.env
    assert (env.backend, env.tensorrt_rtx, env.nvidia_driver, env.gpu_label) == ("rtx", "1.7.1.116", "", None)
    assert env.rtx and env.raw["python"] == "3.11.7"
    assert bl.facts.backend_version == "1.7.1.116" and bl.facts.driver == ""


def test_models_are_frozen_and_read_only():
    b = trtlog.load(str(GPU / "transformer-fp16-trt8.6.0-run2")).bundle
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.status.engine_bytes = 1          # type: ignore[misc]
    with pytest.raises(TypeError):
        b.env.raw["gpu"] = "x"             # type: ignore[index]
    with pytest.raises(TypeError):
        b.bench.metrics["Latency"] = {}    # type: ignore[index]


def test_a_plain_log_has_no_bundle_documents():
    log = LOCAL / "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log"
    assert trtlog.load(str(log)).bundle == Bundle()


@pytest.mark.parametrize("name,edit,message", [
    ("validate.json", lambda d: {**d, "outputs": [{**d["outputs"][0], "reasons": "too far"}]},
     'validate.json: "outputs"[0].reasons must be a list, not the string "too far"'),
    ("config.json", lambda d: {**d, "layer_precisions_applied": "/head/Gemm"},
     'config.json: "layer_precisions_applied" must be a list, not the string "/head/Gemm"'),
    ("config.json", lambda d: {**d, "plan": {**d["plan"], "layer_precisions": {"/head/*": 32}}},
     'config.json: "plan".layer_precisions./head/* must be a string, not integer 32'),
    ("env.json", lambda d: {**d, "nvidia_driver": ["550"]},
     'env.json: "nvidia_driver" must be a string or a number, not a list'),
])
def test_keys_the_models_read_are_typed(tmp_path, capsys, name, edit, message):
    # a real bundle with one value of a wrong type: one line naming file and key, exit 2
    src = GPU / "mobilenet-fp16-O1-trt8.6.0-run2"
    dst = tmp_path / "bundle"
    shutil.copytree(src, dst)
    path = dst / name
    doc = json.loads(path.read_text(), strict=False)
    if name == "config.json":
        doc.setdefault("plan", {})
    path.write_text(json.dumps(edit(doc)))
    with pytest.raises(SystemExit) as exc:
        main(["explain", str(dst)])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2
    assert "\n" not in err and "Traceback" not in err and err.endswith(message), err
