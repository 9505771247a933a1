"""A TensorFlow-TensorRT log (tests/corpus/logs, row T1 of tests/corpus/MANIFEST.md): TF-TRT's INT8 conversion in
tensorflow/tensorrt's PTQ example notebook. Every fact below was read in the committed file by eye."""
from __future__ import annotations

from corpus import manifest_block, project_findings, project_log

LOG = "tftrt-trt8.2.3-tf2-resnet50-int8-calibrated-convert-a40-notebook.log"    # T1


def ids() -> dict:
    m = project_log(LOG).tables["messages"]
    return {int(line): (str(sev), str(src), str(mid)) for line, sev, src, mid
            in zip(m["line"], m["severity"], m["source"], m["msg_id"])}


def test_the_manifest_block_lists_the_log():
    assert manifest_block("tftrt block", "T") == [LOG]


def test_tftrt_lines_are_read():
    bl = project_log(LOG)
    got = ids()
    assert bl.recognized == bl.lines == 59
    # line 57: TensorRT's own warning through TF-TRT's logger (trt_logger.cc:36] TF-TRT Warning: DefaultLogger ...)
    assert got[57] == ("W", "trt", "build.algorithm_selector_timing_cache")
    assert bl.line_text(57).startswith("It is suggested to disable layer timing cache while using AlgorithmSelector.")
    # lines 32-33: Number of TensorRT candidate segments: 1 / Replaced segment 0 consisting of 500 nodes by ...
    assert got[32] == got[33] == ("I", "app", "tftrt.conversion")
    # lines 21-28: the non-converted OP report (NoOp 2x, Identity 1x, Placeholder 1x; 4 ops of 3 types)
    assert {got[n][2] for n in (21, 22, 23, 24, 26, 27, 28)} == {"tftrt.nonconverted_report"}
    # TensorFlow's own glog lines stay program output (line 1: ... grappler/devices.cc:66] Number of eligible GPUs ...)
    assert got[1] == ("", "bare", "app.glog")


def test_tftrt_facts():
    f = project_log(LOG).facts
    # line 55: Loaded TensorRT version: 8.2.3 (line 54: Linked TensorRT version: 8.2.3)
    assert f.producer == "tf-trt" and f.trt_version == "8.2.3"
    dev = project_log(LOG).tables["device"]
    assert dev.loc[dev["key"] == "TensorRT version", "line"].tolist() == [55]
    assert f.build_ok is None          # TF-TRT prints no engine build at this verbosity
    # lines 3-6 and 13-16: TensorFlow's "Created device ... name: NVIDIA A40, ...", one per GPU it opens
    assert f.gpu == "NVIDIA A40" and f.where("gpu").line == 3
    assert dev.loc[dev["key"] == "GPU", "line"].tolist() == [3, 4, 5, 6, 13, 14, 15, 16]
    assert [x.code for x in project_findings(LOG)] == []
