"""The parse loop: blocks of lines -> bulk scan + line-by-line parse of the rest -> State.

Per block, scan.py classifies the lines it can in bulk (most of a verbose log); LineParser, the
grammar's dispatch for one line (envelope -> key -> template -> handler), takes every other line in
order, seeing the state (runs, continuation blocks, tactic context, look-back rows) the bulk lines
before it left. Lines of function handlers (handlers.py) run at once; lines of actions (actions.py),
bulk or not, are run by bulk.py, whose batches become rows after the block. While a continuation block is open,
bulk lines go through LineParser too, since the block's own templates come first for them.
The messages table (one row per line) is kept column-wise, per block.
"""
from __future__ import annotations

import concurrent.futures
import gc
import re
import signal
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from itertools import chain, islice
from typing import Dict, Iterable, Iterator, List, Optional

import numpy as np
import pandas as pd

from .. import heap, workers
from . import bulk
from .grammar import Grammar, default_grammar
from .handlers import HANDLERS, State
from .scan import SRCLOC, BlockScan, Scanner
from .textbuf import TextBuffer, spill_bytes

# a TensorRT prefix glued behind program output: "...0.]]]][07/07/2026-06:12:03] [TRT] [W] msg"
GLUED = re.compile(r"\[\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\] ")
SEVERITY = {"VERBOSE": "V", "INFO": "I", "WARNING": "W", "ERROR": "E", "INTERNAL_ERROR": "F",
            "DEBUG": "V", "TRACE": "V", "GRAPH": "V", "CRITICAL": "F"}   # Torch-TensorRT, Python logging, TensorRT-LLM
NON_TRT_FAMILIES = ("unknown", "envelope", "app")
PRODUCER_LINES = 20000      # the envelope mix of the first lines names the producer

_SCANNERS: Dict[int, Scanner] = {}
_WORKER: Optional[Scanner] = None      # the scanner of a worker process


def scanner_for(g: Grammar) -> Scanner:
    sc = _SCANNERS.get(id(g))
    if sc is None or sc.grammar is not g:
        sc = _SCANNERS[id(g)] = Scanner(g, bulk.is_bulk, bulk.uses)
    return sc


def _worker_init() -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    _WORKER = scanner_for(default_grammar())           # compiled already where the fork server preloaded it


def _scan_in_worker(block: str) -> BlockScan:
    bs = _WORKER.scan(block)
    bs.keep_residual_pieces()
    return bs


def _handing_over(head: List[str], rest: Iterator[str]) -> Iterator[str]:
    """head's blocks, then rest's: each block of head is let go once handed over (chain(head, rest)
    would keep all of head until rest ends)."""
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


def scans(blocks: Iterable[str], scanner: Scanner, jobs: int = 1) -> Iterator[BlockScan]:
    """The blocks scanned, in order. Scanning a block depends on nothing but the block, so with
    jobs > 1 (and several blocks) it runs in worker processes a few blocks ahead of the line-by-line
    part, which stays in this process. Workers only scan with the default grammar."""
    blocks = iter(blocks)
    head = list(islice(blocks, 3))
    if jobs <= 1 or len(head) < 3 or scanner.grammar is not default_grammar():
        yield from map(scanner.scan, _handing_over(head, blocks))
        return
    workers.refuse_nested(f"jobs={jobs}", "jobs=1")
    # the fork server imports parser_worker once: it compiles the default grammar and its scanner there
    ctx = workers.context(["trtlog.parse.parser_worker"])
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init) as pool:
        pending: deque = deque()
        for block in islice(blocks, 2 * jobs):
            pending.append(pool.submit(_scan_in_worker, block))
        # the first workers take about a second to start (a fresh fork server imports trtlog and compiles
        # the grammar): this process scans and parses the first blocks meanwhile
        yield from map(scanner.scan, _handing_over(head, iter(())))
        for block in blocks:
            pending.append(pool.submit(_scan_in_worker, block))
            if len(pending) > 2 * jobs:
                yield _result(pending.popleft(), jobs)
        while pending:
            yield _result(pending.popleft(), jobs)


def _result(future, jobs: int) -> BlockScan:
    try:
        return future.result()
    except BrokenProcessPool:
        raise workers.failed(f"jobs={jobs}", "jobs=1") from None


