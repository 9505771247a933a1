"""Diff two builds of one model: `diff_builds(a, b) -> DiffResult`.

Compares BuildLogs only (never the log text). Modules: align (engine layer alignment), side (one build
restricted to the compared run), deltas (the changes, each of a kind of the catalog in kinds.py),
summary (ranking and the --fail-on conditions), model (the typed result), text / html (renderers; JSON
is `DiffResult.to_dict()`).
"""
from __future__ import annotations

from .compare import diff_builds
from .model import BuildInfo, Change, DiffResult, Evidence
from .summary import CONDITIONS, parse_fail_on
from .text import render_text

__all__ = ["diff_builds", "DiffResult", "Change", "BuildInfo", "Evidence", "CONDITIONS", "parse_fail_on",
           "render_text"]
