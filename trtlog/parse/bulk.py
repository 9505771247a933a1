"""The actions (actions.py) of a block's lines, column-wise: the one engine for action messages.

A block's action lines come in batches, one per template alternative: the lines scan.py matched in
bulk (before the block's line loop) and the lines the line-by-line parser matched one at a time
(during it). What a line-at-a-time engine would keep in State is made column-wise:
  * the tactic timing context (context.py): a batch's context events (actions.Set) enter the
    timeline, bulk ones before the line loop, the line parser's at once; tactic rows and marks read
    the merged timeline after the loop;
  * "fastest"/"chosen" marks and the lines that start a new layer/format block, applied to the
    finished tactics table (apply_marks);
  * table rows: column batches merged with the function handlers' rows by line number at the end,
    except for tables whose handlers look back at earlier rows (handlers.LOOKBACK_TABLES): those get
    dict rows in line order during the loop.
Field values are what the line parser hands a handler: raw strings for `hot = yes` templates,
converted with the grammar's field types otherwise.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import pandas as pd

from .. import heap
from .. import tables as T
from ..vocab import tactic_int
from .actions import PLAIN, Action
from .context import object_array as _objects
from .grammar import TYPES, Message
from .handlers import LOOKBACK_TABLES, State

TEXT_TABLES = {name for name, (_, cols) in T.TABLES.items() if any(c[0] == "text" for c in cols)}
TAC_COLUMNS = [c for c in T.columns("tactics") if c != "tactic_int"]


def is_bulk(m: Message) -> bool:
    """Lines of `m` can be matched in bulk: an action, outside continuation blocks."""
    return m.scope == "message" and not m.opens and not m.closes and m.action is not None


def uses(m: Message) -> set:
    """The fields of action template `m` that its action reads (scan.py captures only those)."""
    return m.used_fields


def _convert(value: str, conv):
    try:
        return conv(value) if conv is not str else value.strip()
    except ValueError:
        return value


def fields_of(msg: Message, raw: Dict[str, list]) -> Dict[str, object]:
    """The action's field dict, column-wise: raw for hot templates, else Message.convert's values
    (constants as scalars). Fields the action does not read (not captured) are absent."""
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


def events(action: Action, f: Dict[str, object], n: int):
    """The context events of n lines of one template: (variable, kept line indexes or None for all,
    values)."""
    for s in action.sets:
        if not s.field:
            yield s.var, None, [""] * n
        elif s.field in f:
            values = _column(f[s.field], n)
            if s.when == "nonempty":
                keep = [i for i, v in enumerate(values) if v]
                yield s.var, keep, [values[i] for i in keep]
            else:
                yield s.var, None, values
        elif s.when == "always":
            yield s.var, None, [""] * n


class Batch:
    """Lines of one template alternative in one block: line numbers, fields (lists or constants),
    texts; `bulk`: matched by scan.py (else by the line parser)."""
    __slots__ = ("msg", "lines", "f", "texts", "bulk")

    def __init__(self, msg: Message, lines: np.ndarray, f: Dict[str, object], texts: list, bulk: bool):
        self.msg, self.lines, self.f, self.texts, self.bulk = msg, lines, f, texts, bulk


class BlockActions:
    """The action lines of one block (scan.BlockScan), around the block's line loop."""

    def __init__(self, st: State, hits: list, base: int):
        self.st = st
        self.base = base
        messages = st.grammar.messages
        self.batches: List[Batch] = []
        for h in hits:
            msg = messages[h.index]
            if not msg.inert:
                self.batches.append(Batch(msg, base + 1 + h.offs, fields_of(msg, h.fields), h.texts, True))
        self.late: Dict[int, tuple] = {}      # id(message) -> (message, lines, fields, texts) of line-parser lines
        self.pending: List[tuple] = []    # (line, table, row) of look-back tables, in line order
        self._pos = 0

    # -- before the line loop -------------------------------------------------------------------
    def before_loop(self) -> None:
        ctx = self.st.ctx
        for b in self.batches:
            msg = b.msg
            for var, keep, values in events(msg.action, b.f, len(b.lines)):
                ctx.add_bulk(var, b.lines if keep is None else b.lines[keep], values)
            if msg.action is PLAIN and msg.table in LOOKBACK_TABLES:
                rows = _rows(msg, b.f, b.texts, len(b.lines))
                self.pending += [(int(line), msg.table, row) for line, row in zip(b.lines, rows)]
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

    # -- a line of the line loop ----------------------------------------------------------------
    def line(self, n: int, msg: Message, mm, text: str) -> None:
        """Line n, matched by the line parser (`mm`): a batch of one. Its context events take effect
        now; a look-back row is added now; the rest waits for after_loop."""
        if msg.inert:
            return
        used = msg.reads_groups
        f = fields_of(msg, {name: [mm.group(g)] for name, g in used})
        ctx = self.st.ctx
        for var, keep, values in events(msg.action, f, 1):
            if keep is None or keep:
                ctx.set(var, values[0])
        if msg.action is PLAIN and msg.table in LOOKBACK_TABLES:
            self.st.add(msg.table, n, _rows(msg, f, [text], 1)[0])
            return
        got = self.late.get(id(msg))
        if got is None:
            self.late[id(msg)] = (msg, [n], f, [text])
            return
        _, lines, cols, texts = got
        lines.append(n)
        texts.append(text)
        for k, v in f.items():
            if isinstance(v, list):
                cols[k] += v

    # -- after the line loop ----------------------------------------------------------------------
    def after_loop(self, run: np.ndarray) -> Dict[str, list]:
        """Rows, marks and block starts of the block's action lines (bulk lines handed to the line
        parser left out); returns this block's action tactic rows column-wise."""
        ctx = self.st.ctx
        self.flush(1 << 62)
        tac: Dict[str, list] = {c: [] for c in TAC_COLUMNS}
        batches = self.batches + [Batch(msg, np.array(lines, np.int64), f, texts, False)
                                  for msg, lines, f, texts in self.late.values()]
        for b in batches:
            lines, f, texts = b.lines, b.f, b.texts
            if b.bulk and ctx.void:
                keep = [i for i, line in enumerate(lines.tolist()) if line not in ctx.void]
                if len(keep) < len(lines):
                    lines = lines[keep]
                    f = {k: ([v[i] for i in keep] if isinstance(v, list) else v) for k, v in f.items()}
                    texts = [texts[i] for i in keep]
            if len(lines):
                self._effects(tac, b.msg, lines, f, texts, run[lines - self.base - 1])
        return tac

    def _effects(self, tac, msg: Message, lines: np.ndarray, f: dict, texts: list, run: np.ndarray) -> None:
        st, a, n = self.st, msg.action, len(lines)
        if a.tactic is not None:
            self._tactic_rows(tac, msg, lines, f, run)
        if a.block:
            st.bulk_resets.append(lines)
        if a.mark is not None:
            m = a.mark
            if "runner" in f:
                runner = _column(f["runner"], n)
                if m.strip:
                    runner = [r.split("[", 1)[0] if r and "[" in r else r for r in runner]
            elif m.runner_from_context:
                runner = self.st.ctx.read("runner", lines).tolist()
            else:
                runner = [""] * n
            st.bulk_marks.append((lines, runner, _column(f.get("tactic", ""), n), m.column))
        if a.feature and any(name == a.feature[0] for name, _ in msg.fields):
            st.features[a.feature[1]] = st.features.get(a.feature[1], 0) + n
        if a is PLAIN and msg.table and msg.table not in LOOKBACK_TABLES:
            cols = dict(f)
            if msg.table in TEXT_TABLES and "text" not in cols:
                cols["text"] = texts
            cols["run"] = run.tolist()
            st.batches.setdefault(msg.table, []).append((lines, cols))

    def _tactic_rows(self, tac, msg: Message, lines: np.ndarray, f: dict, run: np.ndarray) -> None:
        ctx, n, t = self.st.ctx, len(lines), msg.action.tactic
        kernel = f.get("kernel")
        if kernel is None:
            kernel = ctx.read("kernel", lines).tolist()
        else:
            kernel = _column(kernel, n)
            if not all(kernel):       # the pending kernel of the two-line (<= 8.5) form
                kernel = [k or p for k, p in zip(kernel, ctx.read("kernel", lines))]
        tactic = _column(f.get("tactic", ""), n)
        if t.time:
            time_ms = list(map(float, f[t.time])) if msg.hot else _column(f[t.time], n)
            skipped = [""] * n
        else:
            time_ms, skipped = [None] * n, [msg.consts.get("reason", "skipped")] * n
        if t.scratch and "requested" in f:
            self.st.batches.setdefault("memory", []).append((lines, {
                "kind": "tactic_skip_scratch", "name": ctx.read("layer", lines).tolist(),
                "bytes": _column(f["requested"], n), "available_bytes": _column(f.get("available"), n),
                "tactic": tactic, "run": run.tolist()}))
        tac["run"].append(run)
        tac["line"].append(lines)
        for var in ("layer", "runner", "format"):
            tac[var].append(ctx.read(var, lines))
        tac["tactic"].append(_shared(tactic))
        tac["kernel"].append(_shared(kernel))
        tac["time_ms"].append(time_ms)
        tac["skipped"].append(skipped)
        tac["fastest"].append(np.zeros(n, bool))
        tac["chosen"].append(np.zeros(n, bool))


