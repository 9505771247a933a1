"""`diff_builds` on real corpus pairs: the trtexec MNIST builds of TensorRT 8.0 / 8.2 / 8.4 / 8.6 /
10.14 / 10.16. Every expected value below was read in both logs (file:line given)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

import trtlog
from trtlog.diff import diff_builds

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
T80 = "trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log"
T82 = "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
T84 = "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"
T86 = "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"
T1014 = "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"
T1016 = "trt10.16-trtexec-mnist-fp16-verbose-h100.log"
T1016_INFO = "trt10.16-trtexec-dumplayerinfo-h100.log"


@lru_cache(maxsize=None)
def load(name):
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    return trtlog.load(str(CORPUS / name))


@lru_cache(maxsize=None)
def diff(a, b):
    return diff_builds(load(a), load(b))


def changes(res, kind, layer=None):
    return [c for c in res.changes if c.kind == kind and (layer is None or c.layer == layer)]


def one(res, kind, layer=None):
    hits = changes(res, kind, layer)
    assert len(hits) == 1, (kind, layer, [c.text for c in res.changes if c.kind == kind])
    return hits[0]


def xfail_on_tensor_gap(*where):
    """Parser gaps (reported to the lead): Engine Layer Information tensors with vectorised dims
    (`Half[-1,32:8,28,28]`, TensorRT 8.6+) and --dumpLayerInfo tensors without `Location:` (Myelin
    kernels) come out with empty inputs/outputs/precision. `where`: (file, line) pairs."""
    for name, line in where:
        bl = load(name)
        t = bl.tables["tensors"]
        if (bl.layers["line"] == line).any() and not ((t["line"] == line) & (t["direction"] == "output")).any():
            pytest.xfail(f"parser leaves the tensors of {name}:{line} empty")


def group_of(res, b_name):
    al = res.alignment
    for g in al.groups:
        if b_name in [al.b[j].name for j in g.b]:
            return g, [al.a[i].name for i in g.a]
    return None, []


@pytest.mark.parametrize("a,b", [(T80, T82), (T82, T84), (T84, T86), (T1014, T1016), (T1016_INFO, T1016)])
def test_every_layer_is_aligned_or_reported_once(a, b):
    res = diff(a, b)
    al = res.alignment
    seen_a = [i for g in al.groups for i in g.a] + al.unmatched_a
    seen_b = [j for g in al.groups for j in g.b] + al.unmatched_b
    assert sorted(seen_a) == list(range(len(al.a)))
    assert sorted(seen_b) == list(range(len(al.b)))


# -- TensorRT 8.0.3 (--fp16) -> 8.2.3 (FP32), same GTX 1070, same TF-exported network -------------
def test_80_82_layer_count_and_added_noops():
    res = diff(T80, T82)
    # Engine Layer Information: 8.0 lines 1009-1018 (10 layers), 8.2 lines 868-879 (12 layers)
    c = one(res, "layer_count")
    assert (c.a, c.b) == (10, 12)
    only_b = {(u["name"], u["line"]) for u in res.to_dict()["unmatched"]["b"]}
    assert only_b == {("copied_squeeze_after_add_3", 877), ("(Unnamed Layer* 52) [Shuffle]", 879)}
    assert res.alignment.unmatched_a == []


def test_80_82_tactic_and_type_changes():
    res = diff(T80, T82)
    # 8.0:1014 `MaxPool2d_1, Tactic: 6357249` -> 8.2:873 `MaxPool2d_1, Tactic: 6488321`
    c = one(res, "tactic", "MaxPool2d_1")
    assert (c.a, c.b, c.lines_a, c.lines_b) == ("6357249", "6488321", [1014], [873])
    # 8.0:1017 Layer(CublasConvolution): MatMul_1 + ... -> 8.2:876 Layer(CudnnConvolution): MatMul_1 + ...
    t = [c for c in changes(res, "layer_type") if c.layer.startswith("MatMul_1 + ")]
    assert len(t) == 1 and (t[0].a, t[0].b, t[0].lines_a, t[0].lines_b) == (
        "CublasConvolution", "CudnnConvolution", [1017], [876])


def test_80_82_renamed_matmul_aligned_by_tensors():
    res = diff(T80, T82)
    # the fused MatMul name gained `_(Unnamed Layer* 21) [Shuffle]_output` in 8.2 (line 875) but reads
    # (Unnamed Layer* 14) [Shuffle]_output and writes Relu_2_out_tensor in both
    b_name = [l.name for l in res.alignment.b if l.line == 875][0]
    g, a_names = group_of(res, b_name)
    assert g is not None and g.how == "tensors"
    assert a_names == ["MatMul + b3/read:0 + (Unnamed Layer* 21) [Shuffle] + unsqueeze_node_after_b3/read:0 + "
                       "(Unnamed Layer* 21) [Shuffle] + add_2 + Relu_2"]


def test_80_82_versions_flags_perf_memory():
    res = diff(T80, T82)
    assert (res.a_info.trt_version, res.b_info.trt_version)[1].startswith("8.2")
    assert one(res, "trt_version").b.startswith("8.2")
    # banner line 1: `... --verbose --fp16` (8.0) vs `... --verbose` (8.2)
    f = one(res, "builder_flag")
    assert (f.a, f.b, f.lines_a, f.lines_b) == ("--fp16", None, [1], [1])
    # 8.0:2948 `Throughput: 6330.83 qps`, 8.2:2869 `Throughput: 6531.92 qps`
    p = one(res, "perf", "Throughput")
    assert (p.a, p.b, p.lines_a, p.lines_b) == (6330.83, 6531.92, [2948], [2869])
    # 8.0:996 `Total Host Persistent Memory: 4032`, 8.2:850 `... 3712`
    m = one(res, "memory", "Host Persistent")
    assert (m.a, m.b, m.lines_a, m.lines_b) == (4032, 3712, [996], [850])
    # 8.0:1029 `Engine built in 5.6936 sec.`, 8.2:889 `Engine built in 4.89571 sec.`
    assert (res.a_info.build_seconds, res.b_info.build_seconds) == (5.6936, 4.89571)
    assert not changes(res, "gpu")   # both `Selected Device: NVIDIA GeForce GTX 1070`


# -- TensorRT 8.4.1 GTX 1070 -> 8.6.0 RTX 3090, both --fp16, same network --------------------------
def test_84_86_precision_is_the_headline():
    xfail_on_tensor_gap((T86, 3417))
    res = diff(T84, T86)
    c = one(res, "precision_shift")
    # on the GTX 1070 every layer stayed Float (8.4:1144-1155); on the RTX 3090 Conv-1 + ReLU-2,
    # MaxPool-3, Conv-4 + ReLU-5, MaxPool-6, Transpose-7 + ..., MatMul-9 + ReLU-11 and MatMul-12 run
    # in Half (8.6:3417-3426); Softmax-14 + ArgMax-15 stays Float (3429)
    assert c.a == {"FP32->FP16": 7}
    assert "precision" in res.summary[0]
    p = one(res, "precision", "Conv-1 + ReLU-2")
    assert (p.a, p.b, p.lines_a, p.lines_b) == ("FP32", "FP16", [1144], [3417])
    assert not changes(res, "precision", "Softmax-14 + ArgMax-15")
    met, _ = res.check("precision-regression")
    assert met == []   # narrower precision is not a regression
    met, _ = res.check("precision-change")
    assert met and met[0].startswith("precision-change: 7 layers")


def test_84_86_gpu_types_reformats_warnings():
    res = diff(T84, T86)
    g = one(res, "gpu")
    assert (g.a, g.b) == ("NVIDIA GeForce GTX 1070", "NVIDIA GeForce RTX 3090")
    assert (g.lines_a, g.lines_b) == ([63], [79])
    t = one(res, "layer_type", "MaxPool-3")   # 8.4:1145 TiledPooling -> 8.6:3419 CaskPooling
    assert (t.a, t.b, t.lines_a, t.lines_b) == ("TiledPooling", "CaskPooling", [1145], [3419])
    r = one(res, "reformat_count")
    assert (r.a, r.b) == (2, 5)   # 8.4:1146,1148 vs 8.6:3416,3418,3422,3424,3427
    assert sorted(c.lines_a[0] for c in changes(res, "reformat_removed")) == [1146, 1148]
    assert sorted(c.lines_b[0] for c in changes(res, "reformat_added")) == [3416, 3418, 3422, 3424, 3427]
    new = {c.lines_b[0] for c in changes(res, "warning_new")}
    assert 323 in new     # `Tensor DataType is determined at build time for tensors not marked as input or output.`
    assert 211 in new     # `... INT64 weights ... Attempting to cast down to INT32.`
    assert (res.a_info.layers, res.b_info.layers) == (12, 15)
    met, _ = res.check("new-warnings")
    assert met


# -- TensorRT 10.14.1 RTX 6000 Ada -> 10.16.1 H100, identical trtexec flags ------------------------
def test_1014_1016_myelin_fusion_and_precision_regression():
    xfail_on_tensor_gap((T1016, 4693), (T1014, 4431), (T1014, 4436))
    res = diff(T1014, T1016)
    assert (res.a_info.layers, res.b_info.layers) == (16, 6)   # 10.14:4430-4445, 10.16:4688-4693
    # 10.16:4688 {ForeignNode[node_conv2d...node_relu]} replaces 10.14:4431 node_conv2d + node_relu
    g, a_names = group_of(res, "{ForeignNode[node_conv2d...node_relu]}")
    assert a_names == ["node_conv2d + node_relu"]
    t = one(res, "layer_type", "{ForeignNode[node_conv2d...node_relu]}")
    assert (t.a, t.b) == ("CaskConvolution", "Myelin")
    # ... and runs in Float (`relu (Float[-1,32,28,28])`) where 10.14 wrote `relu (Half[-1,32:8,28,28])`
    p = one(res, "precision", "{ForeignNode[node_conv2d...node_relu]}")
    assert (p.a, p.b, p.lines_a, p.lines_b) == ("FP16", "FP32", [4431], [4688])
    met, _ = res.check("precision-regression")
    assert met and "precision-regression" in met[0]
    # 10.16:4693 one Myelin node reads max_pool2d_1 and writes y, z: everything after the second
    # pooling in 10.14 (node_view 4436 ... castHelper 4445) fused into it
    big = "{ForeignNode[gemm2.bias + ONNXTRT_Broadcast_4...ONNXTRT_castHelper_9]}"
    g, a_names = group_of(res, big)
    assert g is not None and g.shape == "n:1"
    assert {"node_view", "{ForeignNode[node_linear]}", "node_softmax + node_argmax",
            "{ForeignNode[ONNXTRT_castHelper_5...ONNXTRT_castHelper_6]}"} <= set(a_names)
    assert one(res, "fusion_gained", big).lines_b == [4693]
    # pooling tactic 10.14:4432 0xf9ae51e35ff7f5db -> 10.16:4689 0xdd39499496c9cc38
    c = one(res, "tactic", "node_max_pool2d")
    assert (c.a, c.b) == ("0xf9ae51e35ff7f5db", "0xdd39499496c9cc38")


def test_1014_1016_env_build_time_and_no_new_warnings():
    res = diff(T1014, T1016)
    assert one(res, "gpu").b == "NVIDIA H100 PCIe"             # 10.16:103
    assert (res.a_info.build_seconds, res.b_info.build_seconds) == (13.8436, 24.4854)  # 4450 / 4698
    met, _ = res.check("build-time-increase=50")
    assert met and met[0].startswith("build-time-increase")
    assert res.check("build-time-increase=100")[0] == []
    # same warnings on both sides (weak typing, Int64 binding, timing cache, UNSUPPORTED_STATE, [MS])
    assert res.check("new-warnings")[0] == []
    assert not changes(res, "builder_flag")


# -- different ONNX exports (8.2 TF names vs 8.4 Conv-1 names): alignment by type + shapes --------
def test_82_84_signature_alignment_and_throughput_drop():
    res = diff(T82, T84)
    g, a_names = group_of(res, "Conv-1 + ReLU-2")
    assert g.how == "signature" and a_names == ["Conv__25 + Relu"]
    # 8.2:2869 6531.92 qps -> 8.4:3015 6106.55 qps = -6.5 %
    assert res.check("throughput-drop=5")[0]
    assert res.check("throughput-drop=10")[0] == []


# -- same TensorRT 10.16.1 and H100: FP32 defaults with --dumpLayerInfo vs --fp16 --verbose ---------
def test_1016_dumplayerinfo_vs_fp16_metadata_and_weights():
    res = diff(T1016_INFO, T1016)
    # dumpLayerInfo:154 `Name: node_conv2d + node_relu, ... Metadata: [ONNX Layer: node_conv2d][ONNX Layer:
    # node_relu]` is the same ONNX nodes as fp16:4688 {ForeignNode[node_conv2d...node_relu]}
    g, a_names = group_of(res, "{ForeignNode[node_conv2d...node_relu]}")
    assert g.how in ("tensors", "sources") and a_names == ["node_conv2d + node_relu"]
    # info:158 `Name: node_linear_myl4_0, ... Metadata: [ONNX Layer: node_linear][ONNX Layer: node_relu_2]`:
    # the Myelin kernel name says nothing, the metadata gives its ONNX sources
    myl = [l for l in res.alignment.a if l.line == 158][0]
    assert myl.name == "node_linear_myl4_0" and myl.sources == {"node_linear", "node_relu_2"}
    assert not changes(res, "gpu") and not changes(res, "trt_version")
    p = one(res, "precision_flags")   # line 10 of both: `Precision: FP32` / `Precision: FP32+FP16`
    assert (p.a, p.b, p.lines_a, p.lines_b) == ("FP32", "FP32+FP16", [10], [10])
    # `Total Weights Memory: 13100672 bytes` (info:144) -> `6553216 bytes` (fp16:4667): FP16 weights
    w = one(res, "memory", "Weights")
    assert (w.a, w.b, w.lines_a, w.lines_b) == (13100672, 6553216, [144], [4667])
    # `--fp16` is on the fp16 banner only (line 1 of both)
    assert one(res, "builder_flag", "--fp16").b == "--fp16"


def test_1016_dumplayerinfo_myelin_kernels_fuse_into_foreign_node():
    xfail_on_tensor_gap((T1016, 4693), (T1016_INFO, 158))
    res = diff(T1016_INFO, T1016)
    # dumpLayerInfo:158-162 five Myelin kernels (gemm/kgen) read max_pool2d_1 and write y, z, like the
    # single fp16:4693 {ForeignNode[gemm2.bias + ONNXTRT_Broadcast_4...ONNXTRT_castHelper_9]}
    g, a_names = group_of(res, "{ForeignNode[gemm2.bias + ONNXTRT_Broadcast_4...ONNXTRT_castHelper_9]}")
    assert g is not None and a_names == ["node_linear_myl4_0", "__myl_MulSum_myl4_1", "__myl_AddMaxrSubExpSum_myl4_2",
                                         "__myl_DivMulMaxr_myl4_3", "__myl_CastReshCast_myl4_4"]


def test_any_two_corpus_logs_diff_cleanly():
    """Every corpus log against the next one (failed builds, excerpts, JSON-less Python logs, TRT 7):
    no exception, JSON-serialisable, every layer accounted for once, evidence lines exist."""
    import json
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    names = sorted(p.name for p in CORPUS.glob("*.log"))
    assert len(names) >= 29
    for a, b in zip(names, names[1:] + names[:1]):
        res = diff(a, b)
        d = json.loads(json.dumps(res.to_dict()))
        al = res.alignment
        assert sorted([i for g in al.groups for i in g.a] + al.unmatched_a) == list(range(len(al.a)))
        assert sorted([j for g in al.groups for j in g.b] + al.unmatched_b) == list(range(len(al.b)))
        for c in d["changes"]:
            for side, bl in (("a", load(a)), ("b", load(b))):
                for ev in c["evidence"][side]:
                    assert 0 < ev["line"] <= bl.lines, (a, b, c["kind"], ev)


def test_failed_build_in_b_is_the_headline():
    # trt8.2-...-pad-parse-error-excerpt.log:1 `[E] Error[4]: [shuffleNode.cpp::symbolicExecute::387] ...`,
    # :18 `[6] Invalid Node - Pad_13`, :25 `&&&& FAILED TensorRT.trtexec [TensorRT v8204]`
    res = diff(T82, "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log")
    assert one(res, "build_status").b == "failed"
    assert res.summary[0].startswith("Build fails in B")
    new = {c.lines_b[0]: c.b for c in changes(res, "error_new")}
    assert 1 in new and "Error Code 4: Internal Error (Reshape_3" in new[1]
    assert any("Invalid Node - Pad_13" in t for t in new.values())
    met, _ = res.check("new-errors")
    assert met and met[0].startswith("new-errors")
    # and the other way round nothing is new
    assert diff("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", T82).check("new-errors")[0] == []
