"""Issue 13's remaining messages on public logs committed for them (tests/corpus/logs, rows L1... of
tests/corpus/MANIFEST.md). Every fact asserted here was read in the log by eye; line numbers are 1-based
lines of the committed files."""
from __future__ import annotations

import pytest
from corpus import PROJECT_LOGS, corpus_log, manifest_block, project_findings, project_log

from trtlog import load

HERE = PROJECT_LOGS
OURS = manifest_block("logs block", "L")

CACHE = "comfy-trt-unet-build-timing-cache-version-mismatch-rejected-issue-excerpt.log"     # L1
ENGINE = "comfyui-upscaler-polygraphy-engine-load-version-tag-mismatch-issue-excerpt.log"   # L2
PLUGIN = "trt10-trtexec-yolo11-efficientidxnms-plugin-not-found-issue-excerpt.log"           # L3
PLUGIN8 = "trt8.x-trtexec-ppyoloe-efficientnms-plugin-not-found-issue-excerpt.log"           # L4


log, findings = project_log, project_findings


def codes(name: str):
    return {f.code for f in findings(name)}


def one(name: str, code: str):
    hits = [f for f in findings(name) if f.code == code]
    assert len(hits) == 1, f"{code} on {name}: {[f.code for f in findings(name)]}"
    return hits[0]


def test_the_block_lists_its_logs_and_they_are_committed():
    assert OURS == [CACHE, ENGINE, PLUGIN, PLUGIN8]
    for name in OURS:
        assert (HERE / name).is_file(), name


@pytest.mark.parametrize("name", [CACHE, ENGINE, PLUGIN, PLUGIN8])
def test_every_line_is_recognised(name):
    bl = log(name)
    assert bl.unknown == 0, bl.messages[bl.messages["msg_id"] == "unknown"][["line", "text"]].to_string()


# ---- L1: TensorRT rejects a timing cache written by another version (TRT304, and TRT107 stays quiet) ------

def test_tensorrt_timing_cache_rejection_is_a_timing_cache_event():
    bl = log(CACHE)
    m = bl.messages.set_index("line")
    # lines 2 and 4: "[E] 4: The timing cache will not be used!" (error code 4 in front, 8.6+ form)
    assert list(m.loc[[2, 4], "msg_id"]) == ["tc.rejected", "tc.rejected"]
    assert list(m.loc[[2, 4], "severity"]) == ["E", "E"]
    tc = bl.tables["timing_cache"]
    assert list(zip(tc["line"], tc["event"])) == [(2, "rejected"), (4, "rejected")]
    # lines 1 and 3: the archive reader's Serialization error that says why
    err = bl.tables["errors"]
    assert list(zip(err["line"], err["category"])) == [(1, "Serialization"), (3, "Serialization")]


def test_trt304_fires_on_tensorrt_wording_and_quotes_the_reason():
    f = one(CACHE, "TRT304")
    assert [e.line for e in f.evidence] == [1, 2, 3, 4]
    assert f.evidence_total == 4
    assert "could not read the timing cache" in f.message
    assert "line 1:" in f.message
    assert "Current Version: 228, Serialized Engine Version: 224" in f.message    # read on line 1


def test_the_cache_reader_error_is_not_called_an_engine_version_mismatch():
    # the Serialization wording is the same as an engine's (L2), but the next line says it was the cache
    assert codes(CACHE) == {"TRT304"}


# ---- L2: the same wording for an engine (TRT107 fires; TRT304 stays quiet) -------------------------------

def test_engine_version_tag_mismatch_is_trt107_not_a_timing_cache():
    f = one(ENGINE, "TRT107")
    assert [e.line for e in f.evidence] == [3]
    assert "Serialized Engine Version: 239" in f.evidence[0].text
    assert "TRT304" not in codes(ENGINE)
    assert log(ENGINE).tables["timing_cache"].empty


def test_polygraphy_and_comfyui_lines_around_the_refused_engine():
    bl = log(ENGINE)
    m = bl.messages.set_index("line")
    assert m.loc[1, "msg_id"] == "app.engine_loading"
    assert m.loc[2, "msg_id"] == "app.polygraphy_no_colors"
    assert m.loc[4, "msg_id"] == "app.polygraphy_critical"          # "[!] Could not deserialize engine. ..."
    assert m.loc[5, "msg_id"] == "app.comfyui_exception"
    err = bl.tables["errors"]
    assert list(zip(err["line"], err["kind"])) == [(3, "error_code"), (4, "deserialization_failure")]


# ---- L3: a plugin op whose creator is not registered, 10.x coded form (TRT103 names the op) ----------------

