"""Deltas between two builds, each a Change with evidence (log line numbers on each side).

Reads BuildLog tables only. `Side` holds one build's tables restricted to the compared run.
Every Change carries a `score` (0-100, how much it can explain a difference) used for ranking.
"""
from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import pandas as pd

from ..buildlog import BuildLog
from ..vocab import COMPUTE_PRECISIONS, find_version, format_bytes, precision_alias, tactic_int
from .align import Alignment, Layer

# trtexec flags whose value is a path or a file name: a different value is not a different build
_PATH_FLAGS = {"--onnx", "--saveEngine", "--loadEngine", "--timingCacheFile", "--exportTimes",
               "--exportProfile", "--exportLayerInfo", "--exportOutput", "--deploy", "--model",
               "--plugins", "--staticPlugins", "--dynamicPlugins", "--calib", "--loadInputs",
               "--uff", "--output"}
_IMPORTANT_OPTIONS = {"Precision", "Memory Pools", "Workspace", "Sparsity", "Tactic sources",
                      "timingCacheMode", "Optimization level", "Builder optimization level",
                      "Max aux streams", "maxAuxStreams", "Spin-wait", "CUDA Graph", "Input build shape",
                      "Input inference shape", "Streams", "Data transfers", "Separate profiling",
                      "Input(s)s format", "Output(s)s format", "Calibration", "LayerPrecisions",
                      "Layer Precisions", "Strongly Typed", "Direct IO mode", "DirectIO mode",
                      "Refit", "Profiling verbosity", "Hardware Compatibility Level",
                      "Runtime Platform", "Weight Streaming", "Strip weights", "Batch", "Max batch"}
_INFERENCE_KEYS = {"Spin-wait", "CUDA Graph", "Streams", "Data transfers", "Separate profiling",
                   "Multithreading", "Input inference shape", "Batch", "Duration", "Iterations",
                   "Sleep time", "Idle time", "Persistent Cache Ratio", "Inference Shapes"}
# facts compared elsewhere (GPU, version) or that are paths / per-machine readings, not build options
_SKIP_OPTIONS = {"Selected Device", "Selected Device ID", "Selected Device UUID", "Compute Capability", "SMs",
                 "Compute Clock Rate", "Device Global Memory", "Shared Memory per SM", "Memory Bus Width",
                 "Memory Clock Rate", "Application Compute Clock Rate", "Application Memory Clock Rate",
                 "TensorRT version", "Model", "ONNX", "Save engine", "Load engine", "Export timing to JSON file",
                 "Export output to JSON file", "Export profile to JSON file", "Export layer info to JSON file",
                 "timingCacheFile", "Plugins", "Output", "Format", "Available Devices", "Device"}
_IMPORTANT_FLAGS = {"--fp16", "--int8", "--best", "--bf16", "--fp8", "--int4", "--noTF32", "--stronglyTyped",
                    "--memPoolSize", "--workspace", "--builderOptimizationLevel", "--sparsity", "--useCudaGraph",
                    "--useSpinWait", "--tacticSources", "--maxAuxStreams", "--precisionConstraints",
                    "--layerPrecisions", "--layerOutputTypes", "--directIO", "--allowGPUFallback",
                    "--useDLACore", "--hardwareCompatibilityLevel", "--noDataTransfers", "--threads",
                    "--streams", "--separateProfileRun", "--profilingVerbosity", "--inputIOFormats",
                    "--outputIOFormats", "--calib", "--refit", "--versionCompatible", "--weightStreaming"}
PERF_HIGHER_IS_BETTER = {"Throughput"}


def _int(v) -> Optional[int]:
    try:
        if v is None or pd.isna(v):
            return None
        return int(v)
    except (TypeError, ValueError):
        return None


def _float(v) -> Optional[float]:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def layer_precision(layer: Layer) -> str:
    if layer.precision:
        return layer.precision.upper()
    for t in layer.outputs + layer.inputs:
        p = precision_alias(t.dtype)
        if p:
            return p
    return ""


