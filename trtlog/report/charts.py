"""Plotly figures for the report, built from its section view models (views.py) as plain JSON-ready dicts.

The dicts are plotly.js figure specs ({"data": [traces], "layout": {...}}) that the vendored plotly.js
basic bundle draws in the page, so plotly's Python package is not needed. Only trace types in that
bundle (bar, scatter, pie) may be used here.
Plotly renders a small set of HTML-like tags inside chart text (<b>, <a href>, <br> ...), so every
string that came from the log goes through `_label`, which entity-escapes it: plotly then shows
it as literal text.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:        # pragma: no cover
    from . import views

# Readable defaults; no template (plotly.py's default one would add ~8 KB per figure).
_BASE_LAYOUT = dict(
    font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=12, color="#1f2933"),
    paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
    margin=dict(l=10, r=20, t=40, b=40),
    hoverlabel=dict(namelength=-1),
)
_GRID = dict(gridcolor="#e4e7eb", zerolinecolor="#cbd2d9", automargin=True)
_COLORS = {"FP32": "#3e7cb1", "TF32": "#81a4cd", "TF32?": "#81a4cd", "FP16": "#f0a202", "BF16": "#f18805",
           "INT8": "#2a9d8f", "FP8": "#8e44ad", "INT32": "#7b8794", "BOOL": "#9aa5b1", "mixed": "#d1495b"}
_LEGEND_BELOW = dict(legend=dict(orientation="h", y=-0.12, x=0, yanchor="top"))
TOP_N = 25


def _label(text: str, limit: int = 60) -> str:
    s = str(text)
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _axis(title: Optional[str] = None, **kw: Any) -> dict:
    return dict(_GRID, **({"title": {"text": title}} if title is not None else {}), **kw)


def _trace(kind: str, color: Optional[str] = None, **kw: Any) -> dict:
    if color is not None:
        kw["marker"] = dict(kw.get("marker", {}), color=color)
    return dict(type=kind, **kw)


def _plain(obj: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers, NaN/inf become null (as plotly.js expects)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _fig(data: List[dict], title: str, height: int = 360, **layout: Any) -> dict:
    lay: Dict[str, Any] = dict(_BASE_LAYOUT)
    lay.update(title=dict(text=_label(title, 200), x=0, font=dict(size=14)), height=height)
    lay.update(layout)
    return _plain({"data": data, "layout": lay})


def precision_chart(precision: "views.PrecisionSection") -> Optional[dict]:
    rows = precision.breakdown
    if not rows:
        return None
    names = [_label(r.precision) for r in rows]
    data = [_trace("bar", name="% of layers", x=names, y=[round(r.layers_share, 2) for r in rows],
                   color="#3e7cb1", hovertemplate="%{x}: %{y:.1f}% of layers<extra></extra>")]
    if precision.has_time:
        data.append(_trace("bar", name="% of profiled time", x=names,
                           y=[round(r.time_share or 0.0, 2) for r in rows], color="#f0a202",
                           hovertemplate="%{x}: %{y:.1f}% of time<extra></extra>"))
    return _fig(data, "Realised precision", 320, barmode="group",
                yaxis=_axis("%", range=[0, 100]), xaxis=_axis(),
                **_LEGEND_BELOW)


def layer_time_chart(layers: "views.Layers") -> Optional[dict]:
    timed = [(r, r.time_ms) for r in layers.rows if r.time_ms is not None]
    if not timed:
        return None
    timed.sort(key=lambda rt: -rt[1])
    top = [r for r, _ in timed[:TOP_N]][::-1]
    labels = [f"{r.idx}. {_label(r.name, 50)}" for r in top]
    data = []
    for prec in sorted({r.precision for r in top}):
        sel = [i for i, r in enumerate(top) if r.precision == prec]
        data.append(_trace(
            "bar",
            x=[top[i].time_ms for i in sel], y=[labels[i] for i in sel], orientation="h",
            name=_label(prec or "unknown"), color=_COLORS.get(prec, "#9aa5b1"),
            hovertext=[f"{_label(top[i].name, 200)}<br>{_label(top[i].type)}" for i in sel],
            hovertemplate="%{hovertext}<br>%{x:.4f} ms<extra>%{fullData.name}</extra>"))
    return _fig(data, f"Slowest {len(top)} layers (profile, ms per run), coloured by precision",
                140 + 22 * len(top), xaxis=_axis("ms"),
                yaxis=_axis(categoryorder="array", categoryarray=labels), **_LEGEND_BELOW)


def profile_chart(perf: "views.Perf") -> Optional[dict]:
    """Slowest profiled layers when the log has a profile but no engine layer list to attach it to."""
    rows = [r for r in perf.profile if r.avg_ms is not None or r.time_ms is not None]
    if not rows:
        return None
    avg = all(r.avg_ms is not None for r in rows)
    ms = [(r, v) for r, v in ((r, r.avg_ms if avg else r.time_ms) for r in rows) if v is not None]
    top = sorted(ms, key=lambda rv: -rv[1])[:TOP_N][::-1]
    labels = [f"{len(top) - i}. {_label(r.layer, 50)}" for i, (r, _) in enumerate(top)]
    data = [_trace("bar", x=[v for _, v in top], y=labels, orientation="h", color="#3e7cb1",
                   hovertext=[_label(r.layer, 200) for r, _ in top],
                   hovertemplate="%{hovertext}<br>%{x:.4f} ms<extra></extra>")]
    unit = "average ms per run" if avg else "total ms"
    return _fig(data, f"Slowest {len(top)} profiled layers ({unit})", 140 + 22 * len(top),
                xaxis=_axis("ms"), yaxis=_axis(categoryorder="array", categoryarray=labels),
                showlegend=False)


def tactic_chart(tactics: "views.Tactics") -> Optional[dict]:
    groups = [g for g in tactics.groups if g.chosen_ms is not None and g.points][:TOP_N]
    if not groups:
        return None
    groups = groups[::-1]
    alt_x: List[float] = []
    alt_y: List[str] = []
    alt_text: List[str] = []
    ch_x: List[float] = []
    ch_y: List[str] = []
    ch_text: List[str] = []
    for i, g in enumerate(groups):
        label = f"{len(groups) - i}. {_label(g.layer, 45)}"
        for p in g.points:
            if p.time_ms is None:  # skipped tactic, nothing to plot
                continue
            text = f"{_label(p.runner)} {_label(p.tactic)}"
            xs, ys, texts = (ch_x, ch_y, ch_text) if p.chosen else (alt_x, alt_y, alt_text)
            xs.append(p.time_ms)
            ys.append(label)
            texts.append(text)
    data = [
        _trace("scatter", x=alt_x, y=alt_y, mode="markers", name="alternatives", text=alt_text,
                   marker=dict(color="rgba(123,135,148,0.45)", size=6),
                   hovertemplate="%{text}<br>%{x:.4f} ms<extra>alternative</extra>"),
        _trace("scatter", x=ch_x, y=ch_y, mode="markers", name="chosen", text=ch_text,
                   marker=dict(color="#d1495b", size=11, symbol="diamond"),
                   hovertemplate="%{text}<br>%{x:.4f} ms<extra>chosen</extra>"),
    ]
    return _fig(data, f"Tactic timing: chosen vs alternatives ({len(groups)} slowest decisions)",
                140 + 24 * len(groups), xaxis=_axis("ms (log scale)", type="log"),
                yaxis=_axis(), **_LEGEND_BELOW)


def memory_chart(memory: "views.Memory") -> Optional[dict]:
    pts = [t for t in memory.timeline if t.cpu_now_mib is not None or t.gpu_now_mib is not None]
    if not pts:
        return None
    x = [t.line for t in pts]
    hover = [f"line {t.line}: {_label(t.name, 80)}" for t in pts]
    data = [
        _trace("scatter", x=x, y=[t.cpu_now_mib for t in pts], name="CPU (MiB)", mode="lines+markers",
                   line=dict(shape="hv", color="#3e7cb1"), text=hover,
                   hovertemplate="%{text}<br>CPU now %{y} MiB<extra></extra>"),
        _trace("scatter", x=x, y=[t.gpu_now_mib for t in pts], name="GPU (MiB)", mode="lines+markers",
                   line=dict(shape="hv", color="#2a9d8f"), text=hover,
                   hovertemplate="%{text}<br>GPU now %{y} MiB<extra></extra>"),
    ]
    return _fig(data, "MemUsageChange timeline (memory after each change)", 340,
                xaxis=_axis("log line"), yaxis=_axis("MiB"),
                **_LEGEND_BELOW)


def phases_chart(phases: "views.Phases") -> Optional[dict]:
    timed = [r for r in phases.rows if r.seconds_value is not None]
    if not timed:
        return None
    labels = [f"{i + 1}. {_label(r.phase, 50)} (line {r.line})" for i, r in enumerate(timed)][::-1]
    data = [_trace("bar", x=[r.seconds_value for r in timed][::-1], y=labels, orientation="h",
                   color="#3e7cb1", hovertemplate="%{y}<br>%{x:.4f} s<extra></extra>")]
    return _fig(data, "Build phases (seconds, in log order)", 120 + 24 * len(timed),
                xaxis=_axis("s"), yaxis=_axis(), showlegend=False)


def layer_count_chart(phases: "views.Phases") -> Optional[dict]:
    steps = [r for r in phases.rows if r.layers_value is not None]
    if len(steps) < 2:
        return None
    x = [f"{i + 1}. {_label(r.phase, 40)}" for i, r in enumerate(steps)]
    data = [_trace("scatter", x=x, y=[r.layers_value for r in steps], mode="lines+markers", color="#f0a202",
                       hovertemplate="%{x}<br>%{y} layers<extra></extra>")]
    return _fig(data, "Layer count through the optimizer", 360, xaxis=_axis(tickangle=-35),
                yaxis=_axis("layers"), showlegend=False)


def fusion_chart(fusions: "views.Fusions") -> Optional[dict]:
    counts: Dict[str, int] = {}
    for c in fusions.counts:
        counts[c["pass_name"]] = counts.get(c["pass_name"], 0) + c["count"]
    if not counts:
        return None
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:TOP_N][::-1]
    data = [_trace("bar", x=[n for _, n in top], y=[_label(p or "(unnamed)", 50) for p, _ in top], orientation="h",
                   color="#2a9d8f", hovertemplate="%{y}: %{x} events<extra></extra>")]
    return _fig(data, "Optimizer passes by number of events", 120 + 22 * len(top),
                xaxis=_axis("events"), yaxis=_axis(), showlegend=False)


def report_charts(view: "views.Report") -> Dict[str, dict]:
    """Chart id -> figure dict, only for charts that have data."""
    builders = {
        "chart-precision": lambda: precision_chart(view.precision),
        "chart-layer-time": lambda: layer_time_chart(view.layers),
        "chart-profile": lambda: None if view.layers.has_time else profile_chart(view.perf),
        "chart-tactics": lambda: tactic_chart(view.tactics),
        "chart-memory": lambda: memory_chart(view.memory),
        "chart-phases": lambda: phases_chart(view.phases),
        "chart-layer-count": lambda: layer_count_chart(view.phases),
        "chart-fusions": lambda: fusion_chart(view.fusions),
    }
    out = {}
    for cid, build in builders.items():
        fig = build()
        if fig is not None:
            out[cid] = fig
    return out
