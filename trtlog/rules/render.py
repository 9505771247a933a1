"""Renderers for findings: terminal text (grouped by severity) and the JSON document of `trtlog explain`."""
from __future__ import annotations

import textwrap
from typing import Any, Dict, List, Optional

from .engine import SEVERITIES, Finding

_LABEL = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}
_WIDTH = 100


def _style(text: str, color: bool, **kw) -> str:
    if not color:
        return text
    import click
    return click.style(text, **kw)


def _build_status(bl) -> str:
    runs = bl.tables.get("runs")
    if runs is not None and (runs["status"] != "").sum() > 1:
        # several trtexec runs in one log: say how each ended, a failure wherever it is
        failed = [int(r) + 1 for r, st in zip(runs["run"], runs["status"]) if st == "FAILED"]
        passed = int((runs["status"] == "PASSED").sum())
        text = f"{len(runs)} runs: {passed} passed"
        return text + (f", FAILED: run {', '.join(map(str, failed))}" if failed else "")
    f = bl.facts
    ok, secs = f.build_ok, f.build_seconds
    if ok is True:
        return "engine built" + (f" in {float(secs):.1f} s" if secs else "")
    if ok is False:
        return "BUILD FAILED"
    if f.engine_loaded:
        return "engine loaded from a file (no build in log)"
    return "no engine build in log"


def header(bl) -> str:
    parts = []
    if bl.product:
        parts.append(bl.product)
    parts.append(bl.producer)
    if bl.facts.gpu:
        parts.append(bl.facts.gpu)
    parts.append(_build_status(bl))
    return " · ".join(parts)


def _wrap(text: str, indent: int) -> List[str]:
    return textwrap.wrap(text, width=_WIDTH - indent, break_long_words=False, break_on_hyphens=False) or [""]


def render_finding(f: Finding, color: bool = False, evidence_lines: int = 6) -> str:
    sev = _style(f"{_LABEL[f.severity]:<7}", color, fg=_COLOR[f.severity], bold=True)
    out = [f"{sev} {_style(f.code, color, bold=True)} {f.name} [{f.category}] — {f.title}"]
    out += ["    " + ln for ln in _wrap(f.message, 4)]
    if f.evidence:
        out.append("    evidence:")
        width = max(len(str(e.line)) for e in f.evidence[:evidence_lines])
        for e in f.evidence[:evidence_lines]:
            text = e.text.strip()
            room = _WIDTH - 14 - width if e.line else _WIDTH - 6
            if len(text) > room:
                text = text[:room - 3] + "..."
            out.append(f"      line {e.line:>{width}}: {text}" if e.line else f"      {text}")
        more = max(f.evidence_total, len(f.evidence)) - min(len(f.evidence), evidence_lines)
        if more > 0:
            out.append(f"      ... {more} more")
    fix = f.fix
    if fix.python or fix.trtexec or fix.trt11:
        out.append("    fix:")
        for label, text in (("python ", fix.python), ("trtexec", fix.trtexec), ("TRT 11 ", fix.trt11)):
            if text:
                lines = _wrap(text, 17)
                out.append(f"      {label}: {lines[0]}")
                out += ["               " + ln for ln in lines[1:]]
    out.append(f"    confidence: {f.confidence}")
    return "\n".join(out)


def render_text(bl, findings: List[Finding], color: bool = False, path: Optional[str] = None) -> str:
    """Human-readable report of the findings, grouped by severity (worst first)."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    lines = [_style(str(path or bl.path), color, bold=True), header(bl),
             f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: "
             + ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES)]
    for sev in SEVERITIES:
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        lines.append("")
        title = {"error": "Errors", "warning": "Warnings", "info": "Info"}[sev]
        lines.append(_style(f"── {title} ({len(group)}) " + "─" * 60, color, fg=_COLOR[sev]))
        for f in group:
            lines.append("")
            lines.append(render_finding(f, color))
    if not findings:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"


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
