"""Plotly figure specs of the fleet page (bar and scatter only: the vendored plotly.js basic bundle),
built as plain dicts with the build report's helpers (no plotly Python), so that every name from a
log is entity-escaped the same way."""
from __future__ import annotations

import math
from typing import Any, Dict, Optional

from ..report.charts import _COLORS, _GRID, _LEGEND_BELOW, _axis, _fig, _label, _trace
from .schema import PRECISIONS

EDGES = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, math.inf]
SEV_COLORS = {"error": "#d1495b", "warning": "#f0a202", "info": "#3e7cb1"}
MAX_MODELS = 10
TOP = 25


def fleet_charts(view: Dict[str, Any]) -> Dict[str, dict]:
    figs = {"chart-build-time-hist": build_time_hist(view), "chart-build-time-trend": build_time_trend(view),
            "chart-findings": findings_chart(view), "chart-precision": precision_chart(view)}
    return {k: v for k, v in figs.items() if v is not None}


def build_time_hist(view) -> Optional[dict]:
    secs = [float(s) for s in view["_logs"]["build_seconds"].dropna()]
    if not secs:
        return None
    counts = [sum(1 for s in secs if lo <= s < hi) for lo, hi in zip(EDGES, EDGES[1:])]
    labels = [f"{lo:g}–{hi:g} s" if hi != math.inf else f"≥ {lo:g} s" for lo, hi in zip(EDGES, EDGES[1:])]
    while counts and counts[-1] == 0:
        counts.pop(), labels.pop()
    data = [_trace("bar", x=labels, y=counts, color="#3e7cb1", hovertemplate="%{x}: %{y} builds<extra></extra>")]
    return _fig(data, f"Build time distribution ({len(secs)} builds)", 320,
                xaxis=_axis("build time"), yaxis=_axis("builds"), showlegend=False)


def build_time_trend(view) -> Optional[dict]:
    logs = view["_logs"]
    t = logs[logs["build_seconds"].notna() & (logs["trt_version"] != "")]
    if t.empty:
        return None
    order = [v for _, v in sorted({(k, v) for k, v in zip(t["_key"], t["trt_version"])})]
    top = list(t[t["model"] != ""]["model"].value_counts().sort_index().sort_values(ascending=False,
                                                                                      kind="stable").index[:MAX_MODELS])
    data = []
    for name in top + ["other"]:
        g = t[t["model"] == name] if name != "other" else t[~t["model"].isin(top)]
        if g.empty:
            continue
        data.append(_trace("scatter",
            x=list(g["trt_version"]), y=[float(s) for s in g["build_seconds"]], mode="markers",
            name=_label(name if name != "other" else "other models", 40),
            text=[_label(f"{p} · {r}", 120) for p, r in zip(g["path"], g["precision_requested"])],
            marker=dict(size=9, opacity=0.8), hovertemplate="%{text}<br>%{y:.1f} s<extra>%{fullData.name}</extra>"))
    return _fig(data, "Build time by TensorRT version and model", 380,
                xaxis=_axis("TensorRT version", type="category", categoryorder="array", categoryarray=order),
                yaxis=_axis("s (log scale)", type="log"), **_LEGEND_BELOW)


def findings_chart(view) -> Optional[dict]:
    rows = view["codes"][:TOP][::-1]
    if not rows:
        return None
    data = []
    for sev in ("error", "warning", "info"):
        sel = [r for r in rows if r["severity"] == sev]
        if sel:
            data.append(_trace("bar", x=[r["builds"] for r in sel],
                               y=[f"{r['code']} {_label(r['name'], 40)}" for r in sel],
                               orientation="h", name=sev, color=SEV_COLORS[sev],
                               hovertemplate="%{y}: %{x} builds<extra>%{fullData.name}</extra>"))
    labels = [f"{r['code']} {_label(r['name'], 40)}" for r in rows]
    return _fig(data, "Findings by rule (builds where the rule fires)", 140 + 22 * len(rows),
                xaxis=_axis("builds"), yaxis=dict(categoryorder="array", categoryarray=labels, **_GRID),
                **_LEGEND_BELOW)


def precision_chart(view) -> Optional[dict]:
    rows = view["precision"][:TOP]
    if not rows:
        return None
    labels = [f"{_label(r['model'], 30)} · {_label(r['requested'] or '?', 20)} · {_label(r['trt'], 12)}" for r in rows]
    data = []
    for p in PRECISIONS:
        ys = [round(100 * r["_" + p], 1) for r in rows]
        if any(ys):
            data.append(_trace("bar", x=ys, y=labels, orientation="h", name=p.upper(),
                               color=_COLORS.get(p.upper(), "#9aa5b1"),
                               hovertemplate="%{y}: %{x:.0f}%<extra>%{fullData.name}</extra>"))
    return _fig(data, "Realised precision of engine layers per model, requested precision and version",
                160 + 24 * len(rows),
                barmode="stack", xaxis=_axis("% of engine layers", range=[0, 100]),
                yaxis=dict(categoryorder="array", categoryarray=labels[::-1], **_GRID), **_LEGEND_BELOW)