def test_coded_getplugincreator_line_is_a_plugin_not_found_error():
    bl = log(PLUGIN)
    m = bl.messages.set_index("line")
    # line 5: "[E] [TRT] 3: getPluginCreator could not find plugin: EfficientIdxNMS_TRT version: 1"
    assert m.loc[5, "msg_id"] == "pload.creator_not_found_coded"
    err = bl.tables["errors"]
    assert list(zip(err["line"], err["kind"])) == [(5, "plugin_not_found"), (6, "onnx_node")]


def test_failing_node_is_the_node_not_an_attribute_name():
    # the dump's own name is on line 15; lines 18 and 23 are the names of its attributes
    bl = log(PLUGIN)
    err = bl.tables["errors"]
    assert err.loc[err["kind"] == "onnx_node", "node"].tolist() == ["/model.23/EfficientIdxNMS_TRT"]
    node = bl.tables["onnx"]
    node = node[node["kind"] == "node_error"]
    assert list(zip(node["name"], node["op"], node["detail"])) == [
        ("/model.23/EfficientIdxNMS_TRT", "EfficientIdxNMS_TRT", "num_dets")]
    m = bl.messages.set_index("line")
    assert list(m.loc[[17, 18, 21, 22, 27], "msg_id"]) == [
        "onnx.node_attribute", "onnx.node_attribute_field", "onnx.node_attribute_end", "onnx.node_attribute",
        "onnx.node_attribute"]


def test_trt103_names_the_plugin_op_and_version_once():
    f = one(PLUGIN, "TRT103")
    assert f.title == "Plugin not found for op EfficientIdxNMS_TRT v1"
    assert [e.line for e in f.evidence] == [5]
    assert one(PLUGIN, "TRT102").title == "ONNX parser rejected /model.23/EfficientIdxNMS_TRT"


def test_shared_corpus_pad_dump_names_the_node_not_its_attribute():
    # trt8.2-trtexec-onnx-pad-parse-error-excerpt.log: line 2 "While parsing node number 13 [Pad -> "output"]",
    # line 7 'name: "Pad_13"', line 10 '  name: "mode"' inside "attribute {" (lines 9-13)
    bl = load(str(corpus_log("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log")))
    err = bl.tables["errors"]
    assert err.loc[err["line"] == 2, "node"].tolist() == ["Pad_13"]
    # line 19 repeats bare the shuffleNode error of line 1 inside the "In function parseGraph" description
    # (lines 17-19): recognised, and still one error_code row (line 1)
    m = bl.tables["messages"].set_index("line")
    assert m.loc[19, "msg_id"] == "onnx.error_detail_cause"
    assert err.loc[err["kind"] == "error_code", "line"].tolist() == [1]


# ---- L4: the 8.x form, the parser's error printed by trtexec without an envelope --------------------------

def test_bare_parser_error_of_a_missing_plugin_is_recognised():
    bl = log(PLUGIN8)
    m = bl.messages.set_index("line")
    assert m.loc[5, "msg_id"] == "onnx.error_in_function_bare"   # "ERROR: builtin_op_importers.cpp:3773 In ..."
    assert m.loc[6, "msg_id"] == "onnx.error_detail"             # '[8] Assertion failed: creator && "Plugin not found'
    assert m.loc[9, "msg_id"] == "err.trtexec_failed"            # "Engine creation failed"
    err = bl.tables["errors"]
    assert list(zip(err["line"], err["kind"])) == [
        (4, "plugin_not_found"), (5, "onnx_error"), (6, "plugin_not_found"),
        (7, "trtexec_failure"), (8, "trtexec_failure"), (9, "trtexec_failure"), (10, "trtexec_failure")]


def test_trt103_counts_one_lookup_for_the_lookup_line_and_the_assertion():
    f = one(PLUGIN8, "TRT103")
    assert f.title == "Plugin not found for op EfficientNMS_TRT v1"
    assert f.message.startswith("1 plugin lookup failed for op type EfficientNMS_TRT v1")
    assert [e.line for e in f.evidence] == [4, 6]
    assert codes(PLUGIN8) == {"TRT101", "TRT102", "TRT103", "TRT206"}


def test_trt85_swap_layer_type_with_the_enum_prefix():
    # trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log line 2813: "Swap the layer type of QuantizeLinear_2
    # from QUANTIZE to kQDQ" (the 10.x/RTX form has no k prefix); the log is now wholly recognised
    bl = load(str(corpus_log("trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log")))
    assert bl.tables["messages"].set_index("line").loc[2813, "msg_id"] == "int.swap_layer_type"
    assert bl.stats()["unknown"] == 0
