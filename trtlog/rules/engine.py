"""Rule engine: the Rule unit, the registry, Finding/Evidence data, severity ordering, run_rules.

A rule is one small function decorated with `@rule(...)`. The decorator records its stable code, name,
severity, category, the TensorRT versions it applies to, the BuildLog tables it reads, a generic fix
(Python API / trtexec / TensorRT 11) and a rationale; `trtlog rules` and docs/rules.md are generated from
these records. The function receives a `RuleView` of the BuildLog (only the tables it declares, the build
facts when it declares "facts", the bundle documents in meta when it declares "meta") and a `Check` helper,
and yields Findings built with `check.finding(...)`. Rules read only BuildLog tables, facts and meta, never
the log file.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import pandas as pd

from ..vocab import find_version as parse_version  # rules' name: None for an unknown version

if TYPE_CHECKING:        # pragma: no cover
    from ..facts import Facts
    from ..parse.bundlemodels import Bundle

SEVERITIES = ("error", "warning", "info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
CATEGORIES = ("build", "accuracy", "performance", "memory", "compatibility")
CONFIDENCES = ("high", "medium", "low")
MAX_EVIDENCE = 12  # lines quoted per finding; the message still states the full count


def severity_rank(sev: str) -> int:
    """0 for error (worst) .. 2 for info."""
    try:
        return _RANK[sev]
    except KeyError:
        raise ValueError(f"unknown severity {sev!r}; use one of {', '.join(SEVERITIES)}") from None


def at_least(sev: str, threshold: str) -> bool:
    """True when `sev` is as bad as `threshold` or worse."""
    return severity_rank(sev) <= severity_rank(threshold)


@dataclass
class Fix:
    python: str = ""
    trtexec: str = ""
    trt11: str = ""

    def to_dict(self) -> Dict[str, str]:
        return {"python": self.python, "trtexec": self.trtexec, "trt11": self.trt11}


@dataclass
class Evidence:
    line: int
    text: str
    table: str = ""
    row: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"line": self.line, "text": self.text}
        if self.table:
            d["table"] = self.table
        if self.row:
            d["row"] = self.row
        return d


@dataclass
class Finding:
    code: str
    name: str
    severity: str
    category: str
    title: str
    message: str
    evidence: List[Evidence]
    fix: Fix
    confidence: str
    rationale: str
    run: Optional[int] = None
    evidence_total: int = 0  # rows behind the finding (evidence keeps at most MAX_EVIDENCE)

    @property
    def lines(self) -> List[int]:
        return [e.line for e in self.evidence]

    def to_dict(self) -> Dict[str, Any]:
        return {"code": self.code, "name": self.name, "severity": self.severity,
                "category": self.category, "title": self.title, "message": self.message,
                "evidence": [e.to_dict() for e in self.evidence],
                "evidence_total": max(self.evidence_total, len(self.evidence)),
                "fix": self.fix.to_dict(), "confidence": self.confidence,
                "rationale": self.rationale, "run": self.run}


Version = Tuple[int, ...]


@dataclass
class Rule:
    code: str
    name: str
    severity: str
    category: str
    summary: str
    tables: Tuple[str, ...]
    fix: Fix
    rationale: str
    func: Callable[..., Iterable[Finding]]
    min_version: Optional[Version] = None   # inclusive
    max_version: Optional[Version] = None   # exclusive
    confidence: str = "high"
    # True when no real log the project holds (corpus, tests/corpus, GPU fixtures) shows the condition:
    # the rule was written from documented wording only (see tests/test_rules_firing.py)
    unverified: bool = False

    @property
    def versions(self) -> str:
        lo = ".".join(map(str, self.min_version)) if self.min_version else ""
        hi = ".".join(map(str, self.max_version)) if self.max_version else ""
        if lo and hi:
            return f">={lo}, <{hi}"
        if lo:
            return f">={lo}"
        if hi:
            return f"<{hi}"
        return "all"

    def applies_to(self, version: str) -> bool:
        v = parse_version(version)
        if v is None:  # unknown version: let the rule decide from the tables
            return True
        if self.min_version and v < self.min_version:
            return False
        if self.max_version and v >= self.max_version:
            return False
        return True

    def catalog_entry(self) -> Dict[str, Any]:
        return {"code": self.code, "name": self.name, "severity": self.severity,
                "category": self.category, "summary": self.summary, "versions": self.versions,
                "tables": list(self.tables), "fix": self.fix.to_dict(), "rationale": self.rationale,
                "unverified": self.unverified}


RULES: "OrderedDict[str, Rule]" = OrderedDict()


def rule(code: str, name: str, *, severity: str, category: str, summary: str, tables: Sequence[str],
         fix: Fix, rationale: str, min_version: Optional[Version] = None,
         max_version: Optional[Version] = None, confidence: str = "high", unverified: bool = False):
    """Register a rule function `f(bl, check) -> iterable of Finding`."""
    if severity not in SEVERITIES:
        raise ValueError(f"{code}: bad severity {severity!r}")
    if category not in CATEGORIES:
        raise ValueError(f"{code}: bad category {category!r}")
    if confidence not in CONFIDENCES:
        raise ValueError(f"{code}: bad confidence {confidence!r}")
    if not re.fullmatch(r"TRT[1-5]\d\d", code):
        raise ValueError(f"bad rule code {code!r}")

    def deco(func):
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        if any(r.name == name for r in RULES.values()):
            raise ValueError(f"duplicate rule name {name}")
        RULES[code] = Rule(code=code, name=name, severity=severity, category=category,
                           summary=summary, tables=tuple(tables), fix=fix, rationale=rationale,
                           func=func, min_version=min_version, max_version=max_version,
                           confidence=confidence, unverified=unverified)
        return func
    return deco


class UndeclaredRead(LookupError):
    """A rule read a table (or facts, or meta) that its @rule(tables=...) does not declare: a bug in the rule."""


class _DeclaredTables(Mapping):
    """bl.tables restricted to the names a rule declares; any other name raises UndeclaredRead."""

    def __init__(self, code: str, tables: Mapping[str, pd.DataFrame], declared: Sequence[str]):
        self._code, self._tables, self._declared = code, tables, tuple(declared)

    def _allowed(self, name: str) -> None:
        if name not in self._declared:
            raise UndeclaredRead(f"{self._code} reads table {name!r} but declares only "
                                 f"{', '.join(self._declared)}: add it to tables= in its @rule")

    def __getitem__(self, name: str) -> pd.DataFrame:
        self._allowed(name)
        return self._tables[name]

    def get(self, name: str, default=None):
        self._allowed(name)
        return self._tables.get(name, default)

    def __iter__(self):
        return (n for n in self._tables if n in self._declared)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class RuleView:
    """What a rule sees of a BuildLog: its declared tables, the build facts (trtlog/facts.py) only when it
    declares "facts", meta and `bundle` only when it declares "meta" (left to the bundle documents that
    Facts does not hold: validate.json, config.json), and the log's identity (path, line count, producer, backend,
    TensorRT version) that every rule may read."""

    def __init__(self, bl, rule_: "Rule"):
        self._bl, self._rule = bl, rule_
        self.tables = _DeclaredTables(rule_.code, bl.tables, rule_.tables)

    def _declared(self, what: str) -> None:
        if what not in self._rule.tables:
            raise UndeclaredRead(f"{self._rule.code} reads {what} but does not declare it: add \"{what}\" to "
                                 "tables= in its @rule")

    @property
    def facts(self) -> "Facts":
        self._declared("facts")
        return self._bl.facts

    @property
    def meta(self) -> Dict[str, Any]:
        self._declared("meta")
        return self._bl.meta

    @property
    def bundle(self) -> "Bundle":
        """The bundle's typed JSON documents (trtlog/parse/bundlemodels.py); declared as "meta"."""
        self._declared("meta")
        return self._bl.bundle

    def line_text(self, line: int) -> str:
        self.tables["messages"]   # the text of a line is the messages table's
        return self._bl.line_text(line)

    path = property(lambda self: self._bl.path)
    lines = property(lambda self: self._bl.lines)
    producer = property(lambda self: self._bl.producer)
    backend = property(lambda self: self._bl.backend)
    product = property(lambda self: self._bl.product)
    trt_version = property(lambda self: self._bl.trt_version)
    trt_version_min = property(lambda self: self._bl.trt_version_min)


