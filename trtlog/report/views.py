"""View models for the HTML report: plain dicts, lists and strings built from BuildLog tables.

Templates only loop and branch over what is built here; every value is display-ready text (numbers
already formatted) so the templates hold no logic. Untrusted log text stays plain str here and is
escaped by jinja2 autoescape at render time.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Any, Dict, Iterable, List, Optional, Sequence

import pandas as pd

from .. import __version__
from ..buildlog import BuildLog
from ..numbers import to_float, to_int
from ..tensors import by_layer, formats, of
from ..vocab import format_bytes, precision_family, precision_order

# Caps keep a report readable and below its size budget on 500 MB logs; every capped list says
# how many rows it left out.
MAX_LAYER_ROWS = 20000
MAX_TACTIC_GROUPS = 3000
MAX_TACTIC_DETAILS = 30
MAX_ALTERNATIVES = 40
MAX_FUSION_ROWS = 2000
MAX_MESSAGE_ROWS = 2000
MAX_MEMORY_ROWS = 500
MAX_EXCERPT_LINES = 1500
EXCERPT_CONTEXT = 2



# -- small helpers ---------------------------------------------------------------------------

def _na(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _int(v: Any) -> Optional[int]:
    return None if _na(v) else to_int(v)


def _float(v: Any) -> Optional[float]:
    return None if _na(v) else to_float(v)


def _str(v: Any) -> str:
    return "" if _na(v) else str(v)


def fmt_num(v: Any, digits: int = 3) -> str:
    """Compact number for display: '' for missing, no trailing zeros."""
    f = _float(v)
    if f is None:
        return ""
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    s = f"{f:.{digits}f}".rstrip("0").rstrip(".")
    return s if s not in ("", "0", "-0") else f"{f:.2g}"


def fmt_ms(v: Any) -> str:
    """Milliseconds as printed by TensorRT (up to 4 decimals, no padding)."""
    f = _float(v)
    return "" if f is None else fmt_num(f, 4 if abs(f) < 1000 else 1)


def fmt_seconds(v: Any) -> str:
    f = _float(v)
    if f is None:
        return ""
    if f >= 120:
        return f"{f / 60:.1f} min ({f:.0f} s)"
    return f"{f:.3g} s" if f < 10 else f"{f:.1f} s"


def sort_key(v: Any) -> str:
    """Value for a table cell's data-sort attribute: numbers as numbers, missing as ''."""
    f = _float(v) if not isinstance(v, str) else None
    return "" if f is None else repr(f)


def _rows(df: pd.DataFrame, limit: Optional[int] = None) -> Iterable[dict]:
    if limit is not None:
        df = df.head(limit)
    cols = list(df.columns)
    for tup in df.itertuples(index=False, name=None):
        yield dict(zip(cols, tup))


def _capped(total: int, shown: int) -> str:
    return f"showing {shown} of {total} rows" if total > shown else ""


def _pct(part: float, whole: float) -> Optional[float]:
    return None if not whole else 100.0 * part / whole


# -- header ----------------------------------------------------------------------------------

_MODEL_KEYS = ("Model", "ONNX Model", "onnx", "Onnx", "deploy", "Prototxt", "uff", "loadEngine", "Load engine")
_MODEL_FLAGS = re.compile(r"--(onnx|deploy|uff|model|loadEngine)[= ](\S+)")


def _option(bl: BuildLog, *keys: str) -> str:
    opts = bl.tables["options"]
    if opts.empty:
        return ""
    for key in keys:
        hit = opts.loc[opts["key"] == key, "value"]
        for v in hit:
            if _str(v).strip():
                return _str(v).strip()
    return ""


def _model_name(bl: BuildLog) -> str:
    model = _str(bl.meta.get("model")) or _option(bl, *_MODEL_KEYS)
    if model:
        return model
    m = _MODEL_FLAGS.search(_str(bl.meta.get("command")) or _run_value(bl, "command"))
    return m.group(2) if m else ""


def _run_value(bl: BuildLog, col: str) -> str:
    """First non-empty value of a `runs` column (e.g. a version printed only in a run banner)."""
    for v in bl.tables["runs"][col]:
        if _str(v).strip():
            return _str(v).strip()
    return ""