def pct(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or a == 0:
        return None
    return (b - a) / abs(a) * 100.0


@dataclass
class Change:
    kind: str
    layer: str
    a: Any
    b: Any
    lines_a: List[int] = field(default_factory=list)
    lines_b: List[int] = field(default_factory=list)
    score: float = 0.0
    text: str = ""


class Side:
    """One build restricted to one run: the tables the deltas read, plus a few derived facts."""

    def __init__(self, bl: BuildLog, run: Optional[int] = None):
        self.bl = bl
        self.run = self._pick_run(bl) if run is None else run
        self._cache: Dict[str, pd.DataFrame] = {}

    @staticmethod
    def _pick_run(bl: BuildLog) -> Optional[int]:
        runs = bl.tables["runs"]
        if len(runs) <= 1:
            return None
        layers = bl.tables["layers"]
        if len(layers):
            return _int(layers["run"].iat[-1])
        return _int(runs["run"].iat[-1])

    def t(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            df = self.bl.tables[name]
            if self.run is not None and len(df):
                df = df[df["run"] == self.run]
            self._cache[name] = df
        return self._cache[name]

    def lines_of(self, name: str, mask) -> List[int]:
        df = self.t(name)
        return [int(x) for x in df.loc[mask, "line"].dropna().tolist()[:3]]

    def severity_at(self, line: int) -> str:
        m = self.bl.tables["messages"]
        if 0 < line <= len(m) and int(m["line"].iat[line - 1]) == line:
            return str(m["severity"].iat[line - 1])
        hit = m.loc[m["line"] == line, "severity"]
        return str(hit.iat[0]) if len(hit) else ""

    # -- facts --------------------------------------------------------------------------------
    def trt_version(self) -> str:
        runs = self.t("runs")
        if len(runs) and str(runs["trt_version"].iat[-1]):
            return str(runs["trt_version"].iat[-1])
        label = self.bl.trt_version_label
        return "" if label == "unknown" else label

    def device(self, key: str) -> Tuple[str, List[int]]:
        dev = self.t("device")
        hit = dev[dev["key"] == key]
        if len(hit):
            return str(hit["value"].iat[-1]), [int(hit["line"].iat[-1])]
        return "", []

    def _fact(self, key: str, meta_key: str) -> Tuple[str, List[int]]:
        for v, lines in (self.device(key), self.option(key)):
            if v:
                return v, lines
        return str(self.bl.meta.get(meta_key, "") or ""), []

    def gpu(self) -> Tuple[str, List[int]]:
        return self._fact("Selected Device", "gpu")

    def compute_capability(self) -> Tuple[str, List[int]]:
        return self._fact("Compute Capability", "compute_capability")

    def command(self) -> Tuple[str, List[int]]:
        runs = self.t("runs")
        if len(runs) and str(runs["command"].iat[-1]):
            return str(runs["command"].iat[-1]), [int(runs["line"].iat[-1])]
        return str(self.bl.meta.get("command", "") or ""), []

    def option(self, key: str) -> Tuple[str, List[int]]:
        o = self.t("options")
        hit = o[(o["key"] == key) & (o["section"] != "command")]
        if len(hit):
            return str(hit["value"].iat[-1]).strip(), [int(hit["line"].iat[-1])]
        return "", []

    def options(self) -> Dict[str, Tuple[str, int, str]]:
        """option name -> (value, line, section); TensorRT's own messages are not options."""
        out = {}
        for sec, key, val, line in self.t("options")[["section", "key", "value", "line"]].itertuples(index=False):
            key = str(key).strip()
            if sec == "command" or not key or key.startswith("[") or key in _SKIP_OPTIONS \
                    or re.match(r"Device \d+$", key):
                continue
            out[key] = (str(val).strip(), _int(line) or 0, str(sec))
        return out

    def perf(self) -> Dict[Tuple[str, str], Tuple[float, str, int]]:
        out = {}
        for m, s, v, u, line in self.t("perf")[["metric", "stat", "value", "unit", "line"]].itertuples(index=False):
            f = _float(v)
            if f is not None:
                out[(str(m), str(s))] = (f, str(u), _int(line) or 0)
        return out

    def throughput(self) -> Optional[float]:
        hit = self.perf().get(("Throughput", "value"))
        return hit[0] if hit else None


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


def env_changes(A: Side, B: Side) -> List[Change]:
    out = []
    va, vb = A.trt_version(), B.trt_version()
    if va and vb and va != vb:
        out.append(Change("trt_version", "", va, vb, A.command()[1], B.command()[1], 70,
                          f"TensorRT {va} -> {vb}."))
    (ga, la), (gb, lb) = A.gpu(), B.gpu()
    if ga and gb and ga != gb:
        out.append(Change("gpu", "", ga, gb, la, lb, 75,
                          f"Different GPU: {ga} -> {gb}; kernels, tactics and timings are not comparable one to one."))
    (ca, lca), (cb, lcb) = A.compute_capability(), B.compute_capability()
    if ca and cb and ca != cb:
        out.append(Change("compute_capability", "", ca, cb, lca, lcb, 8 if ga != gb else 30,
                          f"Compute capability {ca} -> {cb}."))
    pa, pb = A.bl.meta.get("precision_requested"), B.bl.meta.get("precision_requested")
    if pa and pb and sorted(pa) != sorted(pb):
        out.append(Change("precision_flags", "", "+".join(pa), "+".join(pb),
                          A.option("Precision")[1], B.option("Precision")[1], 80,
                          f"Requested precision differs: {'+'.join(pa)} -> {'+'.join(pb)}."))
    sa, sb = A.bl.meta.get("strongly_typed"), B.bl.meta.get("strongly_typed")
    if sa is not None and sb is not None and bool(sa) != bool(sb):
        out.append(Change("strongly_typed", "", bool(sa), bool(sb), [], [], 60,
                          f"Strongly typed network: {bool(sa)} -> {bool(sb)}."))
    (cmd_a, lca), (cmd_b, lcb) = A.command(), B.command()
    if cmd_a and cmd_b:
        fa, fb = _flags(cmd_a), _flags(cmd_b)
        for k in sorted(set(fa) | set(fb)):
            if fa.get(k) == fb.get(k):
                continue
            a_val = (k + ("=" + fa[k] if fa[k] else "")) if k in fa else None
            b_val = (k + ("=" + fb[k] if fb[k] else "")) if k in fb else None
            what = "added" if a_val is None else "removed" if b_val is None else "changed"
            out.append(Change("builder_flag", k, a_val, b_val, lca, lcb, 45 if k in _IMPORTANT_FLAGS else 12,
                              f"trtexec flag {k} {what}: {a_val or '-'} -> {b_val or '-'}."))
    oa, ob = A.options(), B.options()
    for name in sorted(set(oa) & set(ob)):
        if oa[name][0] == ob[name][0] or name == "Precision":
            continue
        important = name in _IMPORTANT_OPTIONS
        out.append(Change("option", name, oa[name][0], ob[name][0], [oa[name][1]], [ob[name][1]],
                          25 if important else 5, f"Option '{name}': {oa[name][0]!r} -> {ob[name][0]!r}."))
    return out


# -- build time ----------------------------------------------------------------------------------
def build_time_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ba, bb = _float(A.bl.meta.get("build_seconds")), _float(B.bl.meta.get("build_seconds"))
    d = pct(ba, bb)
    if d is not None and abs(d) >= 10:
        out.append(Change("build_time", "", ba, bb, _phase_lines(A, ba), _phase_lines(B, bb),
                          min(60, 10 + abs(d) / 3), f"Build time {ba:.3g} s -> {bb:.3g} s ({d:+.0f} %)."))
    pa, pb = _phases(A), _phases(B)
    for name in [p for p in pa if p in pb]:
        (sa, la), (sb, lb) = pa[name], pb[name]
        if (sa, sb) == (ba, bb):
            continue  # the total build time itself
        d = pct(sa, sb)
        if d is not None and abs(d) >= 20 and abs(sb - sa) >= 0.5:
            out.append(Change("build_phase", name, sa, sb, [la], [lb], min(40, abs(sb - sa) * 2),
                              f"Build phase '{name}': {sa:.3g} s -> {sb:.3g} s ({d:+.0f} %)."))
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
    if d is not None and abs(d) >= 20:
        out.append(Change("tactic_search", "", na, nb, [int(ta["line"].iat[0])], [int(tb["line"].iat[0])],
                          min(45, abs(d) / 5),
                          f"Tactics timed during the build: {na} -> {nb} ({d:+.0f} %)."))
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
    for delta, an, bn, n_a, n_b in sorted(rows, key=lambda r: -r[0])[:5]:
        if delta < max(10, 0.05 * max(na, nb)):
            break
        out.append(Change("tactic_search_layer", bn, n_a, n_b, [int(ca.at[an, "min"])], [int(cb.at[bn, "min"])],
                          15, f"Layer '{bn}': {n_a} -> {n_b} tactics timed."))
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
                          min(55, 20 + abs(d) / 2), f"Engine layers: {na} -> {nb} ({d:+.0f} %)."))
    chosen_a, chosen_b = _chosen_times(A), _chosen_times(B)
    kern_a, kern_b = _kernels(A, la), _kernels(B, lb)
    prof_a, prof_b = _profile(A), _profile(B)
    prof_total = max(sum(v for v, _ in prof_a.values()), sum(v for v, _ in prof_b.values()), 1e-12)
    transitions: Dict[Tuple[str, str], List[Change]] = {}
    compute_groups = 0
    tactic_changes = 0

    for g in al.groups:
        ga, gb = [la[i] for i in g.a], [lb[j] for j in g.b]
        name_b = " | ".join(l.name for l in gb)
        ev_a, ev_b = [l.line for l in ga][:5], [l.line for l in gb][:5]
        if g.shape != "1:1":
            kind = {"n:1": "fusion_gained", "1:n": "fusion_lost", "n:m": "regrouped"}[g.shape]
            verb = {"fusion_gained": f"{len(ga)} layers fused into 1",
                    "fusion_lost": f"1 layer split into {len(gb)}",
                    "regrouped": f"{len(ga)} layers regrouped into {len(gb)}"}[kind]
            out.append(Change(kind, name_b, [l.name for l in ga], [l.name for l in gb], ev_a, ev_b,
                              20 + min(20, 3 * abs(len(ga) - len(gb))),
                              f"{verb}: {_short([l.name for l in ga])} -> {_short([l.name for l in gb])}."))
        # precision, compared on the compute layers of the group
        pa = {layer_precision(l) for l in ga if l.is_compute} & COMPUTE_PRECISIONS
        pb = {layer_precision(l) for l in gb if l.is_compute} & COMPUTE_PRECISIONS
        if pa and pb:
            compute_groups += 1
            # a fused layer "changes" precision only when it runs in one its parts did not use
            moved = pa != pb if g.shape in ("1:1", "n:m") else (not pb <= pa if g.shape == "n:1" else not pa <= pb)
            if moved:
                ta, tb = "/".join(sorted(pa)), "/".join(sorted(pb))
                c = Change("precision", name_b, ta, tb, ev_a, ev_b, 10,
                           f"Layer '{name_b}' runs in {tb} instead of {ta}.")
                out.append(c)
                transitions.setdefault((ta, tb), []).append(c)
        if g.shape == "1:1":
            a, b = ga[0], gb[0]
            if g.how not in ("name", "reformat"):
                out.append(Change("renamed", b.name, a.name, b.name, [a.line], [b.line], 1,
                                  f"Layer '{a.name}' is named '{b.name}' (matched by {g.how})."))
            if a.type != b.type:
                out.append(Change("layer_type", b.name, a.type, b.type, [a.line], [b.line], 12,
                                  f"Layer '{b.name}' implementation {a.type} -> {b.type}."))
            if not a.is_reformat:
                ta_, tb_ = tactic_int(a.tactic), tactic_int(b.tactic)
                if ta_ is not None and tb_ is not None and ta_ != tb_:
                    tactic_changes += 1
                    out.append(Change("tactic", b.name, a.tactic, b.tactic, [a.line], [b.line], 4,
                                      f"Layer '{b.name}' tactic {a.tactic} -> {b.tactic}."))
                ka, kb = a.kernel or kern_a.get(a.name, ""), b.kernel or kern_b.get(b.name, "")
                if ka and kb and ka != kb:
                    out.append(Change("kernel", b.name, ka, kb, [a.line], [b.line], 6,
                                      f"Layer '{b.name}' kernel {ka} -> {kb}."))
                out += _timing(a, b, chosen_a, chosen_b)
        pra = sum(prof_a[l.name][0] for l in ga if l.name in prof_a)
        prb = sum(prof_b[l.name][0] for l in gb if l.name in prof_b)
        if any(l.name in prof_a for l in ga) and any(l.name in prof_b for l in gb):
            d = pct(pra, prb)
            if d is not None and abs(d) >= 10 and abs(prb - pra) / prof_total >= 0.01:
                out.append(Change("layer_runtime", name_b, pra, prb,
                                  [prof_a[l.name][1] for l in ga if l.name in prof_a][:3],
                                  [prof_b[l.name][1] for l in gb if l.name in prof_b][:3],
                                  min(60, 100 * abs(prb - pra) / prof_total),
                                  f"Layer '{name_b}' runtime {pra:.4g} ms -> {prb:.4g} ms ({d:+.0f} %, profile)."))

    changed = sum(len(v) for v in transitions.values())
    if changed:
        parts = ", ".join(f"{len(v)} {a}->{b}" for (a, b), v in sorted(transitions.items(), key=lambda kv: -len(kv[1])))
        headline = changed >= 2 and changed >= 0.3 * max(compute_groups, 1)
        ev_a = [l for v in transitions.values() for c in v for l in c.lines_a][:5]
        ev_b = [l for v in transitions.values() for c in v for l in c.lines_b][:5]
        out.append(Change("precision_shift", "", {f"{a}->{b}": len(v) for (a, b), v in transitions.items()},
                          changed, ev_a, ev_b, 90 if headline else 40,
                          f"Realised precision changed on {changed} of {compute_groups} matched compute layers: "
                          f"{parts}."))
    if tactic_changes:
        out.append(Change("tactic_summary", "", None, tactic_changes, [], [], min(30, 5 + tactic_changes),
                          f"{tactic_changes} matched layers use a different tactic."))
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
    if d is None or abs(d) < 10 or abs(rb[1] - ra[1]) < 0.001:
        return []
    return [Change("tactic_time", b.name, ra[1], rb[1], [ra[3]], [rb[3]], min(25, abs(d) / 10),
                   f"Layer '{b.name}' chosen tactic timed {ra[1]:.4g} ms -> {rb[1]:.4g} ms ({d:+.0f} %).")]


