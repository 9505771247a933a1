"""Column-wise twins of the handlers, for the lines scan.py matched in bulk.

A template is *bulk* when its handler has a twin here (or it has none: a plain table row or
nothing). What the handlers keep in State is reproduced column-wise:
  * the tactic timing context (context.py): bulk lines add their events before the block's line
    loop, and their tactic rows read the merged timeline after it;
  * "fastest"/"chosen" marks and the lines that start a new layer/format block, applied to the
    finished tactics table (apply_marks) exactly as the line handlers' row index did;
  * table rows: column batches merged with the line-by-line rows by line number at the end, except
    for tables whose handlers look back at earlier rows (handlers.LOOKBACK_TABLES): those get dict
    rows put in line order during the loop.
Field values are what the line parser hands the handler: raw strings for `hot = yes` templates,
converted with the grammar's field types otherwise.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import pandas as pd

from .. import tables as T
from ..vocab import tactic_int
from .context import object_array as _objects
from .grammar import TYPES, Message
from .handlers import LOOKBACK_TABLES, State

# handler -> the fields its twin uses (a plain table row uses them all)
USES = {"tactic_time": ("tactic", "time_ms", "kernel"), "set_tactic_name": ("kernel",), "costs": ("layer",),
        "format": ("format",), "timing_runner": ("layer", "runner"), "fastest": ("layer", "runner", "tactic"),
        "chose": ("runner", "tactic"), "tactic_skip": ("tactic", "kernel", "requested", "available"), "noop": ()}
BULK_HANDLERS = frozenset(USES) | {""}
TEXT_TABLES = {name for name, (_, cols) in T.TABLES.items() if any(c[0] == "text" for c in cols)}
TAC_COLUMNS = [c for c in T.columns("tactics") if c != "tactic_int"]


def is_bulk(m: Message) -> bool:
    return m.scope == "message" and not m.opens and not m.closes and m.handler in BULK_HANDLERS


def uses(m: Message) -> set:
    """The fields of bulk template `m` that its twin reads (scan.py captures only those)."""
    names = {name for name, _ in m.fields}
    return names if not m.handler else names & set(USES[m.handler])


def _convert(value: str, conv):
    try:
        return conv(value) if conv is not str else value.strip()
    except ValueError:
        return value


def fields_of(msg: Message, raw: Dict[str, list]) -> Dict[str, object]:
    """The handler's field dict, column-wise: raw for hot templates, else Message.convert's values
    (constants as scalars). Fields the twin does not read (not captured) are absent."""
    if msg.hot:
        return dict(raw)
    out: Dict[str, object] = dict(msg.consts)
    for name, typ in msg.fields:
        if name in raw:
            conv = TYPES[typ][1]
            vals = raw[name]
            out[name] = [v.strip() for v in vals] if conv is str else [_convert(v, conv) for v in vals]
    return out


def _column(value, n: int) -> list:
    return value if isinstance(value, list) else [value] * n


def _shared(values) -> list:
    """The same strings, one object per distinct value: kernel names and tactic ids repeat by the
    thousand and would otherwise each hold their own copy."""
    first: Dict[str, str] = {}
    return list(map(first.setdefault, values, values))


class BlockBulk:
    """The bulk lines of one block (scan.BlockScan) around the block's line loop."""

    def __init__(self, st: State, hits: list, base: int):
        self.st = st
        self.base = base
        self.batches = []          # (template, hits, lines, fields) per template alternative
        messages = st.grammar.messages
        for h in hits:
            msg = messages[h.index]
            self.batches.append((msg, h, base + 1 + h.offs, fields_of(msg, h.fields)))
        self.pending: List[tuple] = []    # (line, table, row) of look-back tables, in line order
        self._pos = 0

    # -- before the line loop -------------------------------------------------------------------
    def before_loop(self) -> None:
        ctx = self.st.ctx
        for msg, h, lines, f in self.batches:
            handler, n = msg.handler, len(lines)
            if handler == "tactic_time" or handler == "tactic_skip":
                ctx.add_bulk("kernel", lines, [""] * n)
            elif handler == "set_tactic_name":
                ctx.add_bulk("kernel", lines, f["kernel"] if msg.hot else _column(f.get("kernel", ""), n))
            elif handler == "costs":
                ctx.add_bulk("layer", lines, _column(f.get("layer", ""), n))
                ctx.add_bulk("runner", lines, [""] * n)
                ctx.add_bulk("kernel", lines, [""] * n)
            elif handler == "format":
                ctx.add_bulk("format", lines, _column(f.get("format", ""), n))
            elif handler == "timing_runner":
                if "layer" in f:
                    ctx.add_bulk("layer", lines, _column(f["layer"], n))
                ctx.add_bulk("runner", lines, _column(f.get("runner", ""), n))
                ctx.add_bulk("kernel", lines, [""] * n)
            elif handler == "fastest" and "layer" in f:
                layers = _column(f["layer"], n)
                keep = [i for i, v in enumerate(layers) if v]
                ctx.add_bulk("layer", lines[keep], [layers[i] for i in keep])
            elif not handler and msg.table in LOOKBACK_TABLES:
                rows = self._rows(msg, h, lines, f)
                self.pending += [(int(line), msg.table, row) for line, row in zip(lines, rows)]
        self.pending.sort(key=lambda p: p[0])
        ctx.start_loop()

    def flush(self, line: int) -> None:
        """Put the look-back table rows of bulk lines before `line` into place (before the line
        parser handles `line`, so the run is still the one of those lines)."""
        pending, st = self.pending, self.st
        while self._pos < len(pending) and pending[self._pos][0] < line:
            at, table, row = pending[self._pos]
            if at not in st.ctx.void:
                row["run"] = st.run
                row["line"] = at
                st.rows[table].append(row)
            self._pos += 1

    # -- after the line loop ----------------------------------------------------------------------
    def after_loop(self, run: np.ndarray) -> Dict[str, list]:
        """Rows, marks and events of the bulk lines (minus those handed to the line parser);
        returns this block's bulk tactic rows column-wise."""
        st, ctx = self.st, self.st.ctx
        self.flush(1 << 62)
        tac: Dict[str, list] = {c: [] for c in TAC_COLUMNS}
        for msg, h, lines, f in self.batches:
            if ctx.void:
                keep = [i for i, line in enumerate(lines.tolist()) if line not in ctx.void]
                if len(keep) < len(lines):
                    lines = lines[keep]
                    f = {k: ([v[i] for i in keep] if isinstance(v, list) else v) for k, v in f.items()}
            n = len(lines)
            if not n:
                continue
            handler = msg.handler
            if handler in ("tactic_time", "tactic_skip"):
                self._tactic_rows(tac, handler, msg, lines, f, run)
            elif handler in ("costs", "format"):
                st.bulk_resets.append(lines)
            elif handler == "fastest":
                if "runner" in f:
                    runner = [r.split("[", 1)[0] if r and "[" in r else r for r in _column(f["runner"], n)]
                else:
                    runner = ctx.read("runner", lines).tolist()
                st.bulk_marks.append((lines, runner, _column(f.get("tactic", ""), n), "fastest"))
                if any(name == "seconds" for name, _ in msg.fields):
                    st.features["profiling_completed"] = st.features.get("profiling_completed", 0) + n
            elif handler == "chose":
                st.bulk_marks.append((lines, _column(f.get("runner", ""), n), _column(f.get("tactic", ""), n),
                                      "chosen"))
            elif not handler and msg.table and msg.table not in LOOKBACK_TABLES:
                cols = {k: v for k, v in f.items()}
                if msg.table in TEXT_TABLES and "text" not in cols:
                    cols["text"] = self._texts(h, lines)
                cols["run"] = run[lines - self.base - 1].tolist()
                st.batches.setdefault(msg.table, []).append((lines, cols))
        return tac

    def _texts(self, h, lines) -> list:
        if len(lines) == len(h.offs):
            return h.texts
        keep = set((lines - self.base - 1).tolist())
        return [t for o, t in zip(h.offs.tolist(), h.texts) if o in keep]

    def _rows(self, msg, h, lines, f) -> List[dict]:
        n = len(lines)
        cols = {k: _column(v, n) for k, v in f.items()}
        if msg.table in TEXT_TABLES and "text" not in cols:
            cols["text"] = h.texts
        names = list(cols)
        return [dict(zip(names, vals)) for vals in (zip(*cols.values()) if names else [()] * n)]

    def _tactic_rows(self, tac, handler, msg, lines, f, run) -> None:
        ctx, n = self.st.ctx, len(lines)
        if handler == "tactic_time":
            kernel = f.get("kernel")
            if kernel is None or not all(kernel):
                pending = ctx.read("kernel", lines)
                kernel = [k or p for k, p in zip(kernel, pending)] if kernel is not None else pending.tolist()
            tactic, time_ms, skipped = f["tactic"], list(map(float, f["time_ms"])), [""] * n
        else:
            reason = msg.consts.get("reason", "skipped")
            kernel = _column(f["kernel"], n) if "kernel" in f else ctx.read("kernel", lines).tolist()
            tactic, time_ms, skipped = _column(f.get("tactic", ""), n), [None] * n, [reason] * n
            if "requested" in f:
                self.st.batches.setdefault("memory", []).append((lines, {
                    "kind": "tactic_skip_scratch", "name": ctx.read("layer", lines).tolist(),
                    "bytes": _column(f["requested"], n), "available_bytes": _column(f.get("available"), n),
                    "tactic": tactic, "run": run[lines - self.base - 1].tolist()}))
        tac["run"].append(run[lines - self.base - 1])
        tac["line"].append(lines)
        for var in ("layer", "runner", "format"):
            tac[var].append(ctx.read(var, lines))
        tac["tactic"].append(_shared(tactic))
        tac["kernel"].append(_shared(kernel))
        tac["time_ms"].append(time_ms)
        tac["skipped"].append(skipped)
        tac["fastest"].append(np.zeros(n, bool))
        tac["chosen"].append(np.zeros(n, bool))


