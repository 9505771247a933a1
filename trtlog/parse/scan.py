"""Whole-block scanning: classify a block of lines with a few regex calls per block, not per line.

First pass, one `re.split` per block: the hot envelopes (envelope.grammar, `hot = yes`), the
severity, the text after the envelope and its first token, the dispatch key of Grammar.match.
Second pass: the lines of each key are joined and matched together against that key's templates,
in the order Grammar.match tries them; lines no keyed template takes go through the field-first
("floating") templates in order, each tried on the lines that contain its anchor.
The regexes are the grammar's own templates in their line-safe form (Message.render), so a
joined block matches exactly as its lines would one by one. Two shortcuts keep that exact:
  * lines whose only whitespace is single spaces are matched with the template's spaces as a
    literal " " and `\\S` as `[^ ]` (the regex engine's fast paths): inside such a line both can
    only match what the exact ones match, so a match that stays inside its line is the same match;
    one that runs into the next line shows as a missing line, and the block is matched again exactly;
  * lines of templates without a float field (a measurement) repeat word for word in real logs
    (the same runner, format, tensor): each distinct text is matched once per block.

A line is *bulk* when the template it gets is bulk (bulk.is_bulk); it then has exactly the message
and fields the line-by-line parser would give it, as long as no continuation block is open
(parser.py hands such lines back). Everything else (other envelopes, bare lines, blank text,
source-location prefixes, non-bulk templates, no match) is left to the line-by-line parser.
"""
from __future__ import annotations

import re
import sys
from itertools import repeat
from operator import contains, is_, is_not, itemgetter
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from . import rx
from .grammar import Grammar, Message

# ONNX parser messages carry a source location before the text: "parsers/onnx/ModelImporter.cpp:781: "
SRCLOC = re.compile(r"^(?:[\w./-]*/)?\w+\.(?:cpp|cc|cu|hpp|h):\d+: ")
_SRCLOC_KEY = re.compile(SRCLOC.pattern[1:].rstrip(" ") + r"\Z")
# atomic groups arrived in Python 3.11; before, a lookahead plus a backreference does the same
_ATOMIC = sys.version_info >= (3, 11)
# whitespace other than " " and the line break (no whitespace character is above U+3000)
_OTHER_WS = [chr(c) for c in range(0x3001) if chr(c).isspace() and c not in (10, 32)]
_OTHER_WS_ASCII = [c for c in _OTHER_WS if c.isascii()]

RESIDUAL = 0
# `"  " in text` looks at every space of a text full of single spaces; the regex engine's literal
# search skips ahead: about half the time over the joined lines of a verbose log
_DOUBLE_SPACE = re.compile("  ")


class Alt:
    """One template alternative inside a second-pass regex: where its marker and fields are."""

    def __init__(self, index: int, msg: Message, capture: Optional[set]):
        self.index = index                 # position in Grammar.messages
        self.msg = msg
        self.bulk = capture is not None
        self.capture = capture or set()    # the fields to capture (bulk templates)
        self.marker = ""                   # group that is not None when this alternative matched
        self.fields: Dict[str, str] = {}   # field name -> group name

    def body(self, tag: str, spaced: bool = False) -> str:
        """This alternative inside a second-pass regex: the template rendered with its captured
        fields as groups `<tag>_<field>` (the others not captured) and a marker group."""
        groups = {name: ("%s_%s" % (tag, name) if name in self.capture else None) for name, _ in self.msg.fields}
        self.fields = {name: g for name, g in groups.items() if g}
        body = self.msg.render(groups, spaced)
        if self.fields:
            self.marker = next(iter(self.fields.values()))
        else:
            self.marker = tag
            body = "(?P<%s>)" % tag + body
        if sum(1 for _, typ in self.msg.fields if typ in ("name", "text")) > 1:
            # lazy fields make a failing match costly: first look for one of the template's words
            # (a long one, past its start)
            words = [w for lit in self.msg.literals[1:] for w in lit.split() if len(w) >= 4]
            if words:
                body = "(?=[^\\n]*%s)" % re.escape(max(words, key=len)) + body
        return body