def _reformat_changes(al: Alignment) -> List[Change]:
    out = []
    ra = [l for l in al.a if l.is_reformat]
    rb = [l for l in al.b if l.is_reformat]
    for i in al.unmatched_a:
        l = al.a[i]
        if l.is_reformat:
            out.append(Change("reformat_removed", l.name, _io(l), None, [l.line], [], 3,
                              f"Reformat removed: '{l.name}'."))
    for j in al.unmatched_b:
        l = al.b[j]
        if l.is_reformat:
            out.append(Change("reformat_added", l.name, None, _io(l), [], [l.line], 3,
                              f"Reformat added: '{l.name}' ({_io(l)})."))
    if len(ra) != len(rb):
        out.append(Change("reformat_count", "", len(ra), len(rb), [l.line for l in ra][:5], [l.line for l in rb][:5],
                          min(45, 15 + 5 * abs(len(rb) - len(ra))),
                          f"Reformat layers: {len(ra)} -> {len(rb)}."))
    return out


def _io(l: Layer) -> str:
    def one(ts):
        return ", ".join(f"{t.dtype}[{','.join(t.shape)}]" for t in ts)
    return f"{one(l.inputs)} -> {one(l.outputs)}"


def _short(names: List[str], n: int = 3) -> str:
    s = ", ".join(f"'{x}'" for x in names[:n])
    return s + (f" (+{len(names) - n} more)" if len(names) > n else "")


