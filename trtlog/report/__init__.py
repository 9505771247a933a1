"""HTML reports: view models (views), plotly figures (charts), jinja2 rendering (render)."""
from __future__ import annotations

from .render import render_diff_report, render_report

__all__ = ["render_report", "render_diff_report"]
