"""View models of the HTML report: one small dataclass per section, built from a BuildLog's tables and
facts (trtlog/facts.py).

Templates (reports/templates/partials/<section>.html) only loop and branch over what is built here, and
the charts (charts.py) read the same objects: every text field is display-ready (numbers already
formatted); the numbers a chart plots are typed fields of their own (`time_ms`, `layers_share` ...).
Untrusted log text stays plain str here and is escaped by jinja2 autoescape at render time.
Rows that only a template shows are plain dicts of display text; rows a chart reads are dataclasses.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import pandas as pd

from .. import __version__
from ..buildlog import BuildLog
from ..tensors import by_layer, formats, of
from ..vocab import format_bytes, precision_family, precision_order
from .fmt import as_float as _float
from .fmt import as_int as _int
from .fmt import as_str as _str
from .fmt import display as _display
from .fmt import fmt_ms, fmt_num, fmt_seconds, sort_key

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

@dataclass
class Header:
    title: str
    model: str
    source: str
    trt_version: str
    gpu: str
    compute_capability: str
    producer: str
    flags: List[str]
    state: str
    state_class: str              # ok / fail / none (CSS class of the state badge)
    failure: str
    status: str                   # trtexec PASSED / FAILED
    status_class: str
    build_time: str
    engine_size: str
    command: str
    lines: int
    recognized: int
    recognized_pct: str
    runs: int
    device: List[dict]            # {key, value}
    options: List[dict]           # {section, key, value, line}
    sources: List[str]
    env: List[dict]               # {key, value}


def header_view(bl: BuildLog) -> Header:
    f = bl.facts
    if f.build_ok is True:
        state, state_class = "build ok", "ok"
    elif f.build_ok is False:
        state, state_class = "build failed", "fail"
    elif f.engine_loaded:
        state, state_class = "engine loaded from a file (no build in this log)", "none"
    else:
        state, state_class = "no engine build in this log", "none"
    flags = list(f.precision_requested)
    if f.strongly_typed:
        flags.append("strongly typed")
    device = [{"key": _str(r["key"]), "value": _str(r["value"])}
              for r in _rows(bl.tables["device"].drop_duplicates(subset=["key"]))]
    options = [{"section": _str(r["section"]), "key": _str(r["key"]), "value": _str(r["value"]),
                "line": _int(r["line"])} for r in _rows(bl.tables["options"])]
    env = bl.bundle.env
    size = f.engine_size_mib
    return Header(
        title=f.model.replace("\\", "/").rsplit("/", 1)[-1] if f.model else f.source.rsplit("/", 1)[-1],
        model=f.model, source=f.source,
        trt_version=(f.product if f.rtx else "") or f.trt_version or f.trt_version_label,
        gpu=f.gpu or "not printed", compute_capability=f.compute_capability, producer=f.producer,
        flags=flags, state=state, state_class=state_class, failure=f.failure,
        status=f.status, status_class="ok" if f.status == "PASSED" else "fail",
        build_time=fmt_seconds(f.build_seconds) or "not printed",
        engine_size=f"{fmt_num(size, 2)} MiB" if size is not None else "not printed",
        command=f.command, lines=bl.lines, recognized=bl.recognized,
        recognized_pct=fmt_num(_pct(bl.recognized, bl.lines) or 0, 1), runs=len(bl.tables["runs"]),
        device=device, options=options, sources=list(f.sources),
        env=[{"key": str(k), "value": _display(v)} for k, v in env.raw.items()] if env is not None else [])


# -- findings --------------------------------------------------------------------------------

_FIX_LABELS = (("python", "Python API"), ("trtexec", "trtexec"), ("trt11", "TensorRT 11"))


@dataclass
class Findings:
    items: List[dict]             # {code, severity, category, title, message, fixes, evidence, confidence, rationale}
    counts: List[dict]            # {severity, count}


def _finding_dict(f: Any) -> dict:
    if isinstance(f, dict):
        return f
    if hasattr(f, "to_dict"):
        return f.to_dict()
    raise TypeError(f"finding of type {type(f).__name__} has no to_dict()")


def findings_view(findings: Sequence[Any]) -> Findings:
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
    return Findings(items=items, counts=[{"severity": k, "count": v} for k, v in counts.items()])


# -- layers + precision ----------------------------------------------------------------------

@dataclass
class LayerRow:
    idx: int
    run: Optional[int]
    line: Optional[int]
    name: str
    type: str
    tactic: str
    kernel: str
    in_formats: str
    out_formats: str
    precision: str
    origin: str
    time: str
    time_sort: str
    pct: str
    pct_sort: str
    metadata: str
    time_ms: Optional[float]      # profiled time (the layer-time chart)


@dataclass
class Layers:
    rows: List[LayerRow]
    total: int
    capped: str
    types: List[str]
    precisions: List[str]
    multi_run: bool
    has_time: bool


def _profile_by_layer(bl: BuildLog) -> pd.DataFrame:
    """Per (run, layer) average time and share from the profile table (first row per layer)."""
    prof = bl.tables["profile"]
    if prof.empty:
        return prof
    return prof.drop_duplicates(subset=["run", "layer"], keep="first").set_index(["run", "layer"])


def layers_view(bl: BuildLog) -> Layers:
    layers = bl.tables["layers"]
    prof = _profile_by_layer(bl)
    multi_run = layers["run"].nunique() > 1 if not layers.empty else False
    rows = []
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
        rows.append(LayerRow(
            idx=i + 1, run=_int(r["run"]), line=_int(r["line"]), name=_str(r["name"]),
            type=_str(r["type"]), tactic=_str(r["tactic"]), kernel=_str(r["kernel"]),
            in_formats=formats(ts.inputs) or _str(r["in_dtype"]),
            out_formats=formats(ts.outputs) or _str(r["out_dtype"]),
            precision=_str(r["precision"]), origin=_str(r["origin"]),
            time=fmt_ms(t), time_sort=sort_key(t), pct=fmt_num(pct, 2), pct_sort=sort_key(pct),
            metadata=_str(r["metadata"]), time_ms=t))
    types = sorted({r.type for r in rows if r.type})
    precs = sorted({r.precision for r in rows if r.precision}, key=precision_order)
    return Layers(rows=rows, total=len(layers), capped=_capped(len(layers), len(rows)), types=types,
                  precisions=precs, multi_run=multi_run, has_time=any(r.time for r in rows))


@dataclass
class PrecisionShare:
    precision: str
    layers: int
    layers_pct: str
    time: str
    time_pct: str
    requested: str                # 'yes' when a requested flag is met by this precision
    layers_share: float           # % of layers (the precision chart)
    time_share: Optional[float]   # % of profiled time, None without a profile


@dataclass
class PrecisionSection:
    requested: List[str]
    strongly_typed: bool
    breakdown: List[PrecisionShare]
    has_time: bool
    events: List[dict]            # {kind, count, first_line, example}
    fallbacks: List[dict]         # {line, kind, layer, device, reason}
    fallbacks_capped: str
    unused_requested: List[str]


def precision_view(bl: BuildLog, layers: Layers) -> PrecisionSection:
    rows = layers.rows
    requested = list(bl.facts.precision_requested)
    by_prec: Dict[str, List[float]] = {}
    for r in rows:
        by_prec.setdefault(r.precision or "unknown", []).append(r.time_ms if r.time_ms is not None else 0.0)
    n = len(rows)
    total_t = sum(sum(v) for v in by_prec.values())
    wanted = {precision_family(q) for q in requested}
    breakdown = []
    for p in sorted(by_prec, key=precision_order):
        ts = by_prec[p]
        breakdown.append(PrecisionShare(
            precision=p, layers=len(ts), layers_pct=fmt_num(_pct(len(ts), n), 1),
            time=fmt_ms(sum(ts)) if total_t else "",
            time_pct=fmt_num(_pct(sum(ts), total_t), 1) if total_t else "",
            requested="yes" if precision_family(p) in wanted else "",
            layers_share=_pct(len(ts), n) or 0.0, time_share=_pct(sum(ts), total_t) if total_t else None))
    events = bl.tables["precision"]
    kinds = []
    if not events.empty:
        for kind, grp in events.groupby("kind", sort=False):
            first = _int(grp["line"].iloc[0])
            kinds.append({"kind": _str(kind), "count": len(grp), "first_line": first,
                          "example": (bl.line_text(first) if first else "") or _str(grp["tensor"].iloc[0])})
    fb = bl.tables["fallbacks"]
    fallbacks = [{"line": _int(r["line"]), "kind": _str(r["kind"]), "layer": _str(r["layer"]),
                  "device": _str(r["device"]), "reason": _str(r["reason"])}
                 for r in _rows(fb, MAX_MEMORY_ROWS)]
    realised = {precision_family(b.precision) for b in breakdown if b.precision != "unknown"}
    unused = [q for q in requested if precision_family(q) not in realised]
    return PrecisionSection(requested=requested, strongly_typed=bool(bl.facts.strongly_typed),
                            breakdown=breakdown, has_time=bool(total_t), events=kinds, fallbacks=fallbacks,
                            fallbacks_capped=_capped(len(fb), len(fallbacks)),
                            unused_requested=unused if rows else [])


# -- tactics ---------------------------------------------------------------------------------

@dataclass
class TacticPoint:
    """One timed candidate of a decision (the tactic chart)."""
    runner: str
    tactic: str
    time_ms: Optional[float]      # None: skipped, not timed
    chosen: bool


@dataclass
class TacticGroup:
    """One layer/format decision: the chosen tactic and the range of its candidates."""
    run: Optional[int]
    layer: str
    format: str
    line: Optional[int]
    candidates: int
    timed: int
    skipped: int
    runner: str
    tactic: str
    kernel: str
    chosen_line: Optional[int]
    chosen_time: str
    chosen_sort: str
    best: str
    best_sort: str
    worst: str
    worst_sort: str
    chosen_ms: Optional[float]
    points: List[TacticPoint] = field(default_factory=list)   # only for the slowest decisions


@dataclass
class TacticDetail:
    layer: str
    format: str
    run: Optional[int]
    chosen_time: str
    candidates: int
    alternatives: List[dict]      # {line, runner, tactic, kernel, time, skipped, chosen, fastest}
    more: int


@dataclass
class Tactics:
    groups: List[TacticGroup] = field(default_factory=list)
    details: List[TacticDetail] = field(default_factory=list)
    total_groups: int = 0
    total_rows: int = 0
    capped: str = ""
    multi_run: bool = False


def tactics_view(bl: BuildLog) -> Tactics:
    tac = bl.tables["tactics"]
    if tac.empty:
        return Tactics()
    keys = ["run", "layer", "format"]
    gid, heads = _tactic_groups(tac, keys)
    cols = pd.DataFrame({"gid": gid, "line": tac["line"].to_numpy(np.int64), "time_ms": tac["time_ms"].to_numpy(),
                         "skipped": tac["skipped"].ne("").to_numpy()})
    by = cols.groupby("gid", sort=True)
    agg = by.agg(line=("line", "first"), candidates=("line", "size"), timed=("time_ms", "count"),
                 best=("time_ms", "min"), worst=("time_ms", "max"), skipped=("skipped", "sum"))
    keyed = tac[keys].iloc[heads]
    agg = pd.concat([keyed.reset_index(drop=True), agg.reset_index(drop=True)], axis=1)
    chosen = np.flatnonzero(tac["chosen"].to_numpy(bool))
    ch_gid = gid[chosen]
    first_ch = chosen[np.unique(ch_gid, return_index=True)[1]]     # the first chosen row of each group
    ch = tac[["runner", "tactic", "kernel", "line"]].iloc[first_ch].rename(columns={"line": "chosen_line"})
    ch.index = gid[first_ch]
    # A chosen tactic can be logged more than once (timing line + final choice); take its timed value.
    ch["chosen_time"] = pd.Series(tac["time_ms"].to_numpy()[chosen]).groupby(ch_gid).min()
    agg = agg.join(ch)
    agg = agg.sort_values("chosen_time", ascending=False, na_position="last", kind="stable")
    groups = []
    for r in _rows(agg, MAX_TACTIC_GROUPS):
        ch_time, best, worst = _float(r["chosen_time"]), _float(r["best"]), _float(r["worst"])
        groups.append(TacticGroup(
            run=_int(r["run"]), layer=_str(r["layer"]), format=_str(r["format"]), line=_int(r["line"]),
            candidates=int(r["candidates"]), timed=int(r["timed"]), skipped=int(r["skipped"]),
            runner=_str(r["runner"]), tactic=_str(r["tactic"]), kernel=_str(r["kernel"]),
            chosen_line=_int(r["chosen_line"]), chosen_time=fmt_ms(ch_time), chosen_sort=sort_key(ch_time),
            best=fmt_ms(best), best_sort=sort_key(best), worst=fmt_ms(worst), worst_sort=sort_key(worst),
            chosen_ms=ch_time))
    # Most expensive decisions first: they are where a wrong tactic costs most. Only those get their
    # candidate rows attached (for the detail tables and the chart).
    details = []
    for d, g_id in zip(groups[:MAX_TACTIC_DETAILS], agg.index[:MAX_TACTIC_DETAILS]):
        g = tac.iloc[np.flatnonzero(gid == g_id)].sort_values("time_ms", na_position="last", kind="stable")
        d.points = [TacticPoint(runner=_str(run), tactic=_str(t), time_ms=_float(ms), chosen=bool(ch))
                    for run, t, ms, ch in zip(g["runner"], g["tactic"], g["time_ms"], g["chosen"])]
        alts = [{"line": _int(r["line"]), "runner": _str(r["runner"]), "tactic": _str(r["tactic"]),
                 "kernel": _str(r["kernel"]), "time": fmt_ms(r["time_ms"]), "skipped": _str(r["skipped"]),
                 "chosen": bool(r["chosen"]), "fastest": bool(r["fastest"])} for r in _rows(g, MAX_ALTERNATIVES)]
        details.append(TacticDetail(layer=d.layer, format=d.format, run=d.run, chosen_time=d.chosen_time,
                                    candidates=d.candidates, alternatives=alts, more=max(0, len(g) - len(alts))))
    return Tactics(groups=groups, details=details, total_groups=len(agg), total_rows=len(tac),
                   capped=_capped(len(agg), len(groups)), multi_run=tac["run"].nunique() > 1)


def _tactic_groups(tac: pd.DataFrame, keys: List[str]) -> Tuple[np.ndarray, np.ndarray]:
    """The group of each tactics row by `keys`, numbered in order of first appearance (as groupby's
    sort=False), and the first row of each group. A group's rows mostly follow each other (one layer's
    autotuning), so each key is compared with the row before and only the first row of each stretch is
    hashed: a groupby over a million rows' object keys holds several hundred MB of hash tables and codes."""
    n = len(tac)
    start = np.zeros(n, bool)
    start[:1] = True
    for k in keys:
        col = tac[k].to_numpy(dtype=np.int64, na_value=-1) if k == "run" else tac[k].to_numpy(dtype=object)
        start[1:] |= col[1:] != col[:-1]
    firsts = np.flatnonzero(start)
    seg = tac[keys].iloc[firsts].groupby(keys, sort=False).ngroup().to_numpy()
    return np.repeat(seg, np.diff(np.append(firsts, n))), firsts[np.unique(seg, return_index=True)[1]]


