"""Public logs from owners outside the shared corpus (tests/corpus/logs, provenance in
tests/corpus/MANIFEST.md): each parses and is recognised, and the facts below were read in the logs
by eye (line numbers are 1-based lines of the committed files)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from corpus import corpus_log

from trtlog import load
from trtlog.cli import main
from trtlog.parse.cluster import group, template_of

HERE = Path(__file__).resolve().parent / "corpus" / "logs"
MANIFEST = (HERE.parent / "MANIFEST.md").read_text(encoding="utf-8")
# the rows of this branch's block (U1, U2, ...): the logs collected for issue 13's "make the parser generalise"
OURS = re.findall(r"^\| U\d+ \| `([^`]+)`", MANIFEST.split("<!-- unseen block", 1)[1], re.M)
LOGS = [HERE / name for name in OURS]


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def log(name: str):
    return load(str(HERE / name))


def rows(bl, table: str, **eq):
    df = bl.tables[table]
    for col, value in eq.items():
        df = df[df[col] == value]
    return df


def test_every_log_here_is_in_the_manifest_and_ours_are_committed():
    assert len(LOGS) >= 20
    for p in LOGS:
        assert p.is_file(), p.name
    for p in HERE.iterdir():
        assert f"`{p.name}`" in MANIFEST, p.name


@pytest.mark.parametrize("path", LOGS, ids=[p.name for p in LOGS])
def test_each_log_parses_and_is_recognised(path):
    bl = load(str(path))
    assert bl.lines > 0 and len(bl.messages) == bl.lines
    assert bl.recognized / bl.lines >= 0.98, f"{bl.unknown} unknown lines"


# --- Torch-TensorRT (issue 13: such a log was rejected as "not a TensorRT log") -------------------
def test_torch_tensorrt_debug_log_partitioning_build_time_engine_memory():
    bl = log("torchtrt-dynamo-debug-graphbreak-symint-rtx4060ti-excerpt.log")
    assert bl.producer == "torch-tensorrt"
    assert bl.trt_version == ""                              # no line prints TensorRT's version
    m = bl.messages
    # line 1 "DEBUG:torch_tensorrt.dynamo.lowering.passes.remove_detach:Removed 1 detach nodes:"
    assert m.loc[0, "severity"] == "V" and m.loc[0, "msg_id"] == "ttrt.graph_dump"
    # lines 176-177: the two operators left to PyTorch; line 179: 10 of 13 supported
    ops = rows(bl, "fallbacks", kind="torchtrt_unsupported_op")
    assert list(ops["line"])[:2] == [176, 177]
    assert list(ops["layer"])[:2] == ["torch.ops.torchvision.nms.default", "torch.ops.aten.index.Tensor"]
    assert set(ops["device"]) == {"PyTorch"}
    support = rows(bl, "fallbacks", kind="torchtrt_support")
    assert list(support["line"]) == [179] and "10 operators out of 13" in support["reason"].iat[0]
    # line 181: a subgraph of 1 operator below min_block_size 5 stays in PyTorch
    assert list(rows(bl, "fallbacks", kind="torchtrt_subgraph_eliminated")["line"]) == [181]
    # lines 252 and 254: "0:00:00.006279" and "0:00:00.821156"
    ph = bl.tables["phases"].set_index("line")
    assert ph.loc[252, "phase"] == "Torch-TensorRT INetwork construction"
    assert ph.loc[252, "seconds"] == pytest.approx(0.006279)
    assert ph.loc[254, "seconds"] == pytest.approx(0.821156)
    # line 255 "TRT Engine uses: 72812 bytes of Memory"
    mem = rows(bl, "memory", kind="context_memory")
    assert list(mem["line"]) == [255] and int(mem["bytes"].iat[0]) == 72812
    # line 258: the runtime names the GPU
    assert bl.meta["gpu"] == "NVIDIA GeForce RTX 4060 Ti" and bl.meta["compute_capability"] == "8.9"
    # the run ends in a Python traceback "TypeError: Cannot convert symbols to int"
    assert rows(bl, "errors", kind="traceback")["category"].iat[0] == "TypeError"


def test_torch_tensorrt_build_failure_names_its_cause():
    bl = log("torchtrt-dynamo-build-no-implementation-foreignnode-notebook.log")
    assert bl.producer == "torch-tensorrt" and bl.meta["build_ok"] is False
    e = bl.tables["errors"].set_index("line")
    assert e.loc[1, "kind"] == "internal_check"                # utils.cpp:2468: CHECK(...) failed.
    assert e.loc[2, "kind"] == "tactic_exception" and e.loc[2, "code"] == 9
    assert e.loc[3, "kind"] == "error_code" and e.loc[3, "code"] == 10   # Could not find any implementation
    assert list(bl.messages["severity"][1:3]) == ["E", "E"]


# --- programs with their own loggers ------------------------------------------------------------
def test_jetson_inference_cpp_logger():
    bl = log("trt8.5.1-jetson-inference-imagenet-engine-cache-cpp-logger-doc-excerpt.log")
    assert bl.producer == "jetson-inference"
    assert bl.trt_version == "8.5.1" and bl.meta["trt_version_source"] == "printed"   # line 1
    m = bl.messages
    # "[TRT]    msg" carries no severity: it stays empty, the line is still a TensorRT message
    assert m.loc[15, "severity"] == "" and m.loc[15, "source"] == "trt"              # line 16
    assert m.loc[15, "msg_id"] == "build.plugin_register_failed"
    assert m.loc[75, "msg_id"] == "ji.context"                                       # line 76
    v841 = log("trt8.4.1-jetson-inference-vaccel-python-engine-cache-cpp-logger-doc-excerpt.log")
    assert v841.trt_version == "8.4.1" and v841.producer == "jetson-inference"


def test_named_cpp_logger_keeps_severity():
    bl = log("trt8.6-cpp-app-custom-logger-sparse4d-engine-load-cudnn-mismatch-excerpt.log")
    assert bl.producer == "custom-logger"
    # "[Sparse4dTrtLog][I] Loaded engine size: 84 MiB" / "[Sparse4dTrtLog][W] Using an engine plan file ..."
    assert list(bl.messages["severity"][:2]) == ["I", "W"]
    assert list(bl.messages["source"][:2]) == ["trt", "trt"]


def test_trtllm_runtime_engine_version_mismatch():
    bl = log("trt9-trtllm-runtime-engine-version-mismatch-zh-doc-excerpt.log")
    assert bl.producer == "tensorrt-llm"
    # line 1: "expecting library version 9.2.0.5 got 9.3.0.1": the loaded library is the log's version
    assert bl.trt_version == "9.2.0.5" and bl.meta["engine_trt_version"] == "9.3.0.1"
    e = bl.tables["errors"].set_index("line")
    assert e.loc[1, "kind"] == "version_mismatch" and e.loc[1, "code"] == 6
    assert e.loc[2, "code"] == 2
    assert set(bl.messages["severity"]) == {"E"}


# --- trtexec -------------------------------------------------------------------------------------
def test_trtexec_10_8_cannot_find_device():
    bl = log("trt10.8-trtexec-fp16-dynamic-cannot-find-device-rtx6000ada-ko-doc-excerpt.log")
    assert bl.trt_version == "10.8.0" and bl.producer == "trtexec"       # banner [TensorRT v100800]
    assert bl.meta["build_ok"] is False
    assert list(rows(bl, "errors", kind="trtexec_failure")["line"]) == [94]   # "Cannot find device ID 1!"


def test_trtexec_failure_whose_errors_went_to_stderr():
    bl = log("trt7-trtexec-resnet50-reid-failed-stderr-lost-rtx3070.log")
    # line 64: five timestamps glued in front of "&&&& FAILED TensorRT.trtexec # ..."
    assert list(bl.runs["status"]) == ["FAILED"] and bl.meta["build_ok"] is False
    assert bl.trt_version == "" and bl.trt_version_label == "unknown"   # banner without a version


def test_dla_gpu_fallback_sections():
    bl = log("trtexec-int8-dla-gpufallback-instancenorm-orin-doc-excerpt.log")
    fb = bl.tables["fallbacks"]
    # lines 2-6: 5 [DlaLayer] ForeignNodes; lines 8-13: 6 [GpuLayer] entries, PLUGIN_V2 on line 9
    assert list(fb.loc[fb["kind"] == "dla_layer", "line"]) == [2, 3, 4, 5, 6]
    gpu = fb[fb["kind"] == "gpu_layer"]
    assert list(gpu["line"]) == [8, 9, 10, 11, 12, 13]
    assert "InstanceNormalization_5" in " ".join(gpu["layer"].astype(str))


def test_version_not_printed_is_unknown_with_a_lower_bound():
    # a TensorRT 10.4 excerpt (the init excerpt of the same log names libnvinfer_builder_resource.so.10.4.0)
    # whose lines only show 8.6's "profiling completed" form: the version is not guessed
    bl = log("trt10.4-trtexec-alexnet-fp16-tactics-verbose-rtx3060-doc-excerpt.log")
    assert bl.trt_version == "" and bl.trt_version_min == "8.6"
    assert bl.trt_version_label == ">= 8.6 (not printed)"
    assert json.loads(json.dumps(bl.stats()))["trt_version"] == "unknown"
    assert log("trt10.4-trtexec-alexnet-fp16-init-parse-rtx3060-doc-excerpt.log").trt_version == "10.4.0"


# --- --unknown --group ---------------------------------------------------------------------------
def test_group_clusters_unknown_lines_of_a_real_log(capsys):
    path = corpus_log("trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log")
    # the 7 runs each print one comma-separated GPU layer list after "Layers running on GPU:"
    # (lines 56, 618, 922, 1138, 1294, 1416, 1519): one candidate template, first line 56
    code, out, err = run_main(["parse", str(path), "--unknown", "--group", "--format", "json"], capsys)
    assert code == 0, err
    groups = json.loads(out)
    assert len(groups) == 1
    g = groups[0]
    assert g["count"] == 7 and g["first_line"] == 56 and g["lines"] == [56, 618, 922, 1138, 1294]
    assert g["severity"] == "I" and g["template"].startswith("conv1/{name} + conv1/{name} + pool1/{name}")
    code, out, _ = run_main(["parse", str(path), "--unknown", "--group"], capsys)
    assert code == 0 and out.rstrip().endswith("7 unknown lines in 1 groups")
    assert "  line 56 " in out.splitlines()[0] and "[I] conv1/{name}" in out.splitlines()[0]


def test_group_needs_unknown(capsys):
    code, _, err = run_main(["parse", str(LOGS[0]), "--group"], capsys)
    assert code == 2 and "--group needs --unknown" in err


def test_templates_abstract_numbers_names_and_hex_of_real_lines():
    lines = (HERE / "trt10.4-trtexec-alexnet-fp16-tactics-verbose-rtx3060-doc-excerpt.log").read_text().splitlines()
    # lines 4 and 5 are two tactic timings of the same runner: one template
    a, b = (l.split("[TRT] ", 1)[1] for l in lines[3:5])
    assert template_of(a) == template_of(b) == "Tactic Name: {name} Tactic: {hex} Time: {n}"
    clusters = group((i + 1, "V", l.split("[TRT] ", 1)[1]) for i, l in enumerate(lines) if "Tactic Name:" in l)
    assert clusters[0].count == sum(1 for l in lines if "Tactic Name:" in l) and len(clusters) == 1


# --- CUDA unusable, memory exhaustion, Ultralytics exporters (second batch) ----------------------
def test_cuda_initialization_failure_8_6_and_10_14_forms():
    bl = log("python-yolov7-builder-cuda-init-failure-error35-doc-excerpt.log")
    e = bl.tables["errors"].set_index("line")
    # lines 1-2 "Unable to determine GPU memory usage", line 4 "CUDA initialization failure with error: 35"
    assert e.loc[1, "kind"] == e.loc[2, "kind"] == "gpu_memory_unknown"
    assert e.loc[4, "kind"] == "cuda_init_failure" and e.loc[4, "code"] == 35
    # 10.14: "createInferBuilder: Error Code 6: API Usage Error (CUDA initialization failure with error: 35. ...)"
    b = log("trt10.14-python-builder-cuda-init-failure-error35-container-excerpt.log")
    assert b.trt_version_label == "unknown"       # 10.14.1.48 is printed elsewhere in the document only
    assert list(b.messages["severity"]) == ["W", "E", "E"]
    assert "gpu_memory_unknown" in set(b.tables["errors"]["kind"])


def test_ultralytics_exporter_prints_the_version_and_drives_the_build():
    bl = log("trt10.3-ultralytics-yolo11s-seg-fp16-build-orin-nano-doc-excerpt.log")
    # line 11 "TensorRT: starting export with TensorRT 10.3.0...": the only version in the log
    assert bl.trt_version == "10.3.0" and bl.meta["trt_version_source"] == "printed"
    assert bl.producer == "ultralytics"
    mem = bl.tables["memory"].set_index("line")
    assert mem.loc[36, "name"] == "Weights" and mem.loc[36, "bytes"] == 20195976   # Total Weights Memory
    assert mem.loc[39, "kind"] == "peak" and mem.loc[39, "cpu_mib"] == 2881          # during building and serialization
    assert bl.messages.loc[39, "msg_id"] == "ultra.stage"      # line 40 "TensorRT: export success ✅ 479.3s, ..."
    v5 = log("trt8.6-yolov5-export-cuda-init-failure-error35-issue-excerpt.log")
    assert v5.trt_version == "8.6.0" and v5.producer == "ultralytics"
    e = v5.tables["errors"].set_index("line")
    assert e.loc[5, "kind"] == "cuda_init_failure" and e.loc[6, "kind"] == "export_failure"


def test_build_oom_and_tactics_skipped_for_memory():
    bl = log("python-sd-unet-build-oom-insufficient-memory-skipping-tactic-t4-issue-excerpt.log")
    e = bl.tables["errors"]
    assert list(e["line"]) == [1, 2, 3] and list(e["kind"]) == ["error_code", "error_code", "oom"]
    skip = rows(bl, "memory", kind="tactic_skip_memory")
    assert list(skip["line"]) == [4] and list(skip["bytes"]) == [17179869184]
    assert list(skip["tactic"]) == ["0x000000000000003c"]
    assert bl.messages.loc[4, "source"] == "bare" and bl.recognized == 5   # the advice line after it


def test_jetson_tactic_device_request_10x_and_8x():
    agx = log("python-export-tactic-device-memory-insufficient-orin-agx-issue-excerpt.log")
    req = rows(agx, "memory", kind="tactic_device_request")
    # lines 1,3,5,7,9: "Tactic Device request: 950MB Available: 302MB."
    assert list(req["line"]) == [1, 3, 5, 7, 9]
    assert set(req["bytes"]) == {950 << 20} and set(req["available_bytes"]) == {302 << 20}
    # the skipped tactics ask for the same 996147200 bytes (= 950 MiB)
    assert set(rows(agx, "memory", kind="tactic_skip_memory")["bytes"]) == {996147200}
    nano = log("python-export-gpulayer-tactic-insuficient-memory-jetson-nano-issue-excerpt.log")
    skip = rows(nano, "memory", kind="tactic_skip_memory")
    assert list(skip["line"]) == [7, 10] and list(skip["bytes"]) == [538 << 20, 806 << 20]
    assert list(rows(nano, "fallbacks", kind="gpu_layer")["line"]) == [1, 2]


def test_group_abstracts_numbers_glued_to_units():
    assert template_of("Tactic Device request: 950MB Available: 302MB. Device memory is insufficient to use tactic.") \
        == "Tactic Device request: {n}MB Available: {n}MB. Device memory is insufficient to use tactic."
    assert template_of("Algorithm ShiftNTopDown took 31.7864ms to assign 12 blocks") \
        == "Algorithm ShiftNTopDown took {n}ms to assign {n} blocks"


def test_plugin_not_registered_at_engine_load_7x_and_trtis_glog_envelope():
    bl = log("cpp-yolox-engine-load-plugin-not-found-interpolatetorch2trt-issue-excerpt.log")
    e = bl.tables["errors"].set_index("line")
    # lines 1-4: the 7.x four-line form under the samples' logger "[E] [TRT]"; line 5 the app's assert
    assert e.loc[1, "kind"] == "plugin_not_found"
    assert e.loc[2, "kind"] == e.loc[4, "kind"] == "deserialization_failure"
    assert e.loc[5, "kind"] == "assertion"
    assert list(bl.messages["severity"][:4]) == ["E"] * 4
    # TensorRT Inference Server: TensorRT's lines come through glog's logging.cc:43 (lines 8-11)
    ts = log("trtis-glog-engine-load-plugin-not-found-decode-trt-issue-excerpt.log")
    assert ts.producer == "trtis"
    m = ts.messages
    assert list(m.loc[m["source"] == "trt", "line"]) == [8, 9, 10, 11]
    assert set(m.loc[m["source"] == "trt", "severity"]) == {"E"}
    assert list(rows(ts, "errors", kind="plugin_not_found")["line"]) == [8]
    assert "Decode_TRT" in ts.messages.loc[7, "text"]
