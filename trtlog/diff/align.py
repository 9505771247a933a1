"""Align the engine layers of two builds.

Works only on the `layers` table (name, type, metadata) and its `tensors` table (each layer's input and
output tensors with their shapes). Stages, each
on what the previous ones left unmatched:
  1. name       identical engine layer names (one to one, in engine order)
  2. tensors    same boundary tensors: the layers of the other side that lie between the layer's
                input and output tensors (catches fusions, e.g. several layers -> one Myelin node)
  3. sources    overlapping sets of ONNX source layer names taken from fused names
                (`Conv_0 + Relu_1`, `PWN(...)`, `{ForeignNode[a...b]}`) and from metadata
  4. signature  same layer type and tensor shapes without the batch dimension
  5. shapes     same tensor shapes, different type (an implementation change), in engine order
  6. reformat   reformat layers whose target layers were aligned
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import pandas as pd

from ..tensors import Tensor, by_layer, of
from ..vocab import REFORMAT_TYPES

_REFORMAT = re.compile(r"^Reformatting CopyNode for (Input|Output) Tensor (\d+) to (.+)$", re.S)
_INTERNAL_TENSOR = ("Reformatted Input Tensor", "Reformatted Output Tensor")
# names TensorRT generates itself; their numbering differs between versions, so they do not identify
_WEAK_PREFIXES = ("(Unnamed Layer*", "ONNXTRT_", "__myl")
NON_COMPUTE_TYPES = REFORMAT_TYPES | {"NoOp", "Constant"}


@dataclass
class Layer:
    pos: int
    line: int
    name: str
    type: str
    tactic: str
    kernel: str
    precision: str
    inputs: Sequence[Tensor]
    outputs: Sequence[Tensor]
    sources: Set[str] = field(default_factory=set)
    ranges: List[Tuple[FrozenSet[str], FrozenSet[str]]] = field(default_factory=list)
    reformat: Optional[Tuple[str, int, str]] = None   # (Input|Output, tensor index, target layer)

    @property
    def is_reformat(self) -> bool:
        return self.reformat is not None

    @property
    def is_compute(self) -> bool:
        return not self.is_reformat and self.type not in NON_COMPUTE_TYPES

    def signature(self) -> tuple:
        return (self.type, tuple(shape_wo_batch(t) for t in self.inputs),
                tuple(shape_wo_batch(t) for t in self.outputs))


@dataclass
class Group:
    a: List[int]
    b: List[int]
    how: str

    @property
    def shape(self) -> str:
        if len(self.a) == 1 and len(self.b) == 1:
            return "1:1"
        if len(self.b) == 1:
            return "n:1"
        if len(self.a) == 1:
            return "1:n"
        return "n:m"


@dataclass
class Alignment:
    a: List[Layer]
    b: List[Layer]
    groups: List[Group]
    unmatched_a: List[int]
    unmatched_b: List[int]


# -- the layer table ------------------------------------------------------------------------------
def shape_wo_batch(t: Tensor) -> Tuple[str, ...]:
    # '32:8' is channel 32 vectorised by 8: the shape is 32 whatever the vector format
    return tuple(d.split(":")[0].strip() for d in t.shape[1:])


def _split_top(expr: str, sep: str = " + ") -> List[str]:
    """Split at `sep` outside (), [] and {}."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and expr.startswith(sep, i):
            parts.append(expr[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(expr[start:])
    return [p.strip() for p in parts if p.strip()]


def _is_weak(token: str) -> bool:
    return token.startswith(_WEAK_PREFIXES) or "_myl" in token


def name_sources(name: str) -> Tuple[Set[str], List[Tuple[FrozenSet[str], FrozenSet[str]]]]:
    """ONNX source names inside an engine layer name, and the a...b ranges of ForeignNodes."""
    tokens: Set[str] = set()
    ranges: List[Tuple[FrozenSet[str], FrozenSet[str]]] = []

    def walk(expr: str) -> Set[str]:
        found: Set[str] = set()
        for part in _split_top(expr):
            if part.startswith("{ForeignNode[") and part.endswith("]}"):
                inner = part[len("{ForeignNode["):-2]
                if "..." in inner:
                    first, last = inner.split("...", 1)
                    lo, hi = walk(first), walk(last)
                    ranges.append((frozenset(lo), frozenset(hi)))
                    found |= lo | hi
                else:
                    found |= walk(inner)
            elif part.startswith("PWN(") and part.endswith(")"):
                found |= walk(part[4:-1])
            elif not _is_weak(part):
                found.add(part)
        return found

    tokens = walk(name)
    return tokens, ranges


def metadata_sources(meta: str) -> Set[str]:
    meta = str(meta or "")
    if not meta.strip():
        return set()
    if "[ONNX Layer:" in meta:
        out = set()
        for part in meta.split("[ONNX Layer:")[1:]:
            part = part.strip().rstrip("\x1f;, ").strip()
            if part.endswith("]"):
                part = part[:-1].strip()
            if part:
                out.add(part)
        return out
    return {p.strip() for p in re.split(r"[\x1f;]", meta) if p.strip()}


def layers_from_table(df: pd.DataFrame, tensors: Optional[pd.DataFrame] = None) -> List[Layer]:
    """Layers of a `layers` table, with their tensors from the `tensors` table."""
    layers = []
    index = by_layer(tensors)
    cols = ["run", "line", "name", "type", "tactic", "kernel", "precision", "metadata"]
    for pos, row in enumerate(df[cols].itertuples(index=False)):
        _, line, name, typ, tactic, kernel, prec, meta = row
        name = str(name)
        ts = of(index, row)
        layer = Layer(pos, int(line) if pd.notna(line) else 0, name, str(typ), str(tactic), str(kernel),
                      str(prec), ts.inputs, ts.outputs)
        m = _REFORMAT.match(name)
        if m:
            layer.reformat = (m.group(1), int(m.group(2)), m.group(3).strip())
        else:
            layer.sources, layer.ranges = name_sources(name)
            layer.sources |= metadata_sources(meta)
        layers.append(layer)
    return layers


# -- alignment -----------------------------------------------------------------------------------
class _Aligner:
    def __init__(self, a: List[Layer], b: List[Layer]):
        self.side = {"a": a, "b": b}
        self.free = {"a": set(range(len(a))), "b": set(range(len(b)))}
        self.groups: List[Group] = []

    def take(self, ia: Sequence[int], ib: Sequence[int], how: str) -> None:
        self.groups.append(Group(sorted(ia), sorted(ib), how))
        self.free["a"].difference_update(ia)
        self.free["b"].difference_update(ib)

    def free_layers(self, s: str, reformat: bool = False) -> List[int]:
        return sorted(i for i in self.free[s] if self.side[s][i].is_reformat == reformat)

    # 1
    def by_name(self) -> None:
        by_name: Dict[str, List[int]] = {}
        for j in sorted(self.free["b"]):
            by_name.setdefault(self.side["b"][j].name, []).append(j)
        for i in sorted(self.free["a"]):
            js = by_name.get(self.side["a"][i].name)
            if js:
                self.take([i], [js.pop(0)], "name")

    # 2
    def by_tensors(self) -> None:
        prod = {s: self._producers(s) for s in ("a", "b")}
        names = {s: {t.name for l in self.side[s] for t in l.inputs + l.outputs} for s in ("a", "b")}
        for s, o in (("b", "a"), ("a", "b")):
            for i in self.free_layers(s):
                if i not in self.free[s]:
                    continue
                ins, outs = self._boundary(s, i, prod[s])
                if not outs or not (ins | outs) <= names[o]:
                    continue
                region = self._region(o, ins, outs, prod[o])
                if region and all(j in self.free[o] for j in region):
                    ia, ib = ([i], sorted(region)) if s == "a" else (sorted(region), [i])
                    self.take(ia, ib, "tensors")

    def _producers(self, s: str) -> Dict[str, int]:
        prod: Dict[str, int] = {}
        for layer in self.side[s]:
            for t in layer.outputs:
                prod[t.name] = layer.pos
        return prod

    def _boundary(self, s: str, i: int, prod: Dict[str, int]) -> Tuple[Set[str], Set[str]]:
        layer = self.side[s][i]
        ins = set()
        for t in layer.inputs:
            name = t.name
            # look through a reformat of our own side to the tensor it copies
            if name.startswith(_INTERNAL_TENSOR) and name in prod and self.side[s][prod[name]].inputs:
                name = self.side[s][prod[name]].inputs[0].name
            ins.add(name)
        outs = {t.name for t in layer.outputs}
        if any(n.startswith(_INTERNAL_TENSOR) for n in ins | outs):
            return set(), set()
        return ins, outs

    def _region(self, s: str, ins: Set[str], outs: Set[str], prod: Dict[str, int]) -> Optional[Set[int]]:
        layers = self.side[s]
        stack = []
        for o in outs:
            if o not in prod:
                return None
            stack.append(prod[o])
        region: Set[int] = set()
        seen: Set[int] = set()
        while stack:
            j = stack.pop()
            if j in seen:
                continue
            seen.add(j)
            if len(seen) > 2000:
                return None
            if not layers[j].is_reformat:
                region.add(j)
            for t in layers[j].inputs:
                if t.name in ins:
                    continue
                if t.name not in prod:
                    return None  # reached a network input that is not on the boundary
                stack.append(prod[t.name])
        return region

    # 3
    def by_sources(self) -> None:
        fa, fb = self.free_layers("a"), self.free_layers("b")
        src_a = {i: self._expanded("a", i, "b") for i in fa}
        src_b = {j: self._expanded("b", j, "a") for j in fb}
        # union-find over ('a', i) / ('b', j) nodes linked through shared source names
        parent: Dict[tuple, tuple] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        owner: Dict[str, tuple] = {}
        for key, srcs in [(("a", i), s) for i, s in src_a.items()] + [(("b", j), s) for j, s in src_b.items()]:
            find(key)
            for tok in srcs:
                if tok in owner:
                    parent[find(key)] = find(owner[tok])
                else:
                    owner[tok] = key
        comps: Dict[tuple, List[tuple]] = {}
        for key in parent:
            comps.setdefault(find(key), []).append(key)
        for members in sorted(comps.values(), key=lambda m: min(k[1] for k in m)):
            ia = [k[1] for k in members if k[0] == "a"]
            ib = [k[1] for k in members if k[0] == "b"]
            if ia and ib:
                self.take(ia, ib, "sources")

    def _expanded(self, s: str, i: int, other: str) -> Set[str]:
        """Sources of a layer; a ForeignNode range a...b also covers the other side's layers
        that lie between the layers holding a and b (engine order)."""
        layer = self.side[s][i]
        out = set(layer.sources)
        olayers = self.side[other]
        for lo, hi in layer.ranges:
            starts = [l.pos for l in olayers if l.sources & lo]
            ends = [l.pos for l in olayers if l.sources & hi]
            if starts and ends and min(starts) <= max(ends):
                for l in olayers[min(starts):max(ends) + 1]:
                    out |= l.sources
        return out

    # 4
    def by_signature(self, with_type: bool = True) -> None:
        def sig(layer: Layer) -> tuple:
            s = layer.signature()
            return s if with_type else s[1:]

        by_sig: Dict[tuple, List[int]] = {}
        for j in self.free_layers("b"):
            if self.side["b"][j].inputs or self.side["b"][j].outputs:
                by_sig.setdefault(sig(self.side["b"][j]), []).append(j)
        for i in self.free_layers("a"):
            js = by_sig.get(sig(self.side["a"][i]))
            if js:
                self.take([i], [js.pop(0)], "signature" if with_type else "shapes")

    # 5
    def reformats(self) -> None:
        gid = {"a": {}, "b": {}}
        for n, g in enumerate(self.groups):
            for s in ("a", "b"):
                for i in getattr(g, s):
                    gid[s][self.side[s][i].name] = n
        keyed: Dict[tuple, List[int]] = {}
        for j in self.free_layers("b", reformat=True):
            d, k, target = self.side["b"][j].reformat
            if target in gid["b"]:
                keyed.setdefault((d, k, gid["b"][target]), []).append(j)
        for i in self.free_layers("a", reformat=True):
            d, k, target = self.side["a"][i].reformat
            js = keyed.get((d, k, gid["a"].get(target, -1)))
            if js:
                self.take([i], [js.pop(0)], "reformat")


def align(a: List[Layer], b: List[Layer]) -> Alignment:
    al = _Aligner(a, b)
    al.by_name()
    al.by_tensors()
    al.by_sources()
    al.by_signature()
    al.by_signature(with_type=False)
    al.reformats()
    groups = sorted(al.groups, key=lambda g: (min(g.b) if g.b else 0, min(g.a) if g.a else 0))
    return Alignment(a, b, groups, sorted(al.free["a"]), sorted(al.free["b"]))
