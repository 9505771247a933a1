"""Facts read by eye in the real corpus logs, checked against the parsed tables.

Each assertion names the log line it was read from. Versions covered: 7.1, 8.0, 8.0.1, 8.2, 8.2.5,
8.4, 8.4.10, 8.5, 8.5.3, 8.6.0, 8.6.1, 10.3, 10.14, 10.16 and TensorRT-RTX.
"""
from __future__ import annotations

import pytest
from corpus import CORPUS, corpus_log

import trtlog
from trtlog import tables as T


def load(name):
    return trtlog.load(corpus_log(name))


def at(df, line):
    rows = df[df["line"] == line]
    assert len(rows) == 1, f"expected one row at line {line}, got {len(rows)}"
    return rows.iloc[0]


# ---- tactics -------------------------------------------------------------------------------------

def test_trt80_decimal_tactic_chosen_with_kernel_and_time():
    bl = load("trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log")
    assert bl.trt_version == "8.0.3"                      # banner "[TensorRT v8003]"
    # lines 343-344: "Conv__25 + Relu Set Tactic Name: maxwell_scudnn_128x32_relu_small_nn_v0 Tactic:
    # 7144526460361122478" / "Tactic: 7144526460361122478 Time: 0.008432"; 363 Fastest, 364 Chose
    row = at(bl.tactics, 344)
    assert row["layer"] == "Conv__25 + Relu"
    assert row["runner"] == "CaskConvolution"
    assert row["kernel"] == "maxwell_scudnn_128x32_relu_small_nn_v0"
    assert row["tactic"] == "7144526460361122478"
    assert row["time_ms"] == pytest.approx(0.008432)
    assert row["fastest"] and row["chosen"]
    # line 361-362: a negative decimal id, timed but not chosen
    neg = at(bl.tactics, 362)
    assert neg["tactic_int"] == -410470605513481746 and not neg["chosen"]


def test_trt86_one_line_tactics_and_profiling_completed():
    bl = load("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log")
    assert bl.trt_version == "8.6.0"
    # line 394: one-line "Tactic Name: sm80_xmma_fprop_implicit_gemm_f32f32_... Tactic: 0x5b8bf1b8028629d9 Time: ..."
    row = at(bl.tactics, 394)
    assert row["kernel"].startswith("sm80_xmma_fprop_implicit_gemm_f32f32_f32f32_f32_nchwkcrs_nchw_tilesize32x32x8")
    assert row["tactic"] == "0x5b8bf1b8028629d9"
    assert row["layer"] == "Conv-1 + ReLU-2" and row["runner"] == "CaskConvolution"
    # line 407: "... profiling completed in 0.112085 seconds. Fastest Tactic: 0x5b8bf1b8028629d9 Time: 0.00569811"
    # line 412: "Chose Runner Type: CaskConvolution Tactic: 0x5b8bf1b8028629d9"
    assert row["fastest"] and row["chosen"]
    assert row["time_ms"] == pytest.approx(0.00569811)
    assert row["tactic_int"] == 0x5b8bf1b8028629d9


def test_trt84_hex_ids_two_line_form():
    bl = load("trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log")
    assert bl.trt_version == "8.4.1"
    tac = bl.tactics
    assert tac["tactic"].str.startswith("0x").all()
    # "Tactic: 0x00000000000003e8 Time: 0.00193877" then "Fastest Tactic: 0x00000000000003e8 Time: 0.00193877"
    hit = tac[(tac["tactic"] == "0x00000000000003e8") & (tac["time_ms"].round(8) == 0.00193877)]
    assert len(hit) >= 1 and bool(hit["fastest"].iloc[0])


def test_trt1014_memory_skips_and_myelin_table():
    bl = load("trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log")
    assert bl.trt_version == "10.14.1"
    mem = bl.memory
    # line 2883 (10.14): "UNSUPPORTED_STATE: Skipping tactic 0 due to insufficient memory on requested size of 2688 ..."
    skips = mem[mem["kind"] == "tactic_skip_memory"]
    assert len(skips) > 0 and 2688 in set(skips["bytes"].dropna().astype(int))
    # "(foreignNode) tactic_id, cost(in ms), ..." tables: rows land in tactics with runner Myelin
    assert (bl.tactics["runner"] == "Myelin").sum() > 100


