"""The second set of GPU bundles (tests/fixtures/gpu/*-run2: `trtlog build`, `trtlog validate`,
`trtlog bench` and gpu/independent_timing.py on the H100 with TensorRT 8.6.0). Facts read in the files:
build.log (decompressed, 1-based lines), layers.json, config.json, status.json, validate.json, bench.json."""
import json
import lzma
from pathlib import Path

import pytest

import trtlog
from trtlog.rules import run_rules

GPU = Path(__file__).resolve().parent / "fixtures" / "gpu"
RUN2 = sorted(p for p in GPU.glob("*-run2") if p.is_dir())


def js(name, file):
    path = GPU / name / file
    text = path.read_text() if path.is_file() else lzma.open(str(path) + ".xz", "rt").read()
    return json.loads(text, strict=False)   # TensorRT 8.6.0 writes raw 0x1E bytes into layer metadata


def codes(name):
    return {f.code for f in run_rules(trtlog.load(str(GPU / name)))}


def test_run2_set_is_there():
    assert {p.name for p in RUN2} >= {
        "mobilenet-int8-O1-trt8.6.0-run2", "mobilenet-fp16-O1-trt8.6.0-run2", "cnn-int8-O1-trt8.6.0-run2",
        "transformer-fp16-headfp32-trt8.6.0-run2", "transformer-fp16-headfp32-prefer-trt8.6.0-run2"}


def test_mobilenet_int8_built_to_the_end_after_16_calibration_batches():
    name = "mobilenet-int8-O1-trt8.6.0-run2"
    st = js(name, "status.json")
    assert st["ok"] is True and st["engine_bytes"] == 8060372 and st["build_seconds"] == 315.746
    log = lzma.open(GPU / name / "build.log.xz", "rt", encoding="utf-8").read().splitlines()
    assert sum("Calibrated batch" in ln for ln in log) == 16
    # the calibration engine (line 27430) and the INT8 engine (line 74867) are both "generated"
    assert "Engine generation completed in 26.0592 seconds." in log[27430 - 1]
    assert "Engine generation completed in 187.93 seconds." in log[74867 - 1]
    bl = trtlog.load(str(GPU / name))
    cal = bl.tables["calibration"]
    assert (cal["event"] == "batch").sum() == 16
    assert cal.loc[cal["event"] == "batch", "line"].min() == 27438
    assert bl.meta["build_ok"] is True
    assert len(bl.tables["layers"]) == len(js(name, "layers.json")["Layers"]) == 859


@pytest.mark.parametrize("name,flag,layers,engine_bytes", [
    ("transformer-fp16-trt8.6.0-run2", None, ["Myelin"], 758988),
    ("transformer-fp16-headfp32-trt8.6.0-run2", "OBEY_PRECISION_CONSTRAINTS", ["Myelin"], 697188),
    ("transformer-fp16-headfp32-prefer-trt8.6.0-run2", "PREFER_PRECISION_CONSTRAINTS",
     ["Reformat", "Myelin", "Reformat"], 540348),
])
def test_layer_precision_builds(name, flag, layers, engine_bytes):
    cfg = js(name, "config.json")
    if flag:
        assert cfg["layer_precisions_applied"] == ["/head/Gemm"]
        assert cfg["plan"]["layer_precisions"] == {"/head/*": "FLOAT"}
        assert flag in cfg["plan"]["builder_flags"]
    else:
        assert cfg["layer_precisions_applied"] == []
    assert [layer["LayerType"] for layer in js(name, "layers.json")["Layers"]] == layers
    assert js(name, "status.json")["engine_bytes"] == engine_bytes
    bl = trtlog.load(str(GPU / name))
    assert bl.tables["layers"]["type"].tolist() == layers


def test_bench_json_joins_the_perf_table():
    name = "cnn-fp16-O1-trt8.6.0-run2"
    median = js(name, "bench.json")["metrics"]["GPU Compute Time"]["median"]
    assert round(median, 6) == 0.350688
    perf = trtlog.load(str(GPU / name)).tables["perf"]
    row = perf[(perf["metric"] == "GPU Compute Time") & (perf["stat"] == "median")]
    assert row["value"].round(6).tolist() == [0.350688]


def test_fp16_underflow_found_by_validation():
    """MobileNetV2 with untrained weights: ONNX Runtime's logits are at most 1.72e-9, below FP16's
    smallest subnormal; this FP16 engine returned zeros (validate.json: cosine 0, rel L2 1)."""
    name = "mobilenet-fp16-O1-trt8.6.0-run2"
    out = js(name, "validate.json")["outputs"][0]
    assert out["passed"] is False and out["cosine"] == 0.0 and out["rel_l2"] == 1.0
    assert out["max_abs_ref"] == pytest.approx(1.7227896886851113e-09)
    findings = [f for f in run_rules(trtlog.load(str(GPU / name))) if f.code == "TRT210"]
    assert len(findings) == 1
    f = findings[0]
    assert f.severity == "error"
    assert "FP16 underflow" in f.message and "1.72e-09" in f.message
    assert f.evidence[0].table == "validation" and "validate.json output 'output'" in f.evidence[0].text


@pytest.mark.parametrize("name", ["cnn-fp16-O1-trt8.6.0-run2", "cnn-int8-O1-trt8.6.0-run2",
                                  "mobilenet-int8-O1-trt8.6.0-run2", "transformer-fp16-trt8.6.0-run2",
                                  "transformer-int8-trt8.6.0-run2"])
def test_passing_validation_is_quiet(name):
    assert js(name, "validate.json")["status"] == "PASS"
    assert "TRT210" not in codes(name)


@pytest.mark.parametrize("name,mode", [("transformer-fp16-headfp32-trt8.6.0-run2", "obey"),
                                       ("transformer-fp16-headfp32-prefer-trt8.6.0-run2", "prefer")])
def test_layer_precision_inside_a_foreign_node_is_reported_as_unverifiable(name, mode):
    """'/head/Gemm' was constrained to FP32 (config.json), and the engine's only compute layer is one
    Myelin ForeignNode (layers.json): the constraint cannot be read back from the engine."""
    found = [f for f in run_rules(trtlog.load(str(GPU / name))) if f.code == "TRT211"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "info" and "/head/Gemm" in f.message and f"({mode})" in f.message
    assert f.evidence[0].text.startswith("config.json: layer_precisions_applied ['/head/Gemm']")
    assert "ForeignNode[/encoder/layers.0/self_attn/Constant_2_output_0" in f.evidence[1].text


def test_no_layer_precision_no_trt211():
    assert "TRT211" not in codes("transformer-fp16-trt8.6.0-run2")