class Check:
    """What a rule function gets besides the BuildLog: builds Findings with the rule's defaults."""

    def __init__(self, rule_: Rule, bl):
        self.rule = rule_
        self.bl = bl

    def evidence(self, rows: Optional[pd.DataFrame] = None, table: str = "",
                 lines: Iterable[int] = (), limit: int = MAX_EVIDENCE) -> List[Evidence]:
        """Evidence from table rows (their `line` column) and/or explicit line numbers, in line order,
        de-duplicated, at most `limit`; the text is the log line as kept in the messages table, except
        for layers from layer-info JSON (line 0, the text names the JSON layer; they sort last)."""
        seen: "OrderedDict[tuple, Evidence]" = OrderedDict()
        if rows is not None and len(rows):
            for rec in rows.head(limit * 4).to_dict("records"):
                ln = rec.get("line")
                if ln is None or pd.isna(ln):
                    continue
                if rec.get("origin") == "json":
                    # a layer from the engine-inspector JSON: its `line` is the JSON row, not a log line
                    key = ("json", int(ln))
                    if key not in seen:
                        seen[key] = Evidence(0, _json_layer_text(int(ln), rec), table, _plain(rec))
                elif ("log", int(ln)) not in seen:
                    seen[("log", int(ln))] = Evidence(int(ln), self.bl.line_text(int(ln)), table, _plain(rec))
        for ln in lines:
            if ln is None or pd.isna(ln) or ("log", int(ln)) in seen:
                continue
            seen[("log", int(ln))] = Evidence(int(ln), self.bl.line_text(int(ln)))
        ev = sorted(seen.values(), key=lambda e: (e.line == 0, e.line))
        return ev[:limit]

    def finding(self, title: str, message: str, evidence: List[Evidence], *,
                fix: Optional[Fix] = None, confidence: Optional[str] = None, run: Optional[int] = None,
                total: Optional[int] = None, severity: Optional[str] = None) -> Finding:
        r = self.rule
        f = fix or r.fix
        # a finding-specific fix keeps the rule's generic text for any form it leaves empty
        f = Fix(f.python or r.fix.python, f.trtexec or r.fix.trtexec, f.trt11 or r.fix.trt11)
        return Finding(code=r.code, name=r.name, severity=severity or r.severity, category=r.category,
                       title=title, message=message, evidence=evidence, fix=f,
                       confidence=confidence or r.confidence, rationale=r.rationale, run=run,
                       evidence_total=total if total is not None else len(evidence))


