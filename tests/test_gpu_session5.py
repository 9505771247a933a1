"""The session-5 GPU bundles (tests/fixtures/gpu/, `trtlog build` on the H100 with TensorRT 8.6.0 of the
gpu/probe_models.py models, driven by gpu/session5.sh). Facts read in the decompressed build.log
(1-based lines) and the bundle files."""
import json
import lzma
from pathlib import Path

import trtlog
from trtlog.rules import run_rules

GPU = Path(__file__).resolve().parent / "fixtures" / "gpu"


def log_lines(name):
    return lzma.open(GPU / name / "build.log.xz", "rt", encoding="utf-8").read().splitlines()


def msg_ids(bl):
    m = bl.tables["messages"]
    return dict(zip(m["line"], m["msg_id"]))


def findings(name, code):
    return [f for f in run_rules(trtlog.load(str(GPU / name))) if f.code == code]


def test_plugin_registry_lookup_lines_are_messages_and_the_coded_miss_is_a_plugin_error():
    name = "custom-op-trt8.6.0"
    log = log_lines(name)
    miss = " registry did not find MyCustomPlugin creator. Will try parent registry if enabled."
    assert log[77 - 1].endswith("Local" + miss) and log[78 - 1].endswith("Global" + miss)
    assert log[79 - 1].endswith("[E] 3: getPluginCreator could not find plugin: MyCustomPlugin version: 1")
    bl = trtlog.load(str(GPU / name))
    ids = msg_ids(bl)
    assert ids[77] == ids[78] == "pload.registry_miss"
    errors = bl.tables["errors"]
    assert errors.loc[errors["line"] == 79, "kind"].tolist() == ["plugin_not_found"]
    assert bl.stats()["unknown"] == 0


def test_onnx_node_dump_names_the_node_not_its_attribute():
    # line 84 `name: "my_custom"` is the node; line 87 `name: "alpha"` sits inside `attribute {` (line 86)
    name = "custom-op-trt8.6.0"
    log = log_lines(name)
    assert log[84 - 1] == 'name: "my_custom"' and log[86 - 1] == "attribute {" and log[87 - 1] == '  name: "alpha"'
    (f,) = findings(name, "TRT102")
    assert "my_custom" in f.title and "alpha" not in f.title + f.message


def test_resize_parameters_after_the_importer_message_are_recognised():
    name = "resize-bn-fp32-O0-trt8.6.0"
    log = log_lines(name)
    assert log[92 - 1].endswith("Running resize layer with: ")
    assert log[93 - 1] == "Transformation mode: half_pixel" and log[94 - 1] == "Resize mode: nearest"
    assert log[129 - 1] == "Resize mode: cubic"
    ids = msg_ids(trtlog.load(str(GPU / name)))
    assert ids[92] == "onnx.resize_params"
    assert ids[93] == ids[94] == ids[128] == ids[129] == "onnx.resize_param"
    assert "unknown" not in set(ids.values())


def test_trt304_fires_on_tensorrt_86_rejecting_a_truncated_or_foreign_timing_cache():
    for name, reason in (("tc-truncated-fp16-O0-trt8.6.0", "Size specified in header does not match archive size"),
                         ("tc-onnx-fp16-O0-trt8.6.0", "Magic tag does not match")):
        log = log_lines(name)
        assert reason in log[134 - 1] and log[135 - 1].endswith("[E] 4: The timing cache will not be used!")
        config = json.loads((GPU / name / "config.json").read_text())
        assert config["timing_cache"]["loaded_bytes"] > 0
        (f,) = findings(name, "TRT304")
        assert [e.line for e in f.evidence] == [134, 135]
        assert reason in f.message    # the line before is quoted
        assert not findings(name, "TRT113")    # no longer an unrecognised error


def test_trt304_stays_quiet_when_the_cache_was_written_and_not_loaded():
    name = "tc-good-fp16-O0-trt8.6.0"
    config = json.loads((GPU / name / "config.json").read_text())
    assert config["timing_cache"]["loaded_bytes"] == 0      # the first build writes the cache
    assert not any("will not be used" in ln for ln in log_lines(name))
    assert not findings(name, "TRT304")