# -- memory --------------------------------------------------------------------------------------
def memory_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ta, tb = _totals(A), _totals(B)
    for name in [n for n in ta if n in tb and n]:
        (va, la, sa), (vb, lb, sb) = ta[name], tb[name]
        if (sa == "V") != (sb == "V"):
            continue  # one side has only the pre-assignment figure: not the same quantity
        d = pct(va, vb)
        if va != vb and (d is None or abs(d) >= 5):
            txt = f"{d:+.0f} %" if d is not None else "new"
            out.append(Change("memory", name, va, vb, [la], [lb], min(30, abs(d or 100) / 10),
                              f"{name} memory {format_bytes(va, '.4g')} -> {format_bytes(vb, '.4g')} ({txt})."))
    pa, pb = _peak(A), _peak(B)
    if pa and pb:
        for i, dev in ((0, "CPU"), (1, "GPU")):
            d = pct(pa[i], pb[i])
            if d is not None and abs(d) >= 10 and abs(pb[i] - pa[i]) >= 2:
                out.append(Change("peak_memory", dev, pa[i], pb[i], [pa[2]], [pb[2]], min(35, abs(d) / 5),
                                  f"Peak {dev} allocator use during the build {pa[i]:.0f} MiB -> "
                                  f"{pb[i]:.0f} MiB ({d:+.0f} %)."))
    ea, eb = _float(A.bl.meta.get("engine_size_mib")), _float(B.bl.meta.get("engine_size_mib"))
    d = pct(ea, eb)
    if d is not None and abs(d) >= 5:
        out.append(Change("engine_size", "", ea, eb, [], [], min(30, abs(d) / 5),
                          f"Engine size {ea:.4g} MiB -> {eb:.4g} MiB ({d:+.0f} %)."))
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
    return _NUM.sub("#", text.strip())[:160]


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
        key = ("E", f"{kind}: " + _NUM.sub("#", str(text))[:160])
        if key not in out:
            out[key] = [1, int(line), str(text)]
        else:
            out[key][0] += 1
    return {k: tuple(v) for k, v in out.items()}


