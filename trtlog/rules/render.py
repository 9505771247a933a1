"""Renderers for findings: terminal text grouped by severity, plain (`render_text`: pipes, files, NO_COLOR)
or through rich for a colour terminal (`render_rich`: the same content wrapped to the terminal width, with
severity colours), and the JSON document of `trtlog explain`."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .engine import SEVERITIES, Finding

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

_LABEL = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Info"}
_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}
_WIDTH = 100
EVIDENCE_LINES = 6      # evidence lines shown per finding (--format json has all)


def _build_status(bl, findings: Sequence[Finding] = ()) -> Tuple[str, Optional[bool]]:
    """How the build(s) in the log ended, and whether that is a success (None: no build to judge).
    `findings`: a TRT109 among them means a build started and the log stops before its end."""
    runs = bl.tables.get("runs")
    if runs is not None and (runs["status"] != "").sum() > 1:
        # several trtexec runs in one log: say how each ended, a failure wherever it is
        failed = [int(r) + 1 for r, st in zip(runs["run"], runs["status"]) if st == "FAILED"]
        passed = int((runs["status"] == "PASSED").sum())
        text = f"{len(runs)} runs: {passed} passed"
        return text + (f", FAILED: run {', '.join(map(str, failed))}" if failed else ""), not failed
    f = bl.facts
    ok, secs = f.build_ok, f.build_seconds
    if ok is True:
        return "engine built" + (f" in {float(secs):.1f} s" if secs else ""), True
    if ok is False:
        return "BUILD FAILED", False
    if f.engine_loaded:
        return "engine loaded from a file (no build in log)", None
    if any(x.code == "TRT109" for x in findings):
        return "build did not finish (the log ends mid-build)", False
    return "no engine build in log", None


def _header_parts(bl) -> List[str]:
    parts = []
    if bl.product:
        parts.append(bl.product)
    parts.append(bl.producer)
    if bl.facts.gpu:
        parts.append(bl.facts.gpu)
    return parts


def header(bl, findings: Sequence[Finding] = ()) -> str:
    return " · ".join(_header_parts(bl) + [_build_status(bl, findings)[0]])


def _counts(findings: List[Finding]) -> List[Tuple[str, str, int]]:
    """('3 errors', 'error', 3), ('0 warnings', ...), ('2 info', ...): the parts of the summary line."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    return [(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}", s, counts[s]) for s in SEVERITIES]


def _total(findings: List[Finding]) -> str:
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: "


def _wrap(text: str, indent: int) -> List[str]:
    return textwrap.wrap(text, width=_WIDTH - indent, break_long_words=False, break_on_hyphens=False) or [""]


def _evidence(f: Finding, evidence_lines: int) -> Tuple[list, int]:
    """The evidence rows shown and how many more there are."""
    shown = f.evidence[:evidence_lines]
    return shown, max(f.evidence_total, len(f.evidence)) - len(shown)


def _fixes(f: Finding) -> List[Tuple[str, str]]:
    fix = f.fix
    return [(label, text) for label, text in (("python ", fix.python), ("trtexec", fix.trtexec),
                                              ("TRT 11 ", fix.trt11)) if text]


def render_finding(f: Finding, evidence_lines: int = EVIDENCE_LINES) -> str:
    out = [f"{_LABEL[f.severity]:<7} {f.code} {f.name} [{f.category}] — {f.title}"]
    out += ["    " + ln for ln in _wrap(f.message, 4)]
    shown, more = _evidence(f, evidence_lines)
    if shown:
        out.append("    evidence:")
        width = max(len(str(e.line)) for e in shown)
        for e in shown:
            text = e.text.strip()
            room = _WIDTH - 14 - width if e.line else _WIDTH - 6
            if len(text) > room:
                text = text[:room - 3] + "..."
            out.append(f"      line {e.line:>{width}}: {text}" if e.line else f"      {text}")
        if more > 0:
            out.append(f"      ... {more} more")
    fixes = _fixes(f)
    if fixes:
        out.append("    fix:")
        for label, text in fixes:
            lines = _wrap(text, 17)
            out.append(f"      {label}: {lines[0]}")
            out += ["               " + ln for ln in lines[1:]]
    out.append(f"    confidence: {f.confidence}")
    return "\n".join(out)


def _groups(findings: List[Finding]) -> List[Tuple[str, List[Finding]]]:
    """(severity, its findings) for each severity that has some, worst first."""
    groups = [(sev, [f for f in findings if f.severity == sev]) for sev in SEVERITIES]
    return [(sev, group) for sev, group in groups if group]


