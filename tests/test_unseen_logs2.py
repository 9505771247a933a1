"""The logs2 block of tests/corpus/MANIFEST.md (rows M1-M10): public logs from owners new to the corpus,
weighted to what it lacked (TensorRT-LLM builds, Torch-TensorRT dynamo, ONNX Runtime's TensorRT execution
provider, TensorRT 10 on Jetson, INT8 and build failures). Each is recognised, and the facts asserted
below were read in the committed files by eye (line numbers are 1-based)."""
from __future__ import annotations

import pytest
from corpus import PROJECT_LOGS, manifest_block, project_findings, project_log

from trtlog.rules import run_rules

HERE = PROJECT_LOGS
OURS = manifest_block("logs2 block", "M")

TRTLLM20 = "trtllm0.20-trtllm-build-fp16-gpt-2workers-a100-doc-excerpt.log"                   # M1
REDRAFTER = "trtllm0.21-trtllm-build-redrafter-kopt-shape-violation-failed-doc-excerpt.log"   # M2
QWEN = "trt10.13-trtexec-bf16-qwen-image-dit-perf-summary-doc-excerpt.log"                    # M3
ORIN = "trt10.3-trtexec-rtmpose-fp16-jetson-orin-excerpt.log"                                 # M4
NOHUP = "trt8.6-trtexec-yolo11s-fp16-h100-nohup-interleaved-excerpt.log"                      # M5
INT8 = "trt10-python-int8-transformer-shape-inference-no-implementation-de-doc-excerpt.log"    # M6
ORT = "onnxruntime-trt-ep-int8-calibration-table-missing-scales-sm89-doc-excerpt.log"         # M7
TRTLLM8 = "trtllm0.8-build-py-llama-python-traceback-issue-excerpt.log"                       # M8
TRTLLM7 = "trtllm0.7-build-py-llama13b-awq-killed-rtx4060-laptop-issue-excerpt.log"           # M9
TORCHTRT = "torch-tensorrt-dynamo-resnet50-fp16-compile-settings-issue-excerpt.log"           # M10
DLA = "deepstream-yolo-dla-build-leaky-relu-not-supported-gpu-fallback-issue-excerpt.log"      # M11


log = project_log


def codes(name: str):
    return {f.code for f in project_findings(name)}


def ids(name: str) -> list:
    return list(log(name).messages["msg_id"])


def rows(log_name: str, table: str, **eq):
    df = log(log_name).tables[table]
    for col, value in eq.items():
        df = df[df[col] == value]
    return df


def test_the_block_lists_its_eleven_logs_and_they_are_committed():
    assert OURS == [TRTLLM20, REDRAFTER, QWEN, ORIN, NOHUP, INT8, ORT, TRTLLM8, TRTLLM7, TORCHTRT, DLA]
    for name in OURS:
        assert (HERE / name).is_file(), name


@pytest.mark.parametrize("name", OURS)
def test_each_log_is_recognised(name):
    bl = log(name)
    assert bl.lines > 0 and len(bl.messages) == bl.lines
    m = bl.messages
    assert list(m.loc[m["msg_id"] == "unknown", "line"]) == []


def test_a_glued_enveloped_line_is_the_message_after_the_glue():
    # M5 line 111: "[08/30/2026-03:51:53] [I] [TRT] Local timing cache in use. Profiling results in this builder
    # pas[08/30/2026-04:08:32] [08/30/2026-04:08:52] [I] [TRT] Detected 1 inputs and 3 output network tensors."
    # (two writes glued mid-word by the capture): the first message is cut off, the second is whole
    m = log(NOHUP).messages.set_index("line")
    assert (m.loc[111, "source"], m.loc[111, "severity"], m.loc[111, "msg_id"]) == ("trt", "I", "build.detected_io")
    assert m.loc[111, "text"] == "Detected 1 inputs and 3 output network tensors."


