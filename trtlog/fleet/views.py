"""View model of the fleet page: plain dicts of display-ready text built from the dataset with DuckDB.
Untrusted text (paths, model and layer names, log lines) stays plain str; jinja2 escapes it."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pandas as pd

from .. import __version__
from ..report.fmt import fmt_num
from .query import connect
from .schema import PRECISIONS

REDUCED = ("fp16", "bf16", "fp8", "int8")
MAX_EVIDENCE = 3          # evidence lines per finding on the page (the dataset keeps up to 12)
SLOW_RATIO = 1.2          # a build-time regression: 20 % slower ...
SLOW_SECONDS = 1.0        # ... and at least 1 s
SHARE_DROP = 0.05         # reduced-precision share of engine layers down by 5 points or more
ENGINE_RATIO = 1.1
MAX_LAYER_NAMES = 5


def _s(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)


def _pct(v: Any) -> str:
    return "" if _s(v) == "" else f"{100 * float(v):.0f}%"


def _bool(v: Any):
    """True / False / None from a nullable boolean cell (bool, numpy bool, pd.NA, None)."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return bool(v)


def _reduced(row) -> float:
    return sum(float(row[f"share_{p}"]) for p in REDUCED if _s(row[f"share_{p}"]) != "")


def fleet_view(path) -> Dict[str, Any]:
    con = connect(path)
    try:
        logs = con.sql("select * from logs").df()
        findings = con.sql("select log_id, code, name, severity, title, evidence_lines, evidence_text, "
                           "evidence_total from findings order by log_id, severity, code").df()
        layer_changes = _layer_changes(con, logs)
    finally:
        con.close()
    logs["_key"] = logs["trt_version_key"].map(
        lambda k: tuple(int(x) for x in k) if _bool(k is not None and k is not pd.NA) else ())
    logs = logs.sort_values(["_key", "path"]).reset_index(drop=True)
    ok = logs[logs["status"] == "ok"]
    view = {
        "version": __version__, "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "title": f"Fleet: {Path(str(path)).resolve().name}",
        "counts": _counts(logs, findings),
        "builds": _builds(logs, findings),
        "errors": [{"id": r.log_id, "path": r.path, "error": r.error}
                   for r in logs[logs["status"] == "error"].itertuples()],
        "codes": _codes(findings, ok),
        "precision": _precision(ok),
        "slowest": _slowest(ok),
        "regressions": _regressions(ok, findings, layer_changes),
        "_logs": ok, "_findings": findings,
    }
    view["steps"] = view["regressions"].pop("steps")
    view["regressions"] = view["regressions"]["rows"]
    return view


def _counts(logs: pd.DataFrame, findings: pd.DataFrame) -> List[Tuple[str, str]]:
    ok = logs[logs["status"] == "ok"]
    built = ok["build_ok"].map(lambda v: _bool(v) is True)
    failed = ok["build_ok"].map(lambda v: _bool(v) is False)
    versions = sorted(set(ok["trt_version"]) - {""}, key=lambda v: (len(v), v))
    return [("inputs", str(len(logs))), ("parsed", str(len(ok))), ("failed to parse", str(len(logs) - len(ok))),
            ("engines built", str(int(built.sum()))), ("builds failed", str(int(failed.sum()))),
            ("models", str(ok.loc[ok["model"] != "", "model"].nunique())),
            ("TensorRT versions", str(len(versions))), ("findings", str(len(findings)))]


def _builds(logs: pd.DataFrame, findings: pd.DataFrame) -> List[Dict[str, Any]]:
    by_log: Dict[str, List[Dict[str, Any]]] = {}
    for f in findings.itertuples():
        lines = list(f.evidence_lines) if f.evidence_lines is not None else []
        texts = list(f.evidence_text) if f.evidence_text is not None else []
        ev = [{"line": int(n), "text": t} for n, t in zip(lines, texts)][:MAX_EVIDENCE]
        more = max(int(f.evidence_total or 0), len(lines)) - len(ev)
        by_log.setdefault(f.log_id, []).append({"code": f.code, "severity": f.severity, "title": f.title,
                                                "evidence": ev, "more": more})
    out = []
    for r in logs[logs["status"] == "ok"].itertuples():
        shares = ", ".join(f"{p.upper()} {_pct(getattr(r, 'share_' + p))}" for p in PRECISIONS
                           if _s(getattr(r, "share_" + p)) not in ("", "0.0"))
        out.append({"id": r.log_id, "path": r.path, "kind": r.kind, "model": r.model, "trt": r.trt_version,
                    "gpu": r.gpu, "requested": r.precision_requested, "producer": r.producer,
                    "ok": {True: "built", False: "failed"}.get(_bool(r.build_ok), ""),
                    "failure": r.failure, "seconds": fmt_num(r.build_seconds), "seconds_sort": _s(r.build_seconds),
                    "engine": fmt_num(r.engine_size_mib), "shares": shares,
                    "coverage": _pct(r.coverage), "findings": by_log.get(r.log_id, [])})
    return out