# ---- engine layers and precision ----------------------------------------------------------------

def test_trt85_engine_layer_information_new_notation():
    bl = load("trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log")
    # line 7827: "Layer(CaskConvolution): /conv1/Conv + /relu/Relu, Tactic: 0x5deb29b7a8e275f7,
    #             input0 (Float[1,3,224,224]) -> /relu/Relu_output_0 (Float[1,64,112,112])"
    row = at(bl.layers, 7827)
    assert row["type"] == "CaskConvolution" and row["name"] == "/conv1/Conv + /relu/Relu"
    assert row["tactic"] == "0x5deb29b7a8e275f7"
    assert row["inputs"] == "input0 (Float[1,3,224,224])"
    assert row["precision"] == "FP32"


def test_trt80_engine_layer_information_old_notation():
    bl = load("trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log")
    # line 1009: "Layer(CaskConvolution): Conv__25 + Relu, Tactic: 7144526460361122478,
    #             x:0[Float(-2,1,28,28)] -> Relu:0[Float(-2,32,28,28)]"
    row = at(bl.layers, 1009)
    assert row["name"] == "Conv__25 + Relu" and row["tactic"] == "7144526460361122478"
    assert row["in_dtype"] == "FP32" and row["outputs"] == "Relu:0 (Float[-2,32,28,28])"
    assert len(bl.layers) == 10                           # lines 1009-1018


def test_trt1016_vectorised_half_tensors_are_fp16():
    bl = load("trt10.16-trtexec-mnist-fp16-verbose-h100.log")
    # line 4690: Reformat "... -> Reformatted Input Tensor 0 to {ForeignNode[...]} (Half[-1,32:8,14,14])"
    row = at(bl.layers, 4690)
    assert row["type"] == "Reformat" and row["out_dtype"] == "FP16"
    assert at(bl.layers, 4688)["precision"] == "FP32"     # Myelin x (Float[-1,1,28,28]) -> relu (Float[...])


def test_trt1016_dumplayerinfo_records():
    bl = load("trt10.16-trtexec-dumplayerinfo-h100.log")
    # line 154: "Name: node_conv2d + node_relu, LayerType: CaskConvolution, Inputs: [ { Name: x, ...
    #            Dimensions: [1,1,28,28], Format/Datatype: Float }], ... TacticName: sm80_xmma_fprop_..."
    row = at(bl.layers, 154)
    assert row["type"] == "CaskConvolution" and row["inputs"] == "x (Float[1,1,28,28])"
    assert row["kernel"].startswith("sm80_xmma_fprop_implicit_gemm_f32f32_f32f32_f32_nchwkcrs_nchw_tilesize32x32x8")
    assert row["origin"] == "dumpLayerInfo"
    # line 158: a Myelin kernel record without "Location:" still yields its tensors
    assert at(bl.layers, 158)["inputs"] != ""


def tensor_rows(bl, line):
    t = bl.tables["tensors"]
    return [(r.direction, r.index, r.name, r.dtype, r.precision, r.dims)
            for r in t[t["line"] == line].itertuples()]


def test_engine_layer_information_lines_fill_the_tensors_table():
    # trt8.5 ...rtx3080.log:7827 (new notation), the 8.0 old notation at line 1009, and a vectorised
    # 10.16 Reformat at line 4690: one typed row per tensor, no string to re-parse
    assert tensor_rows(load("trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log"), 7827) == [
        ("input", 0, "input0", "Float", "FP32", "1,3,224,224"),
        ("output", 0, "/relu/Relu_output_0", "Float", "FP32", "1,64,112,112")]
    assert tensor_rows(load("trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log"), 1009) == [
        ("input", 0, "x:0", "Float", "FP32", "-2,1,28,28"), ("output", 0, "Relu:0", "Float", "FP32", "-2,32,28,28")]
    rows = tensor_rows(load("trt10.16-trtexec-mnist-fp16-verbose-h100.log"), 4690)
    assert rows[-1][0] == "output" and rows[-1][3:] == ("Half", "FP16", "-1,32:8,14,14")
    assert rows[-1][2].startswith("Reformatted Input Tensor 0 to {ForeignNode[")