# -- the finished tables -----------------------------------------------------------------------------
def _floats(values) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    if None in values:
        values = [np.nan if v is None else v for v in values]
    return np.array(values, dtype=float)


def merge_block_tactics(st: State, bulk: Dict[str, list]) -> None:
    """Keep this block's tactic rows (bulk ones, then the line parser's) for finish_tactics."""
    res = st.tac
    for part in ([{c: bulk[c][i] for c in TAC_COLUMNS} for i in range(len(bulk["line"]))] +
                 ([res] if res["line"] else [])):
        st.tac_parts.append({
            "run": np.asarray(part["run"], dtype=np.int64), "line": np.asarray(part["line"], dtype=np.int64),
            "fastest": np.asarray(part["fastest"], dtype=bool), "chosen": np.asarray(part["chosen"], dtype=bool),
            "time_ms": _floats(part["time_ms"]),
            **{c: _objects(part[c]) for c in ("layer", "runner", "format", "tactic", "kernel", "skipped")}})
    st.tac = {c: [] for c in TAC_COLUMNS}


def finish_tactics(st: State) -> Dict[str, object]:
    parts = st.tac_parts
    empty = {"run": np.int64, "line": np.int64, "fastest": bool, "chosen": bool, "time_ms": float}
    tac = {c: (np.concatenate([p[c] for p in parts]) if parts else np.zeros(0, empty.get(c, object)))
           for c in TAC_COLUMNS}
    order = np.argsort(tac["line"], kind="stable")
    tac = {c: v[order] for c, v in tac.items()}
    if any(t.lower().startswith("0x") for t in tac["tactic"][:1000].tolist()):
        st.feature("hex_tactics")
    elif len(tac["tactic"]):
        st.feature("decimal_tactics")
    apply_marks(st, tac)
    tac["tactic_int"] = _tactic_ints(tac["tactic"])
    return tac