# -- memory ----------------------------------------------------------------------------------

_WORKSPACE_KINDS = ("workspace_insufficient", "tactic_skip_scratch", "tactic_skip_memory", "pool_option")
_TOTAL_KINDS = ("total", "peak", "engine_size", "context_memory", "block_assignment")


@dataclass
class MemoryPoint:
    """One MemUsageChange / snapshot line: display text plus the MiB the timeline chart plots."""
    line: Optional[int]
    kind: str
    name: str
    cpu: str
    gpu: str
    cpu_now: str
    gpu_now: str
    cpu_now_mib: Optional[float]
    gpu_now_mib: Optional[float]


@dataclass
class Memory:
    timeline: List[MemoryPoint]
    totals: List[dict]            # {line, kind, name, value, bytes}
    workspace: List[dict]         # {line, kind, name, requested, available, tactic}
    workspace_total: int
    workspace_capped: str
    peak_gpu: str
    peak_cpu: str
    max_request: str
    timing_cache: List[dict]      # {line, event, entries, hits, bytes, path}
    empty: bool


def memory_view(bl: BuildLog) -> Memory:
    mem = bl.tables["memory"]
    timeline = [MemoryPoint(line=_int(r["line"]), kind=_str(r["kind"]), name=_str(r["name"]),
                            cpu=fmt_num(r["cpu_mib"], 1), gpu=fmt_num(r["gpu_mib"], 1),
                            cpu_now=fmt_num(r["cpu_now_mib"], 1), gpu_now=fmt_num(r["gpu_now_mib"], 1),
                            cpu_now_mib=_float(r["cpu_now_mib"]), gpu_now_mib=_float(r["gpu_now_mib"]))
                for r in _rows(mem[mem["kind"].isin(["change", "snapshot"])])]
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
    peak_gpu = max((t.gpu_now_mib for t in timeline if t.gpu_now_mib is not None), default=None)
    peak_cpu = max((t.cpu_now_mib for t in timeline if t.cpu_now_mib is not None), default=None)
    max_req = _float(ws["bytes"].max()) if len(ws) and ws["bytes"].notna().any() else None
    tc = bl.tables["timing_cache"]
    cache = [{"line": _int(r["line"]), "event": _str(r["event"]), "entries": fmt_num(r["entries"]),
              "hits": fmt_num(r["hits"]), "bytes": format_bytes(r["bytes"], ".2f", ""), "path": _str(r["path"])}
             for r in _rows(tc, MAX_MEMORY_ROWS)]
    return Memory(timeline=timeline, totals=totals, workspace=workspace, workspace_total=len(ws),
                  workspace_capped=_capped(len(ws), len(workspace)), peak_gpu=fmt_num(peak_gpu, 1),
                  peak_cpu=fmt_num(peak_cpu, 1), max_request=format_bytes(max_req, ".2f", ""),
                  timing_cache=cache, empty=not (timeline or totals or workspace or cache))