def test_fp16_subnormal_weight_count():
    bl = load("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log")
    # line 3412: "- 2 weights are affected by this issue: Detected subnormal FP16 values."
    row = at(bl.precision, 3412)
    assert row["kind"] == "subnormal_fp16" and row["count"] == 2


def test_int8_missing_scale_tensors():
    bl = load("trt10.14-python-int8-plugin-missing-scale.log")
    # line 45: "Missing scale and zero-point for tensor outputT0, expect fall back to non-int8 ..."
    ms = bl.precision[bl.precision["kind"] == "missing_scale"]
    assert list(ms["tensor"]) == ["outputT0"] and list(ms["line"]) == [45]
    assert list(bl.fallbacks["layer"]) == ["outputT0"]
    old = load("trt8.0.1-python-bert-int8qat-sparse-build-notebook-excerpt.log")  # [TensorRT] WARNING: form
    ms = old.precision[old.precision["kind"] == "missing_scale"]
    assert len(ms) == 8 and ms["tensor"].iloc[0] == "input_ids"
    assert "(Unnamed Layer* 7) [Convolution]_output" in set(ms["tensor"])
    assert old.producer == "python-old"


# ---- memory, perf, options, device ---------------------------------------------------------------

def test_total_activation_memory_is_the_built_engines():
    bl = load("trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log")
    mem = bl.memory
    act = mem[(mem["name"] == "Activation") & (mem["kind"] == "total")]
    # line 7674 prints 2195360256 (candidate, still holding the workspace); line 7772 prints 139436032
    assert list(act["line"]) == [7772] and int(act["bytes"].iloc[0]) == 139436032
    assert int(mem[(mem["line"] == 7674)]["bytes"].iloc[0]) == 2195360256
    assert mem[mem["line"] == 7674]["kind"].iloc[0] == "total_interim"


def test_trtexec_perf_summary_82():
    bl = load("trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log")
    perf = bl.perf
    # line 2869: "Throughput: 6531.92 qps"
    tp = perf[(perf["metric"] == "Throughput")]
    assert list(tp["line"]) == [2869] and tp["value"].iloc[0] == pytest.approx(6531.92)
    # line 2874: "GPU Compute Time: min = 0.148438 ms, ..., median = 0.150635 ms, percentile(99%) = 0.153564 ms"
    gpu = perf[(perf["metric"] == "GPU Compute Time") & (perf["line"] == 2874)].set_index("stat")["value"]
    assert gpu["median"] == pytest.approx(0.150635) and gpu["p99"] == pytest.approx(0.153564)
    assert bl.meta["gpu"] == "NVIDIA GeForce GTX 1070"


def test_trt7_multirun_and_old_summary():
    bl = load("trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log")
    # 7 "&&&& RUNNING TensorRT.trtexec #" banners (lines 1, 563, 867, 1083, 1239, 1361, 1464), each PASSED
    assert list(bl.runs["first_line"]) == [1, 563, 867, 1083, 1239, 1361, 1464]
    assert set(bl.runs["status"]) == {"PASSED"}
    # no banner prints a version: unknown, with TensorRT 7's summary format as the lower bound (issue 13)
    assert bl.trt_version == "" and bl.trt_version_min == "7" and bl.trt_version_label == ">= 7 (not printed)"
    assert bl.meta["trt_version_source"].startswith("not printed")
    tp = bl.perf[bl.perf["metric"] == "Throughput"]
    # line 549 "throughput: 479.452 qps" (run 0), line 853 "throughput: 886 qps" (run 1)
    assert tp[tp["line"] == 549]["value"].iloc[0] == pytest.approx(479.452)
    assert tp[tp["line"] == 853]["run"].iloc[0] == 1