class Level2:
    """A regex over joined lines: each line is one of `alts` (first match wins) or a miss."""

    def __init__(self, alts: List[Alt], head: str = "", anchor: Optional[str] = None):
        self.alts = alts
        self.anchor = anchor

        def source(spaced: bool) -> str:
            bodies = "|".join(a.body("a%d" % i, spaced) for i, a in enumerate(alts))
            return r"^(?:%s(?:%s)|(?P<miss>)[^\n]*)$" % (head, bodies)
        self.exact = rx.compile(source(False), re.M)
        # the same for lines whose only whitespace is single spaces (see the module docstring)
        self.spaced = rx.compile(source(True), re.M)
        self.stride = self.exact.groups + 1
        self.slot = self.exact.groupindex
        # lines without a measurement repeat: match each distinct text once
        self.dedup = not any(typ == "float" for a in alts for _, typ in a.msg.fields)

    def match(self, texts: List[str], spaced: bool) -> Tuple[list, list, int]:
        """Split the joined texts: (the `miss` column, the split parts, their stride); the column
        of group g is parts[slot[g]::stride], None where the group did not take part."""
        joined = "\n".join(texts)
        s = self.stride
        parts = None
        if spaced and _DOUBLE_SPACE.search(joined) is None:
            parts = self.spaced.split(joined)
            if len(parts) // s != len(texts):      # a match ran into the next line
                parts = None
        if parts is None:
            parts = self.exact.split(joined)
        return parts[self.slot["miss"]::s], parts, s


class Hits:
    """The lines of one block that matched one bulk template alternative (picklable: no grammar
    objects, so that a block can be scanned in another process)."""
    __slots__ = ("index", "offs", "fields", "texts")

    def __init__(self, alt: Alt, offs: np.ndarray, fields: Dict[str, list], texts: list):
        self.index = alt.index    # the template: Grammar.messages[index]
        self.offs = offs          # block-local line offsets
        self.fields = fields      # field name -> raw matched strings
        self.texts = texts        # the stripped message texts (of an inert template: not all of them)


class BlockScan:
    """What the scan found in one block. Per line: `texts` (the text after the hot envelope, or
    the whole line, stripped), `sev` (None: no hot envelope), `sevs` (the severity column of each
    hot envelope); `hits` lists the bulk lines per template; `pieces` holds the unstripped text of
    the other lines (the line parser's input; for a bulk line its text does as well)."""

    def __init__(self, n: int, pieces: list, sevs: List[list]):
        self.n = n
        self.pieces = pieces
        self.texts = pieces
        self.sevs = sevs
        self.sev: list = sevs[0] if sevs else [None] * n
        self.hits: List[Hits] = []
        self.spaced = False       # no whitespace but " " and line breaks in the block

    def piece(self, i: int) -> str:
        return self.pieces.get(i, self.texts[i]) if isinstance(self.pieces, dict) else self.pieces[i]

    # crossing to another process: many strings travel much faster as one joined string (texts
    # and field values never contain a line break)
    def __getstate__(self) -> dict:
        state = dict(self.__dict__, texts="\n".join(self.texts),
                     hits=[(h.index, h.offs, {f: "\n".join(v) for f, v in h.fields.items()}) for h in self.hits])
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.texts = state["texts"].split("\n")
        self.hits = []
        for index, offs, fields in state["hits"]:
            h = Hits.__new__(Hits)
            h.index, h.offs = index, offs
            h.fields = {f: v.split("\n") for f, v in fields.items()}
            h.texts = _take(self.texts, offs.tolist())
            self.hits.append(h)

    def keep_residual_pieces(self) -> None:
        """Drop the pieces of bulk lines (less to send from a worker process)."""
        bulk = np.zeros(self.n, bool)
        for h in self.hits:
            bulk[h.offs] = True
        pieces = self.pieces
        self.pieces = {i: pieces[i] for i in np.flatnonzero(~bulk).tolist()}

    def envelope(self, i: int) -> int:
        """Index of the hot envelope of line i (its sev is not None)."""
        for h, col in enumerate(self.sevs):
            if col[i] is not None:
                return h
        return -1