def _tactic_ints(tactics: np.ndarray):
    """vocab.tactic_int of every tactic id, computed once per distinct id."""
    codes, uniq = pd.factorize(tactics)
    ints = [tactic_int(t) for t in uniq]
    if any(v is not None and not -(1 << 63) <= v < (1 << 63) for v in ints):
        return [ints[c] for c in codes.tolist()]          # too big for Int64: as the handlers did
    values = np.array([0 if v is None else v for v in ints], dtype=np.int64)
    missing = np.array([v is None for v in ints], dtype=bool)
    return pd.arrays.IntegerArray(values[codes], missing[codes]) if len(codes) else []


def apply_marks(st: State, tac: Dict[str, np.ndarray]) -> None:
    """Set "fastest"/"chosen" as the line handlers' (runner, tactic) -> row index of the current
    layer/format block did: the last row of that runner and tactic since the block started, else
    (runner unknown) the last row of the tactic's key that was first seen last."""
    marks = st.marks
    lines = np.concatenate([np.array([m[0] for m in marks], np.int64)] + [b[0] for b in st.bulk_marks])
    if not len(lines):
        return
    runners = [m[1] for m in marks] + [r for b in st.bulk_marks for r in b[1]]
    tactics = [m[2] for m in marks] + [t for b in st.bulk_marks for t in b[2]]
    columns = [m[3] for m in marks] + [b[3] for b in st.bulk_marks for _ in range(len(b[0]))]
    resets = np.sort(np.concatenate([np.array(st.resets, np.int64)] + st.bulk_resets))
    row_lines = tac["line"]
    n = len(row_lines)
    # rows of the mark's block: from the first row after the last reset before it, up to the mark
    seg = np.searchsorted(resets, lines, "left") - 1
    start = np.where(seg >= 0, np.searchsorted(row_lines, resets[np.maximum(seg, 0)] if len(resets) else
                                               np.zeros(len(lines), np.int64), "right"), 0)
    upto = np.searchsorted(row_lines, lines, "left")
    # (runner, tactic) as one integer for rows and marks; rows sorted by (key, row)
    r_codes, r_uniq = pd.factorize(np.concatenate([tac["runner"], _objects(runners)]))
    t_codes, t_uniq = pd.factorize(np.concatenate([tac["tactic"], _objects(tactics)]))
    key = r_codes.astype(np.int64) * (len(t_uniq) + 1) + t_codes
    row_key, mark_key = key[:n], key[n:]
    combined = np.sort(row_key * (n + 1) + np.arange(n))
    pos = np.searchsorted(combined, mark_key * (n + 1) + upto, "left") - 1
    found = combined[np.maximum(pos, 0)] if n else np.zeros(len(lines), np.int64)
    ok = (pos >= 0) & (found // (n + 1) == mark_key) & (found % (n + 1) >= start)
    target = np.where(ok, found % (n + 1), -1)
    for k in np.flatnonzero(~ok & (np.array([not r for r in runners], bool))).tolist():
        # runner unknown: any runner's row of that tactic, as the handlers' dict iteration found it
        first: Dict[str, int] = {}
        last: Dict[str, int] = {}
        for i in range(int(start[k]), int(upto[k])):
            if tac["tactic"][i] == tactics[k]:
                first.setdefault(tac["runner"][i], i)
                last[tac["runner"][i]] = i
        if first:
            target[k] = last[max(first, key=first.get)]
    for col in ("fastest", "chosen"):
        sel = target[(target >= 0) & (np.array(columns, dtype=object) == col)]
        tac[col][sel] = True


def table_columns(st: State, name: str) -> Dict[str, list]:
    """Column lists of table `name`: the line parser's rows and the bulk batches, in line order."""
    rows, cols = st.rows[name], T.columns(name)
    batches = st.batches.get(name)
    if not batches:
        return {c: [r.get(c) for r in rows] for c in cols}
    lines = np.concatenate([np.array([r["line"] for r in rows], np.int64)] + [b[0] for b in batches])
    order = np.argsort(lines, kind="stable")
    out = {}
    for c in cols:
        vals = [r.get(c) for r in rows]
        for blines, bcols in batches:
            vals += blines.tolist() if c == "line" else _column(bcols.get(c), len(blines))
        out[c] = _objects(vals)[order].tolist()
    return out