class LineParser:
    """One line at a time: what the parser did for every line before bulk scanning."""

    def __init__(self, st: State, g: Grammar):
        self.st = st
        self.g = g
        self.env_match = g.envelope_re.match if g.envelope_re else (lambda s: None)
        self.env_index = {f"e{i}": (e.source, e.producer, f"e{i}_sev") for i, e in enumerate(g.envelopes)}
        self.wrap_match = g.wrapper_re.match if g.wrapper_re else None
        self.wrap_producer = {f"w{i}": w.producer for i, w in enumerate(g.wrappers)}
        self.actions: Optional[bulk.BlockActions] = None     # the current block's (parse_blocks sets it)

    def line(self, n: int, line: str) -> tuple:
        em = self.env_match(line)
        if em is None and line[:1] in (" ", "\t"):
            # a log pasted indented (a Markdown list item or <details> block): the prefix follows the indent
            body = line.lstrip(" \t")
            em = self.env_match(body)
            if em is not None:
                line = body
        if em is None and self.wrap_match is not None:
            wm = self.wrap_match(line)
            if wm is not None:        # another program's prefix: the line it passed on follows
                if self.wrap_producer[wm.lastgroup] and n < PRODUCER_LINES:
                    self.st.producer(self.wrap_producer[wm.lastgroup], n)
                line = line[wm.end():]
                em = self.env_match(line)
        if em is None:
            return self.message(n, "bare", "", "", line, line)
        source, producer, sevgroup = self.env_index[em.lastgroup]
        sev = em.group(sevgroup)
        if len(sev) > 1:
            sev = SEVERITY.get(sev, sev[:1])
        return self.message(n, source, producer, sev, line[em.end():], line)

    def message(self, n: int, source: str, producer: str, sev: str, text: str, line: Optional[str]) -> tuple:
        """(severity, source, msg_id, text) of line n whose envelope is already split off; runs the
        handler. `line` (the whole line) is only needed for bare lines."""
        st, g = self.st, self.g
        if producer and n < PRODUCER_LINES:
            st.producer(producer, n)
        stext = text.strip()
        hit = None
        msg_id = "unknown"
        if not stext:
            msg_id = "blank"
        else:
            if source != "bare" and ".c" in stext[:80]:
                sl = SRCLOC.match(stext)
                if sl is not None:
                    stext = stext[sl.end():].strip()
            block = st.block
            if block is not None:
                props = g.blocks.get(block, {})
                if source in props.get("accepts", "bare"):
                    hit = g.match("block:" + block, stext)
                if hit is None and source != "bare" and "keep" not in props.get("mode", ""):
                    st.block = None
            if hit is None:
                hit = g.match("message" if source != "bare" else "bare", stext)
                # another envelope glued behind the text (two writers on one stream; the first message cut off):
                # the line is the complete message after it
                glued = line if source == "bare" else stext
                gm = GLUED.search(glued) if hit is None and glued else None
                if gm is not None and gm.start() > 0:
                    em2 = self.env_match(glued[gm.start():])
                    if em2 is not None:
                        source, _, sevgroup = self.env_index[em2.lastgroup]
                        sev = em2.group(sevgroup)[:1]
                        stext = glued[gm.start() + em2.end():].strip()
                        hit = g.match("message", stext) if stext else None
                        if not stext:
                            msg_id = "blank"
        if hit is not None:
            msg, mm = hit
            msg_id = msg.id
            if msg.action is not None:
                self.actions.line(n, msg, mm, stext)
            else:
                HANDLERS[msg.handler](st, n, msg, msg.convert(mm), stext)
            if msg.opens:
                st.block = msg.opens
            elif msg.closes:
                st.block = None
        return sev, source, msg_id, stext if stext else text


