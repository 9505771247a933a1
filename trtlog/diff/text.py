"""Text renderings of a DiffResult (`trtlog diff`, default format): plain lines for pipes and files
(`render_text`), and for a colour terminal the same content through rich (`render_rich`): the two builds
side by side in a table, the changes wrapped to the terminal width under their bullet, scores as colour."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .model import BuildInfo, Change, DiffResult

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

MAX_PER_KIND = 12       # changes listed per kind (--format json has all)
MAX_UNMATCHED = 40      # unmatched layers listed per side
# score -> colour of a change's bullet on a terminal (the first threshold met)
SCORE_STYLES = ((50, "bold red"), (20, "yellow"), (0, "dim"))


def facts(info: BuildInfo) -> List[Tuple[str, Optional[str], Optional[str]]]:
    """(label, value for the side-by-side table, phrase for the one-line plain header) of one build."""
    prec = "+".join(info.precision_requested) if info.precision_requested else None
    built = f"{info.build_seconds:.3g} s" if info.build_seconds is not None else None
    qps = f"{info.throughput_qps:.6g} qps" if info.throughput_qps is not None else None
    return [("TensorRT", info.trt_version or None, info.trt_version and f"TensorRT {info.trt_version}"),
            ("GPU", info.gpu or None, info.gpu or None),
            ("precision", prec, prec),
            ("engine layers", f"{info.layers} ({info.reformats} reformat)",
             f"{info.layers} layers ({info.reformats} reformat)"),
            ("build time", built, built and f"built in {built}"),
            ("throughput", qps, qps)]


def _title(info: BuildInfo) -> str:
    return f"{info.path}" + (f" [run {info.run}]" if info.run is not None else "")


def _evidence(c: Change) -> str:
    return f"A:{','.join(map(str, c.lines_a)) or '-'} B:{','.join(map(str, c.lines_b)) or '-'}"


def render_text(result: DiffResult, max_per_kind: int = MAX_PER_KIND) -> str:
    out = []
    for tag, info in (("A", result.a_info), ("B", result.b_info)):
        out.append(f"{tag}: {_title(info)}")
        out.append("   " + " · ".join(phrase for _, _, phrase in facts(info) if phrase))
    out += ["", "Summary:"] + [f"  {i}. {s}" for i, s in enumerate(result.summary, 1)] + [""]
    out.append("Changes (evidence: A line / B line):")
    for kind, cs in by_kind(result.changes).items():
        out.append(f"  [{kind}] {len(cs)}")
        for c in cs[:max_per_kind]:
            out.append(f"    - {c.text}  ({_evidence(c)})")
        if len(cs) > max_per_kind:
            out.append(f"    ... {len(cs) - max_per_kind} more (use --format json for all)")
    for tag, layers in zip("AB", result.unmatched()):
        if layers:
            out.append(f"Only in {tag} ({len(layers)}):")
            out += [f"    line {l.line}: {l.type}: {l.name}" for l in layers[:MAX_UNMATCHED]]
            if len(layers) > MAX_UNMATCHED:
                out.append(f"    ... {len(layers) - MAX_UNMATCHED} more")
    out.append(_alignment_line(result))
    return "\n".join(out) + "\n"


def render_rich(result: DiffResult, console: "Console", max_per_kind: int = MAX_PER_KIND) -> None:
    """The same content as render_text, for a terminal: wrapped to the console's width, styled."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    for tag, info in (("A", result.a_info), ("B", result.b_info)):
        console.print(Text.assemble((f"{tag}: ", "bold"), _title(info)), overflow="fold")
    sides = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    sides.add_column("")
    sides.add_column(Text("A (before)", style="bold"), overflow="fold")
    sides.add_column(Text("B (after)", style="bold"), overflow="fold")
    for (label, va, _), (_, vb, _) in zip(facts(result.a_info), facts(result.b_info)):
        if va or vb:
            style = "bold yellow" if va != vb else ""
            sides.add_row(label, Text(va or "-", style=style), Text(vb or "-", style=style))
    console.print(sides)

    console.print(Text("\nSummary:", style="bold"))
    console.print(_bulleted([(f"{i}.", "bold", Text(s)) for i, s in enumerate(result.summary, 1)], indent=2))

    console.print(Text.assemble(("\nChanges", "bold"), (" (evidence: A line / B line):", "dim")))
    for kind, cs in by_kind(result.changes).items():
        console.print(Text.assemble((f"  [{kind}] ", "bold cyan"), str(len(cs))))
        rows = [("-", _score_style(c.score), Text.assemble(c.text, (f"  ({_evidence(c)})", "dim")))
                for c in cs[:max_per_kind]]
        if len(cs) > max_per_kind:
            rows.append(("", "", Text(f"... {len(cs) - max_per_kind} more (use --format json for all)", style="dim")))
        console.print(_bulleted(rows, indent=4))
    for tag, layers in zip("AB", result.unmatched()):
        if layers:
            console.print(Text(f"Only in {tag} ({len(layers)}):", style="bold"))
            rows = [("", "", Text(f"line {l.line}: {l.type}: {l.name}")) for l in layers[:MAX_UNMATCHED]]
            if len(layers) > MAX_UNMATCHED:
                rows.append(("", "", Text(f"... {len(layers) - MAX_UNMATCHED} more", style="dim")))
            console.print(_bulleted(rows, indent=4))
    console.print(Text(_alignment_line(result), style="dim"))


def _bulleted(rows: List[Tuple[str, str, Any]], indent: int) -> Any:
    """A grid whose second column wraps under itself (hanging indent after the bullet)."""
    from rich.table import Table
    from rich.text import Text
    grid = Table.grid(padding=(0, 1), pad_edge=False)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for bullet, style, text in rows:
        grid.add_row(Text(" " * indent + bullet, style=style), text)
    return grid


def _score_style(score: float) -> str:
    return next(style for limit, style in SCORE_STYLES if score >= limit)


def _alignment_line(result: DiffResult) -> str:
    return "Alignment: " + (", ".join(f"{n} by {h}" for h, n in alignment_counts(result).items())
                            or "no engine layers on one side")


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
