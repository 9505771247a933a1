"""The HTML page of a DiffResult: a view model built from the typed result, rendered with the report's
template environment (reports/templates/diff.html, the same inline assets and Content-Security-Policy) and
its chart helpers. The report package's own diff view (built from the JSON dict) is no longer used by
`trtlog diff`."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path
from typing import Any, Dict, List, Sequence

from .. import __version__
from ..report.fmt import display as _display
from .align import Layer
from .model import DiffResult, Evidence
from .side import layer_precision
from .text import by_kind


def _evidence(ev: List[Evidence]) -> List[dict]:
    return [{"line": e.line, "text": "" if e.text is None else e.text} for e in ev]


def _unmatched(layer: Layer) -> dict:
    detail = [f"line {layer.line}" if layer.line else ""]
    detail += [_display(v) for v in (layer.type, layer_precision(layer)) if v not in (None, "")]
    return {"name": layer.name, "detail": " · ".join(d for d in detail if d)}


def diff_view(result: DiffResult) -> Dict[str, Any]:
    a, b = result.a_info, result.b_info
    sides = [{"key": f.name, "a": _display(getattr(a, f.name)), "b": _display(getattr(b, f.name)),
              "changed": _display(getattr(a, f.name)) != _display(getattr(b, f.name))}
             for f in dataclasses.fields(a)]
    changes = []
    for c in result.changes:
        ev_a, ev_b = result.evidence(c)
        changes.append({"kind": c.kind, "layer": c.layer, "a": _display(c.a), "b": _display(c.b),
                        "message": c.text, "evidence_a": _evidence(ev_a), "evidence_b": _evidence(ev_b)})
    un_a, un_b = result.unmatched()
    return {
        "unmatched_total": len(un_a) + len(un_b),
        "title_a": _display(a.path or "A").rsplit("/", 1)[-1],
        "title_b": _display(b.path or "B").rsplit("/", 1)[-1],
        "sides": sides, "summary": list(result.summary), "caveats": list(result.caveats),
        "changes": changes, "kinds": [{"kind": k, "count": len(cs)} for k, cs in by_kind(result.changes).items()],
        "unmatched_a": [_unmatched(l) for l in un_a], "unmatched_b": [_unmatched(l) for l in un_b],
        "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "version": __version__,
    }


def diff_charts(view: Dict[str, Any]) -> Dict[str, dict]:
    """The changes-by-kind bar chart (plotly figure JSON, drawn by the page's script)."""
    from ..report.charts import _axis, _fig, _label, _trace
    kinds = view["kinds"]
    if not kinds:
        return {}
    data = [_trace("bar", x=[_label(k["kind"]) for k in kinds], y=[k["count"] for k in kinds], color="#3e7cb1",
                   hovertemplate="%{x}: %{y}<extra></extra>")]
    return {"chart-diff-kinds": _fig(data, "Changes by kind", 300, xaxis=_axis(), yaxis=_axis(),
                                     showlegend=False)}


def render_html(result: DiffResult) -> str:
    from ..report import render
    view = diff_view(result)
    figs = diff_charts(view)
    return render._env().get_template("diff.html").render(
        v=view, charts=figs, chart_ids=list(figs), assets=render._assets(),
        page_title=f"{view['title_a']} vs {view['title_b']}")


def write_html(result: DiffResult, out_path: Any, *, force: bool = False, inputs: Sequence[Any] = ()) -> Path:
    """Write the diff page (trtlog.output.write: an existing file only with `force`, never over one of
    `inputs`, atomically); returns the path."""
    from ..output import write
    return write(out_path, render_html(result), force=force, inputs=inputs)