def test_trt84_three_runs_in_one_file():
    bl = load("trt8.4-trtexec-multirun-verbose-gtx1070.log")
    assert len(bl.runs) == 3
    tp = bl.perf[bl.perf["metric"] == "Throughput"]
    # lines 252, 544, 1088: 53164.4, 53527.7, 48791.2 qps, one per run
    assert list(zip(tp["line"], tp["run"])) == [(252, 0), (544, 1), (1088, 2)]
    assert list(tp["value"].round(1)) == [53164.4, 53527.7, 48791.2]


def test_trtexec_options_and_device():
    bl = load("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log")
    opts = bl.options.set_index("key")["value"]
    assert opts["Precision"] == "FP32+FP16"             # line 10
    assert opts["Memory Pools"].startswith("workspace: 1024 MiB")
    assert bl.meta["precision_requested"] == ["FP32", "FP16"]
    dev = bl.device.set_index("key")["value"]
    assert dev["Selected Device"] == "NVIDIA GeForce RTX 3090" and dev["Compute Capability"] == "8.6"


# ---- failures ------------------------------------------------------------------------------------

def test_onnx_parse_error_node():
    bl = load("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log")
    assert bl.meta["build_ok"] is False and bl.meta["status"] == "FAILED"
    assert bl.trt_version == "8.2.4"                      # only the closing banner "[TensorRT v8204]" has it
    err = bl.errors
    # line 18: "[6] Invalid Node - Pad_13"
    inv = err[err["kind"] == "invalid_node"]
    assert list(inv["line"]) == [18] and inv["node"].iloc[0] == "Pad_13" and inv["code"].iloc[0] == 6
    # line 1: "Error[4]: [shuffleNode.cpp::symbolicExecute::387] Error Code 4: Internal Error (Reshape_3: ..."
    code = at(err, 1)
    assert code["kind"] == "error_code" and code["code"] == 4 and code["category"] == "Internal Error"
    assert bl.meta["model"] == "unit.onnx"


def test_trt1016_plugin_not_found():
    bl = load("trt10.16-python-onnxparser-unknown-op-parse-error.log")
    err = bl.errors
    # line 25: '[6] creator && "Plugin not found, are the plugin name, version, and namespace correct?"'
    pnf = err[err["kind"] == "plugin_not_found"]
    assert 25 in set(pnf["line"])
    assert "UnknownModel-N-1-UnknownNode1" in set(err[err["kind"] == "onnx_node"]["node"])


def test_myelin_assertion_abort():
    bl = load("trt8.4-trtexec-best-myelin-assert-fail-orin.log")
    assert bl.trt_version == "8.4.10" and bl.meta["build_ok"] is False
    row = at(bl.errors, 348)
    assert row["kind"] == "assertion" and "Unsupported type" in row["text"]


# ---- every file: typed tables, known producers, coverage --------------------------------------------

def test_every_corpus_log_loads_with_typed_tables():
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    for path in sorted(CORPUS.iterdir()):
        bl = trtlog.load(path)
        assert bl.recognized / bl.lines >= 0.97, path.name
        assert bl.producer in ("trtexec", "python", "python-old", "custom-logger"), path.name
        for name, df in bl.tables.items():
            assert list(df.columns) == T.columns(name), (path.name, name)
        assert str(bl.tactics["time_ms"].dtype) == "float64"
        assert str(bl.tactics["tactic_int"].dtype) == "Int64"
        assert len(bl.messages) == bl.lines


def test_python_logger_and_custom_logger_versions():
    assert load("trt10.16-python-profilingverbosity-verbose-h100.log").trt_version == "10.16.2"  # sm90 lib
    assert load("trt10.16-python-verbose-sm89-small.log").trt_version == "10.16.0"
    # TensorRT-RTX: no TensorRT version is stated, none is guessed (it was "RTX", before that "10.14")
    rtx = load("trtrtx-python-verbose.log")
    assert rtx.trt_version == ""
    assert (rtx.backend, rtx.meta["backend_version"]) == ("tensorrt-rtx", "unknown")
    custom = load("trt8.4-python-customlogger-verbose.log")        # "My Logger: Severity.VERBOSE ..."
    # the custom logger prints no version: unknown (8.4 is only the lower bound its messages give)
    assert custom.producer == "custom-logger" and custom.trt_version == "" and custom.trt_version_min == "8.4"
    assert len(custom.tactics) > 0
