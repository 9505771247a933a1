"""Declarative rule kinds: the common shapes of a rule written as data instead of a function.

`Present`: "these lines are in the log -> one finding quoting them". The lines are the messages of some grammar
ids (`ids`, optionally only some severities) or the rows of a typed table of some kinds (`table`, `kinds`). The
title and message are format strings; `{count:WORD}` is the number of lines with WORD pluralised
("{count:layer}" -> "1 layer" / "3 layers"), `{count}` the bare number.

    present(Present(ids=("trtexec.hint_enqueue",), title="...", message="..."),
            "TRT305", "enqueue-bound", severity=..., category=..., summary=..., fix=..., rationale=...)
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Tuple

from .engine import rule
from .util import by_id, plural, rows


class _Plural(string.Formatter):
    def format_field(self, value, spec):
        return plural(value, spec) if spec and isinstance(value, int) else super().format_field(value, spec)


_FORMAT = _Plural()


@dataclass(frozen=True)
class Present:
    title: str
    message: str
    ids: Tuple[str, ...] = ()          # grammar message ids (messages table) ...
    severities: Tuple[str, ...] = ()   # ... of these severities only
    table: str = ""                    # or rows of a typed table ...
    kinds: Tuple[str, ...] = ()        # ... whose `kind` is one of these
    evidence: str = "all"              # quote "all" the lines (up to the engine's limit) or the "first"

    def __post_init__(self):
        if bool(self.ids) == bool(self.table):
            raise ValueError("Present: give message ids or a table, not both")
        if self.evidence not in ("all", "first"):
            raise ValueError(f"Present: evidence is 'all' or 'first', not {self.evidence!r}")

    @property
    def reads(self) -> Tuple[str, ...]:
        return (self.table,) if self.table else ("messages",)

    def select(self, bl):
        if self.table:
            return rows(bl, self.table, "kind", self.kinds)
        return by_id(bl, self.ids, self.severities)

    def __call__(self, bl, check):
        hit = self.select(bl)
        if hit is None or hit.empty:
            return
        n = len(hit)
        shown = hit.head(1) if self.evidence == "first" else hit
        yield check.finding(_FORMAT.format(self.title, count=n), _FORMAT.format(self.message, count=n),
                            check.evidence(shown, self.reads[0]), total=n)


def present(kind: Present, code: str, name: str, **meta) -> None:
    """Register rule `code` as the declarative kind `kind` (the rest as for @rule; tables come from the kind)."""

    def func(bl, check):
        return kind(bl, check)

    func.__name__ = func.__qualname__ = name.replace("-", "_")
    func.kind = kind
    rule(code, name, tables=kind.reads, **meta)(func)