def problem_changes(A: Side, B: Side) -> List[Change]:
    out = []
    ok_a, ok_b = A.bl.meta.get("build_ok"), B.bl.meta.get("build_ok")
    if ok_a is not None and ok_b is not None and bool(ok_a) != bool(ok_b):
        fail = B.bl.meta.get("failure") if not ok_b else A.bl.meta.get("failure")
        out.append(Change("build_status", "", "ok" if ok_a else "failed", "ok" if ok_b else "failed", [], [],
                          100 if not ok_b else 60,
                          f"Build {'fails' if not ok_b else 'succeeds'} in B{': ' + str(fail) if fail else ''}."))
    pa, pb = _problems(A), _problems(B)
    for key in sorted(set(pa) | set(pb), key=lambda k: (k[0] != "E", k[1])):
        sev, _ = key
        word = "error" if sev == "E" else "warning"
        if key in pb and key not in pa:
            n, line, text = pb[key]
            out.append(Change(f"{word}_new", "", None, text, [], [line], 85 if sev == "E" else 25,
                              f"New {word} in B ({n}x): {text[:200]}"))
        elif key in pa and key not in pb:
            n, line, text = pa[key]
            out.append(Change(f"{word}_gone", "", text, None, [line], [], 30 if sev == "E" else 8,
                              f"{word.capitalize()} gone in B ({n}x in A): {text[:200]}"))
        else:
            (na, la, _), (nb, lb, tb) = pa[key], pb[key]
            if max(na, nb) >= 2 * max(1, min(na, nb)) and abs(na - nb) >= 3:
                out.append(Change(f"{word}_count", "", na, nb, [la], [lb], 6,
                                  f"{word.capitalize()} printed {na}x -> {nb}x: {tb[:200]}"))
    return out


