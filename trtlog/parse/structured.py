"""Parsers for the structured payloads of rarer lines: tensor lists of `Engine Layer Information`,
`--dumpLayerInfo` records, trtexec perf statistics (pyparsing), shape lists.

These run once per engine layer (hundreds of lines), never on the hot tactic lines.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

import pyparsing as pp

from ..vocab import precision_of, realised_precision  # noqa: F401  (re-exported: older imports)

# --- Engine Layer Information tensors ---------------------------------------------------------
# >= 8.5: `name (Float[1,3,224,224])`; <= 8.4: `name:0[Float(-2,1,28,28)]` or `name[Float(...)]`;
# dims may be vectorised: "Half[-1,32:8,14,14]". A list is  tensor (", " tensor)*  up to the end of
# the text (tabs expanded), each tensor the first of the two forms that matches there, nothing
# backtracked: what pyparsing's Optional(DelimitedList(new | old, ", ")) + StringEnd() does. It runs
# for every engine layer, thousands of lines in a big log, so it is a direct loop over the two
# regexes (tests/test_parse_structured.py checks it against that pyparsing expression).
NEW_TENSOR = re.compile(r"(?P<name>.+?) \((?P<dtype>[A-Za-z][\w]*)\[(?P<dims>[-\d,:]*)\]\)")
OLD_TENSOR = re.compile(r"(?P<name>.+?)\[(?P<dtype>[A-Za-z][\w]*)\((?P<dims>[-\d,:]*)\)\]")


def parse_tensor_list(text: str) -> List[Tuple[str, str, str]]:
    """'a (Float[1,3]), b (Half[1,3])' -> [(name, dtype, dims), ...]; [] when unparseable."""
    text = text.strip().expandtabs()
    if not text:
        return []
    new, old = NEW_TENSOR.match, OLD_TENSOR.match
    m = new(text) or old(text)
    if m is None:
        return []
    toks = [m.group()]
    pos = m.end()
    while text.startswith(", ", pos):
        m = new(text, pos + 2) or old(text, pos + 2)
        if m is None:
            break
        toks.append(m.group())
        pos = m.end()
    if pos != len(text):
        return []
    out = []
    for tok in toks:
        m = NEW_TENSOR.fullmatch(tok) or OLD_TENSOR.fullmatch(tok)
        if m:
            out.append((m.group("name"), m.group("dtype"), m.group("dims")))
    return out


def join_tensors(ts: List[Tuple[str, str, str]]) -> str:
    return "; ".join(f"{n} ({d}[{s}])" for n, d, s in ts)


# --- --dumpLayerInfo records: `Name: x, LayerType: T, Inputs: [ { ... }], ...` ------------------
def parse_dump_record(text: str) -> Optional[Dict[str, object]]:
    """Parse one trtexec --dumpLayerInfo layer record into a dict (nested lists/dicts as strings
    where we do not need them). Returns None when the text is not such a record."""
    out: Dict[str, object] = {}
    # top-level split by ', Key: ' respecting brackets (pyparsing handles nesting of Inputs/Outputs)
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(text):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    for part in parts:
        k, sep, v = part.strip().partition(": ")
        if not sep:
            if out:
                continue
            return None
        out[k.strip()] = v.strip()
    if "Name" not in out:
        return None
    for io in ("Inputs", "Outputs"):
        if io in out:
            out[io] = _dump_tensors(str(out[io]))
    return out


_DUMP_TENSOR = re.compile(r"\{\s*Name:\s*(?P<name>.*?),(?:\s*Location:\s*\w+,)?\s*Dimensions:\s*\[(?P<dims>[^\]]*)\],"
                          r"\s*Format/Datatype:\s*(?P<fmt>[^}]*?)\s*\}")


def _dump_tensors(text: str) -> List[Tuple[str, str, str]]:
    return [(m.group("name"), m.group("fmt"), m.group("dims")) for m in _DUMP_TENSOR.finditer(text)]


# --- trtexec performance statistics: `min = 0.1 ms, max = 0.2 ms, ..., percentile(99%) = 0.3 ms` --
_delimited = getattr(pp, "DelimitedList", None) or pp.delimited_list  # renamed in pyparsing 3.1
_num = pp.pyparsing_common.fnumber
_stat_name = pp.Regex(r"min|max|mean|median|percentile\(\d+(?:\.\d+)?%\)")
_unit = pp.Optional(pp.Word(pp.alphas + "%/"), default="")
_stat = pp.Group(_stat_name("stat") + pp.Suppress("=") + _num("value") + _unit("unit"))
STATS = _delimited(_stat, delim=",") + pp.StringEnd()


def parse_stats(text: str) -> List[Tuple[str, float, str]]:
    try:
        res = STATS.parse_string(text.strip(), parse_all=True)
    except pp.ParseException:
        return []
    out = []
    for g in res:
        stat = g["stat"]
        if stat.startswith("percentile"):
            num = stat[len("percentile("):-2]
            stat = "p" + (num.rstrip("0").rstrip(".") if "." in num else num)
        out.append((stat, float(g["value"]), g.get("unit", "")))
    return out