def _present(col: list) -> np.ndarray:
    return np.flatnonzero(np.fromiter(map(is_not, col, repeat(None)), bool, len(col)))


def _take(seq: list, idx) -> list:
    if len(idx) == 0:
        return []
    got = itemgetter(*idx)(seq)
    return [got] if len(idx) == 1 else list(got)


class Scanner:
    def __init__(self, grammar: Grammar, is_bulk: Callable[[Message], bool], uses: Callable[[Message], set]):
        self.grammar = grammar
        self.envelopes = grammar.hot_envelopes
        index = {id(m): i for i, m in enumerate(grammar.messages)}
        keyed = grammar.keyed.get("message", {})

        def alt(m: Message) -> Alt:
            return Alt(index[id(m)], m, uses(m) if is_bulk(m) else None)

        # floating templates only when every key is whitespace-free, so that a line whose first
        # \S* token is no key really has no key (Grammar.match splits at the first space)
        floating = grammar.floating.get("message", [])
        last = max((i for i, m in enumerate(floating) if is_bulk(m)), default=-1)
        self.floating: List[Level2] = []
        if last >= 0 and not any(re.search(r"\s", k) for k in keyed):
            self.floating = [Level2([alt(m)], anchor=m.anchor) for m in floating[:last + 1]]
        # keyed templates; a line no template of its key matches goes on to the floating ones
        self.keymap: Dict[Optional[str], int] = {None: RESIDUAL, "": RESIDUAL}
        self.groups: List[Optional[Level2]] = [None]      # group id -> second-pass regex (0: residual)
        for key, cands in keyed.items():
            # a key the source-location prefix could look like is matched only after stripping it
            if not (self.floating or any(is_bulk(m) for m in cands)) or re.search(r"\s", key) \
                    or _SRCLOC_KEY.match(key):
                self.keymap[key] = RESIDUAL
                continue
            self.keymap[key] = len(self.groups)
            self.groups.append(Level2([alt(m) for m in cands], head=r"(?=%s(?: |$))" % re.escape(key)))
        self.float_id = len(self.groups) if self.floating else RESIDUAL
        self.level1 = None
        if self.envelopes:
            env = "|".join("(?:%s)" % e.prefix.replace("(?P<sev>", "(?P<s%d>" % i)
                           for i, e in enumerate(self.envelopes))
            env = "(?>%s)" % env if _ATOMIC else "(?=(?P<env>%s))(?P=env)" % env
            self.level1 = re.compile(r"\n(?:%s(?=[^\S\n]*(?P<key>\S*))|)" % env)

    # -- first pass ------------------------------------------------------------------------------
    def scan(self, block: str) -> BlockScan:
        """`block` is "\\n" + lines joined by "\\n" (reader.LogSource.blocks)."""
        if self.level1 is None:
            pieces = block[1:].split("\n")
            return BlockScan(len(pieces), pieces, [])
        parts = self.level1.split(block)
        s = self.level1.groups + 1
        slot = self.level1.groupindex
        bs = BlockScan(len(parts) // s, parts[s::s], [parts[slot["s%d" % i]::s] for i in range(len(self.envelopes))])
        n = bs.n
        if len(bs.sevs) > 1:
            used = [col for col in bs.sevs if col.count(None) < n]
            if len(used) > 1:
                merged = used[0]
                for col in used[1:]:
                    merged = [a if a is not None else b for a, b in zip(merged, col)]
                bs.sev = merged
            elif used:
                bs.sev = used[0]
        bs.texts = list(map(str.strip, bs.pieces))
        bs.spaced = not any(c in block for c in (_OTHER_WS_ASCII if block.isascii() else _OTHER_WS))
        codes = np.fromiter(map(self.keymap.get, parts[slot["key"]::s], repeat(self.float_id)), np.int32, n)
        if codes.any():
            self._second_pass(bs, codes)
        return bs

    # -- second pass -----------------------------------------------------------------------------
    def _second_pass(self, bs: BlockScan, codes: np.ndarray) -> None:
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(self.groups) + 2))
        missed = [order[bounds[self.float_id]:bounds[self.float_id + 1]]] if self.floating else []
        for g in range(1, len(self.groups)):
            idx = order[bounds[g]:bounds[g + 1]]
            if len(idx):
                matched = self._collect(bs, self.groups[g], idx, _take(bs.texts, idx.tolist()))
                if self.floating and not matched.all():
                    missed.append(idx[~matched])
        if missed:
            idx = np.sort(np.concatenate(missed))
            if len(idx):
                self._floating(bs, idx)

    def _collect(self, bs: BlockScan, l2: Level2, idx: np.ndarray, texts: list) -> np.ndarray:
        """Match the lines `idx` (whose texts are `texts`) against `l2` and record the bulk hits;
        return the mask of lines that some alternative (bulk or not) matched."""
        unique = list(dict.fromkeys(texts)) if l2.dedup else texts
        back = None                 # line -> its distinct text, when texts repeat
        if len(unique) < len(texts):
            pos = dict(zip(unique, range(len(unique))))
            back = np.fromiter(map(pos.__getitem__, texts), np.int64, len(texts))
        miss, parts, s = l2.match(unique, bs.spaced)
        m = len(miss)
        missed = m - miss.count(None)
        matched = (np.zeros(m, bool) if missed == m else np.ones(m, bool) if not missed
                   else np.fromiter(map(is_, miss, repeat(None)), bool, m))
        for a in l2.alts:
            if not a.bulk:
                continue
            marker = parts[l2.slot[a.marker]::s]
            got = m - marker.count(None)
            if not got:
                continue
            sel = np.arange(m) if got == m else _present(marker)
            cols = {name: parts[l2.slot[g]::s] for name, g in a.fields.items()}
            if back is not None:    # one entry per line again
                hit = np.zeros(m, bool)
                hit[sel] = True
                sel = np.flatnonzero(hit[back])
                cols = {name: np.array(col, dtype=object)[back].tolist() for name, col in cols.items()}
            sl = sel.tolist()
            whole = len(sl) == len(texts)
            bs.hits.append(Hits(a, idx if whole else idx[sel],
                                {name: col if whole else _take(col, sl) for name, col in cols.items()},
                                texts if whole or a.msg.inert else _take(texts, sl)))
        return matched[back] if back is not None else matched

    def _floating(self, bs: BlockScan, idx: np.ndarray) -> None:
        texts = _take(bs.texts, idx.tolist())
        # the line parser strips a source location first (keyed lines cannot have one: see keymap)
        src = [i for i, t in enumerate(texts) if ".c" in t[:80] and SRCLOC.match(t)]
        if src:
            keep = np.ones(len(idx), bool)
            keep[src] = False
            idx = idx[keep]
            texts = _take(texts, np.flatnonzero(keep).tolist())
        joined = None
        for l2 in self.floating:
            if not len(idx):
                break
            anchor = l2.anchor
            if joined is None:
                joined = "\n".join(texts)
            if anchor not in joined:          # no line has it: nothing to try
                continue
            has = np.fromiter(map(contains, texts, repeat(anchor)), bool, len(texts))
            sub = np.flatnonzero(has)
            matched = self._collect(bs, l2, idx[sub], _take(texts, sub.tolist()))
            if matched.any():
                keep = np.ones(len(idx), bool)
                keep[sub[matched]] = False
                idx = idx[keep]
                texts = _take(texts, np.flatnonzero(keep).tolist())
                joined = None
