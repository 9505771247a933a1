"""TensorRT-RTX logs: every line recognised, the 11-era tables, one run per build, the stated version.

Facts asserted here were read by eye in the logs: the corpus log trtrtx-python-verbose.log (a
TensorRT-RTX JIT build, version not printed) and the zoo bundles tests/fixtures/rtx/<name>/
(real `trtlog build --backend rtx` runs of tensorrt_rtx 1.7.1 on a CPU-only machine).
"""
from __future__ import annotations

import lzma
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from corpus import corpus_log

import trtlog
from trtlog.parse import bulk, parser, reader
from trtlog.parse.scan import Scanner

ZOO = Path(__file__).resolve().parent / "fixtures" / "rtx"
BUNDLES = sorted(p.parent.name for p in ZOO.glob("*/build.log.xz"))


@lru_cache(maxsize=None)
def zoo(name: str):
    path = ZOO / name
    if not (path / "build.log.xz").is_file():
        pytest.skip(f"zoo bundle not present: {path}")
    return trtlog.load(str(path))


@lru_cache(maxsize=None)
def corpus_rtx():
    return trtlog.load(str(corpus_log("trtrtx-python-verbose.log")))


def rows(df, **eq):
    for k, v in eq.items():
        df = df[df[k] == v]
    return df


# ---- every TensorRT line of every RTX log is recognised --------------------------------------------

def test_zoo_is_there():
    assert len(BUNDLES) >= 25


@pytest.mark.parametrize("name", BUNDLES)
def test_every_zoo_log_fully_recognised(name):
    bl = zoo(name)
    text = lzma.open(ZOO / name / "build.log.xz", "rt", encoding="utf-8").read()
    assert bl.lines == text.count("\n")
    unknown = bl.tables["messages"].query("msg_id == 'unknown'")
    assert unknown.empty, unknown[["line", "text"]].head().to_string()
    assert bl.backend == "tensorrt-rtx"
    assert bl.meta["backend_version"] == "1.7.1.116" and bl.meta["backend_version_source"] == "env.json"
    assert bl.trt_version == ""          # no TensorRT version is stated, none is guessed


def test_corpus_rtx_log_recognised_and_version_unknown():
    bl = corpus_rtx()
    assert (bl.lines, bl.recognized) == (155, 155)
    assert bl.backend == "tensorrt-rtx" and bl.meta["backend_version"] == "unknown"
    assert bl.trt_version == "" and "trt_version_source" not in bl.meta
    assert bl.product == "TensorRT-RTX (version unknown)"
    assert bl.meta["strongly_typed"] is True        # line 1: In JIT build, strongly typed is enabled by default.


# ---- SYMBOLIC CHECKS / GRAPH NODES -------------------------------------------------------------------

def test_graph_dump_of_the_corpus_log():
    g = corpus_rtx().tables["graph"]
    # lines 7-15: IDENTITY (Unnamed Layer* 0) [Identity], Input 0 / Output 0, three [min,max] dims each
    assert g["line"].tolist() == [9, 10, 11, 13, 14, 15]
    assert set(g["node"]) == {"(Unnamed Layer* 0) [Identity]"} and set(g["op"]) == {"IDENTITY"}
    assert g["direction"].tolist() == ["input"] * 3 + ["output"] * 3
    assert g["axis"].tolist() == [0, 1, 2, 0, 1, 2]
    assert g["value"].tolist()[:3] == ["[1,6]", "[1,8]", "[1,10]"]
    assert g["expr"].iat[0] == "(# 0 (SHAPE inputT0))"


def test_graph_dump_with_onnx_dim_names():
    g = zoo("dynamic_profile").tables["graph"]
    # lines 171-177: CONSTANT fc.weight / fc.bias have only an Output 0; lines 178-188: CONVOLUTION /stem,
    # the profile's ranges with the ONNX dim names: "[1,8]<TAB>batch", "3<TAB>3", "[32,128]<TAB>height"
    assert rows(g, node="fc.weight")[["line", "direction", "value"]].values.tolist() == [
        [173, "output", "10"], [174, "output", "32"]]
    stem = rows(g, node="/stem")
    assert stem["line"].tolist() == [180, 181, 182, 183, 185, 186, 187, 188]
    assert set(stem["op"]) == {"CONVOLUTION"}
    assert stem["value"].tolist()[:4] == ["[1,8]", "3", "[32,128]", "[32,128]"]
    assert stem["expr"].tolist()[:4] == ["batch", "3", "height", "width"]
    assert rows(stem, line=186)[["direction", "index", "axis", "value"]].values.tolist() == [["output", 0, 1, "16"]]


# ---- Layers: (11-era schema) -> layers + tensors ----------------------------------------------------