# --- M1: trtllm-build (TensorRT-LLM 0.20.0) ---------------------------------------------------------------
def test_trtllm_build_is_told_apart_from_trtexec_and_keeps_its_settings():
    bl = log(TRTLLM20)
    assert bl.producer == "tensorrt-llm"          # was "trtexec": its timestamped lines read as trtexec stamps
    m = bl.messages.set_index("line")
    # line 3 "[08/27/2025-09:13:48] [TRT-LLM] [I] Set bert_attention_plugin to auto."
    assert (m.loc[3, "source"], m.loc[3, "severity"], m.loc[3, "msg_id"]) == ("app", "I", "trtllm.set_option")
    # line 37 "[TRT-LLM] [W] max_seq_len 4096 is larger than max_position_embeddings 1024 * rotary scaling 1, ..."
    assert (m.loc[37, "severity"], m.loc[37, "msg_id"]) == ("W", "trtllm.config_warning")
    # lines 1 and 31: "2025-08-27 09:13:48,052 - INFO - flashinfer.jit: Prebuilt kernels not found, ..."
    assert m.loc[1, "msg_id"] == m.loc[31, "msg_id"] == "app.python_logging_dashed"
    # lines 2 and 32 "[TensorRT-LLM] TensorRT-LLM version: 0.20.0" (one per worker)
    ver = rows(TRTLLM20, "device", key="TensorRT-LLM version")
    assert list(ver["line"]) == [2, 32] and set(ver["value"]) == {"0.20.0"}
    # 33 "Set X to Y." lines (3-30, 33, 34, 36, 41, 45) and line 35 "Overriding paged_state to False"
    opts = rows(TRTLLM20, "options")
    assert len(opts) == 34 and 35 in set(opts["line"])
    dtype = opts[opts["key"] == "dtype"]
    assert list(dtype["line"]) == [33] and list(dtype["value"]) == ["float16"]


def test_trtllm_build_time_and_version_bound():
    bl = log(TRTLLM20)
    assert bl.meta.get("build_ok") is True
    # line 61 "Engine generation completed in 9.17555 seconds."
    gen = rows(TRTLLM20, "phases", phase="Engine generation")
    assert list(gen["line"]) == [61] and gen["seconds"].iat[0] == pytest.approx(9.17555)
    # TensorRT's version is not printed; line 58 "Total Activation Memory: 1006835712 bytes" only bounds it,
    # and TensorRT-LLM 0.20 ships TensorRT 10.10: the bound is no longer "10.14"
    assert bl.trt_version == "" and bl.trt_version_min == "10.4"
    assert codes(TRTLLM20) == set()


# --- M2: trtllm-build failure, kOPT profile values break a shape constraint -------------------------------
def test_trtllm_redrafter_failure_warnings_before_the_kopt_error_are_known():
    bl = log(REDRAFTER)
    assert bl.meta.get("build_ok") is False
    m = bl.messages.set_index("line")
    # line 1 "...ELEMENTWISE_LESS_0: dimensions not compatible for elementwise." (TensorRT [W])
    assert (m.loc[1, "severity"], m.loc[1, "msg_id"]) == ("W", "build.elementwise_dims_incompatible")
    # lines 2-3 "Was not able to infer a kOPT value for tensor ... Using one(s)."
    assert list(m.loc[[2, 3], "msg_id"]) == ["build.kopt_not_inferred"] * 2
    # line 4: the error itself
    err = rows(REDRAFTER, "errors", kind="profile_shape_conflict")
    assert list(err["line"]) == [4] and list(err["code"]) == [4]
    # the three warnings were "unrecognised TensorRT warnings" (TRT113) before the grammar knew them
    assert codes(REDRAFTER) == {"TRT101", "TRT106", "TRT505"}
    # no [TRT-LLM] line: the traceback's entry frame (line 6 'File "/usr/local/bin/trtllm-build", line 8, in
    # <module>') names the program (was "python")
    assert bl.producer == "tensorrt-llm" and m.loc[6, "msg_id"] == "app.traceback_frame_program"


# --- M3, M4, M5: trtexec on 10.13, 10.3 (Jetson Orin) and 8.6 (H100) -------------------------------------
def test_trtexec_10_13_bf16_tail():
    bl = log(QWEN)
    assert (bl.trt_version, bl.producer, bl.meta.get("build_ok")) == ("10.13.0", "trtexec", True)
    assert "TRT305" in codes(QWEN)   # line 14 "* Throughput may be bound by Enqueue Time rather than GPU Compute ..."


def test_trtexec_10_3_on_orin():
    bl = log(ORIN)
    assert (bl.trt_version, bl.producer, bl.meta.get("gpu")) == ("10.3.0", "trtexec", "Orin")
    assert bl.meta.get("build_ok") is True
    # line 134 "Engine built in 439.911 sec."; line 135 "Created engine with size: 12.8201 MiB"
    assert bl.meta.get("build_seconds") == pytest.approx(439.911)
    size = rows(ORIN, "memory", kind="engine_size", name="created engine")
    assert list(size["line"]) == [135] and size["gpu_mib"].iat[0] == pytest.approx(12.8201)
    # line 120 "[W] Dynamic dimensions required for input: input, but no shapes were provided. ..."
    assert {"TRT110", "TRT302"} <= codes(ORIN)


