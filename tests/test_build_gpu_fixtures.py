"""The bundles `trtlog build` wrote on the GPU machine (H100, TensorRT 8.6.0 and 8.5.3.1), kept under
tests/fixtures/gpu/ without engine.plan / timing.cache. The facts asserted here were read in those
files (line numbers are 1-based lines of the decompressed build.log)."""
import json
import lzma
import re
from pathlib import Path

import pytest

import trtlog
from trtlog.run.progress import Progress

GPU = Path(__file__).resolve().parent / "fixtures" / "gpu"
BUNDLES = sorted(p for p in GPU.iterdir() if p.is_dir()) if GPU.is_dir() else []
ENVELOPE = re.compile(r"^\[\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\] \[TRT\] \[[FEWIV]\] ")


def log_lines(name):
    return lzma.open(GPU / name / "build.log.xz", "rt", encoding="utf-8").read().splitlines()


def js(name, file):
    return json.loads((GPU / name / file).read_text())


def split(line):
    m = ENVELOPE.match(line)
    return (line[m.end() - 3], line[m.end():]) if m else ("", line)


def test_fixture_set_is_there():
    names = {p.name for p in BUNDLES}
    for model in ("cnn", "mobilenet", "transformer"):
        assert any(n.startswith(model + "-") for n in names)
    assert {"cnn-fp16-trt8.6.0", "cnn-fp16-trt8.5.3.1", "transformer-int8-trt8.6.0", "cnn-int8-O1-trt8.6.0",
            "cnn-dynamic-fp16-O1-trt8.6.0", "transformer-fp16-tinyws-trt8.6.0"} <= names


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_bundle_files_agree(bundle):
    status, env, config = (json.loads((bundle / f).read_text()) for f in ("status.json", "env.json", "config.json"))
    version = re.search(r"trt([0-9.]+\d)", bundle.name).group(1)
    assert env["tensorrt"] == version and env["gpu"] == "NVIDIA H100 80GB HBM3" and env["compute_capability"] == "9.0"
    assert env["python"] == "3.9.2" and env["producer"] == "python"
    assert config["plan"]["trt_version"] == version
    assert config["plan"]["profiling_verbosity"] == "DETAILED"
    assert config["spec"]["tactic_sources"] == "EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS"
    lines = log_lines(bundle.name)
    # every enveloped line has the standard Python-logger form; the rest continue a multi-line message
    # (the ONNX parser's "[8] Assertion failed: ..." continues its error on a line of its own: custom-op line 94)
    assert all(ENVELOPE.match(l) for l in lines
               if l.startswith("[") and not l.startswith("[ONNX") and not re.match(r"\[\d+\] ", l))
    assert "[TRT] [I] [MemUsageChange] Init CUDA: CPU +" in lines[0]    # the builder's first message
    if status["ok"]:
        assert status["engine_bytes"] > 0 and status["exit_code"] == 0 and status["phase"] == "done"
        assert any("Engine generation completed in" in l for l in lines)
        assert (bundle / "layers.json").exists() or (bundle / "layers.json.xz").exists()
    elif bundle.name == "custom-op-trt8.6.0":     # the ONNX parser stopped at the unknown op (session 5)
        assert status["phase"] == "parse" and status["error"].startswith("ONNX parse failed: Assertion failed: creator")
        assert not any("Engine generation completed in" in l for l in lines)
    else:
        assert status == {"ok": False, "exit_code": 1, "error": "build did not finish", "build_seconds": None,
                          "engine_bytes": 0, "producer": "python"}


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_parser_reads_the_log_and_agrees_with_status(bundle):
    bl = trtlog.load(str(bundle / "build.log.xz"))
    status = js(bundle.name, "status.json")
    assert bl.meta.get("producer") == "python"
    if status["ok"]:
        assert bl.meta.get("build_ok") is True
    else:
        # the killed INT8 log generated its FP32 calibration engine (line 27408) and was cut during
        # calibration/tactic timing: not a built engine, and not a reported failure either
        assert bl.meta.get("build_ok") is not True


def test_calibration_run_in_transformer_int8():
    lines = log_lines("transformer-int8-trt8.6.0")
    assert lines[4807].endswith("[TRT] [I] Starting Calibration.")
    assert sum("Calibrated batch" in l for l in lines) == 16
    assert lines[4825].endswith("Calibration completed in 22.2737 seconds.")
    assert lines[4976].endswith("Writing Calibration Cache for calibrator: TRT-8600-EntropyCalibration2")
    assert js("transformer-int8-trt8.6.0", "status.json")["calibration_batches"] == 16
    cache = (GPU / "transformer-int8-trt8.6.0" / "calibration.cache").read_bytes()
    assert cache.startswith(b"TRT-8600-EntropyCalibration2\n")
    prog = Progress(enabled=False)
    for line in lines:
        prog.feed(*split(line))
    assert prog.calib_k == 16