# -- fusions, phases, perf -------------------------------------------------------------------

@dataclass
class Fusions:
    counts: List[dict]            # {pass_name, action, count}, most frequent first (the fusion chart)
    rows: List[dict]              # {line, run, pass_name, action, target, other}
    total: int
    capped: str


def fusions_view(bl: BuildLog) -> Fusions:
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
    return Fusions(counts=counts, rows=rows, total=len(fu), capped=_capped(len(fu), len(rows)))


@dataclass
class PhaseRow:
    line: Optional[int]
    run: Optional[int]
    phase: str
    seconds: str
    layers: str
    seconds_value: Optional[float]   # the phases chart
    layers_value: Optional[float]    # the layer-count chart


@dataclass
class Phases:
    rows: List[PhaseRow]


def phases_view(bl: BuildLog) -> Phases:
    return Phases(rows=[PhaseRow(line=_int(r["line"]), run=_int(r["run"]), phase=_str(r["phase"]),
                                 seconds=fmt_num(r["seconds"], 4), layers=fmt_num(r["layers"]),
                                 seconds_value=_float(r["seconds"]), layers_value=_float(r["layers"]))
                        for r in _rows(bl.tables["phases"])])


_STATS = ["value", "min", "mean", "median", "max", "p90", "p95", "p99"]


