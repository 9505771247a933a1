"""The fleet page: view model + charts into reports/templates/fleet.html, with the build report's
environment (autoescape), inline assets and Content-Security-Policy."""
from __future__ import annotations

from pathlib import Path

from ..report.render import _assets, _env, _write
from .charts import fleet_charts
from .views import fleet_view


def render_fleet_html(dataset) -> str:
    view = fleet_view(dataset)
    figs = fleet_charts(view)
    return _env().get_template("fleet.html").render(v=view, charts=figs, chart_ids=list(figs), assets=_assets(),
                                                   page_title=view["title"])


def render_fleet_report(dataset, out_path, force: bool = False) -> Path:
    """Write the fleet page for a dataset written by `trtlog scan`; returns the path written."""
    return _write(render_fleet_html(dataset), out_path, force, [dataset])
