"""TRT4xx: memory — workspace, tactics skipped for memory, lazy loading, dynamic-shape ranges."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import pandas as pd

from ..vocab import MiB, parse_shapes
from .engine import Evidence, Fix, iter_runs, parse_version, rule
from .kinds import Present, present
from .util import fmt_bytes, mib_ceil, plural, rows


def workspace_setting(bl) -> Tuple[Optional[float], Optional[int]]:
    """(configured workspace in MiB or None for default/unknown, the options line that says so)."""
    ws = bl.facts.workspace_bytes
    return (None if ws is None else ws / MiB), bl.facts.where("workspace_bytes").line


def _suggest(bl, need_bytes: int) -> Tuple[str, str]:
    mib = mib_ceil(need_bytes)
    v = parse_version(bl.trt_version_min) or (10,)
    if v < (8, 4):
        return (f"config.max_workspace_size = {mib} << 20", f"--workspace={mib}")
    return (f"config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, {mib} << 20)",
            f"--memPoolSize=workspace:{mib}" + ("M" if v >= (10,) else ""))


@rule("TRT401", "insufficient-workspace", severity="warning", category="memory",
      summary="Tactics were skipped for lack of workspace; names the largest request and the setting "
              "that admits it.",
      tables=("memory", "facts"),
      fix=Fix(python="config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, N << 20) (8.4+; "
                     "max_workspace_size before)",
              trtexec="--memPoolSize=workspace:N (MiB; 10.x accepts K/M/G suffixes and reads a trailing 'B' as "
                      "bytes) or --workspace=N before 8.4",
              trt11="--memPoolSize=workspace:NM / set_memory_pool_limit (unchanged)."),
      rationale="Each tactic needs scratch memory; those asking for more than the workspace pool are not "
                "even timed, and one of them may have been the fastest.")
def insufficient_workspace(bl, check):
    mem = bl.tables["memory"]
    if mem.empty:
        return
    hits = mem[mem["kind"].isin(["workspace_insufficient", "tactic_skip_scratch"])]
    if hits.empty:
        return
    ws_mib, ws_line = workspace_setting(bl)
    devmem = bl.facts.gpu_memory_bytes
    for run, g in iter_runs(hits):
        skips = g[g["kind"] == "tactic_skip_scratch"]
        req = skips["bytes"].dropna().astype("int64") if len(skips) else pd.Series([], dtype="int64")
        parts = []
        fix = None
        if ws_mib is not None:
            parts.append(f"Workspace pool: {ws_mib:g} MiB.")
        if len(req):
            largest = int(req.max())
            avail = skips["available_bytes"].dropna()
            parts.append(f"{plural(len(skips), 'tactic')} skipped; largest request {fmt_bytes(largest)} "
                         f"({largest} bytes)" + (f", available {fmt_bytes(int(avail.max()))}" if len(avail) else "")
                         + ".")
            fits = [int(r) for r in req if devmem is None or int(r) < devmem]
            if fits:
                need = max(fits)
                py, cli = _suggest(bl, need)
                parts.append(f"A workspace of {mib_ceil(need)} MiB admits "
                             + ("all of them." if len(fits) == len(req) else
                                f"{len(fits)} of them (the others exceed the {fmt_bytes(devmem)} of device memory)."))
                fix = Fix(python=py, trtexec=cli)
            elif devmem:
                parts.append(f"Every request exceeds the {fmt_bytes(devmem)} of device memory; no workspace "
                             "setting admits them.")
        else:
            parts.append("Some tactics lacked workspace; rerun with --verbose (kVERBOSE) to see the requested sizes.")
        if ws_mib is not None and ws_mib < 1:
            parts.append(f"The pool is only {ws_mib * 1024 * 1024:.0f} bytes: in TensorRT 10 trtexec a trailing "
                         "'B' (as in 'workspace:1024MiB') means bytes; write 'workspace:1024M'.")
        ev_rows = pd.concat([g[g["kind"] == "workspace_insufficient"].head(2),
                             skips.sort_values("bytes", ascending=False).head(5)]) if len(skips) else g.head(3)
        lines = [ws_line] if ws_line else []
        yield check.finding("Insufficient workspace" + (f": up to {fmt_bytes(int(req.max()))} requested"
                                                        if len(req) else ""),
                            " ".join(parts), check.evidence(ev_rows, "memory", lines=lines), fix=fix,
                            run=run, total=len(g))


@rule("TRT402", "tactics-skipped-for-memory", severity="warning", category="memory",
      summary="Tactics were skipped because the requested memory could not be provided (10.x UNSUPPORTED_STATE).",
      tables=("memory", "facts"), min_version=(10, 0),
      fix=Fix(python="Raise the workspace pool: config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, N << 20); "
                     "free GPU memory held by other processes during the build.",
              trtexec="--memPoolSize=workspace:NM (M suffix; 'MiB' is read as bytes in 10.x).",
              trt11="Same."),
      rationale="TensorRT 10 warns per tactic when its memory request exceeds what is available; the skipped "
                "tactic might have been the fastest.")
def tactics_skipped_memory(bl, check):
    mem = bl.tables["memory"]
    hits = mem[mem["kind"] == "tactic_skip_memory"] if len(mem) else mem
    if hits.empty:
        return
    ws_mib, ws_line = workspace_setting(bl)
    for run, g in iter_runs(hits):
        req = g["bytes"].dropna()
        largest = int(req.max()) if len(req) else None
        msg = f"{plural(len(g), 'tactic')} skipped for insufficient memory"
        msg += f"; largest request {fmt_bytes(largest)} ({largest} bytes)." if largest else "."
        if ws_mib is not None:
            msg += f" Workspace pool: {ws_mib:g} MiB."
        fix = None
        if largest:
            py, cli = _suggest(bl, largest)
            fix = Fix(python=py, trtexec=cli)
        yield check.finding(f"{plural(len(g), 'tactic')} skipped for memory", msg,
                            check.evidence(g, "memory", lines=[ws_line] if ws_line else []), fix=fix,
                            run=run, total=len(g))


present(Present(ids=("build.lazy_loading", "trtexec.device_lazy_loading"), evidence="first",
                title="CUDA lazy loading disabled",
                message="TensorRT reports CUDA lazy loading is not enabled."),
        "TRT403", "lazy-loading-disabled",
        severity="info",
        category="memory",
        summary="CUDA lazy loading is off; all kernels are loaded eagerly (more device memory, slower start).",
        min_version=(8, 5),
        fix=Fix(python="os.environ['CUDA_MODULE_LOADING'] = 'LAZY' before CUDA is initialised (CUDA >= 11.7).",
                trtexec="CUDA_MODULE_LOADING=LAZY trtexec ...",
                trt11="Lazy loading is the CUDA 12.2+ default; upgrade the driver/toolkit or set the variable."),
        rationale="With eager loading every TensorRT/cuDNN/cuBLAS kernel is loaded at init, costing hundreds "
                  "of MiB of device memory and seconds of start-up.")


def _volume(dims: List[int]) -> int:
    v = 1
    for d in dims:
        v *= max(d, 1)
    return v


WIDE_RATIO = 32
WIDE_RATIO_WITH_MEMORY = 4
BIG_ACTIVATION = 1 << 30


@rule("TRT404", "wide-shape-range", severity="info", category="memory",
      summary="Optimization profile min..max spread is wide; activation memory is sized for max.",
      tables=("memory", "runs", "facts"),
      fix=Fix(python="Use several optimization profiles with narrower ranges (one per typical size) and pick "
                     "one per execution context.",
              trtexec="Narrower --minShapes/--maxShapes, or build one engine per size bucket; set --optShapes to "
                      "the most common shape.",
              trt11="Same profiles API."),
      rationale="Activation memory and tactic choice follow the max shape; a very wide range wastes memory at "
                "small sizes and tunes kernels for one point (opt).",
      confidence="medium")
def wide_shape_range(bl, check):
    specs: Dict[str, Dict[str, List[int]]] = {}
    # the trtexec command's shapes, then the first profile a bundle's builder config records (Python API)
    for prof in bl.facts.command_profiles + tuple(p for p in bl.facts.requested_profiles if p.profile == 0):
        for kind in ("min", "opt", "max"):
            dims = getattr(prof, kind)
            if dims:
                specs.setdefault(kind, {}).update(parse_shapes(f"{prof.input}:{dims}", lenient=True))
    if "min" not in specs or "max" not in specs:
        return
    act = rows(bl, "memory", "kind", ("total",))
    act_bytes = None
    act_line = None
    v = parse_version(bl.trt_version_min)
    # up to 8.4 the printed activation total still includes the workspace block: do not use it
    if act is not None and len(act) and (v is None or v >= (8, 5)):
        a = act[act["name"].astype(str).str.contains("Activation", case=False)]
        if len(a):
            # the last total is the optimized block assignment; 8.4's first one still counts the workspace
            act_bytes, act_line = int(a["bytes"].iat[-1]), int(a["line"].iat[-1])
    wide = []
    for name, mx in specs["max"].items():
        mn = specs["min"].get(name)
        if not mn:
            continue
        ratio = _volume(mx) / max(_volume(mn), 1)
        big = act_bytes is not None and act_bytes >= BIG_ACTIVATION
        if ratio >= WIDE_RATIO or (big and ratio >= WIDE_RATIO_WITH_MEMORY):
            wide.append((name, ratio, mn, mx))
    if not wide:
        return
    desc = "; ".join(f"{n}: {'x'.join(map(str, a))} .. {'x'.join(map(str, b))} ({r:.0f}x)" for n, r, a, b in wide)
    msg = f"Profile ranges: {desc}."
    if act_bytes:
        msg += f" Total activation memory (sized for max): {fmt_bytes(act_bytes)}."
    runs = bl.tables["runs"]
    from_command = bool(bl.facts.command_profiles)
    lines = [int(x) for x in runs["command_line"].dropna().head(1)] if from_command else []
    if act_line:
        lines.append(act_line)
    ev = check.evidence(lines=lines)
    if not from_command:
        ev = [Evidence(0, "config.json spec: " + "; ".join(
            f"{k}_shapes {n}={'x'.join(map(str, d))}" for k in ("min", "max") for n, d in specs[k].items()))] + ev
    yield check.finding("Wide dynamic-shape range", msg, ev)

