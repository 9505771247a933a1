"""Every rule with a real positive fires on it (FIRING: code -> real log -> an evidence line checked by eye) and
stays quiet on a real log without the condition, mostly a near miss (QUIET).

Turning any of these rule functions into a no-op fails its row here. The rules without any real log that shows
their condition are exactly the ones marked `unverified` (catalog, `trtlog rules`, docs/rules.md), and they are
at most 10 % of the catalog.

Log sources: `corpus` = the shared corpus (../shared, rows skip without it), `local` = public logs committed in
tests/corpus/logs (tests/corpus/MANIFEST.md), `rtx` = TensorRT-RTX logs produced here by
tests/fixtures/rtx/make_logs.py, `gpu` = the project's GPU bundles (tests/fixtures/gpu), `gpulog` = TensorRT logs of
the project's GPU probe scripts (tests/fixtures/gpu-logs, gpu/NOTES.md).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

import trtlog
from trtlog.rules import RULES, run_rules

ROOT = Path(__file__).resolve().parent
SOURCES = {"corpus": ROOT.parents[1] / "shared" / "corpus" / "logs", "local": ROOT / "corpus" / "logs",
           "rtx": ROOT / "fixtures" / "rtx", "gpu": ROOT / "fixtures" / "gpu", "gpulog": ROOT / "fixtures" / "gpu-logs"}

# code: (source, log, evidence line (0 = a bundle/JSON fact), text that evidence line holds)
FIRING = {
    "TRT101": ("local", "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log", 2, "Error Code 1: Cuda Runtime"),
    "TRT102": ("corpus", "trt10.16-python-onnxparser-unknown-op-parse-error.log", 16, "While parsing node number 1"),
    "TRT103": ("corpus", "trt10.16-python-onnxparser-unknown-op-parse-error.log", 25, "Plugin not found"),
    "TRT104": ("local", "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log", 3,
               "Could not find any implementation for node Conv_119 + Add_182"),
    "TRT105": ("local", "trt8.x-vsmlrt-execution-context-oom-excerpt.log", 2, "(3887181312 bytes) could not be"),
    "TRT106": ("rtx", "profile_shape_conflict", 63, "kOPT values for profile 0 violate shape constraints"),
    "TRT107": ("rtx", "rtx-python-deserialize-foreign-engine.log", 2, "incompatible serialization version"),
    "TRT108": ("corpus", "trt8.4-trtexec-best-myelin-assert-fail-orin.log", 348, "Unsupported type"),
    "TRT109": ("corpus", "trt8.5-python-sparsedrive-plugin-build-info-incomplete.log", 3817,
               "Some tactics do not have sufficient workspace memory"),
    "TRT110": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", 132, "Automatically overriding shape to: 1x1x28x28"),
    "TRT111": ("gpulog", "int8-empty-calibrator-trt8.6.0.log", 351,
               "Calibration failure occurred with no scaling factors detected"),
    "TRT112": ("rtx", "rtx-python-unused-input-build-verbose.log", 2, "Unused Input: position_ids"),
    "TRT113": ("rtx", "rtx-python-refit-flags-unrecognised-warning.log", 1, "Unset previous flag because kREFIT"),
    "TRT201": ("corpus", "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", 1375, "Calibrator is not being used"),
    "TRT202": ("corpus", "trt10.14-python-int8-plugin-missing-scale.log", 45, "Missing scale and zero-point for tensor outputT0"),
    "TRT203": ("corpus", "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", 11922, "/softmax/Softmax"),
    "TRT204": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", 4688, "{ForeignNode[node_conv2d...node_relu]}"),
    "TRT205": ("local", "trt8.4-trtexec-bert-fp16-weights-subnormal-rtx3060-excerpt.log", 95,
               "Weights [name=bert.embeddings.position_embeddings.weight] had the following issues"),
    "TRT206": ("local", "trt8.5-trtexec-yolov8seg-fp16-lazyloading-deepstream.log", 94, "generated with INT64 weights"),
    "TRT207": ("corpus", "trt8.5-python-sparsedrive-plugin-build-info-incomplete.log", 4, "outside the range of INT32"),
    "TRT208": ("corpus", "trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log", 86, "double-typed weights"),
    "TRT209": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", 2, "TF32 is enabled by default"),
    "TRT210": ("gpu", "mobilenet-fp16-O1-trt8.6.0-run2", 0, "validate.json output 'output'"),
    "TRT211": ("gpu", "transformer-fp16-headfp32-prefer-trt8.6.0-run2", 0, "layer_precisions_applied ['/head/Gemm']"),
    "TRT212": ("corpus", "trt8.5-trtexec-mnist-best-verbose-orin.log", 9130, "Convolution28 + Parameter6"),
    "TRT301": ("gpu", "cnn-fp16-trt8.5.3.1", 0, "(Reformat, FP16)"),
    "TRT302": ("corpus", "trt10.3-trtexec-yolov8s-fp16-orin.log", 129, "Engine generation completed in 532.349 seconds"),
    "TRT303": ("corpus", "trt10.3-trtexec-yolov8s-fp16-orin.log", 120, "Local timing cache in use"),
    "TRT304": ("corpus", "trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log", 23, "Detected invalid timing cache"),
    "TRT305": ("local", "trt8.4-trtexec-efficientdet-plugin-perf-enqueue-bound-excerpt.log", 10,
               "Throughput may be bound by Enqueue Time"),
    "TRT306": ("corpus", "trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log", 230, "bound by host-to-device transfers"),
    "TRT307": ("local", "trt8.4-trtexec-efficientdet-plugin-perf-enqueue-bound-excerpt.log", 12,
               "coefficient of variance = 2.9705%"),
    "TRT308": ("gpu", "cnn-fp32-trt8.5.3.1", 0, "plan.tactic_sources = EDGE_MASK_CONVOLUTIONS, JIT_CONVOLUTIONS"),
    "TRT309": ("local", "trtexec-int8-dla-gpufallback-instancenorm-orin-doc-excerpt.log", 9,
               "[GpuLayer] PLUGIN_V2: InstanceNormalization_5"),
    "TRT311": ("corpus", "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log", 4163, "Multi stream is disabled"),
    "TRT312": ("corpus", "trt10.14-python-int8-plugin-missing-scale.log", 917, "Using default stream in enqueueV3()"),
    "TRT313": ("corpus", "trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log", 7984,
               "The e2e network timing is not reported"),
    "TRT314": ("rtx", "rtx-python-unused-input-build-verbose.log", 80, "Layer(Myelin): {ForeignNode["),
    "TRT315": ("gpulog", "sparse-fp16-trt8.6.0.log", 550,
               "Layers eligible for sparse math: sparse_conv1 + relu1, sparse_conv2"),
    "TRT401": ("corpus", "trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log", 7205,
               "Scratch requested: 4731502592"),
    "TRT402": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", 3116, "UNSUPPORTED_STATE: Skipping tactic 0"),
    "TRT403": ("local", "trt8.5-trtexec-yolov8seg-fp16-lazyloading-deepstream.log", 82, "CUDA lazy loading is not enabled"),
    "TRT404": ("gpu", "cnn-dynamic-fp16-O1-trt8.6.0", 12777, "Total Activation Memory: 19290624"),
    "TRT501": ("local", "trt8.5-trtexec-yolov8seg-fp16-lazyloading-deepstream.log", 3,
               "--workspace flag has been deprecated by --memPoolSize flag"),
    "TRT502": ("local", "trt8.4-trtexec-bert-fp16-weights-subnormal-rtx3060-excerpt.log", 526, "getMaxBatchSize()"),
    "TRT503": ("corpus", "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log", 2, "Weakly-typed networks have been deprecated"),
    "TRT504": ("corpus", "trt10.3-trtexec-yolov8s-fp16-orin.log", 9, "Precision: FP32+FP16"),
    "TRT505": ("local", "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log", 4, "Traceback (most recent call last):"),
    "TRT507": ("local", "trt6-cpp-tensorrtzoo-openpose-build-cudnn-mismatch-excerpt.log", 28,
               "TensorRT was linked against cuDNN 7.6.3 but loaded cuDNN 7.6.2"),
    # TensorRT-RTX zoo bundles (tests/fixtures/rtx/<name>/, built by `make zoo`) and the corpus
    "TRT115": ("rtx", "profile_min_gt_max", 165, "IOptimizationProfile::isValid: Error Code 4"),
    "TRT116": ("corpus", "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", 1, "Error Code 4: Internal Error"),
    "TRT117": ("rtx", "build_then_load", 398, "IRuntime::deserializeCudaEngine: Error Code 1"),
    "TRT213": ("rtx", "layernorm_decomposed_fp16", 296, "Running layernorm after self-attention with FP16"),
    "TRT214": ("corpus", "trtrtx-python-verbose.log", 66, "Layer(Myelin): {ForeignNode[(Unnamed Layer* 0)"),
    "TRT215": ("gpulog", "obey-int8-cubic-trt8.6.0.log", 179, "resize_cubic requires output to be in floating point"),
    "TRT508": ("rtx", "cc_current_no_gpu", 360, "(In generateForCurrent at"),
    "TRT118": ("rtx", "fp4_weight_only_sm86", 111, "Cannot compile for target(s) sm86, because the model contains"),
    "TRT119": ("gpulog", "implicit-batch-trt8.6.0.log", 18, "hasImplicitBatchDimension()"),
    "TRT120": ("local", "trt10-ros2launch-autoware-trtcommon-yolox-batchednms-no-formats-doc-excerpt.log", 3,
               "could not find any supported formats consistent with input/output data types"),
    "TRT506": ("gpulog", "nptype-numpy1.24.4-trt8.5.3.1.log", 404, "module 'numpy' has no attribute 'bool'"),
}

# The quiet side: code -> (source, log, why the rule must stay silent there, checked in the log by eye). Where
# one exists the log is a near miss: the same family of lines without the condition.
QUIET = {
    "TRT101": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "&&&& PASSED: the build succeeded"),
    "TRT102": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "the ONNX model parsed without an error"),
    "TRT103": ("corpus", "trt8.5-python-sparsedrive-plugin-build-info-incomplete.log",
               "'No importer registered for op: DeformableAggregation. Attempting to import as plugin.' and the "
               "plugin creator was found: no failed lookup"),
    "TRT104": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log",
               "tactics skipped for memory (UNSUPPORTED_STATE) yet every node found a tactic"),
    "TRT105": ("local", "python-export-tactic-device-memory-insufficient-orin-agx-issue-excerpt.log",
               "tactics skipped for insufficient memory, no failed allocation"),
    "TRT106": ("rtx", "profile_min_gt_max", "'no optimization profile has been defined' after a rejected "
               "profile (line 170): TRT115's consequence, not a shape outside the profile"),
    "TRT107": ("rtx", "build_then_load", "IRuntime::deserializeCudaEngine fails for a CUDA error, not a version"),
    "TRT108": ("corpus", "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "a failed build with Error lines, no "
               "process abort on an assertion"),
    "TRT109": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "the build runs to 'Engine built in'"),
    "TRT110": ("rtx", "profile_min_gt_max", "'Network has dynamic or shape inputs, but no optimization profile' in a "
               "run whose profile was rejected (TRT115 says it)"),
    "TRT111": ("gpu", "cnn-int8-O1-trt8.6.0", "INT8 build whose calibrator gave batches: 'Starting Calibration' "
               "and scales, no calibration failure"),
    "TRT112": ("rtx", "transformer_fp16", "every network input is read by a layer"),
    "TRT113": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "every [W]/[E] line matches a grammar"),
    "TRT115": ("rtx", "profile_shape_conflict", "the profile is valid in itself (min <= opt <= max); it breaks a "
               "shape constraint of the graph (TRT106)"),
    "TRT116": ("rtx", "cc_current_no_gpu", "'Error Code 1: Cuda Runtime', not an Internal Error"),
    "TRT117": ("corpus", "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "the build failed: no engine was loaded"),
    "TRT118": ("rtx", "fp4_weight_only_sm120", "the same FP4 weights build for a Blackwell (12.0) target"),
    "TRT119": ("gpulog", "int8-no-calibrator-trt8.6.0.log", "a Python build of the same model with an explicit-batch "
               "network: the parser reads every node"),
    "TRT120": ("local", "trt10-ros2launch-autoware-trtcommon-yolox-batchednms-int32-import-fail-doc-excerpt.log",
               "the same plugin node before its outputs were changed: the ONNX parser stops first (TRT102), no "
               "format search"),
    "TRT201": ("corpus", "trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log",
               "INT8 with Q/DQ: 'Calibrator won't be used in explicit precision mode' (line 90)"),
    "TRT202": ("gpu", "cnn-int8-O1-trt8.6.0-run2", "calibrated INT8 build: no 'Missing scale and zero-point'"),
    "TRT203": ("corpus", "trt8.2.5-trtexec-mobilenetv2-qdq-int8-perf-notebook.log",
               "Q/DQ scales come from the model: no default quantization params"),
    "TRT204": ("corpus", "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log", "FP16 requested and realised"),
    "TRT205": ("corpus", "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log", "FP16 build without weight warnings"),
    "TRT206": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TensorRT 10 has INT64: no cast"),
    "TRT207": ("local", "trt8.5-trtexec-yolov8seg-fp16-lazyloading-deepstream.log",
               "INT64 weights cast (TRT206, line 94) but none clamped"),
    "TRT208": ("corpus", "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", "no double-typed weights"),
    "TRT209": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "TensorRT 10.16 trtexec with --fp16: no "
               "'TF32 is enabled by default' line"),
    "TRT210": ("gpu", "cnn-fp16-O1-trt8.6.0-run2", "validate.json status PASS"),
    "TRT211": ("gpu", "transformer-fp16-trt8.6.0-run2", "no --layer-precision constraint was asked"),
    "TRT212": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "FP16 build: INT8 not requested"),
    "TRT213": ("rtx", "layernorm_decomposed_fp32", "the same decomposed layer norm built in FP32"),
    "TRT214": ("rtx", "fp16_mlp", "strongly typed build whose layers run FP16"),
    "TRT215": ("gpulog", "obey-fp32-trt8.6.0.log", "OBEY_PRECISION_CONSTRAINTS with the first layer held in FP32, "
               "which it has kernels for: no constraint line"),
    "TRT301": ("gpu", "cnn-fp32-trt8.6.0", "the same CNN on 8.6: few Reformat layers"),
    "TRT302": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "a build of seconds"),
    "TRT303": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "short build: a timing cache is not worth it"),
    "TRT304": ("corpus", "trt8.5-trtexec-plugin-verbose-rtx2000ada.log", "timing cache in use, none invalid"),
    "TRT305": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "Performance summary with no enqueue hint"),
    "TRT306": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "Performance summary with no transfer hint"),
    "TRT307": ("corpus", "trt10.16-trtexec-dumplayerinfo-h100.log", "Performance summary, GPU time stable"),
    "TRT308": ("corpus", "trt8.5-trtexec-plugin-verbose-rtx2000ada.log",
               "'Tactic sources: Using default tactic sources' (line 24)"),
    "TRT309": ("corpus", "trt10.3-trtexec-yolov8s-fp16-orin.log", "an Orin build that does not use the DLA"),
    "TRT311": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "10.16 build without '[MS] Multi stream "
               "is disabled'"),
    "TRT312": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "trtexec enqueues on its own stream"),
    "TRT313": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "no --dumpProfile: end-to-end timing shown"),
    "TRT314": ("corpus", "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log", "no Myelin ForeignNode layer"),
    "TRT315": ("corpus", "trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log",
               "the eligible and the picked lists are the same: every eligible layer runs a sparse kernel"),
    "TRT401": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "no tactic skipped for workspace"),
    "TRT402": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "TensorRT 10.16, no UNSUPPORTED_STATE skip"),
    "TRT403": ("corpus", "trt10.16-python-verbose-sm89-small.log", "'CUDA lazy loading is enabled.' (line 2)"),
    "TRT404": ("gpu", "cnn-fp16-O1-trt8.6.0", "static shapes: no dynamic range"),
    "TRT501": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "no deprecated flag used"),
    "TRT502": ("corpus", "trt10.16-python-verbose-sm89-small.log", "a TensorRT 10 Python build: no deprecated API"),
    "TRT503": ("corpus", "trt10.16-trtexec-mnist-default-perf-h100.log", "no precision flag, no weak-typing warning"),
    "TRT504": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log",
               "--fp16 on 10.16: TensorRT's own 'Weakly-typed networks have been deprecated' (TRT503) says it"),
    "TRT505": ("corpus", "trt10.16-python-onnxparser-unknown-op-parse-error.log",
               "Python prints parser errors and an 'Exception:' line, but no traceback"),
    "TRT506": ("gpulog", "nptype-numpy1.23.5-trt8.5.3.1.log",
               "the same TensorRT 8.5.3.1 script with numpy 1.23.5 and warnings hidden: trt.nptype works, no np.bool line"),
    "TRT507": ("corpus", "trt10.16-trtexec-mnist-fp16-verbose-h100.log", "no cuDNN/cuBLAS version mismatch"),
    "TRT508": ("rtx", "fp16_mlp", "a TensorRT-RTX build with no cudaError"),
}



def log_path(source: str, name: str) -> Path:
    path = SOURCES[source] / name
    if not path.exists():
        pytest.skip(f"{source} log not available: {path}")
    return path


@lru_cache(maxsize=None)
def findings(source: str, name: str):
    return tuple(run_rules(trtlog.load(str(log_path(source, name)))))


@pytest.mark.parametrize("code", sorted(FIRING))
def test_rule_fires_on_its_real_log_with_the_checked_evidence(code):
    source, name, line, text = FIRING[code]
    hits = [f for f in findings(source, name) if f.code == code]
    assert hits, f"{code} is quiet on {source}/{name}"
    ev = [e for f in hits for e in f.evidence if e.line == line and text in e.text]
    assert ev, f"{code} on {name}: no evidence line {line} holding {text!r}: " \
               f"{[(e.line, e.text[:80]) for f in hits for e in f.evidence]}"


def test_rules_without_a_real_positive_are_exactly_the_unverified_ones():
    unverified = {c for c, r in RULES.items() if r.unverified}
    assert set(FIRING) | unverified == set(RULES)
    assert not set(FIRING) & unverified
    assert len(FIRING) / len(RULES) >= 0.9


def test_unverified_is_shown_by_the_catalog():
    from trtlog.rules.catalog import markdown, table_rows
    rows = {r["code"]: r for r in table_rows()}
    assert rows["TRT310"]["unverified"] is True and rows["TRT101"]["unverified"] is False
    doc = markdown()
    assert "*unverified*" in doc.split("[TRT310]")[1].split("\n")[0]
    assert "**unverified**" in doc.split("### TRT310")[1].split("###")[0]


@pytest.mark.parametrize("code", sorted(QUIET))
def test_rule_stays_quiet_on_its_near_miss(code):
    source, name, _why = QUIET[code]
    assert code not in {f.code for f in findings(source, name)}, f"{code} fires on {source}/{name}"


def test_every_rule_with_a_real_positive_has_a_quiet_log():
    assert set(QUIET) == set(FIRING)
    assert all(QUIET[c][:2] != FIRING[c][:2] for c in QUIET)