@dataclass
class ProfileRow:
    line: Optional[int]
    run: Optional[int]
    layer: str
    time: str
    avg: str
    median: str
    pct: str
    time_sort: str
    avg_sort: str
    median_sort: str
    pct_sort: str
    time_ms: Optional[float]      # the profile chart
    avg_ms: Optional[float]


@dataclass
class Perf:
    metrics: List[dict]           # {run, metric, unit, line, stats: {stat: text}, cells: [text per stat]}
    stats: List[str]
    profile: List[ProfileRow]
    profile_capped: str
    multi_run: bool


def perf_view(bl: BuildLog) -> Perf:
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
    profile = [ProfileRow(line=_int(r["line"]), run=_int(r["run"]), layer=_str(r["layer"]),
                          time=fmt_ms(r["time_ms"]), avg=fmt_ms(r["avg_ms"]), median=fmt_ms(r["median_ms"]),
                          pct=fmt_num(r["percent"], 2), time_sort=sort_key(r["time_ms"]),
                          avg_sort=sort_key(r["avg_ms"]), median_sort=sort_key(r["median_ms"]),
                          pct_sort=sort_key(r["percent"]), time_ms=_float(r["time_ms"]), avg_ms=_float(r["avg_ms"]))
               for r in _rows(prof, MAX_LAYER_ROWS)]
    return Perf(metrics=metrics, stats=stats, profile=profile, profile_capped=_capped(len(prof), len(profile)),
                multi_run=perf["run"].nunique() > 1)


