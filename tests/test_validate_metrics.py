"""Metric code against plain numpy references (no TensorRT needed)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from trtlog.validate import metrics as M


def _pair(seed=0, shape=(64, 10)):
    rng = np.random.default_rng(seed)
    ref = rng.standard_normal(shape)
    eng = (ref + rng.normal(0, 1e-2, shape)).astype(np.float16)   # what an FP16 engine hands back
    return eng, ref


def test_compare_matches_numpy_reference():
    eng, ref = _pair()
    st = M.compare(eng, ref, atol=1e-2, rtol=1e-2)
    a, e = eng.astype(np.float64), ref
    d = np.abs(a - e)
    assert st["max_abs_err"] == pytest.approx(d.max())
    assert st["mean_abs_err"] == pytest.approx(d.mean())
    assert st["rel_l2"] == pytest.approx(np.linalg.norm(a - e) / np.linalg.norm(e))
    assert st["cosine"] == pytest.approx(np.dot(a.ravel(), e.ravel()) / (np.linalg.norm(a) * np.linalg.norm(e)))
    outside = (~np.isclose(a, e, atol=1e-2, rtol=1e-2)).sum()
    assert st["outside_count"] == outside
    assert st["outside_tol"] == pytest.approx(outside / a.size)
    assert st["count"] == a.size == st["compared"]
    assert st["argmax_agreement"] == pytest.approx(np.mean(a.argmax(1) == e.argmax(1)))


def test_identical_outputs_are_exact():
    ref = np.linspace(-3, 3, 40).reshape(4, 10)
    st = M.compare(ref.copy(), ref, 0.0, 0.0)
    assert st["max_abs_err"] == 0 and st["rel_l2"] == 0 and st["outside_count"] == 0
    assert st["cosine"] == pytest.approx(1.0)
    assert st["argmax_agreement"] == 1.0
    assert M.verdict(st, 0.0) == []


def test_nonfinite_values_are_counted_not_averaged():
    ref = np.ones((2, 5), dtype=np.float32)
    eng = ref.copy()
    eng[0, 1] = np.nan
    eng[1, 2] = np.inf
    st = M.compare(eng, ref, 1e-3, 1e-3)
    assert st["engine_nonfinite"] == {"nan": 1, "inf": 1}
    assert st["reference_nonfinite"] == {"nan": 0, "inf": 0}
    assert st["compared"] == 8 and st["max_abs_err"] == 0.0
    assert st["outside_count"] == 2
    reasons = M.verdict(st, max_outside=1.0)
    assert any("NAN" in r for r in reasons) and any("INF" in r for r in reasons)


def test_matching_nonfinite_on_both_sides_is_agreement():
    ref = np.array([1.0, np.inf, np.nan, 2.0])
    st = M.compare(ref.copy(), ref, 0, 0)
    assert st["outside_count"] == 0
    assert M.verdict(st, 0.0) == []


def test_relative_l2_and_cosine_edge_cases():
    z = np.zeros(4)
    assert M.relative_l2(z, z) == 0.0
    assert M.relative_l2(np.array([3.0, 4.0]), np.zeros(2)) == pytest.approx(5.0)
    assert M.cosine_similarity(z, z) == 1.0
    assert M.cosine_similarity(np.ones(3), z) == 0.0
    assert M.cosine_similarity(np.array([1.0, 0]), np.array([-1.0, 0])) == pytest.approx(-1.0)


@pytest.mark.parametrize("shape,expected", [((1000,), True), ((8, 1000), True), ((8, 1000, 1, 1), True),
                                            ((1, 3, 224, 224), False), ((8, 128, 768), False), ((8, 1), False),
                                            ((), False)])
def test_classifier_shape(shape, expected):
    assert M.is_classifier_shaped(shape) is expected


def test_argmax_agreement_counts_rows():
    ref = np.eye(4)
    eng = np.eye(4)
    eng[3] = [1, 0, 0, 0]   # row 3 now picks class 0 instead of 3
    assert M.argmax_agreement(eng, ref) == 0.75
    assert M.argmax_agreement(np.ones((1, 3, 8, 8)), np.ones((1, 3, 8, 8))) is None


def test_verdict_thresholds():
    eng, ref = _pair(1)
    st = M.compare(eng, ref, 1e-6, 1e-6)
    assert st["outside_tol"] > 0.5
    assert any("outside tolerance" in r for r in M.verdict(st, 0.0))
    assert M.verdict(st, 1.0) == []
    assert any("cosine" in r for r in M.verdict(st, 1.0, min_cosine=0.9999999))
    st2 = dict(st, argmax_agreement=0.5)
    assert any("argmax agreement 0.500" in r for r in M.verdict(st2, 1.0, min_argmax=0.9))


def test_timing_stats_against_numpy():
    rng = np.random.default_rng(7)
    v = rng.gamma(4.0, 0.25, size=200)
    st = M.timing_stats(v)
    assert st["min"] == v.min() and st["max"] == v.max()
    assert st["mean"] == pytest.approx(v.mean())
    assert st["median"] == pytest.approx(np.median(v))
    for p in (90, 95):
        # trtexec's nearest rank equals numpy's inverted-CDF percentile here
        assert st[f"p{p}"] == pytest.approx(np.percentile(v, p, method="inverted_cdf"))
    # ...but not at 99: in single precision (1 - 0.99f) * 200 = 1.999998, so trtexec drops only the
    # slowest sample and reports the 199th of 200, where numpy's inverted CDF gives the 198th
    s = np.sort(v)
    assert st["p99"] == s[198] and np.percentile(v, 99, method="inverted_cdf") == s[197]


def test_trtexec_percentile_rule_small_sample():
    v = list(range(1, 11))      # 1..10 ms
    assert M.trtexec_percentile(v, 90) == 9    # drops int(0.1 * 10) = 1 slowest sample
    assert M.trtexec_percentile(v, 99) == 10   # int(0.01 * 10) = 0 dropped
    assert M.timing_stats([2.0, 1.0, 4.0, 3.0])["median"] == 2.5   # even count: mean of the middle two
    assert math.isnan(M.trtexec_percentile([], 90))
    with pytest.raises(ValueError):
        M.timing_stats([])
