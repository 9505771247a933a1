"""The typed result of a diff, which every renderer (text, JSON, HTML) takes."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .align import Alignment, Layer
from .kinds import KINDS

if TYPE_CHECKING:  # pragma: no cover
    from ..buildlog import BuildLog


@dataclass
class Change:
    """One difference of a catalogued kind (trtlog/diff/kinds.py), with evidence line numbers on each side.
    `score` and `text` come from the catalog: the kind (and `variant`) and the typed fields (`a`, `b`,
    `layer`, `fields`); `x` is the size of the change a scaled score grows with."""
    kind: str
    layer: str
    a: Any
    b: Any
    lines_a: List[int] = field(default_factory=list)
    lines_b: List[int] = field(default_factory=list)
    variant: str = ""
    x: Optional[float] = None
    fields: Dict[str, Any] = field(default_factory=dict)
    score: float = field(init=False)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        try:
            spec = KINDS[self.kind]
        except KeyError:
            raise ValueError(f"change kind {self.kind!r} is not in the catalog (trtlog/diff/kinds.py)") from None
        self.score = spec.score_of(self.variant, self.x)
        self.text = spec.wording(self.variant, {"a": self.a, "b": self.b, "layer": self.layer, **self.fields})


@dataclass
class BuildInfo:
    """The facts of one side shown next to the other (`a` / `b` of the trtlog.diff/1 document)."""
    path: str
    run: Optional[int]
    producer: str
    trt_version: str
    gpu: str
    compute_capability: str
    command: str
    precision_requested: Optional[List[str]]
    build_ok: Optional[bool]
    build_seconds: Optional[float]
    engine_size_mib: Optional[float]
    layers: int
    reformats: int
    throughput_qps: Optional[float]

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Evidence:
    line: int
    text: str

    def to_dict(self) -> Dict[str, Any]:
        return {"line": self.line, "text": self.text}


@dataclass
class DiffResult:
    a: "BuildLog"
    b: "BuildLog"
    a_info: BuildInfo
    b_info: BuildInfo
    changes: List[Change]
    alignment: Alignment
    summary: List[str]
    caveats: List[str]
    perf_a: Dict[Tuple[str, str], float] = field(default_factory=dict)
    perf_b: Dict[Tuple[str, str], float] = field(default_factory=dict)

    def check(self, fail_on: str) -> Tuple[List[str], List[str]]:
        """Evaluate a --fail-on spec ('throughput-drop=5,new-errors'): (conditions met, notes)."""
        from .summary import evaluate, parse_fail_on
        return evaluate(self, parse_fail_on(fail_on))

    def evidence(self, change: Change) -> Tuple[List[Evidence], List[Evidence]]:
        """The log lines a change cites, quoted from each side."""
        return ([Evidence(n, self.a.line_text(n)) for n in change.lines_a if n],
                [Evidence(n, self.b.line_text(n)) for n in change.lines_b if n])

    def unmatched(self) -> Tuple[List[Layer], List[Layer]]:
        al = self.alignment
        return [al.a[i] for i in al.unmatched_a], [al.b[j] for j in al.unmatched_b]

    def to_dict(self) -> Dict[str, Any]:
        """The trtlog.diff/1 document (docs/json.md) without its `schema` field."""
        from .side import layer_precision
        al = self.alignment

        def layer(l: Layer) -> Dict[str, Any]:
            return {"name": l.name, "type": l.type, "line": l.line, "precision": layer_precision(l),
                    "reformat": l.is_reformat}

        def change(c: Change) -> Dict[str, Any]:
            ev_a, ev_b = self.evidence(c)
            return {"kind": c.kind, "layer": c.layer, "a": c.a, "b": c.b, "score": round(c.score, 1),
                    "message": c.text, "evidence": {"a": [e.to_dict() for e in ev_a],
                                                    "b": [e.to_dict() for e in ev_b]}}
        un_a, un_b = self.unmatched()
        return {
            "a": self.a_info.to_dict(),
            "b": self.b_info.to_dict(),
            "summary": list(self.summary),
            "caveats": list(self.caveats),
            "changes": [change(c) for c in self.changes],
            "unmatched": {"a": [layer(l) for l in un_a], "b": [layer(l) for l in un_b]},
            "alignment": [{"a": [al.a[i].name for i in g.a], "b": [al.b[j].name for j in g.b],
                           "how": g.how, "shape": g.shape} for g in al.groups],
        }