# -- messages, errors, excerpts --------------------------------------------------------------

_SEV_LABELS = {"F": "internal error", "E": "error", "W": "warning"}


@dataclass
class Messages:
    rows: List[dict]              # {line, severity, msg_id, text}: warnings and errors
    total: int
    capped: str
    counts: List[dict]            # {severity, count, label, css}
    errors: List[dict]            # {line, kind, code, category, node, text}: the errors table


def messages_view(bl: BuildLog) -> Messages:
    msgs = bl.tables["messages"]
    bad = msgs[msgs["severity"].isin(["W", "E", "F"])]
    counts = {s: int((bad["severity"] == s).sum()) for s in ("F", "E", "W")}
    rows = [{"line": _int(r["line"]), "severity": _str(r["severity"]), "msg_id": _str(r["msg_id"]),
             "text": _str(r["text"])} for r in _rows(bad, MAX_MESSAGE_ROWS)]
    err = bl.tables["errors"]
    errors = [{"line": _int(r["line"]), "kind": _str(r["kind"]), "code": fmt_num(r["code"]),
               "category": _str(r["category"]), "node": _str(r["node"]), "text": _str(r["text"])}
              for r in _rows(err, MAX_MESSAGE_ROWS)]
    return Messages(rows=rows, total=len(bad), capped=_capped(len(bad), len(rows)),
                    counts=[{"severity": k, "count": v, "label": _SEV_LABELS[k], "css": "" if k == "W" else "fail"}
                            for k, v in counts.items() if v], errors=errors)


