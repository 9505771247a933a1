"""The change-kind catalog (trtlog/diff/kinds.py): every kind the diff emits is declared there, every
declared kind is shown by a real pair of logs or marked unverified, and docs/diff-kinds.md is generated
from it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

import trtlog
from trtlog.diff import Change, diff_builds
from trtlog.diff.catalog import markdown
from trtlog.diff.kinds import CAVEATS, KINDS, UNVERIFIED_CAVEATS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
GPU = ROOT / "tests" / "fixtures" / "gpu"
T80 = "corpus/trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log"
T82 = "corpus/trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
T84 = "corpus/trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"
T86 = "corpus/trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"
T1014 = "corpus/trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"
T1016 = "corpus/trt10.16-trtexec-mnist-fp16-verbose-h100.log"
T1016_INFO = "corpus/trt10.16-trtexec-dumplayerinfo-h100.log"
PAD_ERR = "corpus/trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"
UNKNOWN_OP = "corpus/trt10.16-python-onnxparser-unknown-op-parse-error.log"
VERBOSITY = "corpus/trt10.16-python-profilingverbosity-verbose-h100.log"
CNN_FP16, CNN_DYN = "gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-dynamic-fp16-O1-trt8.6.0"
CNN_INT8, CNN_INT8_2 = "gpu/cnn-int8-O1-trt8.6.0", "gpu/cnn-int8-O1-trt8.6.0-run2"

# one real pair (A, B) per kind that shows it (found with benchmarks/compare_diff.py's pairs)
SHOWN = {
    "build_status": (T82, PAD_ERR), "error_new": (T82, PAD_ERR), "error_gone": (PAD_ERR, T82),
    "warning_new": (T84, T86), "warning_gone": (T1016_INFO, T1016), "error_count": (UNKNOWN_OP, VERBOSITY),
    "warning_count": (T1014, UNKNOWN_OP), "trt_version": (T80, T82), "gpu": (T84, T86),
    "compute_capability": (T84, T86), "precision_flags": (T80, T82), "builder_flag": (T82, T84),
    "option": (T80, T82), "build_time": (T80, T82), "build_phase": (T82, T84), "tactic_search": (T80, T82),
    "tactic_search_layer": (T84, T86), "layer_count": (T80, T82), "fusion_gained": (T1014, T1016),
    "fusion_lost": (T1016, T1014), "regrouped": (CNN_FP16, CNN_DYN), "precision": (T84, T86),
    "precision_shift": (T84, T86), "renamed": (T80, T82), "layer_type": (T80, T82), "tactic": (T80, T82),
    "tactic_summary": (T80, T82), "kernel": (T84, T86), "tactic_time": (T80, T82), "reformat_added": (T84, T86),
    "reformat_removed": (T84, T86), "reformat_count": (T84, T86), "unmatched": (T80, T82), "memory": (T80, T82),
    "peak_memory": (T80, T82), "engine_size": (T84, T86), "calibration": (CNN_FP16, CNN_INT8),
    "calibration_time": (CNN_INT8, CNN_INT8_2), "calibration_scales": (CNN_INT8, CNN_INT8_2),
    "perf": (T80, T82), "perf_summary": (T80, T82),
}


def path(name: str) -> Path:
    where, rest = name.split("/", 1)
    p = (CORPUS if where == "corpus" else GPU) / rest
    if not p.exists():
        pytest.skip(f"{p} not available")
    return p


@lru_cache(maxsize=None)
def load(name):
    return trtlog.load(str(path(name)))


@lru_cache(maxsize=None)
def kinds_of(a, b):
    return {c.kind for c in diff_builds(load(a), load(b)).changes}


def test_every_kind_is_shown_by_a_real_pair_or_marked_unverified():
    unverified = {k for k, spec in KINDS.items() if spec.unverified}
    assert set(SHOWN) | unverified == set(KINDS)
    assert not set(SHOWN) & unverified


@pytest.mark.parametrize("kind", sorted(SHOWN))
def test_kind_is_emitted_on_its_real_pair(kind):
    assert kind in kinds_of(*SHOWN[kind])


def test_calibration_variants_and_wording_from_typed_fields():
    # both cnn-int8 builds write the cache of TRT-8600-EntropyCalibration2 (build.log 6557 / run2 6550) and
    # complete calibration in 34.2045 s (6359) / 27.441 s (6352): variant "same" (score 5) and a time change
    res = diff_builds(load(CNN_INT8), load(CNN_INT8_2))
    same = [c for c in res.changes if c.kind == "calibration"]
    assert [c.variant for c in same] == ["same"] and same[0].score == 5
    assert (same[0].lines_a, same[0].lines_b) == ([6557], [6550])
    assert same[0].text.startswith("Both builds ran INT8 calibration; the same: algorithm EntropyCalibration2, ")
    t = [c for c in res.changes if c.kind == "calibration_time"]
    assert len(t) == 1 and t[0].text == "Calibration time 34.2 s -> 27.4 s (-20 %)."
    assert (t[0].lines_a, t[0].lines_b) == ([6359], [6352])
    one = [c for c in diff_builds(load(CNN_FP16), load(CNN_INT8)).changes if c.kind == "calibration"]
    assert [c.variant for c in one] == [""] and one[0].text.startswith("Only B ran INT8 calibration")


def test_every_caveat_is_shown_by_a_real_pair_or_marked_unverified():
    # YOLOv8s 10.3 log line 56 `Batch: Explicit`, GoogLeNet 7.1 log line 1491 `Batch: 128`; both logs have perf
    res = diff_builds(load("corpus/trt10.3-trtexec-yolov8s-fp16-orin.log"),
                      load("corpus/trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log"))
    assert "Inference option 'Batch' differs (Explicit vs 128, lines 56/1491): performance figures were measured " \
           "differently." in res.caveats
    # Selected Device at line 68 of both: Orin / NVIDIA RTX 2000 Ada Generation Laptop GPU
    res = diff_builds(load("corpus/trt8.5-trtexec-mnist-best-verbose-orin.log"),
                      load("corpus/trt8.5-trtexec-plugin-verbose-rtx2000ada.log"))
    assert "Measured on different GPUs (Orin vs NVIDIA RTX 2000 Ada Generation Laptop GPU)." in res.caveats
    assert {"inference_option", "different_gpu"} | UNVERIFIED_CAVEATS == set(CAVEATS)


def test_a_kind_outside_the_catalog_is_refused():
    with pytest.raises(ValueError, match="not in the catalog"):
        Change("made_up", "", 1, 2)


def test_unverified_kinds_render_from_the_fields_the_delta_code_gives():
    # no real pair shows these yet, so their wording is checked here with the fields deltas.py passes
    assert Change("strongly_typed", "", False, True).text == "Strongly typed network: False -> True."
    assert Change("calibration_algorithm", "", "", "MinMaxCalibration").text == \
        "Calibration algorithm ? -> MinMaxCalibration: scales are computed differently."
    assert Change("calibration_batches", "", 16, 8).text == "Calibration batches 16 -> 8."
    c = Change("calibration_cache", "", "cache_write", "cache_read", fields={"cache_a": "cache_write",
                                                                           "cache_b": ""})
    assert c.text.startswith("Calibration cache cache_write -> not used (") and c.score == 30
    c = Change("layer_runtime", "conv1", 0.5, 0.25, x=12.5, fields={"pct": -50.0})
    assert c.text == "Layer 'conv1' runtime 0.5 ms -> 0.25 ms (-50 %, profile)." and c.score == 12.5
    assert {k for k, spec in KINDS.items() if spec.unverified} == {
        "strongly_typed", "calibration_algorithm", "calibration_batches", "calibration_cache", "layer_runtime"}


def test_docs_diff_kinds_md_is_generated_from_the_catalog():
    doc = (ROOT / "docs" / "diff-kinds.md").read_text(encoding="utf-8")
    assert doc == markdown(), "regenerate: python -m trtlog.diff.catalog > docs/diff-kinds.md"