def _rows(msg: Message, f: dict, texts: list, n: int) -> List[dict]:
    """Plain rows of n lines as dicts (look-back tables)."""
    cols = {k: _column(v, n) for k, v in f.items()}
    if msg.table in TEXT_TABLES and "text" not in cols:
        cols["text"] = texts
    names = list(cols)
    return [dict(zip(names, vals)) for vals in (zip(*cols.values()) if names else [()] * n)]


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
    parts, st.tac_parts = st.tac_parts, []
    empty = {"run": np.int64, "line": np.int64, "fastest": bool, "chosen": bool, "time_ms": float}
    order = np.argsort(np.concatenate([p["line"] for p in parts]), kind="stable") if parts else None
    tac = {}
    for c in TAC_COLUMNS:       # a column at a time, its parts let go as it is made (lower peak memory)
        tac[c] = (np.concatenate([p.pop(c) for p in parts])[order] if parts
                  else np.zeros(0, empty.get(c, object)))
    heap.release(len(order) if order is not None else 0)     # the parts, before the marks' arrays
    if any(t.lower().startswith("0x") for t in tac["tactic"][:1000].tolist()):
        st.feature("hex_tactics")
    elif len(tac["tactic"]):
        st.feature("decimal_tactics")
    codes, uniq = pd.factorize(tac["tactic"])     # each distinct tactic id once
    apply_marks(st, tac, codes, uniq)
    tac["tactic_int"] = _tactic_ints(codes, uniq)
    return tac