@dataclass
class Excerpts:
    blocks: List[dict]            # {first, lines: [{n, text, severity, mark}]}
    anchors: List[int]            # every line shown (a line number links here only when it is shown)
    truncated: bool


def excerpts_view(bl: BuildLog, findings: Findings, messages: Messages) -> Excerpts:
    """Log lines around every piece of evidence (findings, errors), plus the tail of a failed build."""
    msgs = bl.tables["messages"]
    marked: Dict[int, str] = {}
    for f in findings.items:
        for e in f["evidence"]:
            if e["line"]:
                marked.setdefault(e["line"], f["code"] or "finding")
    for e in messages.errors:
        if e["line"]:
            marked.setdefault(e["line"], e["kind"] or "error")
    for r in messages.rows:
        if r["severity"] in ("E", "F") and r["line"]:
            marked.setdefault(r["line"], "error")
    last = int(msgs["line"].max()) if not msgs.empty else 0
    wanted: Set[int] = set()
    for n in marked:
        wanted.update(range(max(1, n - EXCERPT_CONTEXT), n + EXCERPT_CONTEXT + 1))
    if bl.facts.build_ok is False and last:
        wanted.update(range(max(1, last - 24), last + 1))
    shown = sorted(n for n in wanted if n <= last)
    truncated = len(shown) > MAX_EXCERPT_LINES
    shown = shown[:MAX_EXCERPT_LINES]
    sev = _line_lookup(msgs, "severity", shown)
    blocks: List[dict] = []
    prev = None
    for n in shown:
        if prev is None or n != prev + 1:
            blocks.append({"first": n, "lines": []})
        blocks[-1]["lines"].append({"n": n, "text": bl.line_text(n), "severity": sev.get(n, ""),
                                    "mark": marked.get(n, "")})
        prev = n
    return Excerpts(blocks=blocks, anchors=shown, truncated=truncated)


