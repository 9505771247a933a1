"""Ranked summary in words, and the `--fail-on` conditions for CI."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ..errors import TrtlogError
from ..vocab import precision_rank
from .kinds import KINDS, SUMMARY_DETAIL_MIN_SCORE, SUMMARY_LIMIT, SUMMARY_MIN_SCORE, ids
from .model import Change

MEMORY, ERROR_NEW, WARNING_NEW, BUILD_STATUS, PRECISION, PERF_SUMMARY = ids(
    "memory", "error_new", "warning_new", "build_status", "precision", "perf_summary")


def summarize(changes: List[Change], caveats: List[str], limit: int = SUMMARY_LIMIT) -> List[str]:
    """The ranked headline changes in words (one per kind and text, or per kind and layer)."""
    ranked = sorted((c for c in changes if not KINDS[c.kind].detail or c.score >= SUMMARY_DETAIL_MIN_SCORE),
                    key=lambda c: -c.score)
    out, seen = [], set()
    for c in ranked:
        if c.score < SUMMARY_MIN_SCORE or len(out) >= limit:
            break
        key = (c.kind, c.layer) if KINDS[c.kind].summary_by_layer else (c.kind, c.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(c.text)
    if any(c.kind == PERF_SUMMARY for c in changes):
        out += [f"Caveat: {c}" for c in caveats]
    if not out:
        out.append("No significant difference found between the two builds.")
    return out


# name -> (takes a number?, help)
CONDITIONS: Dict[str, Tuple[bool, str]] = {
    "throughput-drop": (True, "throughput in B lower than in A by more than X %"),
    "latency-increase": (True, "mean latency (or GPU compute time) in B higher by more than X %"),
    "build-time-increase": (True, "build time in B longer by more than X %"),
    "memory-increase": (True, "any engine memory total (activation, persistent, scratch, weights) grows by more "
                              f"than X % (X >= {KINDS[MEMORY].thresholds['min_pct']:g}: smaller moves are not "
                              "reported)"),
    "layer-count-increase": (False, "B has more engine layers than A"),
    "new-errors": (False, "an error appears in B that A does not have (or B fails to build)"),
    "new-warnings": (False, "a warning appears in B that A does not have"),
    "precision-regression": (False, "a matched compute layer runs in a wider precision in B "
                                    "(INT8 -> FP16/FP32, FP16 -> FP32)"),
    "precision-change": (False, "any matched compute layer changes realised precision"),
}


def parse_fail_on(spec: str) -> List[Tuple[str, Optional[float]]]:
    out = []
    for item in [s.strip() for s in (spec or "").split(",") if s.strip()]:
        name, _, val = item.partition("=")
        name = name.strip()
        if name not in CONDITIONS:
            raise TrtlogError(f"unknown --fail-on condition {name!r}; known: {', '.join(CONDITIONS)}")
        needs_number = CONDITIONS[name][0]
        if needs_number:
            try:
                num = float(val)
            except ValueError:
                raise TrtlogError(f"--fail-on {name} needs a number, e.g. {name}=5") from None
            out.append((name, num))
        else:
            if val:
                raise TrtlogError(f"--fail-on {name} takes no value")
            out.append((name, None))
    return out


def evaluate(result, conditions: List[Tuple[str, Optional[float]]]) -> Tuple[List[str], List[str]]:
    """-> (met: one line per condition met, notes: conditions that could not be evaluated)."""
    met, notes = [], []
    ch = result.changes
    pa, pb = result.perf_a, result.perf_b
    for name, x in conditions:
        if name == "throughput-drop":
            a, b = pa.get(("Throughput", "value")), pb.get(("Throughput", "value"))
            if a is None or b is None:
                notes.append("throughput-drop not evaluated: no throughput on " + ("A" if a is None else "B"))
            elif a > 0 and (a - b) / a * 100 > x:
                met.append(f"throughput-drop: {a:.4g} -> {b:.4g} qps ({(b - a) / a * 100:+.1f} % < -{x:g} %)")
        elif name == "latency-increase":
            for key in (("Latency", "mean"), ("GPU Compute Time", "mean")):
                a, b = pa.get(key), pb.get(key)
                if a is not None and b is not None:
                    if a > 0 and (b - a) / a * 100 > x:
                        met.append(f"latency-increase: {key[0]} mean {a:.4g} -> {b:.4g} ms "
                                   f"({(b - a) / a * 100:+.1f} % > {x:g} %)")
                    break
            else:
                notes.append("latency-increase not evaluated: no latency figures on both sides")
        elif name == "build-time-increase":
            a, b = result.a_info.build_seconds, result.b_info.build_seconds
            if a is None or b is None:
                notes.append("build-time-increase not evaluated: build time missing")
            elif a > 0 and (b - a) / a * 100 > x:
                met.append(f"build-time-increase: {a:.4g} -> {b:.4g} s ({(b - a) / a * 100:+.0f} % > {x:g} %)")
        elif name == "memory-increase":
            for c in ch:
                if c.kind == MEMORY and c.a and (c.b - c.a) / c.a * 100 > x:
                    met.append(f"memory-increase: {c.layer} {c.a:.0f} -> {c.b:.0f} bytes")
        elif name == "layer-count-increase":
            na, nb = result.a_info.layers, result.b_info.layers
            if nb > na:
                met.append(f"layer-count-increase: {na} -> {nb} engine layers")
        elif name == "new-errors":
            new = [c for c in ch if c.kind == ERROR_NEW or (c.kind == BUILD_STATUS and c.b == "failed")]
            if new:
                met.append(f"new-errors: {len(new)} (first: {new[0].text[:120]})")
        elif name == "new-warnings":
            new = [c for c in ch if c.kind == WARNING_NEW]
            if new:
                met.append(f"new-warnings: {len(new)} (first: {new[0].text[:120]})")
        elif name in ("precision-regression", "precision-change"):
            hits = [c for c in ch if c.kind == PRECISION and (name == "precision-change" or _wider(c.a, c.b))]
            if hits:
                met.append(f"{name}: {len(hits)} layers (first: {hits[0].text[:120]})")
    return met, notes


def _wider(a: str, b: str) -> bool:
    ra = [r for r in map(precision_rank, str(a).split("/")) if r is not None]
    rb = [r for r in map(precision_rank, str(b).split("/")) if r is not None]
    return bool(ra and rb) and max(rb) > max(ra)
