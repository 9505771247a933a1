"""The tensor-list parser of Engine Layer Information lines equals its pyparsing definition."""
from __future__ import annotations

import random

import pyparsing as pp
import pytest
from corpus import CORPUS

from trtlog.parse.structured import NEW_TENSOR, OLD_TENSOR, parse_tensor_list

_new, _old = pp.Regex(NEW_TENSOR.pattern), pp.Regex(OLD_TENSOR.pattern)
_delimited = getattr(pp, "DelimitedList", None) or pp.delimited_list
REFERENCE = pp.Optional(_delimited(_new | _old, delim=", ")) + pp.StringEnd()
REFERENCE.leave_whitespace()


def reference(text: str):
    text = text.strip()
    if not text:
        return []
    try:
        res = REFERENCE.parse_string(text, parse_all=True)
    except pp.ParseException:
        return []
    out = []
    for tok in res:
        m = NEW_TENSOR.fullmatch(tok) or OLD_TENSOR.fullmatch(tok)
        if m:
            out.append((m.group("name"), m.group("dtype"), m.group("dims")))
    return out


PIECES = ["a", "b c", "x:0", "Conv_1 + Relu", " (Float[1,3,224,224])", " (Half[-1,32:8,14,14])", "[Float(-2,1,28,28)]",
          "[Int8(1)]", ", ", ",", " ", "\t", "(", ")", "[", "]", " -> ", "Float", "[1,2]", " (int32[])", "(Half[1])"]


def test_fuzz_against_pyparsing():
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7)))
        assert parse_tensor_list(text) == reference(text), repr(text)


def test_corpus_layer_lines_against_pyparsing():
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared")
    seen = 0
    for path in sorted(CORPUS.iterdir()):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "Tactic: " in line and ("->" in line or "Layer(" in line):
                for side in line.split(" -> "):
                    tail = side.split("Tactic: ", 1)[-1].split(", ", 1)[-1]
                    for text in (side, tail):
                        assert parse_tensor_list(text) == reference(text), text
                        seen += 1
    assert seen > 100
