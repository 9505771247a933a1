"""Accuracy and timing statistics, pure numpy (no TensorRT, no ONNX Runtime).

Accuracy compares an engine output with a reference output (ONNX Runtime). Both are taken to float64
before any arithmetic, so FP16/INT32 outputs are compared on the same footing. Non-finite values are
counted separately and excluded from the error statistics (a NaN would otherwise hide every number).

Timing statistics follow trtexec's performance summary: min, max, mean, median (mean of the two middle
values for an even count) and percentiles taken the way trtexec takes them (nearest rank from the top:
the value below which the slowest (100-p)% of the samples lie).
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

PERCENTILES = (90, 95, 99)


# -- accuracy -------------------------------------------------------------------------------------

def _as_f64(a) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == np.bool_:
        a = a.astype(np.int8)
    return a.astype(np.float64, copy=False)


def nonfinite_counts(a) -> Dict[str, int]:
    x = _as_f64(a)
    return {"nan": int(np.isnan(x).sum()), "inf": int(np.isinf(x).sum())}


def is_classifier_shaped(shape: Sequence[int]) -> bool:
    """(C,), (N, C) or (N, C, 1, 1)-like outputs with C >= 2: one score vector per sample."""
    dims = [int(d) for d in shape]
    if not dims:
        return False
    if len(dims) == 1:
        return dims[0] >= 2
    rest = [d for d in dims[1:] if d != 1]
    return len(rest) == 1 and rest[0] >= 2


def argmax_agreement(actual, expected) -> Optional[float]:
    """Share of samples whose top class agrees; None when the output is not classifier-shaped."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape or not is_classifier_shaped(a.shape):
        return None
    if a.ndim == 1:
        a, e = a[None, :], e[None, :]
    else:
        a, e = a.reshape(a.shape[0], -1), e.reshape(e.shape[0], -1)
    if a.shape[0] == 0:
        return None
    return float(np.mean(np.argmax(a, axis=1) == np.argmax(e, axis=1)))


def compare(actual, expected, atol: float, rtol: float) -> Dict[str, object]:
    """Error statistics of `actual` (engine) against `expected` (reference), element-wise.

    outside_tol counts elements where |a - e| > atol + rtol * |e| (numpy.isclose's rule), plus
    elements where exactly one side is non-finite or the two non-finite values differ.
    """
    a, e = _as_f64(actual), _as_f64(expected)
    if a.shape != e.shape:
        raise ValueError(f"shape mismatch: engine {a.shape} vs reference {e.shape}")
    count = int(a.size)
    both_finite = np.isfinite(a) & np.isfinite(e)
    # identical non-finite values (inf == inf, or NaN on both sides) are agreement, not error
    same_nonfinite = ~both_finite & ((a == e) | (np.isnan(a) & np.isnan(e)))
    af, ef = a[both_finite], e[both_finite]
    diff = np.abs(af - ef)
    outside = int((diff > atol + rtol * np.abs(ef)).sum()) + int((~both_finite & ~same_nonfinite).sum())
    res: Dict[str, object] = {
        "count": count,
        "compared": int(af.size),
        "max_abs_err": float(diff.max()) if diff.size else 0.0,
        "mean_abs_err": float(diff.mean()) if diff.size else 0.0,
        "max_abs_ref": float(np.abs(ef).max()) if ef.size else 0.0,
        "rel_l2": relative_l2(af, ef),
        "cosine": cosine_similarity(af, ef),
        "outside_count": outside,
        "outside_tol": outside / count if count else 0.0,
        "engine_nonfinite": nonfinite_counts(a),
        "reference_nonfinite": nonfinite_counts(e),
        "argmax_agreement": argmax_agreement(actual, expected),
    }
    return res


def relative_l2(actual, expected) -> float:
    """||a - e|| / ||e||; the plain ||a - e|| when the reference is all zeros."""
    a, e = _as_f64(actual).ravel(), _as_f64(expected).ravel()
    num = float(np.linalg.norm(a - e))
    den = float(np.linalg.norm(e))
    return num / den if den > 0 else num


def cosine_similarity(actual, expected) -> float:
    """a.e / (|a||e|); 1.0 when both are all zeros, 0.0 when exactly one is."""
    a, e = _as_f64(actual).ravel(), _as_f64(expected).ravel()
    na, ne = float(np.linalg.norm(a)), float(np.linalg.norm(e))
    if na == 0 and ne == 0:
        return 1.0
    if na == 0 or ne == 0:
        return 0.0
    return float(np.dot(a, e) / (na * ne))


def verdict(stats: Dict[str, object], max_outside: float, min_argmax: Optional[float] = None,
            min_cosine: Optional[float] = None) -> List[str]:
    """Reasons this output fails (empty list: it passes)."""
    reasons = []
    eng, ref = stats["engine_nonfinite"], stats["reference_nonfinite"]
    for kind in ("nan", "inf"):
        if eng[kind] > ref[kind]:
            reasons.append(f"{eng[kind]} {kind.upper()} in the engine output vs {ref[kind]} in the reference")
    if stats["outside_tol"] > max_outside:
        reasons.append(f"{stats['outside_count']} of {stats['count']} elements "
                       f"({100.0 * stats['outside_tol']:.3g}%) outside tolerance")
    if min_cosine is not None and stats["cosine"] < min_cosine:
        reasons.append(f"cosine similarity {stats['cosine']:.6f} below {min_cosine:g}")
    agree = stats.get("argmax_agreement")
    if min_argmax is not None and agree is not None and agree < min_argmax:
        reasons.append(f"argmax agreement {agree:.3f} below {min_argmax:g}")
    return reasons


# -- timing ---------------------------------------------------------------------------------------

def trtexec_percentile(sorted_values: Sequence[float], p: float) -> float:
    """trtexec's percentile: drop the slowest int((1 - p/100) * n) samples, take the largest left
    (sampleReporting.cpp findPercentile)."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    # trtexec computes this in single precision: (1 - 90.f/100) * 10 is 1.0000002 there, not 0.9999999
    f32 = np.float32
    exclude = int((f32(1) - f32(p) / f32(100)) * f32(n))
    return float(sorted_values[max(n - 1 - exclude, 0)])


def timing_stats(values: Iterable[float]) -> Dict[str, float]:
    """min/max/mean/median/p90/p95/p99 of a list of times, named as in bench.json."""
    v = np.sort(np.asarray(list(values), dtype=np.float64))
    if v.size == 0:
        raise ValueError("no timing samples")
    out = {
        "min": float(v[0]),
        "max": float(v[-1]),
        "mean": float(v.mean()),
        "median": float(np.median(v)),
    }
    for p in PERCENTILES:
        out[f"p{p}"] = trtexec_percentile(v, p)
    return out
