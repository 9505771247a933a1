"""Diff of two bundles the project built itself on the H100: the same seeded CNN exported to ONNX,
built FP16 with TensorRT 8.5.3.1 and with 8.6.0 (`trtlog build`, tests/fixtures/gpu/).

Facts read directly in the bundles (env.json, layers.json.xz rows, build.log.xz):
- env.json: tensorrt "8.5.3.1" -> "8.6.0", GPU "NVIDIA H100 80GB HBM3" on both;
- layers.json: 185 layers -> 190 layers;
- '/pool/GlobalAveragePool' (CaskPooling): row 182, inputs "Channel major FP16 format where channel
  % 8 == 0", kernel sm50_xmma_pooling_fw_4d_FP16FP32NHWC_Average_FastDiv_CAlign4 -> row 188, "Row major
  linear FP32", kernel sm50_xmma_pooling_fw_4d_FP32FP32NCHW_Average_FastDiv;
- '/stages/stages.2/b/b.0/Conv': row 140 kernel sm80_xmma_fprop_implicit_gemm_indexed_f16f16_... ->
  row 145 kernel sm90_xmma_fprop_implicit_gemm_f16f16_..._cgasize2x2x1_warpgroupsize1x1x1_g1_beta0
  (a Hopper wgmma kernel that 8.5.3.1 did not pick).
"""
from __future__ import annotations

from pathlib import Path

import pytest

import trtlog
from trtlog.diff import diff_builds

GPU = Path(__file__).resolve().parent / "fixtures" / "gpu"
A, B = GPU / "cnn-fp16-trt8.5.3.1", GPU / "cnn-fp16-trt8.6.0"


@pytest.fixture(scope="module")
def result():
    return diff_builds(trtlog.load(A), trtlog.load(B))


def test_versions_and_gpu(result):
    d = result.to_dict()
    assert d["a"]["trt_version"] == "8.5.3" and d["b"]["trt_version"] == "8.6.0"
    assert [c for c in result.changes if c.kind == "trt_version"]
    a, b = trtlog.load(A), trtlog.load(B)
    assert a.meta["gpu"] == b.meta["gpu"] == "NVIDIA H100 80GB HBM3"
    assert len(a.layers) == 185 and len(b.layers) == 190


def _changes(result, kind, layer):
    return [c for c in result.to_dict()["changes"] if c["kind"] == kind and c["layer"] == layer]


def test_global_average_pool_moves_from_fp16_to_fp32(result):
    ch = _changes(result, "precision", "/pool/GlobalAveragePool")
    assert len(ch) == 1
    assert ch[0]["a"] == "FP16" and ch[0]["b"] == "FP32"
    assert [e["line"] for e in ch[0]["evidence"]["a"]] == [182]
    assert [e["line"] for e in ch[0]["evidence"]["b"]] == [188]
    summary = " ".join(result.to_dict()["summary"])
    assert "1 FP16->FP32" in summary


def test_hopper_kernel_picked_by_86(result):
    ch = _changes(result, "kernel", "/stages/stages.2/b/b.0/Conv")
    assert len(ch) == 1
    assert ch[0]["a"].startswith("sm80_xmma_fprop_implicit_gemm_indexed_f16f16")
    assert ch[0]["b"].startswith("sm90_xmma_fprop_implicit_gemm_f16f16_f16f16_f16_nhwckrsc_nhwc_"
                                 "tilesize64x64x64_cgasize2x2x1")


def test_every_layer_accounted_for(result):
    al = result.alignment
    assert sorted([i for g in al.groups for i in g.a] + al.unmatched_a) == list(range(len(al.a)))
    assert sorted([j for g in al.groups for j in g.b] + al.unmatched_b) == list(range(len(al.b)))
    matched_b = {j for g in al.groups for j in g.b}
    compute_b = [j for j, l in enumerate(al.b) if l.is_compute]
    assert len(matched_b & set(compute_b)) >= 0.9 * len(compute_b)


def test_fail_on_precision_regression_in_ci(result):
    # a layer moved to a wider precision (FP16 -> FP32): the CI gate trips
    failed = result.check("precision-regression")
    assert failed


def test_reformat_tensors_with_engine_inspector_formats(result):
    # layers.json row 187 of cnn-fp16-trt8.6.0: the Reformat in front of /pool/GlobalAveragePool reads
    # 'Channel major FP16 format where channel % 8 == 0' [1,128,16,16] and writes 'Row major linear FP32'.
    # Align reads the typed tensors table; the strings it re-parsed before could not hold a '%'/'=' format,
    # so the change printed '([] -> [])'.
    c = next(c for c in result.changes if c.kind == "reformat_added"
             and c.layer == "Reformatting CopyNode for Input Tensor 0 to /pool/GlobalAveragePool")
    assert "(Channel major FP16 format where channel % 8 == 0[1,128,16,16] -> Row major linear FP32[1,128,16,16])" \
        in c.text
