"""Deltas between two builds, each a Change of a catalogued kind (kinds.py) with evidence (log line
numbers on each side). Reads the tables of each `Side` only; thresholds and scores come from the catalog.
"""
from __future__ import annotations

import math
import re
import shlex
from typing import Any, Dict, List, Optional, Tuple

from ..vocab import COMPUTE_PRECISIONS, find_version, tactic_int
from .align import Alignment, Layer
from .kinds import KINDS, caveat, ids
from .model import Change
from .side import Side, _float, _int, layer_precision, pct

# trtexec flags whose value is a path or a file name: a different value is not a different build
_PATH_FLAGS = {"--onnx", "--saveEngine", "--loadEngine", "--timingCacheFile", "--exportTimes",
               "--exportProfile", "--exportLayerInfo", "--exportOutput", "--deploy", "--model",
               "--plugins", "--staticPlugins", "--dynamicPlugins", "--calib", "--loadInputs",
               "--uff", "--output"}
_INFERENCE_KEYS = {"Spin-wait", "CUDA Graph", "Streams", "Data transfers", "Separate profiling",
                   "Multithreading", "Input inference shape", "Batch", "Duration", "Iterations",
                   "Sleep time", "Idle time", "Persistent Cache Ratio", "Inference Shapes"}
PERF_HIGHER_IS_BETTER = {"Throughput"}
EVIDENCE_LINES = 5          # log lines cited per side by a change that covers several layers or tensors
PROFILE_EVIDENCE_LINES = 3  # profile lines cited per side by layer_runtime
KEY_CHARS = 160             # a message without an id is identified by its first characters, numbers masked
TINY_MS = 1e-12             # the profiled total when nothing was profiled (no division by zero)
NEW_AS_PCT = 100            # the size of a change from 0 (memory), for its score
NEW_TRTEXEC_DEFAULTS = 11   # the TensorRT major whose trtexec changed its inference defaults


# a requested precision change is "unrealised" when none of the layers moved precision but layers or tactics changed
PRECISION_SHIFT, = ids("precision_shift")
LAYERS_OR_TACTICS_MOVED = set(ids("layer_count", "tactic"))


def _th(kind: str, name: str) -> float:
    return KINDS[kind].thresholds[name]


# -- builder / environment -----------------------------------------------------------------------
def _flags(command: str) -> Dict[str, str]:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    out = {}
    for w in words:
        if w.startswith("--"):
            k, _, v = w.partition("=")
            if k not in _PATH_FLAGS:
                out[k] = v
    return out


def env_changes(A: Side, B: Side, layer_changes: List[Change]) -> List[Change]:
    """`layer_changes` (already computed) says whether a requested precision change was realised."""
    out = []
    va, vb = A.trt_version(), B.trt_version()
    if va and vb and va != vb:
        out.append(Change("trt_version", "", va, vb, A.command()[1], B.command()[1]))
    (ga, la), (gb, lb) = A.gpu(), B.gpu()
    if ga and gb and ga != gb:
        out.append(Change("gpu", "", ga, gb, la, lb))
    (ca, lca), (cb, lcb) = A.compute_capability(), B.compute_capability()
    if ca and cb and ca != cb:
        out.append(Change("compute_capability", "", ca, cb, lca, lcb, variant="gpu_changed" if ga != gb else ""))
    pa, pb = A.bl.facts.precision_requested, B.bl.facts.precision_requested
    precision_differs = bool(pa and pb and sorted(pa) != sorted(pb))
    if precision_differs:
        kinds = {c.kind for c in layer_changes}
        unrealised = PRECISION_SHIFT not in kinds and bool(kinds & LAYERS_OR_TACTICS_MOVED)
        out.append(Change("precision_flags", "", "+".join(pa), "+".join(pb),
                          A.option("Precision")[1], B.option("Precision")[1],
                          variant="unrealised" if unrealised else ""))
    sa, sb = A.bl.facts.strongly_typed, B.bl.facts.strongly_typed
    if sa is not None and sb is not None and sa != sb:
        out.append(Change("strongly_typed", "", sa, sb))
    (cmd_a, lca), (cmd_b, lcb) = A.command(), B.command()
    if cmd_a and cmd_b:
        fa, fb = _flags(cmd_a), _flags(cmd_b)
        for k in sorted(set(fa) | set(fb)):
            if fa.get(k) == fb.get(k):
                continue
            a_val = (k + ("=" + fa[k] if fa[k] else "")) if k in fa else None
            b_val = (k + ("=" + fb[k] if fb[k] else "")) if k in fb else None
            what = "added" if a_val is None else "removed" if b_val is None else "changed"
            names = KINDS["builder_flag"].names
            variant = ("repeats_precision" if precision_differs and k in names["repeats_precision"]
                       else "important" if k in names["important"] else "")
            out.append(Change("builder_flag", k, a_val, b_val, lca, lcb, variant, fields={"what": what}))
    oa, ob = A.options(), B.options()
    for name in sorted(set(oa) & set(ob)):
        if oa[name][0] == ob[name][0] or name == "Precision":
            continue
        out.append(Change("option", name, oa[name][0], ob[name][0], [oa[name][1]], [ob[name][1]],
                          "important" if name in KINDS["option"].names["important"] else ""))
    return out