def _line_lookup(msgs: pd.DataFrame, col: str, lines: List[int]) -> Dict[int, str]:
    """line -> `col` of the given lines (not a dict of every line: a big log has millions)."""
    if msgs.empty or not lines:
        return {}
    hit = msgs.loc[msgs["line"].isin(lines), ["line", col]]
    return dict(zip((int(x) for x in hit["line"]), (_str(x) for x in hit[col])))


# -- validation ------------------------------------------------------------------------------

_OUTPUT_COLS = [("name", "output"), ("shape", "shape"), ("engine_dtype", "engine dtype"),
                ("max_abs_err", "max |err|"), ("mean_abs_err", "mean |err|"), ("rel_l2", "rel L2"),
                ("cosine", "cosine"), ("outside_tol", "outside tol"), ("argmax_agreement", "argmax agree"),
                ("passed", "passed"), ("reasons", "reasons")]


@dataclass
class Validation:
    rows: List[dict]              # {key, value}: every field of validate.json but the output table
    verdict: str
    outputs: List[List[str]]      # one row per output, columns as output_headers
    output_headers: List[str]
    verdict_class: str


def validation_view(validation: Optional[dict]) -> Optional[Validation]:
    """validate.json (schema trtlog.validate/1): verdict, per-output metrics, the rest as key/value."""
    if not validation or not isinstance(validation, dict):
        return None
    outputs = validation.get("outputs")
    outputs = outputs if isinstance(outputs, list) else []
    out_rows = [[_display(o.get(k)) if isinstance(o, dict) else "" for k, _ in _OUTPUT_COLS] for o in outputs]
    rows = []
    for k, v in validation.items():
        if k == "outputs" and out_rows:
            continue
        text = v if isinstance(v, str) else json.dumps(v, indent=1, default=str, sort_keys=True, ensure_ascii=False)
        rows.append({"key": str(k), "value": text})
    verdict = _str(validation.get("status") or validation.get("verdict") or validation.get("result"))
    return Validation(rows=rows, verdict=verdict, outputs=out_rows, output_headers=[h for _, h in _OUTPUT_COLS],
                      verdict_class={"PASS": "ok", "FAIL": "fail"}.get(verdict.upper(), "none"))


# -- whole report ----------------------------------------------------------------------------

@dataclass
class Report:
    header: Header
    findings: Findings
    layers: Layers
    precision: PrecisionSection
    tactics: Tactics
    memory: Memory
    fusions: Fusions
    phases: Phases
    perf: Perf
    messages: Messages
    validation: Optional[Validation]
    excerpts: Excerpts
    anchors: Set[int]
    generated: str
    version: str


def report_view(bl: BuildLog, findings: Sequence[Any], validation: Optional[dict] = None) -> Report:
    fv = findings_view(findings)
    lv = layers_view(bl)
    mv = messages_view(bl)
    excerpts = excerpts_view(bl, fv, mv)
    return Report(
        header=header_view(bl), findings=fv, layers=lv, precision=precision_view(bl, lv),
        tactics=tactics_view(bl), memory=memory_view(bl), fusions=fusions_view(bl), phases=phases_view(bl),
        perf=perf_view(bl), messages=mv,
        validation=validation_view(validation if validation is not None else
                                   (dict(bl.bundle.validation.raw) if bl.bundle.validation is not None else None)),
        excerpts=excerpts, anchors=set(excerpts.anchors),
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"), version=__version__)