def test_progress_counts_over_cnn_fp16_both_versions():
    for name, n_after in (("cnn-fp16-trt8.6.0", 139), ("cnn-fp16-trt8.5.3.1", 139)):
        prog = Progress(enabled=False)
        seen = None
        for line in log_lines(name):
            prog.feed(*split(line))
            if seen is None and prog.phase == "timing tactics":
                seen = prog.layer_n
        assert seen == n_after                       # "After concat removal: 139 layers"
        assert prog.layer_k == 101                   # 101 "Computing costs for" blocks
        assert prog.phase == "serializing"


def test_tiny_workspace_build():
    cfg = js("transformer-fp16-tinyws-trt8.6.0", "config.json")
    assert cfg["spec"]["workspace"] == 262144 and cfg["plan"]["workspace_api"] == "set_memory_pool_limit"
    lines = log_lines("transformer-fp16-tinyws-trt8.6.0")
    assert lines[1211].endswith("Tactic: 0x0000000000000000 skipped. Scratch requested: 294912, available: 262144")
    assert "Some tactics do not have sufficient workspace memory to run." in lines[1212]


def test_dynamic_shape_profile_build():
    cfg = js("cnn-dynamic-fp16-O1-trt8.6.0", "config.json")
    assert cfg["inputs"] == [{"name": "input", "shape": [-1, 3, -1, -1], "dtype": "FLOAT"}]
    assert cfg["spec"]["min_shapes"] == {"input": [1, 3, 64, 64]}
    assert cfg["spec"]["max_shapes"] == {"input": [8, 3, 224, 224]}
    assert cfg["plan"]["builder_opt_level"] == 1
    lines = log_lines("cnn-dynamic-fp16-O1-trt8.6.0")
    assert lines[1080].endswith("Constructing optimization profile number 0 [1/1].")


def test_two_versions_of_one_model():
    a, b = js("cnn-fp16-trt8.5.3.1", "config.json"), js("cnn-fp16-trt8.6.0", "config.json")
    assert a["inputs"] == b["inputs"] == [{"name": "input", "shape": [1, 3, 128, 128], "dtype": "FLOAT"}]
    assert a["plan"]["builder_flags"] == b["plan"]["builder_flags"] == ["FP16"]
    assert a["plan"]["network_flags"] == ["EXPLICIT_BATCH"]
    # the 8.5 log reports an 85 GB activation total before the final one (line 21179), 8.6 does not
    l85 = log_lines("cnn-fp16-trt8.5.3.1")
    assert l85[21178].endswith("Total Activation Memory: 85020833280")
    assert l85[21226].endswith("Total Activation Memory: 807936")


def test_engine_inspector_json_raw_record_separators():
    """TensorRT 8.6.0 writes the ONNX layer names in Metadata joined by a raw 0x1E byte, which
    strict JSON rejects; 8.5.3.1 has none. The file is kept as TensorRT wrote it."""
    t86 = lzma.open(GPU / "cnn-fp32-trt8.6.0" / "layers.json.xz", "rt").read()
    t85 = lzma.open(GPU / "cnn-fp16-trt8.5.3.1" / "layers.json.xz", "rt").read()
    assert t86.count("\x1e") == 10 and "\x1e" not in t85
    with pytest.raises(ValueError):
        json.loads(t86)
    assert len(json.loads(t86, strict=False)["Layers"]) == 190
    assert json.loads(t85)["Bindings"] == ["input", "output"] and len(json.loads(t85)["Layers"]) == 185


def test_killed_build_keeps_its_partial_log():
    lines = log_lines("mobilenet-int8-O1-trt8.6.0-killed")
    assert len(lines) == 31354
    assert sum("Calibrated batch" in l for l in lines) == 16
    assert lines[-1].endswith("[TRT] [V] Tactic: 0x000000000000001b Time: 0.028584")
    # the only completed engine is the FP32 calibration engine, built before calibration starts
    done = [i + 1 for i, l in enumerate(lines) if "Engine generation completed" in l]
    assert done == [27408] and lines[27414].endswith("Starting Calibration.")
    assert lines[30100].endswith("Constructing optimization profile number 0 [1/1].")   # the INT8 build, cut off