# -- INT8 calibration ----------------------------------------------------------------------------
_CALIB_ALGO = re.compile(r"TRT-\d+-(\w+)")


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
    algo, algo_line = "", None
    for text, line in zip(cache["text"].astype(str), cache["line"]):
        m = _CALIB_ALGO.search(text)
        if m:
            algo, algo_line = m.group(1), int(line)
            break
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
                       ca["batch_lines"] if ca else [], cb["batch_lines"] if cb else [], 40,
                       f"Only {has} ran INT8 calibration ({side['algorithm'] or 'algorithm not printed'}, "
                       f"{side['batches']} batches).")]
    out = []
    if ca["algorithm"] != cb["algorithm"]:
        out.append(Change("calibration_algorithm", "", ca["algorithm"], cb["algorithm"], ca["algo_lines"],
                          cb["algo_lines"], 55, f"Calibration algorithm {ca['algorithm'] or '?'} -> "
                                                f"{cb['algorithm'] or '?'}: scales are computed differently."))
    if ca["batches"] != cb["batches"]:
        out.append(Change("calibration_batches", "", ca["batches"], cb["batches"], ca["batch_lines"],
                          cb["batch_lines"], 40, f"Calibration batches {ca['batches']} -> {cb['batches']}."))
    if ca["cache"] != cb["cache"]:
        out.append(Change("calibration_cache", "", ",".join(ca["cache"]) or "none", ",".join(cb["cache"]) or "none",
                          ca["cache_lines"], cb["cache_lines"], 30,
                          f"Calibration cache {'/'.join(ca['cache']) or 'not used'} -> "
                          f"{'/'.join(cb['cache']) or 'not used'} (a cache read skips calibration: its scales "
                          "come from the earlier run)."))
    d = pct(ca["seconds"], cb["seconds"])
    if d is not None and abs(d) >= 10:
        out.append(Change("calibration_time", "", ca["seconds"], cb["seconds"], ca["done_lines"], cb["done_lines"],
                          min(30, 5 + abs(d) / 4),
                          f"Calibration time {ca['seconds']:.3g} s -> {cb['seconds']:.3g} s ({d:+.0f} %)."))
    sa, sb = ca["scales"], cb["scales"]
    both = set(sa) & set(sb)
    differ = sorted(t for t in both if not math.isclose(sa[t], sb[t], rel_tol=1e-6))
    only = len(set(sa) ^ set(sb))
    if differ or only:
        la = [ca["scale_lines"][t] for t in differ[:5]] or ca["cache_lines"]
        lb = [cb["scale_lines"][t] for t in differ[:5]] or cb["cache_lines"]
        out.append(Change("calibration_scales", "", len(sa), len(sb), la, lb,
                          min(45, 15 + len(differ)),
                          f"INT8 scales as the log prints them (6 significant digits): {len(differ)} of "
                          f"{len(both)} tensors differ"
                          + (f" (e.g. {_short(differ)})" if differ else "")
                          + (f"; {only} tensors have a scale on one side only" if only else "") + "."))
    # what both calibrations share, so the diff always says how the two were calibrated
    same = [f"algorithm {ca['algorithm']}" if ca["algorithm"] == cb["algorithm"] and ca["algorithm"] else "",
            f"{ca['batches']} batches" if ca["batches"] == cb["batches"] else "",
            ("cache " + "/".join(x.replace("cache_", "") for x in ca["cache"])
             if ca["cache"] == cb["cache"] and ca["cache"] else ""),
            f"{len(both) - len(differ)} of {len(both)} printed tensor scales equal" if both else ""]
    same = [x for x in same if x]
    if same:
        out.append(Change("calibration", "", ca["algorithm"], cb["algorithm"], ca["algo_lines"], cb["algo_lines"], 5,
                          "Both builds ran INT8 calibration; the same: " + ", ".join(same) + "."))
    return out


