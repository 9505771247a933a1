"""Small queries over BuildLog tables shared by the rules."""
from __future__ import annotations

from typing import Callable, Iterable, List, Optional, Sequence, Set

import pandas as pd

from ..tensors import LayerTensors, Tensor, by_layer, of
from ..vocab import format_bytes as fmt_bytes  # noqa: F401  (re-exported for the rules)
from ..vocab import (
    mib_ceil,  # noqa: F401  (re-exported for the rules)
    precision_flag,
)


def rows(bl, table: str, column: Optional[str] = None, values: Iterable[str] = ()) -> pd.DataFrame:
    """Rows of `table` whose `column` is one of `values` (all rows when no column)."""
    df = bl.tables.get(table)
    if df is None or df.empty:
        return df if df is not None else pd.DataFrame()
    if column is None:
        return df
    vals = list(values)
    return df[df[column].isin(vals)]


def by_id(bl, ids: Iterable[str], severities: Iterable[str] = ()) -> pd.DataFrame:
    """messages-table rows of the grammar messages `ids` (the id of the template each line matched),
    optionally only those with one of `severities`. Rules select lines by id, never by their text."""
    m = bl.tables.get("messages")
    if m is None or m.empty:
        return pd.DataFrame(columns=["run", "line", "severity", "msg_id", "text"])
    m = m[m["msg_id"].isin(list(ids))]
    sev = list(severities)
    if sev and len(m):
        m = m[m["severity"].isin(sev)]
    return m


def at_lines(bl, table: str, lines: Iterable[int]) -> pd.DataFrame:
    """Rows of `table` on the given log lines (the typed fields of lines selected by id)."""
    df = bl.tables.get(table)
    if df is None or df.empty:
        return df if df is not None else pd.DataFrame()
    return df[df["line"].isin(list(lines))]


def requested_precisions(bl) -> Set[str]:
    """Reduced precisions the builder was asked to allow (weak typing flags): FP16, INT8, BF16, FP8, BEST
    (which allows FP16 and INT8), from the precision_requested fact (builder flags, trtexec's echo and
    command line)."""
    found = {p for p in map(precision_flag, bl.facts.precision_requested) if p}
    if "BEST" in found:
        found |= {"FP16", "INT8"}
    return found - {"FP32", "TF32"}


def plural(n: int, word: str, many: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def names(values: Iterable[str], limit: int = 5) -> str:
    vals: List[str] = []
    for v in values:
        if v and v not in vals:
            vals.append(v)
    more = len(vals) - limit
    shown = ", ".join(vals[:limit])
    return shown + (f" and {more} more" if more > 0 else "")


def tensor_volume(ts: Sequence[Tensor]) -> int:
    """Largest element count among a layer's tensors (trtlog.tensors); dynamic (-1/-2) dimensions count
    as 1, tensors without integer dims (none printed, vectorised '32:8') not at all."""
    return max((v for v in (t.volume() for t in ts) if v is not None), default=0)


def layer_tensors(bl) -> Callable[[dict], LayerTensors]:
    """A layers-table row -> its tensors (the tensors table, typed)."""
    index = by_layer(bl.tables.get("tensors"))
    return lambda row: of(index, row)


def rejected_profile_runs(bl) -> Set[int]:
    """Runs in which TensorRT rejected an optimisation profile (IOptimizationProfile::isValid /
    IBuilderConfig::addOptimizationProfile errors): their later 'no optimization profile has been
    defined' is a consequence, not a missing profile."""
    err = bl.tables.get("errors")
    if err is None or err.empty:
        return set()
    return set(err.loc[err["kind"].isin(["profile_invalid", "profile_rejected"]), "run"].astype(int))


def timing_cache_read_errors(bl) -> pd.DataFrame:
    """errors-table rows TensorRT printed while reading a timing cache: the Serialization error on the line
    just before a 'The timing cache will not be used!' of the same run (TensorRT 8.6+: '1: [stdArchiveReader.cpp::
    ...] Error Code 1: Serialization (... Version tag does not match ...)' then '4: The timing cache will not be
    used!'). The same Serialization wording elsewhere is an engine the runtime refused; other errors there (the
    CUDA errors of a driverless TensorRT-RTX host) are not the cache's."""
    err, tc = bl.tables.get("errors"), bl.tables.get("timing_cache")
    if err is None or err.empty or tc is None or tc.empty:
        return pd.DataFrame(columns=["run", "line"])
    rej = tc[tc["event"] == "rejected"]
    before = set(zip(rej["run"].astype(int), rej["line"].astype(int) - 1))
    err = err[err["category"] == "Serialization"]
    keys = list(zip(err["run"].astype(int), err["line"].astype(int)))
    return err[[k in before for k in keys]]
