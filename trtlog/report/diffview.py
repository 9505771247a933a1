"""View model of the HTML diff page (`trtlog diff -o page.html`): plain dicts of display text built from
the `DiffResult.to_dict()` document, kept apart from the report's view models (views.py)."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List

from .. import __version__
from .charts import _axis, _fig, _label, _trace
from .fmt import as_int as _int
from .fmt import as_str as _str
from .fmt import display as _display


def _evidence(ev: Any) -> List[dict]:
    """[{"line": N, "text": ...}] (or a bare list / value) -> display rows."""
    items = ev if isinstance(ev, (list, tuple)) else ([] if ev in (None, "") else [ev])
    out = []
    for e in items:
        if isinstance(e, dict):
            out.append({"line": _int(e.get("line")), "text": _str(e.get("text"))})
        else:
            out.append({"line": None, "text": _display(e)})
    return out


def _unmatched(x: Any) -> dict:
    if not isinstance(x, dict):
        return {"name": _display(x), "detail": ""}
    detail = [f"line {x['line']}" if x.get("line") else ""]
    detail += [_display(v) for k, v in x.items() if k not in ("name", "line") and v not in (None, "", False)
               and not isinstance(v, bool)]
    return {"name": _str(x.get("name")) or _display(x), "detail": " · ".join(d for d in detail if d)}


def diff_view(diff: dict) -> dict:
    a, b = diff.get("a") or {}, diff.get("b") or {}
    keys = list(a) + [k for k in b if k not in a]
    sides = [{"key": str(k), "a": _display(a.get(k)), "b": _display(b.get(k)),
              "changed": _display(a.get(k)) != _display(b.get(k))} for k in keys]
    changes = []
    kinds: Dict[str, int] = {}
    for c in diff.get("changes") or []:
        kind = _str(c.get("kind"))
        kinds[kind] = kinds.get(kind, 0) + 1
        ev = c.get("evidence")
        if isinstance(ev, dict):
            ev_a, ev_b = _evidence(ev.get("a")), _evidence(ev.get("b"))
        else:
            ev_a, ev_b = _evidence(ev), []
        changes.append({"kind": kind, "layer": _str(c.get("layer")), "a": _display(c.get("a")),
                        "b": _display(c.get("b")), "message": _str(c.get("message")),
                        "evidence_a": ev_a, "evidence_b": ev_b})
    un = diff.get("unmatched") or {}
    n_unmatched = len(un.get("a") or []) + len(un.get("b") or [])
    return {
        "unmatched_total": n_unmatched,
        "title_a": _display(a.get("path") or a.get("file") or a.get("model") or "A").rsplit("/", 1)[-1],
        "title_b": _display(b.get("path") or b.get("file") or b.get("model") or "B").rsplit("/", 1)[-1],
        "sides": sides, "summary": [_display(s) for s in diff.get("summary") or []],
        "caveats": [_display(s) for s in diff.get("caveats") or []],
        "changes": changes, "kinds": [{"kind": k, "count": n} for k, n in kinds.items()],
        "unmatched_a": [_unmatched(x) for x in un.get("a") or []],
        "unmatched_b": [_unmatched(x) for x in un.get("b") or []],
        "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "version": __version__,
    }


def diff_charts(view: dict) -> Dict[str, dict]:
    if not view["kinds"]:
        return {}
    kinds = view["kinds"]
    data = [_trace("bar", x=[_label(k["kind"]) for k in kinds], y=[k["count"] for k in kinds], color="#3e7cb1",
                   hovertemplate="%{x}: %{y}<extra></extra>")]
    return {"chart-diff-kinds": _fig(data, "Changes by kind", 300, xaxis=_axis(), yaxis=_axis(),
                                     showlegend=False)}