# -- build time ----------------------------------------------------------------------------------
def build_time_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ba, bb = A.bl.facts.build_seconds, B.bl.facts.build_seconds
    d = pct(ba, bb)
    if d is not None and abs(d) >= _th("build_time", "min_pct"):
        out.append(Change("build_time", "", ba, bb, _phase_lines(A, ba), _phase_lines(B, bb), x=abs(d),
                          fields={"pct": d}))
    pa, pb = _phases(A), _phases(B)
    for name in [p for p in pa if p in pb]:
        (sa, la), (sb, lb) = pa[name], pb[name]
        if (sa, sb) == (ba, bb):
            continue  # the total build time itself
        d = pct(sa, sb)
        if d is not None and abs(d) >= _th("build_phase", "min_pct") \
                and abs(sb - sa) >= _th("build_phase", "min_seconds"):
            out.append(Change("build_phase", name, sa, sb, [la], [lb], x=abs(sb - sa), fields={"pct": d}))
    return out


def _phase_lines(side: Side, seconds: Optional[float]) -> List[int]:
    ph = side.t("phases")
    hit = ph[ph["seconds"] == seconds]
    return [int(hit["line"].iat[-1])] if len(hit) else []


def _phases(side: Side) -> Dict[str, Tuple[float, int]]:
    ph = side.t("phases")
    ph = ph[ph["seconds"].notna()]
    return {str(p): (float(s), int(l)) for p, s, l in ph[["phase", "seconds", "line"]].itertuples(index=False)}


def tactic_search_changes(A: Side, B: Side, al: Alignment) -> List[Change]:
    """Where tactic selection time went: tactics timed per layer (count and summed kernel time)."""
    ta, tb = A.t("tactics"), B.t("tactics")
    if not len(ta) or not len(tb):
        return []
    na, nb = len(ta), len(tb)
    out = []
    d = pct(na, nb)
    if d is not None and abs(d) >= _th("tactic_search", "min_pct"):
        out.append(Change("tactic_search", "", na, nb, [int(ta["line"].iat[0])], [int(tb["line"].iat[0])],
                          x=abs(d), fields={"pct": d}))
    ca = ta.groupby("layer", sort=False)["line"].agg(["size", "min"])
    cb = tb.groupby("layer", sort=False)["line"].agg(["size", "min"])
    # compare a layer with itself: same name, or the B name of a 1:1 aligned engine layer
    pairs = {n: n for n in ca.index if n in cb.index}
    for g in al.groups:
        if g.shape == "1:1":
            an, bn = al.a[g.a[0]].name, al.b[g.b[0]].name
            if an in ca.index and bn in cb.index:
                pairs[an] = bn
    rows = []
    for an, bn in pairs.items():
        n_a, n_b = int(ca.at[an, "size"]), int(cb.at[bn, "size"])
        rows.append((abs(n_b - n_a), an, bn, n_a, n_b))
    th = KINDS["tactic_search_layer"].thresholds
    for delta, an, bn, n_a, n_b in sorted(rows, key=lambda r: -r[0])[:int(th["top"])]:
        if delta < max(th["min_count"], th["min_share"] * max(na, nb)):
            break
        out.append(Change("tactic_search_layer", bn, n_a, n_b, [int(ca.at[an, "min"])], [int(cb.at[bn, "min"])]))
    return out