def _device(bl: BuildLog, *keys: str) -> str:
    dev = bl.tables["device"]
    for key in keys:
        hit = dev.loc[dev["key"] == key, "value"]
        if len(hit) and _str(hit.iloc[0]).strip():
            return _str(hit.iloc[0]).strip()
    return ""


def header_view(bl: BuildLog) -> dict:
    meta = bl.meta
    build_ok = meta.get("build_ok")
    if build_ok is True:
        state, state_class = "build ok", "ok"
    elif build_ok is False:
        state, state_class = "build failed", "fail"
    elif meta.get("engine_loaded"):
        state, state_class = "engine loaded from a file (no build in this log)", "none"
    else:
        state, state_class = "no engine build in this log", "none"
    size = meta.get("engine_size_mib")
    status_json = meta.get("status_json") if isinstance(meta.get("status_json"), dict) else {}
    if _float(size) is None and _float(status_json.get("engine_bytes")) is not None:
        size = float(status_json["engine_bytes"]) / (1 << 20)
    flags = list(meta.get("precision_requested") or [])
    if meta.get("strongly_typed"):
        flags.append("strongly typed")
    device = [{"key": _str(r["key"]), "value": _str(r["value"])}
              for r in _rows(bl.tables["device"].drop_duplicates(subset=["key"]))]
    options = [{"section": _str(r["section"]), "key": _str(r["key"]), "value": _str(r["value"]),
                "line": _int(r["line"])} for r in _rows(bl.tables["options"])]
    runs = bl.tables["runs"]
    model = _model_name(bl)
    source = meta.get("bundle") or bl.path
    return {
        "title": model.replace("\\", "/").rsplit("/", 1)[-1] if model else str(source).rsplit("/", 1)[-1],
        "model": model,
        "source": str(source),
        "trt_version": (bl.product if bl.backend == "tensorrt-rtx" else "")
                       or bl.trt_version or _run_value(bl, "trt_version") or bl.trt_version_label,
        "gpu": _str(meta.get("gpu")) or _device(bl, "Selected Device", "GPU", "Device") or "not printed",
        "compute_capability": _str(meta.get("compute_capability")),
        "producer": bl.producer,
        "flags": flags,
        "state": state,
        "state_class": state_class,
        "failure": _str(meta.get("failure")),
        "status": _str(meta.get("status")),
        "status_class": "ok" if _str(meta.get("status")) == "PASSED" else "fail",
        "build_time": fmt_seconds(meta.get("build_seconds")) or "not printed",
        "engine_size": (f"{fmt_num(size, 2)} MiB" if _float(size) is not None else "not printed"),
        "command": _str(meta.get("command")) or _run_value(bl, "command"),
        "lines": bl.lines,
        "recognized": bl.recognized,
        "recognized_pct": fmt_num(_pct(bl.recognized, bl.lines) or 0, 1),
        "runs": len(runs),
        "device": device,
        "options": options,
        "sources": [str(s) for s in meta.get("sources") or []],
        "env": [{"key": str(k), "value": _display(v)} for k, v in (meta.get("env") or {}).items()]
        if isinstance(meta.get("env"), dict) else [],
    }


# -- findings --------------------------------------------------------------------------------

_FIX_LABELS = (("python", "Python API"), ("trtexec", "trtexec"), ("trt11", "TensorRT 11"))


def _finding_dict(f: Any) -> dict:
    if isinstance(f, dict):
        return f
    if hasattr(f, "to_dict"):
        return f.to_dict()
    raise TypeError(f"finding of type {type(f).__name__} has no to_dict()")


def findings_view(findings: Sequence[Any]) -> dict:
    items = []
    counts: Dict[str, int] = {}
    for f in findings or []:
        d = _finding_dict(f)
        sev = _str(d.get("severity")).lower() or "info"
        counts[sev] = counts.get(sev, 0) + 1
        fix = d.get("fix") or {}
        if isinstance(fix, str):
            fixes = [{"label": "fix", "text": fix}]
        else:
            fixes = [{"label": label, "text": _str(fix.get(key))} for key, label in _FIX_LABELS
                     if _str(fix.get(key))]
        evidence = []
        for e in d.get("evidence") or []:
            if isinstance(e, dict):
                evidence.append({"line": _int(e.get("line")), "text": _str(e.get("text"))})
        items.append({
            "code": _str(d.get("code")), "severity": sev, "category": _str(d.get("category")),
            "title": _str(d.get("title")), "message": _str(d.get("message")), "fixes": fixes,
            "evidence": evidence, "confidence": _str(d.get("confidence")),
            "rationale": _str(d.get("rationale")),
        })
    return {"items": items, "counts": [{"severity": k, "count": v} for k, v in counts.items()]}


