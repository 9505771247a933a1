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


# --- --dumpLayerInfo records: `Name: x, LayerType: T, Inputs: [ { ... }], ...` ------------------
# Two tensor schemas: up to 10.x `{ Name: x, Location: Device, Dimensions: [..], Format/Datatype: Float }`;
# the 11-era one (TensorRT-RTX) `{ Name: x, Dimensions: [..], Strides: [..], StrideOrder: [..],
# Datatype: Float, Format: (Linear) Row major linear format }`, and it adds `Constants: [...]`.
TENSOR_LISTS = (("Inputs", "input"), ("Constants", "constant"), ("Outputs", "output"))


_NESTING = re.compile(r"[\[\]{},]")


def _split_top(text: str, sep: str = ",") -> List[str]:
    """Split at `sep` (a comma) outside brackets and braces. Only the bracket and comma characters
    are visited (a regex finds them): records are long and this runs once per engine layer and tensor."""
    depth, start, parts = 0, 0, []
    for m in _NESTING.finditer(text):
        ch = m.group()
        if ch == sep:
            if depth == 0:
                parts.append(text[start:m.start()])
                start = m.end()
        elif ch in "[{":
            depth += 1
        else:
            depth -= 1
    parts.append(text[start:])
    return parts


def parse_dump_record(text: str) -> Optional[Dict[str, object]]:
    """Parse one layer record into a dict: scalar values as strings; Inputs/Constants/Outputs as
    lists of tensor dicts (name, dtype, dims, format, location). None when the text is not a record."""
    out: Dict[str, object] = {}
    for part in _split_top(text):
        k, sep, v = part.strip().partition(": ")
        if not sep:
            k = part.strip()
            if k.endswith(":") and out:      # an empty value: "TacticName: ", "Metadata:"
                out[k[:-1]] = ""
                continue
            if out:
                continue
            return None
        out[k.strip()] = v.strip()
    if "Name" not in out:
        return None
    for key, _ in TENSOR_LISTS:
        if key in out:
            out[key] = dump_tensors(str(out[key]))
    return out


def _tensor_fields(body: str) -> Dict[str, str]:
    f: Dict[str, str] = {}
    for part in _split_top(body):
        k, sep, v = part.strip().partition(":")
        if sep:
            f[k.strip()] = v.strip()
    return f


def dump_tensors(text: str) -> List[Dict[str, str]]:
    """`[ { Name: a, ... }, { Name: b, ... }]` -> [{name, dtype, dims, format, location}, ...]."""
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    out = []
    for item in _split_top(t):
        item = item.strip()
        if not (item.startswith("{") and item.endswith("}")):
            continue
        f = _tensor_fields(item[1:-1])
        dtype = f.get("Datatype") or f.get("DataType") or f.get("Format/Datatype", "")
        out.append({"name": f.get("Name", ""), "dtype": dtype, "dims": f.get("Dimensions", "").strip("[]"),
                    "format": f.get("Format") or f.get("Format/Datatype", ""),
                    "location": f.get("Location", "")})
    return out


def parse_io_tensor(text: str) -> Optional[Dict[str, object]]:
    """One `I/O Tensors:` line: `Name: x, IOMode: Input, DataType: Float, Dimensions: [-1,3], Location:
    Device, IsShapeInferenceIO: false, ProfileInfo: [ { MinShape: [..], OptShape: [..], MaxShape: [..],
    Format: ... }, ...]` -> dict with `profiles`: one dict per ProfileInfo entry."""
    rec = parse_dump_record(text)
    if rec is None or "IOMode" not in rec:
        return None
    profiles = []
    info = str(rec.get("ProfileInfo", "")).strip()
    if info.startswith("[") and info.endswith("]"):
        for item in _split_top(info[1:-1]):
            item = item.strip()
            if item.startswith("{") and item.endswith("}"):
                f = _tensor_fields(item[1:-1])
                profiles.append({k: f.get(k, "").strip("[]") for k in ("MinShape", "OptShape", "MaxShape")}
                                | {"Format": f.get("Format", "")})
    rec["profiles"] = profiles
    return rec


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