# -- engine layers -------------------------------------------------------------------------------
def _chosen_times(side: Side) -> Dict[str, List[Tuple[Optional[int], float, str, int]]]:
    """layer -> [(tactic_int, time_ms, kernel, line)] of the chosen tactics."""
    t = side.t("tactics")
    if not len(t):
        return {}
    ch = t[t["chosen"].astype(bool)]
    out: Dict[str, list] = {}
    for layer, ti, tm, k, line in ch[["layer", "tactic_int", "time_ms", "kernel", "line"]].itertuples(index=False):
        out.setdefault(str(layer), []).append((_int(ti), _float(tm), str(k), _int(line) or 0))
    return out


def _kernels(side: Side, layers: List[Layer]) -> Dict[str, str]:
    """Kernel names of the engine's tactics, from the tactic table where the layer table lacks them."""
    t = side.t("tactics")
    if not len(t):
        return {}
    t = t[t["kernel"].astype(str) != ""]
    want = {l.name: tactic_int(l.tactic) for l in layers if not l.kernel}
    t = t[t["layer"].isin(list(want))]
    out = {}
    for layer, ti, k in t[["layer", "tactic_int", "kernel"]].itertuples(index=False):
        if _int(ti) is not None and _int(ti) == want.get(layer):
            out[str(layer)] = str(k)
    return out


def _profile(side: Side) -> Dict[str, Tuple[float, int]]:
    p = side.t("profile")
    out = {}
    for layer, avg, tot, line in p[["layer", "avg_ms", "time_ms", "line"]].itertuples(index=False):
        v = _float(avg)
        if v is None:
            v = _float(tot)
        if v is not None:
            out[str(layer)] = (v, _int(line) or 0)
    return out


def layer_changes(A: Side, B: Side, al: Alignment) -> List[Change]:
    out: List[Change] = []
    la, lb = al.a, al.b
    na, nb = len(la), len(lb)
    if na != nb:
        d = pct(na, nb) or 0
        out.append(Change("layer_count", "", na, nb, [la[0].line] if la else [], [lb[0].line] if lb else [],
                          x=abs(d), fields={"pct": d}))
    chosen_a, chosen_b = _chosen_times(A), _chosen_times(B)
    kern_a, kern_b = _kernels(A, la), _kernels(B, lb)
    prof_a, prof_b = _profile(A), _profile(B)
    prof_total = max(sum(v for v, _ in prof_a.values()), sum(v for v, _ in prof_b.values()), TINY_MS)
    transitions: Dict[Tuple[str, str], List[Change]] = {}
    compute_groups = 0
    tactic_changes = 0

    for g in al.groups:
        ga, gb = [la[i] for i in g.a], [lb[j] for j in g.b]
        name_b = " | ".join(l.name for l in gb)
        ev_a, ev_b = [l.line for l in ga][:EVIDENCE_LINES], [l.line for l in gb][:EVIDENCE_LINES]
        if g.shape != "1:1":
            kind = {"n:1": "fusion_gained", "1:n": "fusion_lost", "n:m": "regrouped"}[g.shape]
            out.append(Change(kind, name_b, [l.name for l in ga], [l.name for l in gb], ev_a, ev_b,
                              x=abs(len(ga) - len(gb)), fields={"n_a": len(ga), "n_b": len(gb)}))
        # precision, compared on the compute layers of the group
        pa = {layer_precision(l) for l in ga if l.is_compute} & COMPUTE_PRECISIONS
        pb = {layer_precision(l) for l in gb if l.is_compute} & COMPUTE_PRECISIONS
        if pa and pb:
            compute_groups += 1
            # a fused layer "changes" precision only when it runs in one its parts did not use
            moved = pa != pb if g.shape in ("1:1", "n:m") else (not pb <= pa if g.shape == "n:1" else not pa <= pb)
            if moved:
                ta, tb = "/".join(sorted(pa)), "/".join(sorted(pb))
                c = Change("precision", name_b, ta, tb, ev_a, ev_b)
                out.append(c)
                transitions.setdefault((ta, tb), []).append(c)
        if g.shape == "1:1":
            a, b = ga[0], gb[0]
            if g.how not in ("name", "reformat"):
                out.append(Change("renamed", b.name, a.name, b.name, [a.line], [b.line], fields={"how": g.how}))
            if a.type != b.type:
                out.append(Change("layer_type", b.name, a.type, b.type, [a.line], [b.line]))
            if not a.is_reformat:
                ta_, tb_ = tactic_int(a.tactic), tactic_int(b.tactic)
                if ta_ is not None and tb_ is not None and ta_ != tb_:
                    tactic_changes += 1
                    out.append(Change("tactic", b.name, a.tactic, b.tactic, [a.line], [b.line]))
                ka, kb = a.kernel or kern_a.get(a.name, ""), b.kernel or kern_b.get(b.name, "")
                if ka and kb and ka != kb:
                    out.append(Change("kernel", b.name, ka, kb, [a.line], [b.line]))
                out += _timing(a, b, chosen_a, chosen_b)
        pra = sum(prof_a[l.name][0] for l in ga if l.name in prof_a)
        prb = sum(prof_b[l.name][0] for l in gb if l.name in prof_b)
        if any(l.name in prof_a for l in ga) and any(l.name in prof_b for l in gb):
            d = pct(pra, prb)
            if d is not None and abs(d) >= _th("layer_runtime", "min_pct") \
                    and abs(prb - pra) / prof_total >= _th("layer_runtime", "min_share"):
                out.append(Change("layer_runtime", name_b, pra, prb,
                                  [prof_a[l.name][1] for l in ga if l.name in prof_a][:PROFILE_EVIDENCE_LINES],
                                  [prof_b[l.name][1] for l in gb if l.name in prof_b][:PROFILE_EVIDENCE_LINES],
                                  x=100 * abs(prb - pra) / prof_total, fields={"pct": d}))

    changed = sum(len(v) for v in transitions.values())
    if changed:
        th = KINDS["precision_shift"].thresholds
        headline = changed >= th["headline_min_layers"] and changed >= th["headline_share"] * max(compute_groups, 1)
        ev_a = [l for v in transitions.values() for c in v for l in c.lines_a][:EVIDENCE_LINES]
        ev_b = [l for v in transitions.values() for c in v for l in c.lines_b][:EVIDENCE_LINES]
        out.append(Change("precision_shift", "", {f"{a}->{b}": len(v) for (a, b), v in transitions.items()},
                          changed, ev_a, ev_b, "headline" if headline else "",
                          fields={"compute_layers": compute_groups}))
    if tactic_changes:
        out.append(Change("tactic_summary", "", None, tactic_changes, x=tactic_changes))
    out += _reformat_changes(al)
    return out


