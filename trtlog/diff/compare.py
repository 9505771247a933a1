"""`diff_builds(a, b)`: run the deltas on two BuildLogs (never the log text) and rank them."""
from __future__ import annotations

from typing import List, Optional

from ..buildlog import BuildLog
from . import deltas as D
from .align import align, layers_from_table
from .model import BuildInfo, Change, DiffResult
from .side import Side
from .summary import summarize


def _info(side: Side, n_layers: int, n_reformats: int) -> BuildInfo:
    bl, f = side.bl, side.bl.facts
    return BuildInfo(path=bl.path, run=side.run, producer=bl.producer, trt_version=side.trt_version(),
                     gpu=side.gpu()[0], compute_capability=side.compute_capability()[0], command=side.command()[0],
                     precision_requested=list(f.precision_requested) or None, build_ok=f.build_ok,
                     build_seconds=f.build_seconds, engine_size_mib=f.engine_size_mib, layers=n_layers,
                     reformats=n_reformats, throughput_qps=side.throughput())


def diff_builds(a: BuildLog, b: BuildLog, run_a: Optional[int] = None,
                run_b: Optional[int] = None) -> DiffResult:
    """Diff build `a` (before) against build `b` (after). `run_a`/`run_b` pick a run inside a
    multi-run log (default: the last run that printed engine layers)."""
    A, B = Side(a, run_a), Side(b, run_b)
    la = layers_from_table(A.t("layers"), A.t("tensors"))
    lb = layers_from_table(B.t("layers"), B.t("tensors"))
    al = align(la, lb)
    layer_changes = D.layer_changes(A, B, al)
    changes: List[Change] = []
    changes += D.problem_changes(A, B)
    changes += D.env_changes(A, B, layer_changes)
    changes += D.build_time_changes(A, B)
    changes += D.tactic_search_changes(A, B, al)
    changes += layer_changes
    changes += D.memory_changes(A, B)
    changes += D.calibration_changes(A, B)
    perf, caveats = D.perf_changes(A, B)
    changes += perf
    n_unmatched = [sum(1 for i in idx if not side[i].is_reformat)
                   for idx, side in ((al.unmatched_a, la), (al.unmatched_b, lb))]
    if any(n_unmatched):
        changes.append(Change("unmatched", "", n_unmatched[0], n_unmatched[1]))
    changes.sort(key=lambda c: -c.score)
    info_a = _info(A, len(la), sum(l.is_reformat for l in la))
    info_b = _info(B, len(lb), sum(l.is_reformat for l in lb))
    return DiffResult(a, b, info_a, info_b, changes, al, summarize(changes, caveats), caveats,
                      {k: v[0] for k, v in A.perf().items()}, {k: v[0] for k, v in B.perf().items()})