def render_text(bl, findings: List[Finding], path: Optional[str] = None) -> str:
    """Human-readable report of the findings, grouped by severity (worst first); plain text, 100 columns."""
    summary = _total(findings) + ", ".join(text for text, _, _ in _counts(findings))
    lines = [str(path or bl.path), header(bl, findings), summary]
    for sev, group in _groups(findings):
        lines.append("")
        lines.append(f"── {_TITLE[sev]} ({len(group)}) " + "─" * 60)
        for f in group:
            lines.append("")
            lines.append(render_finding(f))
    if not findings:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"


def render_rich(bl, findings: List[Finding], console: "Console", path: Optional[str] = None,
                evidence_lines: int = EVIDENCE_LINES) -> None:
    """The content of render_text for a colour terminal: wrapped to the console's width, severity colours."""
    from rich.text import Text

    status, ok = _build_status(bl, findings)
    console.print(Text(str(path or bl.path), style="bold"), overflow="fold")
    console.print(Text.assemble(" · ".join(_header_parts(bl) + [""]),
                                (status, {True: "green", False: "bold red"}.get(ok, ""))))
    summary = Text(_total(findings))
    for i, (text, sev, n) in enumerate(_counts(findings)):
        summary.append(", " if i else "")
        summary.append(text, style=_COLOR[sev] if n else "dim")
    console.print(summary)
    for sev, group in _groups(findings):
        console.print()
        console.rule(Text(f"{_TITLE[sev]} ({len(group)})", style=f"bold {_COLOR[sev]}"), align="left",
                     style=_COLOR[sev])
        for f in group:
            console.print()
            _print_finding(f, console, evidence_lines)
    if not findings:
        console.print()
        console.print("No findings.")


def _print_finding(f: Finding, console: "Console", evidence_lines: int) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    def grid(rows, first_style: str = "", wrap: bool = True) -> Table:
        """Two columns: a label that never wraps and a text beside it that wraps under itself."""
        table = Table.grid(padding=(0, 1), pad_edge=False)
        table.add_column(no_wrap=True, style=first_style, min_width=max(len(str(row[0])) for row in rows))
        table.add_column(overflow="fold", no_wrap=not wrap)
        for row in rows:
            table.add_row(*row)
        return table

    console.print(grid([(Text(f"{_LABEL[f.severity]:<7}", style=f"bold {_COLOR[f.severity]}"),
                         Text.assemble((f.code, "bold"), f" {f.name} ", (f"[{f.category}]", "dim"), " — ",
                                       (f.title, "bold")))]))
    console.print(Padding(Text(f.message), (0, 0, 0, 4), expand=False))
    shown, more = _evidence(f, evidence_lines)
    if shown:
        console.print(Padding(Text("evidence:", style="dim"), (0, 0, 0, 4), expand=False))
        width = max(len(str(e.line)) for e in shown)
        rows = [(f"line {e.line:>{width}}:" if e.line else "", Text(e.text.strip())) for e in shown]
        room = console.width - 6 - max(len(label) for label, _ in rows) - 1
        for _, text in rows:
            text.truncate(max(room, 8), overflow="ellipsis")     # a log line stays one line, cut to fit
        if more > 0:
            rows.append(("", Text(f"... {more} more", style="dim")))
        console.print(Padding(grid(rows, "dim", wrap=False), (0, 0, 0, 6), expand=False))
    fixes = _fixes(f)
    if fixes:
        console.print(Padding(Text("fix:", style="dim"), (0, 0, 0, 4), expand=False))
        console.print(Padding(grid([(f"{label}:", Text(text)) for label, text in fixes], "bold green"),
                              (0, 0, 0, 6), expand=False))
    console.print(Padding(Text(f"confidence: {f.confidence}", style="dim"), (0, 0, 0, 4), expand=False))


def _backend_version(f) -> str:
    """The TensorRT-RTX version as explain JSON has always said it: 'unknown' when not stated ('' for TensorRT)."""
    return f.backend_version or ("unknown" if f.rtx else "")


def explain_json(bl, findings: List[Finding]) -> Dict[str, Any]:
    """The `trtlog explain --format json` document."""
    from ..schemas import EXPLAIN
    return {"schema": EXPLAIN, "file": str(bl.path), "trt_version": bl.trt_version, "producer": bl.producer,
            "backend": bl.backend, "backend_version": _backend_version(bl.facts),
            "build_ok": bl.facts.build_ok,
            "summary": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
            "findings": [f.to_dict() for f in findings]}
