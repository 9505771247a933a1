"""Issue 13, "reported from real logs": each item on a real log the project holds, facts checked in the log by eye.

Logs: tests/corpus/logs (public, tests/corpus/MANIFEST.md), tests/fixtures/rtx (TensorRT-RTX, made here by
tests/fixtures/rtx/make_logs.py), tests/fixtures/gpu (the project's GPU bundles), the shared corpus (skips
without ../shared).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from corpus import corpus_log

import trtlog
from trtlog.diff import diff_builds
from trtlog.rules import run_rules
from trtlog.rules.render import header

HERE = Path(__file__).resolve().parent
LOCAL = HERE / "corpus" / "logs"
RTX = HERE / "fixtures" / "rtx"
GPU = HERE / "fixtures" / "gpu"

BERT_FP16 = LOCAL / "trt8.4-trtexec-bert-fp16-weights-subnormal-rtx3060-excerpt.log"
MMDEPLOY = LOCAL / "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log"


def one(bl, code):
    hits = [f for f in run_rules(bl) if f.code == code]
    assert len(hits) == 1, [f.code for f in run_rules(bl)]
    return hits[0]


# ---- TensorRT 8.4 per-weight FP16 warnings ---------------------------------------------------------------

def test_trt84_per_weight_fp16_warnings_are_counted_by_trt205():
    bl = trtlog.load(str(BERT_FP16))
    assert bl.recognized == bl.lines          # the 126 four-line blocks are all grammar now
    f = one(bl, "TRT205")
    # grep -c: 125 " - Subnormal FP16 values detected.", 45 " - Values less than smallest positive ...",
    # 1 " - Finite FP32 values which would overflow in FP16 ...", 126 "Weights [name=...]" lines
    assert "125 weights with subnormal FP16 values" in f.message
    assert "45 weights with values below the smallest FP16 subnormal" in f.message
    assert "1 weight with FP32 values that overflow FP16" in f.message
    assert "126 weights named by TensorRT" in f.message and "bert.embeddings.position_embeddings.weight" in f.message
    assert f.evidence[0].line == 95 and f.evidence_total == 126


def test_a_serialised_build_is_headlined_as_built():
    bl = trtlog.load(str(BERT_FP16))
    assert bl.meta["build_ok"] is True                     # line 528: Engine built in 65.2045 sec.
    assert header(bl).endswith("engine built in 65.2 s")


# ---- read the lines before an error ------------------------------------------------------------------------

def test_no_implementation_names_the_cuda_error_before_it_not_workspace():
    bl = trtlog.load(str(MMDEPLOY))
    f = one(bl, "TRT104")
    assert "a CUDA error came first" in f.title
    assert "an illegal memory access was encountered" in f.message          # line 2
    assert [e.line for e in f.evidence] == [2, 3]
    assert "workspace" not in f.fix.trtexec and "compute-sanitizer" in f.fix.python
    assert bl.meta["build_ok"] is False and header(bl).endswith("BUILD FAILED")


def test_no_implementation_without_a_cause_before_it_keeps_the_generic_text():
    from trtlog.rules.build_failure import _cause_before
    bl = trtlog.load(str(MMDEPLOY))
    assert _cause_before(bl, 2) is None        # nothing E/W before the first error line


# ---- --loadEngine runs and several builds -----------------------------------------------------------------

def test_load_engine_run_is_not_headlined_as_built():
    bl = trtlog.load(str(corpus_log("trt8.5.3-trtexec-loadengine-plugin-dumpprofile-rtx3090.log")))
    assert bl.meta["engine_loaded"] is True and bl.meta["build_ok"] is None
    assert header(bl).endswith("engine loaded from a file (no build in log)")


def test_python_build_whose_build_call_errors_is_a_failed_build():
    bl = trtlog.load(str(RTX / "rtx-python-profile-invalid-unused-input.log"))
    # line 7: IBuilder::buildSerializedNetwork: Error Code 4 ...; line 8: plan: False
    assert bl.meta["build_ok"] is False
    # the invalid profile (line 1, MIN<=OPT<=MAX) is TRT115's, the unused input TRT112's
    assert {"TRT101", "TRT115", "TRT112"} <= {f.code for f in run_rules(bl)}


# ---- unused network inputs ---------------------------------------------------------------------------------

def test_unused_input_and_remove_dead_layers_lines_are_parsed_and_reported():
    bl = trtlog.load(str(RTX / "rtx-python-unused-input-build-verbose.log"))
    onnx = bl.tables["onnx"]
    rows = onnx[onnx["kind"].isin(["unused_input", "unused_input_kept"])]
    assert rows[["line", "kind", "name"]].values.tolist() == [[2, "unused_input", "position_ids"],
                                                              [39, "unused_input_kept", "position_ids"]]
    f = one(bl, "TRT112")
    assert "position_ids" in f.title and [e.line for e in f.evidence] == [2, 39]


# ---- unknown [E]/[W] lines ---------------------------------------------------------------------------------

def test_unknown_warning_under_a_tensorrt_envelope_is_quoted():
    bl = trtlog.load(str(RTX / "rtx-python-refit-flags-unrecognised-warning.log"))
    f = one(bl, "TRT113")
    assert f.severity == "warning" and f.evidence[0].line == 1
    assert "Unset previous flag because kREFIT" in f.message


# ---- Myelin ForeignNode blind spot -----------------------------------------------------------------------

def test_network_that_became_one_foreign_node_gets_the_blind_spot_finding():
    bl = trtlog.load(str(RTX / "rtx-python-unused-input-build-verbose.log"))
    f = one(bl, "TRT314")
    assert "1 of 1 compute layers (100%)" in f.message and f.evidence[0].line == 80
    assert "--profilingVerbosity=detailed" in f.fix.trtexec and "Metadata" in f.fix.trtexec
    assert "mark_debug" in f.fix.python


def test_myelin_share_counts_foreign_nodes_among_compute_layers():
    bl = trtlog.load(str(corpus_log("trt10.16-trtexec-mnist-fp16-verbose-h100.log")))
    f = one(bl, "TRT314")
    # lines 4688, 4691, 4693 are Layer(Myelin); 4689, 4692 CaskPooling; 4690 a Reformat (not counted)
    assert "3 of 5 compute layers (60%)" in f.message
    assert [e.line for e in f.evidence] == [4688, 4691, 4693]


# ---- INT8 requested vs realised -------------------------------------------------------------------------

def test_int8_barely_applied_names_the_layers_that_stayed_higher_precision():
    bl = trtlog.load(str(corpus_log("trt8.5-trtexec-mnist-best-verbose-orin.log")))
    f = one(bl, "TRT212")
    # --best; lines 9130-9133 and 9135 are the compute layers, every tensor Float; a profile table exists
    assert f.severity == "warning" and f.title == "INT8 barely applied: 0 of 5 layers run INT8"
    assert "FP32 5 (100%)" in f.message and "By profiled time: FP32 100%" in f.message
    assert "Convolution28 + Parameter6" in f.message and "no calibrator" in f.message
    assert [e.line for e in f.evidence] == [9130, 9131, 9132, 9133, 9135]


def test_int8_audit_on_a_calibrated_build_reports_the_calibration():
    bl = trtlog.load(str(GPU / "cnn-int8-O1-trt8.6.0"))
    f = one(bl, "TRT212")
    # build.log lines 6342..6357: "Calibrated batch 0" .. "Calibrated batch 15"
    assert f.severity == "info" and "Requested INT8 (calibrated (16 batches))" in f.message


# ---- diff of two calibrated INT8 builds -----------------------------------------------------------------

def test_diff_of_two_calibrated_int8_builds_compares_calibration():
    r = diff_builds(trtlog.load(str(GPU / "cnn-int8-O1-trt8.6.0")), trtlog.load(str(GPU / "cnn-int8-O1-trt8.6.0-run2")))
    by_kind = {c.kind: c for c in r.changes if c.kind.startswith("calibration")}
    # A line 6359 / B line 6352: "Calibration completed in 34.2045 / 27.441 seconds."
    t = by_kind["calibration_time"]
    assert (t.a, t.b, t.lines_a, t.lines_b) == (34.2045, 27.441, [6359], [6352])
    # A line 6557 / B line 6550: "Writing Calibration Cache for calibrator: TRT-8600-EntropyCalibration2"
    same = by_kind["calibration"]
    assert "algorithm EntropyCalibration2" in same.text and "16 batches" in same.text
    assert same.lines_a == [6557] and same.lines_b == [6550]
    assert "calibration_algorithm" not in by_kind and "calibration_batches" not in by_kind
    assert "INT8 scales as the log prints them" in by_kind["calibration_scales"].text


# ---- TensorRT-RTX reading a foreign engine, OOM printed without envelope -------------------------------------

def test_foreign_engine_is_a_version_mismatch():
    bl = trtlog.load(str(RTX / "rtx-python-deserialize-foreign-engine.log"))
    assert one(bl, "TRT107").evidence[0].line == 2


def test_oom_without_envelope_is_recognised_and_located():
    bl = trtlog.load(str(LOCAL / "trt8.x-vsmlrt-execution-context-oom-excerpt.log"))
    assert bl.trt_version == ""                              # not printed: unknown, not guessed
    f = one(bl, "TRT105")
    assert f.title == "Out of GPU memory while creating the execution context"
    assert "3887181312 bytes" in f.message and [e.line for e in f.evidence] == [1, 2, 3]


@pytest.mark.parametrize("name", ["trt8.4-trtexec-efficientdet-plugin-perf-enqueue-bound-excerpt.log",
                                  "trt8.5-trtexec-yolov8seg-fp16-lazyloading-deepstream.log"])
def test_public_logs_are_trtexec_logs_with_their_printed_version(name):
    bl = trtlog.load(str(LOCAL / name))
    assert bl.producer == "trtexec" and bl.trt_version in ("8.4.1", "8.5.2")


# ---- cuDNN / cuBLAS linked vs loaded ------------------------------------------------------------------------

def test_library_version_mismatch_is_reported_from_a_cpp_application_log():
    bl = trtlog.load(str(LOCAL / "trt6-cpp-tensorrtzoo-openpose-build-cudnn-mismatch-excerpt.log"))
    d = bl.tables["device"]
    # lines 28, 31, 36: "TensorRT was linked against cuDNN 7.6.3 but loaded cuDNN 7.6.2" (no prefix)
    assert d[d["key"] == "cuDNN linked"]["line"].tolist() == [28, 31, 36]
    assert set(d[d["key"] == "cuDNN loaded"]["value"]) == {"7.6.2"}
    f = one(bl, "TRT507")
    assert "cuDNN 7.6.3 linked, 7.6.2 loaded (3 times)" in f.message and [e.line for e in f.evidence] == [28, 31, 36]
    assert "TRT109" not in {x.code for x in run_rules(bl)}   # line 30 "Detected 1 inputs ..." ends the build


def test_a_log_with_several_runs_is_headlined_by_every_run():
    bl = trtlog.load(str(corpus_log("trt8.4-trtexec-multirun-verbose-gtx1070.log")))
    # three "&&&& PASSED" banners (lines 274, 566, 1110)
    assert header(bl).endswith("3 runs: 3 passed")


def test_plugin_not_found_names_the_op_type():
    bl = trtlog.load(str(corpus_log("trt10.16-python-onnxparser-unknown-op-parse-error.log")))
    f = one(bl, "TRT103")
    # lines 21 and 31: op_type: "UnknownNode1" / "UnknownNode2" of the nodes the parser rejected
    assert f.title == "Plugin not found for op UnknownNode1, UnknownNode2"


def test_trt84_python_build_with_517_per_weight_warnings_is_built_and_counted():
    # the log issue 13 names: 517 weights, a build that succeeded and was serialised
    bl = trtlog.load(str(LOCAL / "trt8.4-python-yolov7-nms-fp16-colab-notebook.log"))
    # line 1587: "[MemUsageChange] TensorRT-managed allocation in building engine", 1588: "Serializing engine to file"
    assert bl.meta["build_ok"] is True and header(bl).endswith("engine built")
    f = one(bl, "TRT205")
    # grep -c: 517 "had the following issues when converted to FP16", 517 " - Subnormal FP16 values detected"
    assert f.message.startswith("517 weights with subnormal FP16 values.") and "517 weights named" in f.message
    assert f.evidence[0].line == 25


def test_dla_build_lists_the_layers_that_fell_back_to_the_gpu():
    bl = trtlog.load(str(LOCAL / "trtexec-int8-dla-gpufallback-instancenorm-orin-doc-excerpt.log"))
    f = one(bl, "TRT309")
    # lines 2-6: five [DlaLayer] {ForeignNode[...]}; lines 8-13: six [GpuLayer] entries
    assert f.title == "6 layers run on the GPU beside 5 DLA subgraphs"
    assert [e.line for e in f.evidence] == [8, 9, 10, 11, 12, 13]


# ---- graph optimiser verbose lines ----------------------------------------------------------------------

def test_graph_optimiser_merges_and_concatenation_elimination_are_fusion_rows():
    bl = trtlog.load(str(LOCAL / "trt8.2.3-trtexec-centerpoint-rpn-fp16-verbose-dumpprofile.log.xz"))
    f = bl.tables["fusions"]
    rows = f[f["action"].isin(["merging", "eliminating", "retargeting", "copy"])]
    # lines 1747-1751 "Merging layers: ...", 1753 "Eliminating concatenation Concat_59",
    # 1754 "Retargeting onnx::Concat_602 to input.164", 1755 "Generating copy for onnx::Concat_647 to input.164 ..."
    assert rows["line"].tolist() == [1747, 1748, 1749, 1750, 1751, 1753, 1754, 1755]
    assert rows[rows["line"] == 1753]["target"].iat[0] == "Concat_59"
    assert rows[rows["line"] == 1754][["target", "other"]].values.tolist() == [["onnx::Concat_602", "input.164"]]
    m = bl.tables["messages"]
    # lines 543-545: the un-prefixed deconvolution parameters after line 542 "Running deconvolution with:"
    assert (m[m["line"].isin([543, 544, 545])]["family"] != "unknown").all()