class Messages:
    """The messages table column-wise: per block the run, severity, source, message id, text."""

    def __init__(self) -> None:
        self.codes: Dict[str, int] = {}      # source and message id strings -> code
        self.names: List[str] = []
        self.run: List[np.ndarray] = []
        self.sev_codes: Dict[str, int] = {}  # severity -> code
        self.sev: List[np.ndarray] = []
        self.source: List[np.ndarray] = []
        self.ids: List[np.ndarray] = []
        self.text: List[list] = []           # per block (strings kept in Python)
        self.text_buffer = TextBuffer(spill_bytes())   # all blocks (strings kept in Arrow)

    def code(self, name: str) -> int:
        c = self.codes.get(name)
        if c is None:
            c = self.codes[name] = len(self.names)
            self.names.append(name)
        return c

    def columns(self, family_of: Dict[str, str]) -> dict:
        """The table's columns, and `family` (of each message id) besides: the per-line strings as
        categoricals of the values that occur (one byte or two per line, not a pointer). The per-block
        parts are let go as each column is made (lower peak memory): call once."""
        ids = _joined(self.ids, np.int32)
        n = len(ids)
        msg_id = _categorical(ids, self.names)
        fam_names = sorted({family_of.get(name, "unknown") for name in msg_id.categories})
        fam_index = {f: i for i, f in enumerate(fam_names)}
        fam_of_code = np.array([fam_index.get(family_of.get(name, "unknown"), 0) for name in self.names], np.int32)
        no_na = np.zeros(n, bool)     # Int64 columns made as such: no second int64 copy
        return {"line": pd.arrays.IntegerArray(np.arange(1, n + 1, dtype=np.int64), no_na),
                "run": pd.arrays.IntegerArray(_joined(self.run, np.int64), no_na.copy()),
                "severity": _categorical(_joined(self.sev, np.int8), list(self.sev_codes)),
                "source": _categorical(_joined(self.source, np.int32), self.names),
                "msg_id": msg_id, "text": self.text_column(),
                "family": pd.Categorical.from_codes(fam_of_code[ids], fam_names)}

    def add_severity(self, sev: list) -> None:
        table = self.sev_codes
        new = set(sev) - table.keys()
        if None in new:           # no line should lack one; '' is a line without a severity
            sev = ["" if v is None else v for v in sev]
            new = set(sev) - table.keys()
        for s in new:
            table[s] = len(table)
        self.sev.append(np.fromiter(map(table.__getitem__, sev), np.int8, len(sev)))

    def add_text(self, texts: List[str]) -> None:
        if _ARROW_STR is None:
            self.text.append(texts)
        else:
            self.text_buffer.add(texts)

    def text_column(self):
        if _ARROW_STR is None:
            return _chained(self.text)
        return pd.array(self.text_buffer.finish(), dtype=_ARROW_STR)


def _joined(parts: List[np.ndarray], dtype) -> np.ndarray:
    """The blocks' arrays as one, the list emptied."""
    out = np.concatenate(parts) if parts else np.zeros(0, dtype)
    parts.clear()
    return out


def _chained(parts: List[list]) -> list:
    """The blocks' lists as one, each let go once copied."""
    out: list = []
    parts.reverse()
    while parts:
        out += parts.pop()
    return out


def _arrow_str_dtype():
    """pandas' own dtype for strings where it keeps them in Arrow (pandas 3 with pyarrow), else None."""
    dtype = pd.Series(["x"]).dtype
    return dtype if getattr(dtype, "storage", "") == "pyarrow" else None


# The text of every line is most of a verbose log: where pandas keeps strings in Arrow, the column is
# one buffer (no Python object per line: ~25 % less memory for the column, and none of the heap
# fragmentation a million long-lived small strings leave between the parser's temporaries)
_ARROW_STR = _arrow_str_dtype()


def _categorical(codes: np.ndarray, names: List[str]) -> pd.Categorical:
    """names[codes] as a categorical whose categories are the names that occur, sorted (the same
    whatever order the parse met them in)."""
    used = sorted(np.flatnonzero(np.bincount(codes, minlength=len(names))).tolist(), key=names.__getitem__)
    remap = np.zeros(len(names), np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], [names[i] for i in used])