def test_trtexec_8_6_h100_under_nohup():
    bl = log(NOHUP)
    assert (bl.trt_version, bl.meta.get("gpu"), bl.meta.get("build_ok")) == ("8.6.1", "NVIDIA H100 PCIe", True)
    assert bl.messages.loc[0, "msg_id"] == "app.nohup"      # line 1 "nohup: ignoring input"
    # lines 122-123: "- 80 weights are affected by this issue: Detected subnormal FP16 values." / "- 34 weights ..."
    assert {"TRT205", "TRT206", "TRT302"} <= codes(NOHUP)


# --- M6: INT8 build whose tactic exception text runs over bare lines --------------------------------------
def test_int8_shape_inference_exception_text_is_part_of_the_exception():
    bl = log(INT8)
    assert bl.meta.get("build_ok") is False and bl.producer == "python"
    # line 1 "Serialized engine: "; 2 "Error Code: 9: Skipping tactic ... [shape.cpp:...]"; 3 "Error during shape
    # inference of"; 4 ".../BatchNormalization_scale_out = mul(...), name=..."; 5 "Error is:"; 6 "Input 0's element
    # type (int8) differs from ..."; 7 "... Could not find any implementation for node ..."
    assert ids(INT8)[:7] == ["app.serialized_engine_echo", "err.tactic_exception_code"] + \
        ["err.shape_inference_text"] * 4 + ["err.no_implementation_code"]
    assert bl.tables["errors"].set_index("line").loc[7, "kind"] == "error_code"   # its own id, still an error code
    assert {"TRT101", "TRT104"} <= codes(INT8)


# --- M7: ONNX Runtime's TensorRT execution provider ----------------------------------------------------------
def test_onnxruntime_trt_ep_envelope_is_a_tensorrt_log():
    bl = log(ORT)                     # was rejected: "not a TensorRT log"
    assert bl.producer == "onnxruntime-trt-ep" and bl.trt_version == ""
    m = bl.messages
    assert list(m["severity"]) == ["W"] * 4 and set(m["source"]) == {"trt"}
    assert list(m["msg_id"]) == ["prec.calibrator_unused"] + ["prec.missing_scale"] * 3
    # lines 2-4: the three tensors without scale/zero-point
    assert codes(ORT) == {"TRT201", "TRT202"}
    tensors = [f for f in run_rules(bl) if f.code == "TRT202"][0].message
    for t in ("/model/fc/Gemm_output", "ONNXTRT_Broadcast_output", "/softmax/Softmax_output"):
        assert t in tensors


# --- M8, M9: TensorRT-LLM 0.7/0.8 example build.py --------------------------------------------------------
def test_trtllm_0_7_build_py_is_tensorrt_llm_not_trtexec():
    bl = log(TRTLLM7)
    assert bl.producer == "tensorrt-llm" and bl.meta.get("build_ok") is None
    # line 6 "[TRT-LLM] [W] Invalid timing cache, using freshly created one";
    # line 7 "[TRT-LLM] [I] [MemUsage] Rank 0 Engine build starts - ..." (the log stops there: killed)
    m = bl.messages.set_index("line")
    assert (m.loc[6, "severity"], m.loc[6, "msg_id"]) == ("W", "trtllm.timing_cache_invalid")
    assert m.loc[7, "msg_id"] == "trtllm.engine_build_starts"
    # the build started and the log ends there, with no engine and no error: TRT109 says so (it was silent)
    (f,) = [f for f in run_rules(bl) if f.code == "TRT109"]
    assert [e.line for e in f.evidence] == [7]
    from trtlog.rules.render import render_text
    assert render_text(bl, run_rules(bl)).splitlines()[1].endswith("· build did not finish (the log ends mid-build)")


def test_trtllm_0_8_version_line_with_the_next_line_glued_to_it():
    # line 2 "[TensorRT-LLM] TensorRT-LLM version: 0.8.0[03/22/2024-16:36:51] [TRT-LLM] [I] Serially build ..."
    ver = rows(TRTLLM8, "device", key="TensorRT-LLM version")
    assert list(ver["line"]) == [2] and list(ver["value"]) == ["0.8.0"]
    assert "TRT505" in codes(TRTLLM8)   # line 8 "Traceback (most recent call last):"
    # its [TRT-LLM] lines (2, 7) make it TensorRT-LLM's log, though TensorRT's own lines are trt.Logger's
    assert log(TRTLLM8).producer == "tensorrt-llm"


