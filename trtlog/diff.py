"""Diff two builds of one model: `diff_builds(a, b) -> DiffResult`.

Compares BuildLogs only (never the log text): layer alignment lives in trtlog/diffing/align.py,
the deltas in trtlog/diffing/deltas.py, ranking and CI conditions in trtlog/diffing/summary.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .buildlog import BuildLog
from .diffing import deltas as D
from .diffing.align import Alignment, align, layers_from_table
from .diffing.summary import CONDITIONS, evaluate, parse_fail_on, summarize

__all__ = ["diff_builds", "DiffResult", "CONDITIONS", "parse_fail_on"]


@dataclass
class DiffResult:
    a: BuildLog
    b: BuildLog
    a_info: Dict[str, Any]
    b_info: Dict[str, Any]
    changes: List[D.Change]
    alignment: Alignment
    summary: List[str]
    caveats: List[str]
    perf_a: Dict[Tuple[str, str], float] = field(default_factory=dict)
    perf_b: Dict[Tuple[str, str], float] = field(default_factory=dict)

    def check(self, fail_on: str) -> Tuple[List[str], List[str]]:
        """Evaluate a --fail-on spec ('throughput-drop=5,new-errors'): (conditions met, notes)."""
        return evaluate(self, parse_fail_on(fail_on))

    def _evidence(self, bl: BuildLog, lines: List[int]) -> List[Dict[str, Any]]:
        return [{"line": n, "text": bl.line_text(n)} for n in lines if n]

    def _layer(self, l) -> Dict[str, Any]:
        return {"name": l.name, "type": l.type, "line": l.line, "precision": D.layer_precision(l),
                "reformat": l.is_reformat}

    def to_dict(self) -> Dict[str, Any]:
        al = self.alignment
        return {
            "a": self.a_info,
            "b": self.b_info,
            "summary": list(self.summary),
            "caveats": list(self.caveats),
            "changes": [{"kind": c.kind, "layer": c.layer, "a": c.a, "b": c.b, "score": round(c.score, 1),
                         "message": c.text,
                         "evidence": {"a": self._evidence(self.a, c.lines_a), "b": self._evidence(self.b, c.lines_b)}}
                        for c in self.changes],
            "unmatched": {"a": [self._layer(al.a[i]) for i in al.unmatched_a],
                          "b": [self._layer(al.b[j]) for j in al.unmatched_b]},
            "alignment": [{"a": [al.a[i].name for i in g.a], "b": [al.b[j].name for j in g.b],
                           "how": g.how, "shape": g.shape} for g in al.groups],
        }


def _info(side: D.Side, n_layers: int, n_reformats: int) -> Dict[str, Any]:
    bl = side.bl
    meta = bl.meta
    return {
        "path": bl.path,
        "run": side.run,
        "producer": bl.producer,
        "trt_version": side.trt_version(),
        "gpu": side.gpu()[0],
        "compute_capability": side.compute_capability()[0],
        "command": side.command()[0],
        "precision_requested": meta.get("precision_requested"),
        "build_ok": meta.get("build_ok"),
        "build_seconds": D._float(meta.get("build_seconds")),
        "engine_size_mib": D._float(meta.get("engine_size_mib")),
        "layers": n_layers,
        "reformats": n_reformats,
        "throughput_qps": side.throughput(),
    }


def diff_builds(a: BuildLog, b: BuildLog, run_a: Optional[int] = None,
                run_b: Optional[int] = None) -> DiffResult:
    """Diff build `a` (before) against build `b` (after). `run_a`/`run_b` pick a run inside a
    multi-run log (default: the last run that printed engine layers)."""
    A, B = D.Side(a, run_a), D.Side(b, run_b)
    la = layers_from_table(A.t("layers"), A.t("tensors"))
    lb = layers_from_table(B.t("layers"), B.t("tensors"))
    al = align(la, lb)
    changes: List[D.Change] = []
    changes += D.problem_changes(A, B)
    changes += D.env_changes(A, B)
    changes += D.build_time_changes(A, B)
    changes += D.tactic_search_changes(A, B, al)
    changes += D.layer_changes(A, B, al)
    changes += D.memory_changes(A, B)
    changes += D.calibration_changes(A, B)
    perf, caveats = D.perf_changes(A, B)
    changes += perf
    n_unmatched = [sum(1 for i in idx if not side[i].is_reformat)
                   for idx, side in ((al.unmatched_a, la), (al.unmatched_b, lb))]
    if any(n_unmatched):
        changes.append(D.Change("unmatched", "", n_unmatched[0], n_unmatched[1], [], [], 15,
                                f"Layers without a counterpart: {n_unmatched[0]} only in A, "
                                f"{n_unmatched[1]} only in B."))
    _relate(changes)
    changes.sort(key=lambda c: -c.score)
    info_a = _info(A, len(la), sum(l.is_reformat for l in la))
    info_b = _info(B, len(lb), sum(l.is_reformat for l in lb))
    return DiffResult(a, b, info_a, info_b, changes, al, summarize(changes, caveats), caveats,
                      {k: v[0] for k, v in A.perf().items()}, {k: v[0] for k, v in B.perf().items()})


def _relate(changes: List[D.Change]) -> None:
    """Say when a requested precision change did not change any layer's realised precision."""
    flags = [c for c in changes if c.kind == "precision_flags"]
    if flags and not any(c.kind == "precision_shift" for c in changes) and any(c.kind == "layer_count" or
                                                                               c.kind == "tactic" for c in changes):
        flags[0].text = flags[0].text[:-1] + ", but no matched layer changed its realised precision."
        flags[0].score = 50
    if flags:   # the precision flag on the command line says the same thing again
        for c in changes:
            if c.kind == "builder_flag" and c.layer in ("--fp16", "--int8", "--best", "--bf16", "--fp8", "--int4"):
                c.score = min(c.score, 10)