def test_bf16_layers_realised_precision():
    bl = zoo("bf16_mlp")
    layers = bl.tables["layers"]
    # lines 206-208: __myl_Cast_myl0_0 (kgen), /fc0_myl0_1 (gemm), __myl_FcCast_myl0_2 (runtime_fusion)
    assert layers["line"].tolist() == [206, 207, 208]
    assert layers["name"].tolist() == ["__myl_Cast_myl0_0", "/fc0_myl0_1", "__myl_FcCast_myl0_2"]
    assert layers["type"].tolist() == ["kgen", "gemm", "runtime_fusion"]
    assert set(layers["precision"]) == {"BF16"}
    t = bl.tables["tensors"]
    assert (t["dtype"] == "BFloat16").sum() == 6 and (t["dtype"] == "Float").sum() == 4   # as printed


def test_fp8_int8_int4_precisions():
    fp8 = zoo("fp8_qdq").tables["layers"]
    assert fp8.set_index("line").loc[166, "name"] == "/fc_myl0_1"
    assert fp8.set_index("line").loc[166, "precision"] == "FP8"        # FP8 input and FP8 weight
    int8 = zoo("int8_qdq_per_channel").tables["layers"].set_index("line")
    assert int8.loc[360, "name"] == "/conv0_myl0_1" and int8.loc[360, "precision"] == "INT8"
    assert int8.loc[363, "precision"] == "FP32"                         # __myl_MulRelu_myl0_4: Float only
    int4 = zoo("int4_weight_only")
    layer = int4.tables["layers"].iloc[0]
    assert (layer["line"], layer["name"]) == (127, "__myl_ReplCastMulCastFc_myl0_0")
    assert layer["precision"] == "INT4"        # a Half input, an Int4 constant: a weight-only INT4 GEMM
    const = rows(int4.tables["tensors"], direction="constant", index=0).iloc[0]
    assert (const["name"], const["dtype"], const["precision"]) == ("__mye56_dconst_myl0", "Int4", "INT4")


def test_tensor_rows_of_an_int8_conv():
    t = rows(zoo("int8_qdq_per_channel").tables["tensors"], line=360)
    assert t["direction"].tolist()[0] == "input" and t["dtype"].tolist()[:2] == ["Int8", "Int8"]
    assert list(t["direction"].unique()) == ["input", "constant", "output"]
    out = rows(t, direction="output").iloc[0]
    assert out["dtype"] == "Float"


def test_layer_metadata_without_separators():
    layers = zoo("int8_qdq_per_channel").tables["layers"]
    md = layers.set_index("line").loc[360, "metadata"]
    assert md.startswith("[ONNX Layer: ") and "\x1f" not in md and "\x1e" not in md


# ---- I/O Tensors -> bindings -----------------------------------------------------------------------

def test_bindings_with_two_profiles():
    b = zoo("profiles_two").tables["bindings"]
    # line 428: input, two ProfileInfo entries; line 429: /fc_out, formats only
    inp = rows(b, name="input")
    assert inp["line"].tolist() == [428, 428] and inp["profile"].tolist() == [0, 1]
    assert inp["min_shape"].tolist() == ["1,3,32,32", "8,3,32,32"]
    assert inp["opt_shape"].tolist() == ["4,3,64,64", "16,3,64,64"]
    assert inp["max_shape"].tolist() == ["8,3,128,128", "32,3,64,64"]
    assert set(inp["dims"]) == {"-1,3,-1,-1"} and set(inp["io_mode"]) == {"Input"}
    out = rows(b, name="/fc_out")
    assert out["line"].tolist() == [429, 429] and set(out["min_shape"]) == {""}
    assert set(out["format"]) == {"Row major linear FP32 format (kLINEAR)"}


def test_bindings_names_of_a_trt10_layer_dump():
    b = trtlog.load(str(corpus_log("trt10.16-trtexec-dumplayerinfo-h100.log"))).tables["bindings"]
    # lines 164-167: "Bindings:" then x, y, z (names only: io_mode and shapes are not printed)
    assert b[["line", "name"]].values.tolist() == [[165, "x"], [166, "y"], [167, "z"]]
    assert set(b["io_mode"]) == {""}


# ---- ForeignNode metadata -> regions ---------------------------------------------------------------

def test_regions_per_profile():
    r = zoo("profiles_two").tables["regions"]
    p1 = rows(r, line=383)        # ForeignNode {ForeignNode[/stem.../fc_3]} [profile 1] metadata: ...
    assert set(p1["region"]) == {"{ForeignNode[/stem.../fc_3]}"} and set(p1["profile"]) == {1}
    assert p1["onnx_node"].tolist()[:3] == ["/stem", "/stem/bn", "/stem/relu"] and len(p1) == 13
    assert p1["onnx_node"].iat[-1] == "/fc"


def test_region_without_onnx_nodes_in_the_corpus_log():
    r = corpus_rtx().tables["regions"]
    assert r["line"].tolist() == [41] and r["onnx_node"].tolist() == [""]
    assert r["region"].iat[0] == "{ForeignNode[(Unnamed Layer* 0) [Identity]]}"


# ---- per-layer memory ------------------------------------------------------------------------------