# -- layers + precision ----------------------------------------------------------------------

def _profile_by_layer(bl: BuildLog) -> pd.DataFrame:
    """Per (run, layer) average time and share from the profile table (first row per layer)."""
    prof = bl.tables["profile"]
    if prof.empty:
        return prof
    return prof.drop_duplicates(subset=["run", "layer"], keep="first").set_index(["run", "layer"])


def layers_view(bl: BuildLog) -> dict:
    layers = bl.tables["layers"]
    prof = _profile_by_layer(bl)
    multi_run = layers["run"].nunique() > 1 if not layers.empty else False
    rows = []
    total_time = 0.0
    index = by_layer(bl.tables.get("tensors"))
    for i, r in enumerate(_rows(layers, MAX_LAYER_ROWS)):
        ts = of(index, r)
        t = pct = None
        if not prof.empty:
            key = (r["run"], r["name"])
            if key in prof.index:
                p = prof.loc[key]
                t = _float(p["avg_ms"]) if _float(p["avg_ms"]) is not None else _float(p["time_ms"])
                pct = _float(p["percent"])
        if t is not None:
            total_time += t
        kernel = _str(r["kernel"])
        rows.append({
            "idx": i + 1, "run": _int(r["run"]), "line": _int(r["line"]), "name": _str(r["name"]),
            "type": _str(r["type"]), "tactic": _str(r["tactic"]), "kernel": kernel,
            "in_formats": formats(ts.inputs) or _str(r["in_dtype"]),
            "out_formats": formats(ts.outputs) or _str(r["out_dtype"]),
            "precision": _str(r["precision"]), "origin": _str(r["origin"]),
            "time": fmt_ms(t), "time_sort": sort_key(t), "pct": fmt_num(pct, 2), "pct_sort": sort_key(pct),
            "metadata": _str(r["metadata"]),
        })
    types = sorted({r["type"] for r in rows if r["type"]})
    precs = sorted({r["precision"] for r in rows if r["precision"]}, key=precision_order)
    return {"rows": rows, "total": len(layers), "capped": _capped(len(layers), len(rows)),
            "types": types, "precisions": precs, "multi_run": multi_run,
            "has_time": any(r["time"] for r in rows)}


def precision_view(bl: BuildLog, layers: dict) -> dict:
    rows = layers["rows"]
    requested = list(bl.meta.get("precision_requested") or [])
    by_prec: Dict[str, List[float]] = {}
    for r in rows:
        p = r["precision"] or "unknown"
        t = float(r["time_sort"]) if r["time_sort"] else 0.0
        by_prec.setdefault(p, []).append(t)
    n = len(rows)
    total_t = sum(sum(v) for v in by_prec.values())
    breakdown = []
    for p in sorted(by_prec, key=precision_order):
        ts = by_prec[p]
        breakdown.append({
            "precision": p, "layers": len(ts), "layers_pct": fmt_num(_pct(len(ts), n), 1),
            "time": fmt_ms(sum(ts)) if total_t else "", "time_pct": fmt_num(_pct(sum(ts), total_t), 1)
            if total_t else "",
            "requested": "yes" if precision_family(p) in {precision_family(q) for q in requested} else "",
            "_layers_pct": _pct(len(ts), n) or 0.0, "_time_pct": _pct(sum(ts), total_t) if total_t else None,
        })
    events = bl.tables["precision"]
    kinds = []
    if not events.empty:
        for kind, grp in events.groupby("kind", sort=False):
            kinds.append({"kind": _str(kind), "count": len(grp), "first_line": _int(grp["line"].iloc[0]),
                          "example": _str(grp["text"].iloc[0]) or _str(grp["tensor"].iloc[0])})
    fb = bl.tables["fallbacks"]
    fallbacks = [{"line": _int(r["line"]), "kind": _str(r["kind"]), "layer": _str(r["layer"]),
                  "device": _str(r["device"]), "reason": _str(r["reason"])}
                 for r in _rows(fb, MAX_MEMORY_ROWS)]
    realised = [b["precision"] for b in breakdown if b["precision"] != "unknown"]
    unused = [q for q in requested if precision_family(q) not in {precision_family(p) for p in realised}]
    return {"requested": requested, "strongly_typed": bool(bl.meta.get("strongly_typed")),
            "breakdown": breakdown, "has_time": bool(total_t), "events": kinds,
            "fallbacks": fallbacks, "fallbacks_capped": _capped(len(fb), len(fallbacks)),
            "unused_requested": unused if rows else []}