def render_text(result: DiffResult, max_per_kind: int = 12) -> str:
    ia, ib = result.a_info, result.b_info
    out = []
    for tag, info in (("A", ia), ("B", ib)):
        bits = [info.get("trt_version") and f"TensorRT {info['trt_version']}", info.get("gpu"),
                info.get("precision_requested") and "+".join(info["precision_requested"]),
                f"{info['layers']} layers ({info['reformats']} reformat)",
                info.get("build_seconds") is not None and f"built in {info['build_seconds']:.3g} s",
                info.get("throughput_qps") is not None and f"{info['throughput_qps']:.6g} qps"]
        out.append(f"{tag}: {info['path']}" + (f" [run {info['run']}]" if info.get("run") is not None else ""))
        out.append("   " + " · ".join(str(b) for b in bits if b))
    out += ["", "Summary:"] + [f"  {i}. {s}" for i, s in enumerate(result.summary, 1)] + [""]
    by_kind: Dict[str, List[D.Change]] = {}
    for c in result.changes:
        by_kind.setdefault(c.kind, []).append(c)
    out.append("Changes (evidence: A line / B line):")
    for kind, cs in by_kind.items():
        out.append(f"  [{kind}] {len(cs)}")
        for c in cs[:max_per_kind]:
            ev = f"A:{','.join(map(str, c.lines_a)) or '-'} B:{','.join(map(str, c.lines_b)) or '-'}"
            out.append(f"    - {c.text}  ({ev})")
        if len(cs) > max_per_kind:
            out.append(f"    ... {len(cs) - max_per_kind} more (use --format json for all)")
    al = result.alignment
    for tag, idx, layers in (("A", al.unmatched_a, al.a), ("B", al.unmatched_b, al.b)):
        if idx:
            out.append(f"Only in {tag} ({len(idx)}):")
            out += [f"    line {layers[i].line}: {layers[i].type}: {layers[i].name}" for i in idx[:40]]
            if len(idx) > 40:
                out.append(f"    ... {len(idx) - 40} more")
    hows: Dict[str, int] = {}
    for g in al.groups:
        hows[g.how] = hows.get(g.how, 0) + 1
    out.append("Alignment: " + (", ".join(f"{n} by {h}" for h, n in hows.items()) or "no engine layers on one side"))
    return "\n".join(out) + "\n"