def _json_layer_text(row: int, rec: Dict[str, Any]) -> str:
    detail = ", ".join(str(rec[k]) for k in ("type", "precision") if rec.get(k) and not pd.isna(rec.get(k)))
    return f"layers.json layer {row}: {rec.get('name', '')}" + (f" ({detail})" if detail else "")


def _plain(rec: Dict[str, Any]) -> Dict[str, Any]:
    """JSON-friendly copy of a table row (NaN/NA -> None, numpy scalars -> Python)."""
    out = {}
    for k, v in rec.items():
        if k == "text":
            continue
        try:
            if v is None or pd.isna(v):
                out[k] = None
                continue
        except (TypeError, ValueError):
            pass
        if hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out


def _load_rule_modules() -> None:
    # importing the theme modules registers their rules
    from . import accuracy, build_failure, compatibility, memory, performance, strongly_typed  # noqa: F401


def all_rules() -> List[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: r.code)


def run_rules(bl, select: Optional[Iterable[str]] = None, min_severity: str = "info") -> List[Finding]:
    """Run every applicable rule on a BuildLog; findings sorted by severity, then code, then line."""
    severity_rank(min_severity)
    wanted = set(select) if select else None
    findings: List[Finding] = []
    version = bl.trt_version_min
    for r in all_rules():
        if wanted is not None and r.code not in wanted and r.name not in wanted:
            continue
        if not r.applies_to(version):
            continue
        for f in r.func(RuleView(bl, r), Check(r, bl)) or ():
            if at_least(f.severity, min_severity):
                findings.append(f)
    findings.sort(key=lambda f: (severity_rank(f.severity), f.code,
                                 f.evidence[0].line if f.evidence else 0))
    return findings


def iter_runs(df: pd.DataFrame) -> Iterator[Tuple[int, pd.DataFrame]]:
    """(run, rows) groups of a table, in run order."""
    if df.empty:
        return iter(())
    runs = df["run"].fillna(0).astype(int)
    return ((int(k), g) for k, g in df.groupby(runs, sort=True))