# -- tactics ---------------------------------------------------------------------------------

def tactics_view(bl: BuildLog) -> dict:
    tac = bl.tables["tactics"]
    if tac.empty:
        return {"groups": [], "details": [], "total_groups": 0, "total_rows": 0, "capped": "",
                "multi_run": False}
    keys = ["run", "layer", "format"]
    grouped = tac.groupby(keys, sort=False)
    agg = grouped.agg(line=("line", "first"), candidates=("line", "size"), timed=("time_ms", "count"),
                      best=("time_ms", "min"), worst=("time_ms", "max"))
    agg["skipped"] = (tac["skipped"] != "").groupby([tac[k] for k in keys], sort=False).sum()
    chosen_rows = tac[tac["chosen"]]
    first = chosen_rows.drop_duplicates(subset=keys, keep="first").set_index(keys)
    agg = agg.join(first[["runner", "tactic", "kernel", "line"]].rename(columns={"line": "chosen_line"}))
    # A chosen tactic can be logged more than once (timing line + final choice); take its timed value.
    agg["chosen_time"] = chosen_rows.groupby(keys, sort=False)["time_ms"].min()
    agg = agg.reset_index().sort_values("chosen_time", ascending=False, na_position="last", kind="stable")
    groups = []
    for r in _rows(agg, MAX_TACTIC_GROUPS):
        ch_time, best, worst = _float(r["chosen_time"]), _float(r["best"]), _float(r["worst"])
        groups.append({
            "run": _int(r["run"]), "layer": _str(r["layer"]), "format": _str(r["format"]),
            "line": _int(r["line"]), "candidates": int(r["candidates"]), "timed": int(r["timed"]),
            "skipped": int(r["skipped"]), "runner": _str(r["runner"]), "tactic": _str(r["tactic"]),
            "kernel": _str(r["kernel"]), "chosen_line": _int(r["chosen_line"]),
            "chosen_time": fmt_ms(ch_time), "chosen_sort": sort_key(ch_time),
            "best": fmt_ms(best), "best_sort": sort_key(best), "worst": fmt_ms(worst), "worst_sort": sort_key(worst),
            "_chosen_time": ch_time,
        })
    # Most expensive decisions first: they are where a wrong tactic costs most. Only those get their
    # candidate rows attached (for the detail tables and the chart).
    details = []
    for d in groups[:MAX_TACTIC_DETAILS]:
        g = grouped.get_group((d["run"], d["layer"], d["format"])).sort_values("time_ms", na_position="last",
                                                                               kind="stable")
        d["_g"] = g
        alts = []
        for r in _rows(g, MAX_ALTERNATIVES):
            alts.append({"line": _int(r["line"]), "runner": _str(r["runner"]), "tactic": _str(r["tactic"]),
                         "kernel": _str(r["kernel"]), "time": fmt_ms(r["time_ms"]),
                         "skipped": _str(r["skipped"]), "chosen": bool(r["chosen"]),
                         "fastest": bool(r["fastest"])})
        details.append({"layer": d["layer"], "format": d["format"], "run": d["run"],
                        "chosen_time": d["chosen_time"], "candidates": d["candidates"], "alternatives": alts,
                        "more": max(0, len(g) - len(alts))})
    return {"groups": groups, "details": details, "total_groups": len(agg), "total_rows": len(tac),
            "capped": _capped(len(agg), len(groups)), "multi_run": tac["run"].nunique() > 1}