def _timing(a: Layer, b: Layer, chosen_a, chosen_b) -> List[Change]:
    def pick(layer, chosen):
        rows = chosen.get(layer.name, [])
        ti = tactic_int(layer.tactic)
        exact = [r for r in rows if r[0] is not None and r[0] == ti and r[1] is not None]
        rows = exact or [r for r in rows if r[1] is not None]
        return min(rows, key=lambda r: r[1]) if rows else None

    ra, rb = pick(a, chosen_a), pick(b, chosen_b)
    if not ra or not rb:
        return []
    d = pct(ra[1], rb[1])
    if d is None or abs(d) < _th("tactic_time", "min_pct") or abs(rb[1] - ra[1]) < _th("tactic_time", "min_ms"):
        return []
    return [Change("tactic_time", b.name, ra[1], rb[1], [ra[3]], [rb[3]], x=abs(d), fields={"pct": d})]


def _reformat_changes(al: Alignment) -> List[Change]:
    out = []
    ra = [l for l in al.a if l.is_reformat]
    rb = [l for l in al.b if l.is_reformat]
    for i in al.unmatched_a:
        l = al.a[i]
        if l.is_reformat:
            out.append(Change("reformat_removed", l.name, _io(l), None, [l.line], []))
    for j in al.unmatched_b:
        l = al.b[j]
        if l.is_reformat:
            out.append(Change("reformat_added", l.name, None, _io(l), [], [l.line]))
    if len(ra) != len(rb):
        out.append(Change("reformat_count", "", len(ra), len(rb), [l.line for l in ra][:EVIDENCE_LINES],
                          [l.line for l in rb][:EVIDENCE_LINES],
                          x=abs(len(rb) - len(ra))))
    return out


def _io(l: Layer) -> str:
    def one(ts):
        return ", ".join(f"{t.dtype}[{','.join(t.shape)}]" for t in ts)
    return f"{one(l.inputs)} -> {one(l.outputs)}"


