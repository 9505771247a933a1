"""Unknown lines -> candidate templates, so that a new wording becomes one grammar section quickly.

Each unknown message text is reduced to a template in the grammar's own notation: hex ids become
`{hex}`, numbers `{n}` (also one glued to its unit: `950MB` -> `{n}MB`), quoted strings `{q}`,
paths `{path}` and names that carry digits or separators (`Conv_92`, `/model.0/conv/Conv`,
`onnx::Mul_12`) `{name}`. Lines whose templates are equal form one cluster (per severity), reported
with its size, first line and an example.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Tuple

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
_HEX = re.compile(r"(?<![\w.])0x[0-9a-fA-F]+\b")
_PATH = re.compile(r"(?<![\w/])(?:[A-Za-z]:)?(?:\.{0,2}/|\\)?(?:[\w.+-]+[/\\])+[\w.+-]*")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:\.\d+)+|\d+\.|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.]*\w)")
# a token of letters joined by '_' or '.' (digits allowed): a layer, tensor, kernel or file name;
# plain words and vocabulary such as FP16 or sm80 stay as they are
_NAME = re.compile(r"(?<![\w{.-])(?=[\w.:-]*[A-Za-z])(?=[\w.:-]*\w[_.]\w)\w[\w.:-]*\w(?![\w}])")
# a number glued to its unit: "950MB", "0.5ms", "12GiB" -> "{n}MB", "{n}ms", "{n}GiB"
_QUANTITY = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?=(?:[KMGT]i?B|B|ms|us|ns|s)\b)")
_SPACES = re.compile(r"\s+")


def template_of(text: str) -> str:
    """The candidate template of one message text (envelope already split off)."""
    t = _QUOTED.sub("{q}", text.strip())
    t = _HEX.sub("{hex}", t)
    t = _PATH.sub(lambda m: m.group(0) if m.group(0).count("/") + m.group(0).count("\\") < 2
                  and not m.group(0).startswith(("/", "./", "../")) else "{path}", t)
    t = _QUANTITY.sub("{n}", t)
    t = _NAME.sub("{name}", t)
    t = _NUMBER.sub("{n}", t)
    return _SPACES.sub(" ", t)


@dataclass
class Cluster:
    template: str
    severity: str
    count: int = 0
    first_line: int = 0
    example: str = ""
    lines: List[int] = field(default_factory=list)


def group(rows: Iterable[Tuple[int, str, str]], keep_lines: int = 5) -> List[Cluster]:
    """Cluster (line, severity, text) rows; biggest cluster first, ties by first line."""
    out: Dict[Tuple[str, str], Cluster] = {}
    for line, sev, text in rows:
        key = (sev or "", template_of(text))
        c = out.get(key)
        if c is None:
            c = out[key] = Cluster(key[1], key[0], first_line=line, example=text.strip())
        c.count += 1
        if len(c.lines) < keep_lines:
            c.lines.append(line)
    return sorted(out.values(), key=lambda c: (-c.count, c.first_line))