# -- memory ----------------------------------------------------------------------------------

_WORKSPACE_KINDS = ("workspace_insufficient", "tactic_skip_scratch", "tactic_skip_memory", "pool_option")
_TOTAL_KINDS = ("total", "peak", "engine_size", "context_memory", "block_assignment")


def memory_view(bl: BuildLog) -> dict:
    mem = bl.tables["memory"]
    timeline = []
    for r in _rows(mem[mem["kind"].isin(["change", "snapshot"])]):
        timeline.append({"line": _int(r["line"]), "kind": _str(r["kind"]), "name": _str(r["name"]),
                         "cpu": fmt_num(r["cpu_mib"], 1), "gpu": fmt_num(r["gpu_mib"], 1),
                         "cpu_now": fmt_num(r["cpu_now_mib"], 1), "gpu_now": fmt_num(r["gpu_now_mib"], 1),
                         "_cpu_now": _float(r["cpu_now_mib"]), "_gpu_now": _float(r["gpu_now_mib"]),
                         "_cpu": _float(r["cpu_mib"]), "_gpu": _float(r["gpu_mib"])})
    totals = []
    for r in _rows(mem[mem["kind"].isin(_TOTAL_KINDS)], MAX_MEMORY_ROWS):
        value = format_bytes(r["bytes"], ".2f", "")
        if not value:
            parts = [f"CPU {fmt_num(r['cpu_mib'], 1)} MiB" if _float(r["cpu_mib"]) is not None else "",
                     f"GPU {fmt_num(r['gpu_mib'], 1)} MiB" if _float(r["gpu_mib"]) is not None else ""]
            value = ", ".join(p for p in parts if p)
        totals.append({"line": _int(r["line"]), "kind": _str(r["kind"]), "name": _str(r["name"]),
                       "value": value, "bytes": fmt_num(r["bytes"])})
    ws = mem[mem["kind"].isin(_WORKSPACE_KINDS)]
    workspace = [{"line": _int(r["line"]), "kind": _str(r["kind"]), "name": _str(r["name"]),
                  "requested": format_bytes(r["bytes"], ".2f", ""),
                  "available": format_bytes(r["available_bytes"], ".2f", ""),
                  "tactic": _str(r["tactic"])} for r in _rows(ws, MAX_MEMORY_ROWS)]
    peak_gpu = max((t["_gpu_now"] for t in timeline if t["_gpu_now"] is not None), default=None)
    peak_cpu = max((t["_cpu_now"] for t in timeline if t["_cpu_now"] is not None), default=None)
    max_req = _float(ws["bytes"].max()) if len(ws) and ws["bytes"].notna().any() else None
    tc = bl.tables["timing_cache"]
    cache = [{"line": _int(r["line"]), "event": _str(r["event"]), "entries": fmt_num(r["entries"]),
              "hits": fmt_num(r["hits"]), "bytes": format_bytes(r["bytes"], ".2f", ""), "path": _str(r["path"])}
             for r in _rows(tc, MAX_MEMORY_ROWS)]
    return {"timeline": timeline, "totals": totals, "workspace": workspace,
            "workspace_total": len(ws), "workspace_capped": _capped(len(ws), len(workspace)),
            "peak_gpu": fmt_num(peak_gpu, 1), "peak_cpu": fmt_num(peak_cpu, 1),
            "max_request": format_bytes(max_req, ".2f", ""), "timing_cache": cache,
            "empty": not (timeline or totals or workspace or cache)}


# -- fusions, phases, perf -------------------------------------------------------------------

def fusions_view(bl: BuildLog) -> dict:
    fu = bl.tables["fusions"]
    counts = []
    if not fu.empty:
        c = fu.groupby(["pass_name", "action"], sort=False).size().reset_index(name="n")
        c = c.sort_values("n", ascending=False, kind="stable")
        counts = [{"pass_name": _str(r["pass_name"]), "action": _str(r["action"]), "count": int(r["n"])}
                  for r in _rows(c)]
    rows = [{"line": _int(r["line"]), "run": _int(r["run"]), "pass_name": _str(r["pass_name"]),
             "action": _str(r["action"]), "target": _str(r["target"]), "other": _str(r["other"])}
            for r in _rows(fu, MAX_FUSION_ROWS)]
    return {"counts": counts, "rows": rows, "total": len(fu), "capped": _capped(len(fu), len(rows))}