def _codes(findings: pd.DataFrame, ok: pd.DataFrame) -> List[Dict[str, Any]]:
    if findings.empty:
        return []
    n = max(len(ok), 1)
    rows = []
    for code, g in findings.groupby("code", sort=True):
        ids = sorted(set(g["log_id"]))
        rows.append({"code": code, "name": g["name"].iloc[0], "severity": g["severity"].iloc[0],
                     "builds": len(ids), "findings": len(g), "rate": f"{100 * len(ids) / n:.0f}%",
                     "rate_sort": len(ids) / n, "examples": ids[:8], "more": max(0, len(ids) - 8)})
    rows.sort(key=lambda r: (-r["builds"], r["code"]))
    return rows


def _precision(ok: pd.DataFrame) -> List[Dict[str, Any]]:
    has = ok[(ok["engine_layers"].fillna(0) > 0) & (ok["model"] != "")]
    rows = []
    for (model, req, key), g in has.groupby(["model", "precision_requested", "_key"], sort=True):
        row = {"model": model, "requested": req, "trt": g["trt_version"].iloc[0], "builds": len(g),
               "ids": list(g["log_id"])[:8], "_key": key}
        for p in PRECISIONS:
            v = g[f"share_{p}"].mean()
            row[p] = _pct(v)
            row["_" + p] = 0.0 if v != v else float(v)
        rows.append(row)
    return rows


def _slowest(ok: pd.DataFrame, n: int = 20) -> List[Dict[str, Any]]:
    t = ok[ok["build_seconds"].notna()].sort_values("build_seconds", ascending=False).head(n)
    return [{"id": r.log_id, "model": r.model, "trt": r.trt_version, "gpu": r.gpu, "requested": r.precision_requested,
             "seconds": fmt_num(r.build_seconds), "seconds_sort": r.build_seconds, "path": r.path}
            for r in t.itertuples()]


def _layer_changes(con, logs: pd.DataFrame) -> Dict[Tuple[str, str], Tuple[int, int, List[str]]]:
    """(from log_id, to log_id) -> (layers whose precision changed, whose kernel changed, the first
    ones as 'name FP32 → FP16'), for every
    pair of builds of the same model and requested precision (only the pairs used are read)."""
    df = con.sql("""
        select a.log_id as a, b.log_id as b,
               count(*) filter (where a.precision <> b.precision) as prec,
               count(*) filter (where a.kernel <> b.kernel) as kern,
               list(a.name || ' ' || a.precision || ' → ' || b.precision order by a.line)
                   filter (where a.precision <> b.precision) as names
        from logs la join logs lb on la.model = lb.model and la.precision_requested = lb.precision_requested
             and la.log_id <> lb.log_id and la.model <> '' and la.engine_layers > 0 and lb.engine_layers > 0
        join layers a on a.log_id = la.log_id
        join layers b on b.log_id = lb.log_id and b.name = a.name
        group by a.log_id, b.log_id""").df()
    return {(r.a, r.b): (int(r.prec), int(r.kern), list(r.names) if int(r.prec) else [])
            for r in df.itertuples()}


def _regressions(ok: pd.DataFrame, findings: pd.DataFrame, changes) -> Dict[str, Any]:
    """Consecutive TensorRT versions of the same model and requested precision (the build with the
    smallest log_id stands for a version, as in docs/fleet.md): what got worse from one to the next."""
    codes = findings[findings["severity"].isin(["error", "warning"])].groupby("log_id")["code"].apply(set).to_dict()
    rows, steps = [], 0
    named = ok[(ok["model"] != "") & (ok["_key"].map(len) > 0)]
    for (model, req), g in named.groupby(["model", "precision_requested"], sort=True):
        reps = g.sort_values("log_id").groupby("_key", sort=True).head(1).sort_values("_key")
        reps = list(reps.itertuples(index=False))
        for a, b in zip(reps, reps[1:]):
            steps += 1
            what = []
            if _bool(a.build_ok) is True and _bool(b.build_ok) is False:
                what.append(f"build failed: {b.failure}")
            sa, sb = a.build_seconds, b.build_seconds
            if _s(sa) and _s(sb) and sb > sa * SLOW_RATIO and sb - sa >= SLOW_SECONDS:
                what.append(f"build time {fmt_num(sa)} s → {fmt_num(sb)} s (+{100 * (sb / sa - 1):.0f}%)")
            if a.engine_layers and b.engine_layers:
                ra, rb = _reduced(a._asdict()), _reduced(b._asdict())
                if ra - rb >= SHARE_DROP:
                    what.append(f"FP16/BF16/FP8/INT8 share of engine layers {100 * ra:.0f}% → {100 * rb:.0f}%")
            ea, eb = a.engine_size_mib, b.engine_size_mib
            if _s(ea) and _s(eb) and ea > 0 and eb > ea * ENGINE_RATIO:
                what.append(f"engine {fmt_num(ea)} MiB → {fmt_num(eb)} MiB")
            new = sorted(codes.get(b.log_id, set()) - codes.get(a.log_id, set()))
            if new:
                what.append("new findings: " + ", ".join(new))
            prec, kern, names = changes.get((a.log_id, b.log_id), (0, 0, []))
            if prec:
                shown = names[:MAX_LAYER_NAMES]
                more = f" (+{prec - len(shown)} more)" if prec > len(shown) else ""
                what.append(f"{prec} layer(s) changed precision: " + "; ".join(shown) + more)
            if what:
                rows.append({"model": model, "requested": req, "from": a.trt_version, "to": b.trt_version,
                             "from_id": a.log_id, "to_id": b.log_id, "what": what, "kernels": kern})
    return {"rows": rows, "steps": steps}
