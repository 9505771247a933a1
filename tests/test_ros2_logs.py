"""ROS 2 logs (tests/corpus/logs, rows N1-N3 of tests/corpus/MANIFEST.md): a C++ node on Autoware's
tensorrt_common under `ros2 launch`, which puts "[process-N] " before every line the node prints. Every fact
below was read in the committed files by eye (1-based line numbers)."""
from __future__ import annotations

from corpus import manifest_block, project_findings, project_log

from trtlog.parse.grammar import default_grammar

IMPORT_FAIL = "trt10-ros2launch-autoware-trtcommon-yolox-batchednms-int32-import-fail-doc-excerpt.log"   # N1
NO_FORMATS = "trt10-ros2launch-autoware-trtcommon-yolox-batchednms-no-formats-doc-excerpt.log"          # N2
BUILT = "trt10-ros2launch-autoware-trtcommon-yolox-build-doc-excerpt.log"                               # N3


def ids(name: str) -> dict:
    m = project_log(name).tables["messages"]
    return {int(line): (str(sev), str(src), str(mid)) for line, sev, src, mid
            in zip(m["line"], m["severity"], m["source"], m["msg_id"])}


def test_the_manifest_block_lists_these_logs():
    assert manifest_block("ros2 block", "N") == [IMPORT_FAIL, NO_FORMATS, BUILT]


def test_the_launch_prefix_is_taken_off_and_the_line_read_as_any_line():
    bl = project_log(IMPORT_FAIL)
    assert bl.facts.producer == "ros2-launch"
    got = ids(IMPORT_FAIL)
    # line 1: [mmros_detection2d_exe-1] [I] [TRT] [MemUsageChange] Init CUDA: CPU +0, GPU +0, now: ...
    assert got[1][:2] == ("I", "trt") and got[1][2].startswith("mem.")
    # lines 19-20: libstdc++'s abort after tensorrt_common's runtime_error, passed on by launch
    assert got[19] == ("", "bare", "app.cpp_terminate") and got[20] == ("", "bare", "app.cpp_terminate")
    assert bl.recognized == bl.lines == 20
    # the message text is the line without the launch prefix, the envelope and the parser's source location
    assert bl.line_text(17) == "ERROR: ModelImporter.cpp:796 In function importModel:"


def test_onnx_import_failure_under_ros2():
    # lines 17-18: the ONNX parser's error and its "[8] Assertion failed: ..." (INT32 output type check)
    (f,) = [f for f in project_findings(IMPORT_FAIL) if f.code == "TRT102"]
    assert [e.line for e in f.evidence] == [17, 18]
    assert project_log(IMPORT_FAIL).facts.build_ok is None      # the node died before any build


def test_build_failure_under_ros2():
    f = project_log(NO_FORMATS).facts
    # line 3: IBuilder::buildSerializedNetwork: Error Code 9: Internal Error (/TRTBatchedNMS: could not find ...)
    assert f.build_ok is False and f.where("failure").line == 3 and "/TRTBatchedNMS" in f.failure
    # TRT120 tells it (not TRT116's generic internal error): the plugin node supports no type its tensors have
    assert {x.code for x in project_findings(NO_FORMATS)} == {"TRT101", "TRT120"}
    (fmt,) = [x for x in project_findings(NO_FORMATS) if x.code == "TRT120"]
    assert fmt.title == "No supported type/format for /TRTBatchedNMS" and [e.line for e in fmt.evidence] == [3]
    # line 4: tensorrt_common's own error after the failed build, through its TensorRT logger
    assert ids(NO_FORMATS)[4] == ("E", "trt", "app.autoware_trt_common_error")


def test_built_engine_under_ros2():
    bl = project_log(BUILT)
    f = bl.facts
    got = ids(BUILT)
    # lines 1-3: launch's own lines; line 52: the node's rclcpp line (its own message, unknown to trtlog)
    assert [got[n] for n in (1, 2, 3)] == [("I", "app", "app.ros2_launch")] * 3
    assert got[52] == ("I", "app", "unknown") and bl.lines - bl.recognized == 1
    # lines 22-24, 49-51: tensorrt_common's steps; line 48: TensorRT's IEngineInspector note
    assert {got[n][2] for n in (22, 23, 24, 49, 50, 51)} == {"app.autoware_trt_common"}
    assert got[48] == ("I", "trt", "rt.inspector_layer_names_only")
    # line 44: Engine generation completed in 42.7299 seconds.; line 41: Total Activation Memory: 76320256 bytes
    assert f.build_ok is True and f.build_seconds == 42.7299 and f.where("build_seconds").line == 44
    assert f.memory_totals["Activation"] == 76320256 and f.where("memory_totals.Activation").line == 41
    assert f.trt_version_label == ">= 10.4 (not printed)"      # byte units on the memory totals
    # line 25: Local timing cache in use. Profiling results in this builder pass will not be stored.
    (cache,) = [x for x in project_findings(BUILT) if x.code == "TRT303"]
    assert [e.line for e in cache.evidence] == [25]


def test_the_wrapper_is_not_an_envelope_and_takes_no_other_corpus_line():
    g = default_grammar()
    assert [w.id for w in g.wrappers] == ["wrap.ros2_launch"]
    assert "wrap.ros2_launch" not in [e.id for e in g.envelopes]
    # prefixes the wrapper must not take: trtexec's timestamp, severity letters, bracketed names without a number
    for line in ("[11/02/2023-23:03:05] [I] Model: x.onnx", "[I] [TRT] x", "[TRT-LLM] [I] x", "[TensorRT-LLM][INFO] x"):
        assert g.wrapper_re.match(line) is None, line
    assert g.wrapper_re.match("[mmros_detection2d_exe-1] [I] [TRT] x").end() == len("[mmros_detection2d_exe-1] ")