def phases_view(bl: BuildLog) -> dict:
    ph = bl.tables["phases"]
    rows = [{"line": _int(r["line"]), "run": _int(r["run"]), "phase": _str(r["phase"]),
             "seconds": fmt_num(r["seconds"], 4), "layers": fmt_num(r["layers"]),
             "_seconds": _float(r["seconds"]), "_layers": _float(r["layers"])} for r in _rows(ph)]
    return {"rows": rows}


_STATS = ["value", "min", "mean", "median", "max", "p90", "p95", "p99"]


def perf_view(bl: BuildLog) -> dict:
    perf = bl.tables["perf"]
    metrics: List[dict] = []
    index: Dict[tuple, dict] = {}
    for r in _rows(perf):
        key = (_int(r["run"]), _str(r["metric"]))
        if key not in index:
            index[key] = {"run": key[0], "metric": key[1], "unit": _str(r["unit"]), "line": _int(r["line"]),
                          "stats": {}}
            metrics.append(index[key])
        index[key]["stats"].setdefault(_str(r["stat"]), fmt_num(r["value"], 4))
        if not index[key]["unit"]:
            index[key]["unit"] = _str(r["unit"])
    stats = [s for s in _STATS if any(s in m["stats"] for m in metrics)]
    stats += sorted({s for m in metrics for s in m["stats"]} - set(stats))
    for m in metrics:
        m["cells"] = [m["stats"].get(s, "") for s in stats]
    prof = bl.tables["profile"]
    profile = [{"line": _int(r["line"]), "run": _int(r["run"]), "layer": _str(r["layer"]),
                "time": fmt_ms(r["time_ms"]), "time_sort": sort_key(r["time_ms"]),
                "avg": fmt_ms(r["avg_ms"]), "avg_sort": sort_key(r["avg_ms"]),
                "median": fmt_ms(r["median_ms"]), "median_sort": sort_key(r["median_ms"]),
                "pct": fmt_num(r["percent"], 2), "pct_sort": sort_key(r["percent"])}
               for r in _rows(prof, MAX_LAYER_ROWS)]
    return {"metrics": metrics, "stats": stats, "profile": profile,
            "profile_capped": _capped(len(prof), len(profile)), "multi_run": perf["run"].nunique() > 1}


# -- messages, errors, excerpts --------------------------------------------------------------

_SEV_LABELS = {"F": "internal error", "E": "error", "W": "warning"}


def messages_view(bl: BuildLog) -> dict:
    msgs = bl.tables["messages"]
    bad = msgs[msgs["severity"].isin(["W", "E", "F"])]
    counts = {s: int((bad["severity"] == s).sum()) for s in ("F", "E", "W")}
    rows = [{"line": _int(r["line"]), "severity": _str(r["severity"]), "msg_id": _str(r["msg_id"]),
             "text": _str(r["text"])} for r in _rows(bad, MAX_MESSAGE_ROWS)]
    err = bl.tables["errors"]
    errors = [{"line": _int(r["line"]), "kind": _str(r["kind"]), "code": fmt_num(r["code"]),
               "category": _str(r["category"]), "node": _str(r["node"]), "text": _str(r["text"])}
              for r in _rows(err, MAX_MESSAGE_ROWS)]
    return {"rows": rows, "total": len(bad), "capped": _capped(len(bad), len(rows)),
            "counts": [{"severity": k, "count": v, "label": _SEV_LABELS[k], "css": "" if k == "W" else "fail"}
                       for k, v in counts.items() if v], "errors": errors}