@contextmanager
def _no_gc():
    """Millions of new objects and no reference cycles: the cycle collector would only slow down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_blocks(blocks: Iterable[str], grammar: Optional[Grammar] = None, jobs: Optional[int] = None) -> State:
    """Parse the blocks; `jobs` scanning processes (None: trtlog.parse.DEFAULT_JOBS; 1 = in this process)."""
    from . import DEFAULT_JOBS  # read now: the CLI sets it after this module is imported
    g = grammar or default_grammar()
    scanner = scanner_for(g)
    st = State(g)
    lp = LineParser(st, g)
    msgs = Messages()
    base = 0
    with _no_gc():
        for bs in scans(blocks, scanner, DEFAULT_JOBS if jobs is None else max(1, int(jobs))):
            _parse_block(st, lp, scanner, bs, base, msgs)
            base += bs.n
    st.lines = base
    st.run_rows[-1]["last_line"] = base
    st.rows["runs"] = st.run_rows
    st.producers = {p: st.producers[p] for p in sorted(st.producers, key=st.producer_first.get)}
    family_of = {msg.id: msg.family for msg in g.messages}
    family_of.update({"unknown": "unknown", "blank": "envelope", "app.array_label": "app"})
    heap.release(base)        # what the block loop freed, before the tactics table is made
    st.tactics = bulk.finish_tactics(st)
    unknown = msgs.codes.get("unknown")
    st.recognized = int(sum(len(ids) - np.count_nonzero(ids == unknown) for ids in msgs.ids))
    # a TensorRT or trtexec message: any line whose family is not unknown, envelope-only or program output
    trt_ids = [c for c, name in enumerate(msgs.names) if family_of.get(name, "unknown") not in NON_TRT_FAMILIES]
    st.trt_lines = bool(trt_ids) and any(np.isin(ids, trt_ids).any() for ids in msgs.ids)
    # the messages table's columns are made when the loader frames it, after the other tables
    st.messages = partial(msgs.columns, family_of)
    return st


def _parse_block(st: State, lp: LineParser, scanner: Scanner, bs: BlockScan, base: int, msgs: Messages) -> None:
    n = bs.n
    envelopes = scanner.envelopes
    ids = np.full(n, msgs.code("unknown"), dtype=np.int32)
    source = np.full(n, msgs.code("bare"), dtype=np.int32)
    bulk_mask = np.zeros(n, bool)
    single = [h for h, col in enumerate(bs.sevs) if col.count(None) < n]
    for h in bs.hits:
        bulk_mask[h.offs] = True
        ids[h.offs] = msgs.code(st.grammar.messages[h.index].id)
        if len(single) == 1:
            source[h.offs] = msgs.code(envelopes[single[0]].source)
            continue
        env = np.array([bs.envelope(i) for i in h.offs.tolist()])
        for e in np.unique(env).tolist():
            source[h.offs[env == e]] = msgs.code(envelopes[e].source)
    sev = list(bs.sev)                  # the line parser fills in the other lines
    text = list(bs.texts)
    run = np.full(n, st.run, dtype=np.int64)
    work = lp.actions = bulk.BlockActions(st, bs.hits, base)
    work.before_loop()
    ctx = st.ctx
    array_label = msgs.code("app.array_label")
    unknown, bare = msgs.code("unknown"), msgs.code("bare")

    def one(i: int) -> None:
        ln = base + i + 1
        ctx.line = ln
        work.flush(ln)
        before = st.run
        if bs.sev[i] is not None:       # a hot envelope, already split off
            e = envelopes[bs.envelope(i)]
            out = lp.message(ln, e.source, e.producer, bs.sev[i], bs.piece(i), None)
        else:
            out = lp.line(ln, bs.piece(i))
        sev[i], src, msg_id, text[i] = out
        source[i], ids[i] = msgs.code(src), msgs.code(msg_id)
        if st.run != before:
            run[i:] = st.run
        if msg_id == "app.numpy_rows" and ln > 1:
            # the unknown line just before a printed array is its label ("x", "inputT0")
            if i > 0 and ids[i - 1] == unknown and source[i - 1] == bare:
                ids[i - 1] = array_label
            elif i == 0 and msgs.ids and msgs.ids[-1][-1] == unknown and msgs.source[-1][-1] == bare:
                msgs.ids[-1][-1] = array_label

    prev = -1
    for i in chain(np.flatnonzero(~bulk_mask).tolist(), (n,)):
        j = prev + 1
        while j < i and st.block is not None:     # bulk lines while a continuation block is open
            ctx.void.add(base + j + 1)
            one(j)
            j += 1
        if i == n:
            break
        one(i)
        prev = i
    _count_producers(st, scanner, bs, bulk_mask, base)
    bulk.merge_block_tactics(st, work.after_loop(run))
    ctx.end_block()
    msgs.run.append(run)
    msgs.add_severity(sev)
    msgs.source.append(source)
    msgs.ids.append(ids)
    msgs.add_text(text)


def _count_producers(st: State, scanner: Scanner, bs: BlockScan, bulk_mask: np.ndarray, base: int) -> None:
    """Envelope producers of the bulk lines among the first PRODUCER_LINES lines."""
    m = min(bs.n, PRODUCER_LINES - 1 - base)
    if m <= 0:
        return
    keep = bulk_mask[:m].copy()
    for line in st.ctx.void:
        if line - base - 1 < m:
            keep[line - base - 1] = False
    for h, col in enumerate(bs.sevs):
        present = np.fromiter((v is not None for v in col[:m]), bool, m) & keep
        count = int(present.sum())
        if count:
            st.producer(scanner.envelopes[h].producer, base + 1 + int(np.argmax(present)), count)