# -- memory --------------------------------------------------------------------------------------
def memory_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ta, tb = _totals(A), _totals(B)
    for name in [n for n in ta if n in tb and n]:
        (va, la, sa), (vb, lb, sb) = ta[name], tb[name]
        if (sa == "V") != (sb == "V"):
            continue  # one side has only the pre-assignment figure: not the same quantity
        d = pct(va, vb)
        if va != vb and (d is None or abs(d) >= _th("memory", "min_pct")):
            out.append(Change("memory", name, va, vb, [la], [lb], "" if d is not None else "from_zero",
                              x=abs(d) if d is not None else NEW_AS_PCT, fields={"pct": d}))
    pa, pb = _peak(A), _peak(B)
    if pa and pb:
        for i, dev in ((0, "CPU"), (1, "GPU")):
            d = pct(pa[i], pb[i])
            if d is not None and abs(d) >= _th("peak_memory", "min_pct") \
                    and abs(pb[i] - pa[i]) >= _th("peak_memory", "min_mib"):
                out.append(Change("peak_memory", dev, pa[i], pb[i], [pa[2]], [pb[2]], x=abs(d), fields={"pct": d}))
    ea, eb = A.bl.facts.engine_size_mib, B.bl.facts.engine_size_mib
    d = pct(ea, eb)
    if d is not None and abs(d) >= _th("engine_size", "min_pct"):
        out.append(Change("engine_size", "", ea, eb, x=abs(d), fields={"pct": d}))
    return out


def _totals(side: Side) -> Dict[str, Tuple[float, int, str]]:
    """name -> (bytes, line, severity of the line). The last total printed is the final engine's.
    8.2+ prints 'Total Activation Memory' twice: [V] before block assignment (workspace-sized blocks
    included), then [I] for the engine; 8.0 prints only the [V] one. Prefer [I] rows."""
    m = side.t("memory")
    m = m[(m["kind"] == "total") & m["bytes"].notna()]
    out: Dict[str, Tuple[float, int, str]] = {}
    for name, b, line in m[["name", "bytes", "line"]].itertuples(index=False):
        sev = side.severity_at(int(line))
        prev = out.get(str(name))
        if prev is None or sev != "V" or prev[2] == "V":
            out[str(name)] = (float(b), int(line), sev)
    return out


def _peak(side: Side) -> Optional[Tuple[float, float, int]]:
    m = side.t("memory")
    m = m[m["kind"] == "peak"]
    if not len(m):
        return None
    r = m.iloc[-1]
    c, g = _float(r["cpu_mib"]), _float(r["gpu_mib"])
    return (c, g, int(r["line"])) if c is not None and g is not None else None


# -- warnings and errors -------------------------------------------------------------------------
_NUM = re.compile(r"0x[0-9a-fA-F]+|\d+(?:\.\d+)?")


def _msg_key(msg_id: str, text: str) -> str:
    if msg_id and msg_id != "unknown":
        return msg_id
    return _NUM.sub("#", text.strip())[:KEY_CHARS]


def _problems(side: Side) -> Dict[Tuple[str, str], Tuple[int, int, str]]:
    """(W|E, key) -> (count, first line, text)."""
    m = side.t("messages")
    m = m[m["severity"].isin(["W", "E", "F"])]
    out: Dict[Tuple[str, str], list] = {}
    for sev, mid, text, line in m[["severity", "msg_id", "text", "line"]].itertuples(index=False):
        sev = "E" if sev in ("E", "F") else "W"
        key = (sev, _msg_key(str(mid), str(text)))
        if key in out:
            out[key][0] += 1
        else:
            out[key] = [1, int(line), str(text)]
    err = side.t("errors")
    err_lines = set(m.loc[m["severity"].isin(["E", "F"]), "line"].tolist())
    for kind, text, line in err[["kind", "text", "line"]].itertuples(index=False):
        if line in err_lines:
            continue
        key = ("E", f"{kind}: " + _NUM.sub("#", str(text))[:KEY_CHARS])
        if key not in out:
            out[key] = [1, int(line), str(text)]
        else:
            out[key][0] += 1
    return {k: tuple(v) for k, v in out.items()}