def excerpts_view(bl: BuildLog, findings: dict, messages: dict) -> dict:
    """Log lines around every piece of evidence (findings, errors), plus the tail of a failed build."""
    msgs = bl.tables["messages"]
    marked: Dict[int, str] = {}
    for f in findings["items"]:
        for e in f["evidence"]:
            if e["line"]:
                marked.setdefault(e["line"], f["code"] or "finding")
    for e in messages["errors"]:
        if e["line"]:
            marked.setdefault(e["line"], e["kind"] or "error")
    for r in messages["rows"]:
        if r["severity"] in ("E", "F") and r["line"]:
            marked.setdefault(r["line"], "error")
    last = int(msgs["line"].max()) if not msgs.empty else 0
    wanted = set()
    for n in marked:
        wanted.update(range(max(1, n - EXCERPT_CONTEXT), n + EXCERPT_CONTEXT + 1))
    if bl.meta.get("build_ok") is False and last:
        wanted.update(range(max(1, last - 24), last + 1))
    wanted = sorted(n for n in wanted if n <= last)
    truncated = len(wanted) > MAX_EXCERPT_LINES
    wanted = wanted[:MAX_EXCERPT_LINES]
    sev = _line_lookup(msgs, "severity")
    blocks: List[dict] = []
    prev = None
    for n in wanted:
        if prev is None or n != prev + 1:
            blocks.append({"first": n, "lines": []})
        blocks[-1]["lines"].append({"n": n, "text": bl.line_text(n), "severity": sev.get(n, ""),
                                    "mark": marked.get(n, "")})
        prev = n
    anchors = sorted(set(wanted))
    return {"blocks": blocks, "anchors": anchors, "truncated": truncated}


def _line_lookup(msgs: pd.DataFrame, col: str) -> Dict[int, str]:
    if msgs.empty:
        return {}
    return dict(zip((int(x) for x in msgs["line"]), (_str(x) for x in msgs[col])))


# -- validation ------------------------------------------------------------------------------

_OUTPUT_COLS = [("name", "output"), ("shape", "shape"), ("engine_dtype", "engine dtype"),
                ("max_abs_err", "max |err|"), ("mean_abs_err", "mean |err|"), ("rel_l2", "rel L2"),
                ("cosine", "cosine"), ("outside_tol", "outside tol"), ("argmax_agreement", "argmax agree"),
                ("passed", "passed"), ("reasons", "reasons")]


def validation_view(validation: Optional[dict]) -> Optional[dict]:
    """validate.json (schema trtlog.validate/1): verdict, per-output metrics, the rest as key/value."""
    if not validation or not isinstance(validation, dict):
        return None
    outputs = validation.get("outputs") if isinstance(validation.get("outputs"), list) else []
    out_rows = [[_display(o.get(k)) if isinstance(o, dict) else "" for k, _ in _OUTPUT_COLS] for o in outputs]
    rows = []
    for k, v in validation.items():
        if k == "outputs" and out_rows:
            continue
        text = v if isinstance(v, str) else json.dumps(v, indent=1, default=str, sort_keys=True, ensure_ascii=False)
        rows.append({"key": str(k), "value": text})
    verdict = _str(validation.get("status") or validation.get("verdict") or validation.get("result"))
    return {"rows": rows, "verdict": verdict, "outputs": out_rows,
            "output_headers": [h for _, h in _OUTPUT_COLS],
            "verdict_class": {"PASS": "ok", "FAIL": "fail"}.get(verdict.upper(), "none")}


# -- whole report ----------------------------------------------------------------------------

def report_view(bl: BuildLog, findings: Sequence[Any], validation: Optional[dict] = None) -> dict:
    header = header_view(bl)
    fv = findings_view(findings)
    lv = layers_view(bl)
    mv = messages_view(bl)
    view = {
        "header": header, "findings": fv, "layers": lv, "precision": precision_view(bl, lv),
        "tactics": tactics_view(bl), "memory": memory_view(bl), "fusions": fusions_view(bl),
        "phases": phases_view(bl), "perf": perf_view(bl), "messages": mv,
        "validation": validation_view(validation if validation is not None else bl.meta.get("validation")),
        "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "version": __version__,
    }
    view["excerpts"] = excerpts_view(bl, fv, mv)
    anchors = set(view["excerpts"]["anchors"])
    view["anchors"] = anchors
    return view


# -- diff ------------------------------------------------------------------------------------

def _display(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else fmt_num(v, 4)
    if isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in v):
        return "; ".join(_display(x) for x in v)
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, default=str, sort_keys=True, ensure_ascii=False)
    return str(v)


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