# --- M10: Torch-TensorRT dynamo set-up lines -----------------------------------------------------------------
def test_torch_tensorrt_own_warning_is_not_a_tensorrt_warning_and_fp16_is_requested():
    bl = log(TORCHTRT)
    assert bl.producer == "torch-tensorrt" and bl.trt_version == ""
    # line 3 "WARNING:torch_tensorrt.dynamo.compile:The Dynamo backend is an experimental feature, ..."
    assert bl.messages.loc[2, "msg_id"] == "ttrt.dynamo_experimental"
    assert "TRT113" not in codes(TORCHTRT)        # was "Unrecognised TensorRT warning: The Dynamo backend ..."
    # line 4 "Compilation Settings: CompilationSettings(precision=torch.float16, ..."
    prec = rows(TORCHTRT, "options", key="Precision")
    assert list(prec["line"]) == [4] and list(prec["value"]) == ["float16"]
    assert bl.meta["precision_requested"] == ["float16"]


# --- M11: DeepStream-Yolo on DLA: TensorRT's reason before each fallback ----------------------------------
def test_dla_fallback_reasons_are_rows_not_unrecognised_errors():
    bl = log(DLA)
    assert bl.producer == "deepstream"
    fb = log(DLA).tables["fallbacks"]
    # 6 fallback lines (4, 6, 8, 10, 11, 13) and 6 reasons (3, 5, 7, 9, 12, 14): the [E] line names why
    falls = fb[fb["kind"] == "dla_fallback"]
    assert list(falls["line"]) == [4, 6, 8, 10, 11, 13]
    assert list(falls["layer"])[:4] == ["leaky_1", "leaky_2", "leaky_3", "route_3"]
    why = fb[fb["kind"] == "dla_reason"].set_index("line")
    assert list(why.index) == [3, 5, 7, 9, 12, 14]
    # line 3 "ERROR: [TRT]: leaky_1: ActivationLayer (with ActivationType = LEAKY_RELU) not supported for DLA."
    assert why.loc[3, "layer"] == "leaky_1"
    assert why.loc[3, "reason"] == "ActivationLayer (with ActivationType = LEAKY_RELU)"
    # line 9 "WARNING: [TRT]: route_3: Concatenation on DLA requires at least two inputs."
    assert why.loc[9, "layer"] == "route_3"
    assert why.loc[9, "reason"] == "Concatenation on DLA requires at least two inputs"
    # the reasons were an error-level "Unrecognised TensorRT error" (TRT113) before
    assert codes(DLA) == {"TRT309"}


def test_trt309_groups_the_dla_fallbacks_by_the_reason_tensorrt_printed():
    # leaky_1/2/3/5/6 (lines 3, 5, 7, 12, 14): LEAKY_RELU activations; route_3 (line 9): a one-input concatenation;
    # the Slice of line 11 has no reason line
    (f,) = [f for f in run_rules(log(DLA)) if f.code == "TRT309"]
    assert "ActivationLayer (with ActivationType = LEAKY_RELU): leaky_1, leaky_2, leaky_3, leaky_5 and 1 more" \
        in f.message
    assert "Concatenation on DLA requires at least two inputs: route_3" in f.message
    assert [e.line for e in f.evidence][:2] == [3, 4]


def test_trt104_quotes_where_the_tactic_exception_text_ends():
    # the exception of line 2 runs over lines 3-6 and ends with line 6 "Input 0's element type (int8) differs from
    # input 1's element type (" -- the cause a reader needs, before the no-implementation error of line 7
    (f,) = [f for f in run_rules(log(INT8)) if f.code == "TRT104"]
    assert "goes on over 4 lines and ends: Input 0's element type (int8) differs from input 1's element type (" \
        in f.message
    assert [e.line for e in f.evidence] == [2, 3, 4, 5, 6, 7]


def test_command_evidence_is_the_closing_banner_of_an_excerpt():
    # M3 kept only the end of the run: its one command line is the "&&&& PASSED TensorRT.trtexec [TensorRT
    # v101300] [b35] # trtexec --onnx=transformer_step2.onnx ..." banner of line 18, not line 1 ("=== Trace details")
    bl = log(QWEN)
    assert bl.tables["runs"]["command_line"].tolist() == [18]
    for f in run_rules(bl):
        if f.code in ("TRT404", "TRT504"):
            assert [e.line for e in f.evidence] == [18], f.code
    assert {"TRT404", "TRT504"} <= codes(QWEN)


def test_trt201_on_onnxruntime_trt_ep_points_at_its_calibration_table():
    # M7 line 1: "... [W:onnxruntime:Default, tensorrt_execution_provider.h:90 log] [... WARNING] Calibrator is not
    # being used. Users must provide dynamic range for all tensors ..." -- ORT sets ranges from its own table
    (f,) = [f for f in run_rules(log(ORT)) if f.code == "TRT201"]
    assert [e.line for e in f.evidence][:1] == [1]
    assert "trt_int8_calibration_table_name" in f.message and "TensorRT execution provider" in f.message