def problem_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ok_a, ok_b = A.bl.facts.build_ok, B.bl.facts.build_ok
    if ok_a is not None and ok_b is not None and ok_a != ok_b:
        fail = B.bl.facts.failure if not ok_b else A.bl.facts.failure
        out.append(Change("build_status", "", "ok" if ok_a else "failed", "ok" if ok_b else "failed", [], [],
                          "" if not ok_b else "succeeds", fields={"failure": fail or None}))
    pa, pb = _problems(A), _problems(B)
    for key in sorted(set(pa) | set(pb), key=lambda k: (k[0] != "E", k[1])):
        sev, _ = key
        word = "error" if sev == "E" else "warning"
        if key in pb and key not in pa:
            n, line, text = pb[key]
            out.append(Change(f"{word}_new", "", None, text, [], [line], fields={"n": n}))
        elif key in pa and key not in pb:
            n, line, text = pa[key]
            out.append(Change(f"{word}_gone", "", text, None, [line], [], fields={"n": n}))
        else:
            (na, la, _), (nb, lb, tb) = pa[key], pb[key]
            th = KINDS[f"{word}_count"].thresholds
            if max(na, nb) >= th["min_ratio"] * max(1, min(na, nb)) and abs(na - nb) >= th["min_delta"]:
                out.append(Change(f"{word}_count", "", na, nb, [la], [lb], fields={"text": tb}))
    return out


# -- INT8 calibration ----------------------------------------------------------------------------
def _calibration(side: Side) -> Optional[Dict[str, Any]]:
    """Algorithm, batches, times, cache events and per-tensor scales of one side's calibration."""
    c = side.t("calibration")
    if c.empty:
        return None
    ev = c["event"].astype(str)
    batches = c[ev == "batch"]
    done = c[ev == "done"]
    post = c[ev == "post_processing"]
    cache = c[ev.isin(["cache_write", "cache_read"])]
    named = cache[cache["algorithm"].astype(str) != ""]
    algo = str(named["algorithm"].iat[0]) if len(named) else ""
    algo_line = int(named["line"].iat[0]) if len(named) else None
    scales = c[ev == "scale"]
    first = [int(c["line"].iat[0])]
    return {"algorithm": algo, "algo_lines": [algo_line] if algo_line else first,
            "batches": len(batches), "batch_lines": [int(batches["line"].iat[-1])] if len(batches) else first,
            "seconds": _float(done["seconds"].iat[-1]) if len(done) else None,
            "done_lines": [int(done["line"].iat[-1])] if len(done) else first,
            "post_seconds": _float(post["seconds"].iat[-1]) if len(post) else None,
            "cache": sorted(set(ev[ev.isin(["cache_write", "cache_read"])])),
            "cache_lines": [int(x) for x in cache["line"].head(1)] or first,
            "scales": {str(t): float(v) for t, v in zip(scales["tensor"], scales["scale"]) if t and v == v},
            "scale_lines": {str(t): int(ln) for t, ln in zip(scales["tensor"], scales["line"]) if t}}


def calibration_changes(A: Side, B: Side) -> List[Change]:
    """INT8 calibration compared between two calibrated builds: algorithm, batches, time, cache, scales."""
    ca, cb = _calibration(A), _calibration(B)
    if ca is None and cb is None:
        return []
    if ca is None or cb is None:
        has, side = ("B", cb) if ca is None else ("A", ca)
        return [Change("calibration", "", ca and ca["algorithm"], cb and cb["algorithm"],
                       ca["batch_lines"] if ca else [], cb["batch_lines"] if cb else [],
                       fields={"side": has, "algorithm": side["algorithm"], "batches": side["batches"]})]
    out = []
    if ca["algorithm"] != cb["algorithm"]:
        out.append(Change("calibration_algorithm", "", ca["algorithm"], cb["algorithm"], ca["algo_lines"],
                          cb["algo_lines"]))
    if ca["batches"] != cb["batches"]:
        out.append(Change("calibration_batches", "", ca["batches"], cb["batches"], ca["batch_lines"],
                          cb["batch_lines"]))
    if ca["cache"] != cb["cache"]:
        out.append(Change("calibration_cache", "", ",".join(ca["cache"]) or "none", ",".join(cb["cache"]) or "none",
                          ca["cache_lines"], cb["cache_lines"],
                          fields={"cache_a": "/".join(ca["cache"]), "cache_b": "/".join(cb["cache"])}))
    d = pct(ca["seconds"], cb["seconds"])
    if d is not None and abs(d) >= _th("calibration_time", "min_pct"):
        out.append(Change("calibration_time", "", ca["seconds"], cb["seconds"], ca["done_lines"], cb["done_lines"],
                          x=abs(d), fields={"pct": d}))
    sa, sb = ca["scales"], cb["scales"]
    both = set(sa) & set(sb)
    differ = sorted(t for t in both if not math.isclose(sa[t], sb[t], rel_tol=_th("calibration_scales", "rel_tol")))
    only = len(set(sa) ^ set(sb))
    if differ or only:
        la = [ca["scale_lines"][t] for t in differ[:EVIDENCE_LINES]] or ca["cache_lines"]
        lb = [cb["scale_lines"][t] for t in differ[:EVIDENCE_LINES]] or cb["cache_lines"]
        out.append(Change("calibration_scales", "", len(sa), len(sb), la, lb, x=len(differ),
                          fields={"n_differ": len(differ), "n_both": len(both), "differ": differ or None,
                                  "only": only or None}))
    # what both calibrations share, so the diff always says how the two were calibrated
    same = {"same_algorithm": ca["algorithm"] if ca["algorithm"] == cb["algorithm"] and ca["algorithm"] else None,
            "same_batches": ca["batches"] if ca["batches"] == cb["batches"] else None,
            "same_cache": ("/".join(x.replace("cache_", "") for x in ca["cache"])
                           if ca["cache"] == cb["cache"] and ca["cache"] else None),
            "tensors": len(both) if both else None}
    if any(v is not None for v in same.values()):
        out.append(Change("calibration", "", ca["algorithm"], cb["algorithm"], ca["algo_lines"], cb["algo_lines"],
                          "same", fields={**same, "equal_scales": len(both) - len(differ)}))
    return out


