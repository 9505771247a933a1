"""Rules of the strongly typed world on real TensorRT-RTX logs: where each fires, where it stays quiet.

Bundles: tests/fixtures/rtx/<name>/ (tensorrt_rtx 1.7.1, CPU-only host); line numbers read by eye in
their build.log.xz. TRT116 (internal error) is shown on the corpus (tests/test_rules_corpus.py).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

import trtlog
from trtlog.rules import run_rules

ZOO = Path(__file__).resolve().parent / "fixtures" / "rtx"
BUNDLES = sorted(p.parent.name for p in ZOO.glob("*/build.log.xz"))


@lru_cache(maxsize=None)
def findings(name: str):
    if not (ZOO / name / "build.log.xz").is_file():
        pytest.skip(f"zoo bundle not present: {name}")
    return tuple(run_rules(trtlog.load(str(ZOO / name))))


def codes(name):
    return {f.code for f in findings(name)}


def only(name, code):
    hits = [f for f in findings(name) if f.code == code]
    assert len(hits) == 1, (name, code, len(hits))
    return hits[0]


def lines(f):
    return [e.line for e in f.evidence]


# ---- TRT115 invalid-optimization-profile ----------------------------------------------------------

def test_trt115_min_greater_than_max():
    f = only("profile_min_gt_max", "TRT115")
    # 165: IOptimizationProfile::isValid ... input tensors input; 167: addOptimizationProfile ... isValid();
    # 170: buildSerializedNetwork ... no optimization profile has been defined
    assert lines(f) == [165, 167, 170]
    assert "input input" in f.message and "min 8x3x64x64, opt 4x3x64x64, max 1x3x64x64" in f.message
    assert "dim 0: min 8 > max 1" in f.message and "consequence" in f.message


def test_trt115_opt_outside():
    f = only("profile_opt_outside", "TRT115")
    assert lines(f) == [165, 167, 170] and "dim 0: opt 16 > max 8" in f.message


@pytest.mark.parametrize("name", ["profile_min_gt_max", "profile_opt_outside"])
def test_rejected_profile_is_not_called_a_missing_profile(name):
    # the 'no optimization profile has been defined' line no longer makes TRT110/TRT106 claim a missing
    # profile or a shape outside it: the profile was given and rejected
    assert codes(name) == {"TRT101", "TRT115", "TRT508"}
    assert only(name, "TRT101").evidence[0].line == 165          # the root cause, not the cudaError at 166


@pytest.mark.parametrize("name", ["dynamic_profile", "profiles_two", "transformer_dynamic", "cnn"])
def test_trt115_quiet_on_valid_profiles(name):
    assert not codes(name) & {"TRT115", "TRT106", "TRT110", "TRT101"}


# ---- TRT213 fp16-layernorm-overflow ---------------------------------------------------------------

def test_trt213_fires_on_the_fp16_decomposed_layer_norm():
    f = only("layernorm_decomposed_fp16", "TRT213")
    # 294: Detected layernorm nodes in FP16. 295: //ln/mean,//ln/pow,//ln/var 296: Running layernorm ...
    assert lines(f) == [294, 295, 296]
    assert "//ln/mean, //ln/pow, //ln/var" in f.message and "9 nodes" in f.message
    assert "opset" in f.fix.python and "LayerNormalization" in f.fix.python


def test_trt213_two_layer_norms_after_attention():
    f = only("transformer_fp16_ln_decomposed", "TRT213")
    # 1043: Detected layernorm nodes in FP16. 1044: //ln1/mean,//ln1/pow,//ln1/var,//ln2/mean,//ln2/pow,//ln2/var
    assert lines(f) == [1043, 1044, 1045] and f.evidence_total == 3
    assert "18 nodes" in f.message and "//ln2/var" in f.message


@pytest.mark.parametrize("name", ["layernorm_op_fp16", "layernorm_decomposed_fp32", "transformer_fp16",
                                  "transformer"])
def test_trt213_quiet(name):
    # the opset-17 op in FP16, the same decomposition in FP32, pre-LN transformer blocks: no warning printed
    assert "TRT213" not in codes(name)


# ---- TRT214 strongly-typed-fp32-engine ------------------------------------------------------------

def test_trt214_fp32_cnn():
    f = only("cnn", "TRT214")
    assert f.severity == "info" and "all 8 engine layers" in f.message
    assert lines(f) == [378, 379, 380, 381, 382]         # the first five of the Layers: records


def test_trt214_per_build():
    hits = [f for f in findings("two_builds") if f.code == "TRT214"]
    assert [(f.run, f.evidence[0].line) for f in hits] == [(0, 378), (1, 1124)]


@pytest.mark.parametrize("name", ["fp16_mlp", "fp16_casts", "bf16_mlp", "int8_qdq_per_tensor",
                                  "int8_qdq_per_channel", "fp8_qdq", "int4_weight_only", "transformer_fp16",
                                  "layernorm_op_fp16"])
def test_trt214_quiet_when_the_graph_carries_a_reduced_precision(name):
    assert "TRT214" not in codes(name)


# ---- TRT508 no-cuda-driver ------------------------------------------------------------------------

def test_trt507_cause_when_the_build_needs_the_gpu():
    f = only("cc_current_no_gpu", "TRT508")
    # 360: IBuilder::buildSerializedNetwork: Error Code 1: Cuda Runtime (In generateForCurrent ... cudaError 35
    assert f.severity == "error" and lines(f) == [360] and "generateForCurrent" in f.evidence[0].text


def test_trt507_consequence_after_an_api_error():
    f = only("profile_min_gt_max", "TRT508")
    assert f.severity == "info" and lines(f) == [166, 168] and "line 165" in f.message


@pytest.mark.parametrize("name", ["cnn", "fp8_qdq_sm86", "cc_turing", "tiny_workspace", "custom_op"])
def test_trt507_quiet_without_cuda_error_35(name):
    assert "TRT508" not in codes(name)


# ---- TRT117 engine-load-failed: a runtime failure, not a build failure --------------------------------

def test_trt117_deserialisation_after_a_good_build():
    bl = trtlog.load(str(ZOO / "build_then_load"))
    # 376: Engine generation completed; 398: IRuntime::deserializeCudaEngine: Error Code 1: Cuda Runtime
    # (... cudaError 35 ...); status.json: ok false overall, builds[0].ok true, deserialized false
    assert bl.meta["build_ok"] is True and "failure" not in bl.meta
    assert bl.meta["runtime_failure_line"] == 398
    f = only("build_then_load", "TRT117")
    assert lines(f) == [376, 398] and "not a build failure" in f.message
    assert "TRT101" not in codes("build_then_load")
    cuda = only("build_then_load", "TRT508")       # the deserialisation needs the driver this host lacks
    assert cuda.severity == "error" and lines(cuda) == [397, 398, 399]


# ---- TRT116 internal-error, TRT117 engine-load-failed: quiet on the zoo's builds --------------------

@pytest.mark.parametrize("name", [b for b in BUNDLES if b != "build_then_load"])
def test_no_internal_or_runtime_failure_in_the_zoo(name):
    # the zoo's failures are Myelin compile errors (fp8_qdq_sm86, cc_turing, tiny_workspace: 'Error Code 1:
    # Myelin'), API usage errors and parser errors (profile_shape_conflict's "Internal Error" is its profile:
    # TRT106): none is an internal error, none a deserialisation
    assert not codes(name) & {"TRT116", "TRT117"}
    assert "runtime_failure" not in trtlog.load(str(ZOO / name)).meta


def test_corpus_rtx_log():
    from corpus import corpus_log
    fs = run_rules(trtlog.load(str(corpus_log("trtrtx-python-verbose.log"))))
    f = [f for f in fs if f.code == "TRT214"][0]
    assert lines(f) == [66] and "the engine layer has only FP32" in f.message
    assert not {f.code for f in fs} & {"TRT115", "TRT116", "TRT117", "TRT213", "TRT508"}


# ---- TRT106 on a profile whose inputs disagree with the graph ---------------------------------------
def test_trt106_profile_shapes_break_the_graphs_constraints():
    # profile_shape_conflict: a in [2,8], b in [3,16] batches, a + b elementwise; line 63 is
    # "IBuilder::buildSerializedNetwork: Error Code 4: Internal Error (kOPT values for profile 0 violate
    # shape constraints: /add: dimensions not compatible for elementwise. Condition '==' violated: 5 != 4..."
    f = only("profile_shape_conflict", "TRT106")
    assert lines(f) == [63] and "shape constraints" in f.title
    assert "TRT115" not in codes("profile_shape_conflict")        # each profile is valid on its own
    assert "TRT106" not in codes("profile_min_gt_max")            # an invalid profile is TRT115's alone


# ---- TRT304 on a timing cache that TensorRT-RTX cannot deserialize -----------------------------------
def test_trt304_timing_cache_of_zeros_is_rejected():
    # bad_timing_cache: tests/zoo/two_builds.py gave the build 4 KiB of zeros as its timing cache;
    # line 161 "The timing cache will not be used!", line 162 "Failed to deserialize timing cache. ..."
    f = only("bad_timing_cache", "TRT304")
    assert lines(f) == [161, 162] and "runtime cache" in f.message
    assert "TRT304" not in codes("cnn")                   # no timing cache given: quiet


# ---- TRT118 datatype-unsupported-on-target --------------------------------------------------------

def test_trt118_fp8_and_fp4_data_for_an_ampere_target():
    # fp8_qdq_sm86 line 147 / fp4_weight_only_sm86 line 111: "... Cannot compile for target(s) sm86, because
    # the model contains HW-specific datatypes: fp8_e4m3." (fp4_e2m1)
    for name, line, printed, precision, cc in (("fp8_qdq_sm86", 147, "fp8_e4m3", "FP8", "8.9"),
                                               ("fp4_weight_only_sm86", 111, "fp4_e2m1", "FP4", "10.0")):
        f = only(name, "TRT118")
        assert lines(f) == [line] and f.title == f"{precision} not computable on a build target"
        assert printed in f.message and f"compute capability {cc} or newer" in f.message
        assert "TRT101" in codes(name)                   # the build failed: that stays said


def test_trt118_turing_has_no_fp32_gemm_but_fp16_builds():
    # cc_turing line 363: "Cannot compile operation '/fc' for Turing (SM75): FP32 GEMM is not supported."
    f = only("cc_turing", "TRT118")
    assert lines(f) == [363] and "operation /fc in FP32" in f.message and "FP16" in f.message
    # ...and the claim behind the fix: FP16 GEMMs build for 7.5 (cc_turing_fp16, status ok)
    assert trtlog.load(str(ZOO / "cc_turing_fp16")).meta["build_ok"] is True


@pytest.mark.parametrize("name", ["fp4_weight_only_sm120", "fp8_qdq", "cc_turing_fp16", "int4_weight_only"])
def test_trt118_quiet_where_the_target_has_the_hardware(name):
    assert "TRT118" not in codes(name)