def test_per_layer_memory_rows():
    m = corpus_rtx().tables["memory"]
    per_layer = m[m["kind"].str.startswith("layer_")]
    assert per_layer["line"].tolist() == [53, 53, 53]
    assert dict(zip(per_layer["kind"], per_layer["bytes"])) == {
        "layer_host_persistent": 80, "layer_device_persistent": 0, "layer_scratch": 0}


# ---- attention / layer-norm patterns ----------------------------------------------------------------

def test_self_attention_pattern():
    p = zoo("transformer_fp16").tables["patterns"]
    # lines 676-679
    assert rows(p, event="member")["node"].tolist() == ["/attn/softmax", "/attn/pv", "/attn/qk"]
    assert rows(p, event="reassigned")["line"].tolist() == [679]
    assert set(p["pattern"]) == {"self-attention"}


def test_layer_norm_fp16_nodes():
    bl = zoo("layernorm_decomposed_fp16")
    p = rows(bl.tables["patterns"], pattern="layer-norm")
    assert rows(p, event="member")["line"].tolist() == list(range(284, 293))
    assert rows(p, event="member")["node"].iat[0] == "//ln/mean"       # TensorRT-RTX prints the leading '/' twice
    assert rows(p, event="fp16")["line"].tolist() == [294]
    nodes = rows(p, event="fp16_node")
    assert nodes["line"].tolist() == [295] * 3 and nodes["node"].tolist() == ["//ln/mean", "//ln/pow", "//ln/var"]
    prec = bl.tables["precision"]
    assert rows(prec, kind="fp16_layernorm_overflow")["line"].tolist() == [296]


# ---- one run per build -----------------------------------------------------------------------------

def test_two_builds_are_two_runs():
    bl = zoo("two_builds")
    runs = bl.tables["runs"]
    # line 2: Input filename cnn.onnx, 376: its Engine generation; line 397: Input filename transformer.onnx
    assert runs["first_line"].tolist() == [1, 397] and runs["last_line"].tolist() == [396, 1143]
    msgs = bl.tables["messages"].set_index("line")
    assert msgs.loc[376, "run"] == 0 and msgs.loc[397, "run"] == 1 and msgs.loc[1122, "run"] == 1
    layers = bl.tables["layers"]
    assert layers.groupby("run").size().to_dict() == {0: 8, 1: 10}


def test_one_build_is_one_run():
    assert len(zoo("cnn").tables["runs"]) == 1
    assert len(corpus_rtx().tables["runs"]) == 1        # its two deserialisations stay in the build's run


# ---- errors, failures ----------------------------------------------------------------------------

def test_rejected_profile_errors():
    e = zoo("profile_min_gt_max").tables["errors"]
    kinds = dict(zip(e["line"], e["kind"]))
    assert kinds[165] == "profile_invalid" and kinds[167] == "profile_rejected" and kinds[170] == "no_profile"
    assert rows(e, line=165)["node"].iat[0] == "input"
    cuda = e[e["cuda_error"] == 35]
    assert cuda["line"].tolist() == [166, 168]
    assert set(cuda["api"]) == {"checkMacros.cpp::catchCudaError::250"}
    bl = zoo("profile_min_gt_max")
    assert bl.meta["build_ok"] is False
    assert bl.meta["requested_profiles"] == [{"profile": 0, "input": "input", "min": "8x3x64x64",
                                              "opt": "4x3x64x64", "max": "1x3x64x64", "added": False}]


def test_build_failure_from_the_builder_api():
    bl = zoo("cc_current_no_gpu")
    e = bl.tables["errors"]
    row = e[e["line"] == 360].iloc[0]
    assert (row["api"], row["code"], row["category"], row["cuda_error"]) == (
        "IBuilder::buildSerializedNetwork", 1, "Cuda Runtime", 35)
    assert bl.meta["build_ok"] is False and "runtime_failure" not in bl.meta


def test_compute_capability_targets():
    o = zoo("cc_several").tables["options"]
    assert rows(o, key="target compute capabilities")[["line", "value"]].values.tolist() == [[360, "3"]]


# ---- the bulk path and the line-by-line parser agree on RTX logs -------------------------------------

@pytest.mark.parametrize("name", ["transformer_dynamic", "two_builds", "layernorm_decomposed_fp16",
                                  "profile_min_gt_max", "gru"])
def test_bulk_equals_line_by_line_on_rtx_logs(name, monkeypatch, tmp_path):
    log = tmp_path / "build.log"
    log.write_bytes(lzma.open(ZOO / name / "build.log.xz").read())
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 12)      # block edges inside the dumps
    fast = trtlog.load(str(log))

    def scanner(g):
        sc = Scanner(g, lambda m: False, bulk.uses)
        sc.level1 = None
        return sc
    monkeypatch.setattr(parser, "scanner_for", scanner)
    slow = trtlog.load(str(log))
    assert (fast.lines, fast.recognized, fast.meta) == (slow.lines, slow.recognized, slow.meta)
    for t in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[t], slow.tables[t], check_exact=True)
