"""Atomic groups and possessive quantifiers on every supported Python.

The grammar's patterns use `(?>X)` and `X++` / `X*+` / `X?+` so that no line can make them backtrack
catastrophically. Python's `re` has both from 3.11; on 3.9 and 3.10 `portable()` rewrites each into
the classic equivalent, a lookahead that captures followed by a backreference to the capture:
`(?=(?P<_aN>X))(?P=_aN)` matches what X matches at that point and never gives any of it back.
"""
from __future__ import annotations

import itertools
import re
import sys
from typing import List, Tuple

NATIVE = sys.version_info >= (3, 11)
_QUANT = re.compile(r"\{\d*(?:,\d*)?\}")
# one numbering for the whole process: rewritten sources are joined into bigger patterns (the
# per-key alternations), so a group name must not repeat across them
_NAMES = itertools.count()


def compile(source: str, flags: int = 0) -> "re.Pattern[str]":   # noqa: A001  (re.compile's twin)
    return re.compile(portable(source), flags)


def portable(source: str, force: bool = False) -> str:
    """`source` unchanged where `re` knows atomic groups (3.11+) or it uses none; else rewritten
    (`force`: rewrite anyway, so that the rewriting is tested on any Python)."""
    if (NATIVE and not force) or not any(t in source for t in ("(?>", "++", "*+", "?+", "}+")):
        return source
    def atomic(body: str) -> str:
        n = next(_NAMES)
        return f"(?=(?P<_a{n}>{body}))(?P=_a{n})"

    def parse(i: int, depth: int) -> Tuple[List[str], int]:
        items: List[str] = []
        while i < len(source):
            c = source[i]
            if c == "\\":
                items.append(source[i:i + 2])
                i += 2
            elif c == "[":
                j = i + 1
                if source.startswith("^", j):
                    j += 1
                if source.startswith("]", j):
                    j += 1
                while source[j] != "]":
                    j += 2 if source[j] == "\\" else 1
                items.append(source[i:j + 1])
                i = j + 1
            elif c == "(":
                head, is_atomic, k = _group_head(source, i)
                if head.endswith(")"):             # (?P=name), (?s): nothing inside
                    items.append(head)
                    i = k
                    continue
                inner, k = parse(k, depth + 1)
                body = "".join(inner)
                items.append(atomic(body) if is_atomic else head + body + ")")
                i = k + 1
            elif c == ")" and depth:
                return items, i
            elif c in "*+?" and items:
                i += 1
                q = c
                if source.startswith("+", i):       # possessive
                    items[-1] = atomic(items[-1] + q)
                    i += 1
                    continue
                if source.startswith("?", i):       # lazy
                    q += "?"
                    i += 1
                items[-1] += q
            elif c == "{" and items and (quant := _QUANT.match(source, i)):
                q = quant.group(0)
                i += len(q)
                if source.startswith("+", i):
                    items[-1] = atomic(items[-1] + q)
                    i += 1
                    continue
                if source.startswith("?", i):
                    q += "?"
                    i += 1
                items[-1] += q
            else:
                items.append(c)
                i += 1
        return items, i

    return "".join(parse(0, 0)[0])


def _group_head(source: str, i: int) -> Tuple[str, bool, int]:
    """(the group's opening text, whether it is atomic, where its body starts); a group with no body
    ((?P=name), inline flags) comes back whole, closing parenthesis included."""
    if source.startswith("(?>", i):
        return "(?:", True, i + 3
    if source.startswith("(?P<", i):
        close = source.index(">", i)
        return source[i:close + 1], False, close + 1
    if source.startswith("(?P=", i):
        close = source.index(")", i)
        return source[i:close + 1], False, close + 1
    if source.startswith(("(?<=", "(?<!"), i):
        return source[i:i + 4], False, i + 4
    if source.startswith(("(?:", "(?=", "(?!"), i):
        return source[i:i + 3], False, i + 3
    if source.startswith("(?", i):                 # inline flags: (?s) or (?i:...)
        j = i + 2
        while source[j] not in ":)":
            j += 1
        if source[j] == ")":
            return source[i:j + 1], False, j + 1
        return source[i:j + 1], False, j + 1
    return "(", False, i + 1