def _tactic_ints(codes: np.ndarray, uniq: np.ndarray):
    """vocab.tactic_int of every tactic id (`uniq[codes]`), computed once per distinct id."""
    ints = [tactic_int(t) for t in uniq]
    if any(v is not None and not -(1 << 63) <= v < (1 << 63) for v in ints):
        return [ints[c] for c in codes.tolist()]          # too big for Int64: as the handlers did
    values = np.array([0 if v is None else v for v in ints], dtype=np.int64)
    missing = np.array([v is None for v in ints], dtype=bool)
    return pd.arrays.IntegerArray(values[codes], missing[codes]) if len(codes) else []


def apply_marks(st: State, tac: Dict[str, np.ndarray], t_rows: np.ndarray, t_uniq: np.ndarray) -> None:
    """Set "fastest"/"chosen" as the line handlers' (runner, tactic) -> row index of the current
    layer/format block did: the last row of that runner and tactic since the block started, else
    (runner unknown) the last row of the tactic's key that was first seen last. `t_uniq[t_rows]` is
    the rows' tactic column."""
    marks = st.bulk_marks
    if not marks:
        return
    lines = np.concatenate([b[0] for b in marks])
    runners = [r for b in marks for r in b[1]]
    tactics = [t for b in marks for t in b[2]]
    columns = [b[3] for b in marks for _ in range(len(b[0]))]
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
    index = dict(zip(t_uniq.tolist(), range(len(t_uniq))))
    unknown = len(t_uniq)      # a tactic no row has
    t_codes = np.concatenate([t_rows, np.fromiter((index.get(t, unknown) for t in tactics), np.int64, len(tactics))])
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