# -- performance ---------------------------------------------------------------------------------
def perf_changes(A: Side, B: Side, threshold: float = 2.0) -> Tuple[List[Change], List[str]]:
    pa, pb = A.perf(), B.perf()
    out = []
    for key in [k for k in pa if k in pb]:
        metric, stat = key
        (va, unit, la), (vb, _, lb) = pa[key], pb[key]
        d = pct(va, vb)
        if d is None or abs(d) < threshold:
            continue
        worse = (d < 0) if metric in PERF_HIGHER_IS_BETTER else (d > 0)
        label = metric if stat == "value" else f"{metric} {stat}"
        out.append(Change("perf", label, va, vb, [la], [lb], min(15, abs(d) / 2),
                          f"{label} {va:.4g} -> {vb:.4g} {unit} ({d:+.1f} %, {'worse' if worse else 'better'})."))
    # one sentence for the headline figures, ranked by the largest of their moves
    parts, lines_a, lines_b, top = [], [], [], 0.0
    for key, label in ((("Throughput", "value"), "throughput"), (("Latency", "mean"), "mean latency"),
                       (("GPU Compute Time", "mean"), "mean GPU compute time")):
        if key in pa and key in pb:
            (va, unit, la), (vb, _, lb) = pa[key], pb[key]
            d = pct(va, vb)
            if d is not None:
                parts.append(f"{label} {va:.4g} -> {vb:.4g} {unit} ({d:+.1f} %)")
                lines_a.append(la)
                lines_b.append(lb)
                top = max(top, abs(d))
    if parts and top >= 2:
        out.append(Change("perf_summary", "", None, None, lines_a, lines_b, min(95, 40 + 4 * top),
                          "Performance: " + "; ".join(parts) + "."))
    caveats = perf_caveats(A, B) if pa and pb else []
    return out, caveats


def perf_caveats(A: Side, B: Side) -> List[str]:
    out = []
    oa, ob = A.options(), B.options()
    for name in sorted(set(oa) & set(ob)):
        if (oa[name][2] == "Inference" or name in _INFERENCE_KEYS) and oa[name][0] != ob[name][0]:
            out.append(f"Inference option '{name}' differs ({oa[name][0]} vs {ob[name][0]}, lines "
                       f"{oa[name][1]}/{ob[name][1]}): performance figures were measured differently.")
    va, vb = A.trt_version(), B.trt_version()
    major = [v.major if v is not None else None for v in map(find_version, (va, vb))]
    if None not in major and (major[0] >= 11) != (major[1] >= 11):
        out.append("trtexec inference defaults (CUDA graphs, spin-wait) changed in TensorRT 11.x; "
                   "check the Inference options of both runs before reading throughput as an engine change.")
    (ga, _), (gb, _) = A.gpu(), B.gpu()
    if ga and gb and ga != gb:
        out.append(f"Measured on different GPUs ({ga} vs {gb}).")
    return out