# -- performance ---------------------------------------------------------------------------------
def perf_changes(A: Side, B: Side) -> Tuple[List[Change], List[str]]:
    pa, pb = A.perf(), B.perf()
    out = []
    for key in [k for k in pa if k in pb]:
        metric, stat = key
        (va, unit, la), (vb, _, lb) = pa[key], pb[key]
        d = pct(va, vb)
        if d is None or abs(d) < _th("perf", "min_pct"):
            continue
        worse = (d < 0) if metric in PERF_HIGHER_IS_BETTER else (d > 0)
        label = metric if stat == "value" else f"{metric} {stat}"
        out.append(Change("perf", label, va, vb, [la], [lb], x=abs(d),
                          fields={"unit": unit, "pct": d, "verdict": "worse" if worse else "better"}))
    # one sentence for the headline figures, ranked by the largest of their moves
    parts: Dict[str, Tuple[float, float, str, float]] = {}
    lines_a, lines_b, top = [], [], 0.0
    for key, label in ((("Throughput", "value"), "throughput"), (("Latency", "mean"), "mean_latency"),
                       (("GPU Compute Time", "mean"), "mean_GPU_compute_time")):
        if key in pa and key in pb:
            (va, unit, la), (vb, _, lb) = pa[key], pb[key]
            d = pct(va, vb)
            if d is not None:
                parts[label] = (va, vb, unit, d)
                lines_a.append(la)
                lines_b.append(lb)
                top = max(top, abs(d))
    if parts and top >= _th("perf_summary", "min_pct"):
        out.append(Change("perf_summary", "", None, None, lines_a, lines_b, x=top, fields=parts))
    caveats = perf_caveats(A, B) if pa and pb else []
    return out, caveats


def perf_caveats(A: Side, B: Side) -> List[str]:
    out = []
    oa, ob = A.options(), B.options()
    for name in sorted(set(oa) & set(ob)):
        if (oa[name][2] == "Inference" or name in _INFERENCE_KEYS) and oa[name][0] != ob[name][0]:
            out.append(caveat("inference_option", name=name, a=oa[name][0], b=ob[name][0], line_a=oa[name][1],
                              line_b=ob[name][1]))
    va, vb = A.trt_version(), B.trt_version()
    major = [v.major if v is not None else None for v in map(find_version, (va, vb))]
    if None not in major and (major[0] >= NEW_TRTEXEC_DEFAULTS) != (major[1] >= NEW_TRTEXEC_DEFAULTS):
        out.append(caveat("trtexec_defaults", major=NEW_TRTEXEC_DEFAULTS))
    (ga, _), (gb, _) = A.gpu(), B.gpu()
    if ga and gb and ga != gb:
        out.append(caveat("different_gpu", a=ga, b=gb))
    return out
