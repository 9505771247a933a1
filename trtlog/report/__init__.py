"""HTML reports: view models (views), plotly figures (charts), jinja2 rendering (render). The diff page is
trtlog.diff.html."""
from __future__ import annotations

from .render import render_report

__all__ = ["render_report"]
