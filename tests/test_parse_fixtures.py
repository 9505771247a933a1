"""The project's own GPU logs and engine-inspector JSON (tests/fixtures/gpu/, `trtlog build` on an
H100, TensorRT 8.6.0 and 8.5.3.1). Facts were read in the files with xzcat / json."""
from __future__ import annotations

from pathlib import Path

import pytest

import trtlog

GPU = Path(__file__).resolve().parent / "fixtures" / "gpu"


def test_every_fixture_log_fully_recognised():
    for bundle in sorted(p for p in GPU.iterdir() if p.is_dir()):
        bl = trtlog.load(bundle)
        assert bl.recognized == bl.lines, bundle.name
        assert bl.producer == "python" and bl.trt_version in ("8.6.0", "8.5.3"), bundle.name


def test_layer_json_with_raw_control_bytes_loads_directly():
    # TensorRT 8.6.0's engine inspector writes raw 0x1E bytes inside Metadata strings
    bl = trtlog.load(GPU / "cnn-fp16-trt8.6.0" / "layers.json.xz")
    assert bl.producer == "json" and len(bl.layers) == 190
    row = bl.layers[bl.layers["line"] == 188].iloc[0]
    assert row["name"] == "/pool/GlobalAveragePool" and row["type"] == "CaskPooling"
    assert row["in_formats"] == "Row major linear FP32" and row["precision"] == "FP32"
    assert row["kernel"] == "sm50_xmma_pooling_fw_4d_FP32FP32NCHW_Average_FastDiv"
    assert row["origin"] == "json"


def test_layer_json_fills_the_tensors_table():
    # layers.json rows 187-188: the Reformat in front of /pool/GlobalAveragePool takes a
    # 'Channel major FP16 format where channel % 8 == 0' tensor (the 8.x JSON prints one Format/Datatype)
    bl = trtlog.load(GPU / "cnn-fp16-trt8.6.0")
    t = bl.tables["tensors"]
    rows = [(r.direction, r.name, r.dtype, r.precision, r.dims, r.format, r.location)
            for r in t[t["line"] == 187].itertuples()]
    assert rows == [("input", "/stages/stages.3/relu/Relu_output_0", "Channel major FP16 format where channel % 8 == 0",
                     "FP16", "1,128,16,16", "Channel major FP16 format where channel % 8 == 0", "Device"),
                    ("output", "Reformatted Input Tensor 0 to /pool/GlobalAveragePool", "Row major linear FP32",
                     "FP32", "1,128,16,16", "Row major linear FP32", "Device")]
    assert set(t["line"]) <= set(bl.layers["line"])        # the JSON's tensors replace the log's with its layers


def test_bundle_takes_layers_from_json_and_meta_from_env_and_status():
    bl = trtlog.load(GPU / "cnn-fp16-trt8.5.3.1")
    assert len(bl.layers) == 185 and set(bl.layers["origin"]) == {"json"}
    row = bl.layers[bl.layers["line"] == 182].iloc[0]          # same pool layer, FP16 on 8.5.3.1
    assert row["name"] == "/pool/GlobalAveragePool" and row["precision"] == "FP16"
    assert bl.meta["gpu"] == "NVIDIA H100 80GB HBM3" and bl.meta["compute_capability"] == "9.0"
    assert bl.meta["build_ok"] is True and bl.meta["bundle"].endswith("cnn-fp16-trt8.5.3.1")


def test_int8_calibration_run():
    bl = trtlog.load(GPU / "transformer-int8-trt8.6.0")
    cal = bl.calibration
    # line 4808 "Starting Calibration.", 16 "Calibrated batch", line 4826 "Calibration completed in 22.2737 seconds."
    assert list(cal.loc[cal["event"] == "start", "line"]) == [4808]
    assert (cal["event"] == "batch").sum() == 16
    done = cal[cal["event"] == "done"].iloc[0]
    assert done["line"] == 4826 and done["seconds"] == pytest.approx(22.2737)
    # line 4827: "INT8 Inference Tensor scales and zero-points: input scale and zero-point
    #             Quantization(scale: {0.0377928,}, ...)"
    scales = cal[cal["event"] == "scale"]
    assert len(scales) == 150
    first = scales.iloc[0]
    assert first["line"] == 4827 and first["tensor"] == "input" and first["scale"] == pytest.approx(0.0377928)
    # the FP32 calibration engine (before line 4808) is not the built engine: the final one is
    assert bl.meta["build_ok"] is True


def test_killed_int8_build_is_not_a_built_engine():
    bl = trtlog.load(GPU / "mobilenet-int8-O1-trt8.6.0-killed" / "build.log.xz")
    # line 27408 "Engine generation completed" belongs to the calibration engine (calibration starts at 27415)
    assert bl.meta["build_ok"] is None and "build_seconds" not in bl.meta


def test_tiny_workspace_skips_in_memory_table():
    bl = trtlog.load(GPU / "transformer-fp16-tinyws-trt8.6.0")
    # line 1212: "Tactic: 0x0000000000000000 skipped. Scratch requested: 294912, available: 262144"
    row = bl.memory[bl.memory["line"] == 1212].iloc[0]
    assert row["kind"] == "tactic_skip_scratch" and row["bytes"] == 294912 and row["available_bytes"] == 262144
