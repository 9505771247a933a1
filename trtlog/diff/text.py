"""The plain-text rendering of a DiffResult (`trtlog diff`, default format)."""
from __future__ import annotations

from typing import Dict, List

from .model import Change, DiffResult

MAX_PER_KIND = 12       # changes listed per kind (--format json has all)
MAX_UNMATCHED = 40      # unmatched layers listed per side


def render_text(result: DiffResult, max_per_kind: int = MAX_PER_KIND) -> str:
    out = []
    for tag, info in (("A", result.a_info), ("B", result.b_info)):
        bits = [info.trt_version and f"TensorRT {info.trt_version}", info.gpu,
                info.precision_requested and "+".join(info.precision_requested),
                f"{info.layers} layers ({info.reformats} reformat)",
                info.build_seconds is not None and f"built in {info.build_seconds:.3g} s",
                info.throughput_qps is not None and f"{info.throughput_qps:.6g} qps"]
        out.append(f"{tag}: {info.path}" + (f" [run {info.run}]" if info.run is not None else ""))
        out.append("   " + " · ".join(str(b) for b in bits if b))
    out += ["", "Summary:"] + [f"  {i}. {s}" for i, s in enumerate(result.summary, 1)] + [""]
    out.append("Changes (evidence: A line / B line):")
    for kind, cs in by_kind(result.changes).items():
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
            out += [f"    line {layers[i].line}: {layers[i].type}: {layers[i].name}" for i in idx[:MAX_UNMATCHED]]
            if len(idx) > MAX_UNMATCHED:
                out.append(f"    ... {len(idx) - MAX_UNMATCHED} more")
    out.append("Alignment: " + (", ".join(f"{n} by {h}" for h, n in alignment_counts(result).items())
                                or "no engine layers on one side"))
    return "\n".join(out) + "\n"


def by_kind(changes: List[Change]) -> Dict[str, List[Change]]:
    """Changes grouped by kind, in the order each kind first appears (ranked)."""
    out: Dict[str, List[Change]] = {}
    for c in changes:
        out.setdefault(c.kind, []).append(c)
    return out


def alignment_counts(result: DiffResult) -> Dict[str, int]:
    hows: Dict[str, int] = {}
    for g in result.alignment.groups:
        hows[g.how] = hows.get(g.how, 0) + 1
    return hows
