"""Every rule on the real corpus: which rules fire on which log (and, by exact set equality, which stay
quiet), with evidence line numbers and facts read from the logs themselves."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

import trtlog
from trtlog.rules import RULES, run_rules

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")


@lru_cache(maxsize=None)
def findings(name: str):
    return tuple(run_rules(trtlog.load(str(CORPUS / name))))


def only(name: str, code: str):
    hits = [f for f in findings(name) if f.code == code]
    assert len(hits) == 1, f"{code} on {name}: {len(hits)} findings"
    return hits[0]


def lines(f):
    return [e.line for e in f.evidence]


# What fires where. Set equality: a rule absent from a log's set must stay quiet on that log.
EXPECTED = {
    # TRT401: "Some tactics do not have sufficient workspace memory" at lines 57, 619, 923 (TRT 7 wording)
    "trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log": {"TRT201", "TRT401", "TRT504"},
    "trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log": {"TRT204", "TRT401", "TRT504"},
    "trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log": {"TRT201", "TRT202", "TRT302", "TRT304",
                                                                       "TRT502"},
    "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log": {"TRT401"},
    "trt8.2-python-timingcache-verbose.log": {"TRT401"},
    # TRT116: line 1 "Error[4]: [shuffleNode.cpp::symbolicExecute::387] Error Code 4: Internal Error (Reshape_3: ...)"
    "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log": {"TRT101", "TRT102", "TRT116"},
    "trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log": {"TRT206", "TRT208", "TRT306", "TRT504"},
    "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log": {"TRT204", "TRT401", "TRT504"},
    "trt8.4-trtexec-multirun-verbose-gtx1070.log": {"TRT206", "TRT307", "TRT502"},
    "trt8.4-python-customlogger-verbose.log": {"TRT502"},
    "trt8.4-trtexec-best-myelin-assert-fail-orin.log": {"TRT101", "TRT108", "TRT201", "TRT203", "TRT504"},
    # TRT212: --best asked for INT8; the 5 compute layers (lines 9130-9133, 9135) all run FP32
    "trt8.5-trtexec-mnist-best-verbose-orin.log": {"TRT201", "TRT203", "TRT204", "TRT205", "TRT206", "TRT212",
                                                   "TRT307", "TRT504"},
    "trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log": {"TRT212", "TRT303", "TRT307", "TRT504"},
    "trt8.5-trtexec-plugin-verbose-rtx2000ada.log": {"TRT302", "TRT303", "TRT306", "TRT307"},
    "trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log": {"TRT401", "TRT313"},
    "trt8.5-python-sparsedrive-plugin-build-info-incomplete.log": {"TRT109", "TRT206", "TRT207", "TRT401"},
    "trt8.5.3-trtexec-loadengine-plugin-dumpprofile-rtx3090.log": {"TRT313"},
    "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log": {"TRT205", "TRT206", "TRT504"},
    "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log": {"TRT201", "TRT203", "TRT212", "TRT501", "TRT504"},
    "trt10.3-trtexec-yolov8s-fp16-orin.log": {"TRT302", "TRT303", "TRT307", "TRT504"},
    "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log": {"TRT311", "TRT401", "TRT402", "TRT503"},
    "trt10.14-python-int8-plugin-missing-scale.log": {"TRT201", "TRT202", "TRT312"},
    # TRT314: 3 of the 5 compute layers are {ForeignNode[...]} (lines 4688, 4691, 4693)
    "trt10.16-trtexec-mnist-fp16-verbose-h100.log": {"TRT204", "TRT311", "TRT314", "TRT401", "TRT402", "TRT503"},
    "trt10.16-trtexec-mnist-default-perf-h100.log": {"TRT110", "TRT209", "TRT307"},
    "trt10.16-trtexec-dumplayerinfo-h100.log": {"TRT110", "TRT209"},
    "trt10.16-python-profilingverbosity-verbose-h100.log": {"TRT312"},
    "trt10.16-python-onnxparser-unknown-op-parse-error.log": {"TRT102", "TRT103", "TRT312"},
    "trt10.16-python-verbose-sm89-small.log": {"TRT312"},
    # TRT214: its one engine layer (line 66) is Float in and out in a strongly typed JIT build
    "trtrtx-python-verbose.log": {"TRT214", "TRT312", "TRT314"},
}

# Rules whose real positive is not in the shared corpus: shown on the public logs committed in tests/corpus, the
# TensorRT-RTX logs made here or the project's GPU bundles (the table in tests/test_rules_firing.py), or marked
# unverified. TRT210/TRT211 read bundle results no corpus log has (validate.json, --layer-precision).
# TensorRT-RTX rules shown on the zoo bundles (tests/fixtures/rtx, tests/test_rtx_rules.py): TRT115 on
# profile_min_gt_max / profile_opt_outside, TRT117 on build_then_load, TRT213 on layernorm_decomposed_fp16,
# TRT508 on cc_current_no_gpu, TRT118 on fp8_qdq_sm86 / fp4_weight_only_sm86 / cc_turing. TRT111 on the TensorRT
# 8.6 INT8 logs of the GPU probe, TRT315 on its sparse build, TRT119 and TRT215 on its API-misuse builds
# (tests/fixtures/gpu-logs, tests/test_gpu_logs.py); TRT506 on its TensorRT 8.5.3.1 run under numpy 1.24.4.
# TRT120 on a ROS 2 node's build failure (tests/corpus/logs/trt10-ros2launch-*, tests/test_ros2_logs.py).
SHOWN_ELSEWHERE = {"TRT104", "TRT105", "TRT106", "TRT107", "TRT112", "TRT113", "TRT210", "TRT211", "TRT301", "TRT315",
                   "TRT305", "TRT308", "TRT309", "TRT403", "TRT404", "TRT505", "TRT507",
                   "TRT111", "TRT115", "TRT117", "TRT118", "TRT119", "TRT120", "TRT213", "TRT215", "TRT506", "TRT508"}


def test_expected_covers_the_whole_corpus():
    assert set(EXPECTED) == {p.name for p in CORPUS.glob("*.log")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rules_fire_exactly_where_the_condition_is(name):
    assert {f.code for f in findings(name)} == EXPECTED[name]


def test_every_rule_is_shown_on_a_real_log_or_marked_unverified():
    fired = set().union(*EXPECTED.values())
    unverified = {c for c, r in RULES.items() if r.unverified}
    assert fired | SHOWN_ELSEWHERE | unverified == set(RULES)
    assert not fired & SHOWN_ELSEWHERE and not fired & unverified and not SHOWN_ELSEWHERE & unverified


def test_evidence_text_is_the_quoted_log_line():
    for name in EXPECTED:
        raw = (CORPUS / name).read_bytes().decode("utf-8", "replace").split("\n")  # line = newline count, as grep -n
        for f in findings(name):
            for e in f.evidence:
                assert e.text.strip() and e.text.strip() in raw[e.line - 1], (name, f.code, e.line)


# ---- build (TRT1xx) -------------------------------------------------------------------------------------

def test_trt101_pad_parse_error_points_at_first_error_and_failed_banner():
    f = only("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "TRT101")
    assert lines(f) == [1, 25]      # Error[4]: [shuffleNode.cpp::symbolicExecute::387] ... / &&&& FAILED
    assert "Error Code 4" in f.evidence[0].text


def test_trt102_names_the_pad_node():
    f = only("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "TRT102")
    assert "Pad_13" in f.title and 18 in lines(f)          # "[6] Invalid Node - Pad_13"
    assert 2 in lines(f)                                   # While parsing node number 13 [Pad -> "output"]


def test_trt103_plugin_not_found_lines():
    f = only("trt10.16-python-onnxparser-unknown-op-parse-error.log", "TRT103")
    assert {25, 35} <= set(lines(f))  # [6] creator && "Plugin not found, are the plugin name, ..."


def test_trt108_myelin_assertion_on_last_line():
    f = only("trt8.4-trtexec-best-myelin-assert-fail-orin.log", "TRT108")
    assert lines(f) == [348] and "Unsupported type" in f.message


def test_trt109_capture_ends_mid_build():
    f = only("trt8.5-python-sparsedrive-plugin-build-info-incomplete.log", "TRT109")
    assert lines(f) == [3817]


def test_trt110_dynamic_input_overridden():
    f = only("trt10.16-trtexec-mnist-default-perf-h100.log", "TRT110")
    assert lines(f) == [132] and "x=1x1x28x28" in f.message


# ---- accuracy (TRT2xx) ----------------------------------------------------------------------------------

def test_trt201_int8_without_calibrator():
    assert lines(only("trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", "TRT201")) == [1375]
    # the TRT 7.1 file holds 7 trtexec runs; each prints the calibrator warning once
    hits = [f for f in findings("trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log") if f.code == "TRT201"]
    assert sorted(e.line for f in hits for e in f.evidence) == [51, 613, 917, 1133, 1289, 1411, 1514]
    # explicit quantization (Q/DQ) prints "Calibrator won't be used in explicit precision mode": quiet
    assert "TRT201" not in EXPECTED["trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log"]


def test_trt202_missing_scales():
    f = only("trt10.14-python-int8-plugin-missing-scale.log", "TRT202")
    assert lines(f) == [45] and "outputT0" in f.message
    f = only("trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log", "TRT202")
    assert f.evidence_total == 8 and lines(f)[:4] == [13, 14, 15, 16] and "input_ids" in f.message


def test_trt203_default_quantization_counts():
    f = only("trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", "TRT203")
    assert lines(f)[0] == 11922 and "/softmax/Softmax" in f.message


def test_trt204_fp16_requested_layers_fp32_on_gtx1070():
    f = only("trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log", "TRT204")
    assert "7 of 7" in f.title                                 # every compute layer has Float tensors
    assert lines(f)[:4] == [1144, 1145, 1147, 1149]            # Conv-1 + ReLU-2, MaxPool-3, Conv-4 ..., MaxPool-6
    assert "Conv-1 + ReLU-2" in f.message


def test_trt204_on_h100_names_first_conv_and_pool():
    f = only("trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TRT204")
    assert lines(f) == [4688, 4689]   # {ForeignNode[node_conv2d...node_relu]} and node_max_pool2d: Float in/out


def test_trt204_quiet_when_only_the_output_softmax_is_fp32():
    # 8.6.0 FP16 MNIST: convs are Half; only Softmax-14 + ArgMax-15 (network output) is Float
    assert "TRT204" not in EXPECTED["trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"]


def test_trt205_subnormal_count():
    f = only("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log", "TRT205")
    assert lines(f) == [3412] and "2 weights" in f.message


def test_trt206_207_208_weight_casts():
    assert lines(only("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log", "TRT206")) == [211]
    assert lines(only("trt8.5-python-sparsedrive-plugin-build-info-incomplete.log", "TRT207")) == [4]
    assert lines(only("trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log", "TRT208")) == [86]


def test_trt209_tf32_note():
    assert lines(only("trt10.16-trtexec-mnist-default-perf-h100.log", "TRT209")) == [2]


# ---- performance (TRT3xx) -------------------------------------------------------------------------------

def test_trt302_long_build_orin():
    f = only("trt10.3-trtexec-yolov8s-fp16-orin.log", "TRT302")
    # line 129: Engine generation completed in 532.349 seconds; line 132: Engine built in 532.484 sec.
    assert lines(f) == [129, 132] and "532.5 s" in f.message


def test_trt303_local_cache_on_long_build():
    assert lines(only("trt10.3-trtexec-yolov8s-fp16-orin.log", "TRT303")) == [120]


def test_trt304_invalid_timing_cache():
    assert lines(only("trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log", "TRT304")) == [23]


def test_trt306_307_trtexec_hints():
    assert lines(only("trt8.5-trtexec-plugin-verbose-rtx2000ada.log", "TRT306")) == [424, 426]
    f = only("trt10.16-trtexec-mnist-default-perf-h100.log", "TRT307")
    assert lines(f) == [576] and "6.59%" in f.message
    multi = [f for f in findings("trt8.4-trtexec-multirun-verbose-gtx1070.log") if f.code == "TRT307"]
    assert [(f.run, lines(f)) for f in multi] == [(0, [260]), (1, [552]), (2, [1096])]


def test_trt311_trt312_trt313():
    assert lines(only("trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TRT311")) == [4427, 4651]
    assert 624 in lines(only("trt10.16-python-onnxparser-unknown-op-parse-error.log", "TRT312"))
    assert lines(only("trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log", "TRT313")) == [7984, 7985]


# ---- memory (TRT4xx) ------------------------------------------------------------------------------------

def test_trt401_largest_request_and_setting_resnet50():
    f = only("trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log", "TRT401")
    assert 8 in lines(f) and 7205 in lines(f)      # Memory Pools line; Scratch requested: 4731502592
    assert "4731502592 bytes" in f.message and "2048 MiB" in f.message
    assert f.fix.trtexec == "--memPoolSize=workspace:4513"   # ceil(4731502592 / 2**20) = 4513


def test_trt401_tiny_pool_in_trt10():
    f = only("trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TRT401")
    assert "0.000976562 MiB" in f.message and "984576 bytes" in f.message
    assert f.fix.trtexec == "--memPoolSize=workspace:1M"


def test_trt402_unsupported_state_skips():
    f = only("trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TRT402")
    assert lines(f) == [8, 3116, 3125, 3141, 3150] and "206080 bytes" in f.message


# ---- compatibility (TRT5xx) -----------------------------------------------------------------------------

def test_trt501_deprecated_flags():
    f = only("trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", "TRT501")
    assert lines(f) == [2, 3, 4, 5] and "--workspace -> --memPoolSize" in f.message


def test_trt502_getmaxbatchsize():
    assert lines(only("trt8.4-python-customlogger-verbose.log", "TRT502")) == [156, 157]


def test_trt503_weak_typing_and_trt504_not_both():
    assert lines(only("trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log", "TRT503")) == [2]
    assert lines(only("trt10.3-trtexec-yolov8s-fp16-orin.log", "TRT504")) == [9]   # Precision: FP32+FP16
