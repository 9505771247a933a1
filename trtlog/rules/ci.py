"""CI renderers for `trtlog explain`: SARIF 2.1.0 (code scanning), JUnit XML (test reports) and GitHub
Actions workflow commands (annotations). Each takes [(BuildLog, findings), ...], one pair per input.

- SARIF: one run per input; tool.driver.rules = the rules selected for the call (catalog entries);
  one result per finding with its level, message, a location per evidence line of the log file and a
  partialFingerprints hash that ignores line numbers (stable when the log shifts).
- JUnit: one testsuite per input, one testcase per selected rule; a rule that does not apply to the
  log's TensorRT version is <skipped/>; a testcase fails (<failure>, one per finding) when its rule found
  something at the threshold or worse (--fail-on, default warning); milder findings go to <system-out>.
- GitHub: one `::error|warning|notice file=...,line=...,title=...::message` line per finding.
"""
from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

from .. import __version__
from .engine import Finding, Rule, all_rules, at_least

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
FINGERPRINT = "trtlogFindingHash/v1"

Inputs = Sequence[Tuple[Any, List[Finding]]]


def log_file(bl) -> str:
    """The log file the evidence line numbers refer to (a bundle's build.log, not the directory): the first
    file that fed the tables, else the path."""
    sources = bl.facts.sources
    return sources[0] if sources else str(bl.path)


def selected_rules(codes: Optional[Sequence[str]] = None) -> List[Rule]:
    return [r for r in all_rules() if codes is None or r.code in codes]


def fingerprint(f: Finding) -> str:
    """Rule, run and the evidence texts, without line numbers: the same finding in a re-run or a log
    with lines added above it keeps its fingerprint."""
    parts = [f.code, str(f.run if f.run is not None else "")] + [e.text.strip() for e in f.evidence]
    if not f.evidence:
        parts.append(f.title)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def _uri(path: str) -> str:
    p = PurePath(path)
    if p.is_absolute():
        return PurePath(os.path.abspath(path)).as_uri()
    return quote(p.as_posix())


def _fix_text(r) -> str:
    fix = r.fix
    return "\n".join(f"{label}: {text}" for label, text in
                     (("Python API", fix.python), ("trtexec", fix.trtexec), ("TensorRT 11", fix.trt11)) if text)


def _descriptor(r: Rule) -> Dict[str, Any]:
    return {"id": r.code, "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.rationale or r.summary},
            "help": {"text": _fix_text(r) or r.summary},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"category": r.category, "tags": [r.category], "tensorrtVersions": r.versions}}


def sarif(inputs: Inputs, codes: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    rules = selected_rules(codes)
    index = {r.code: i for i, r in enumerate(rules)}
    runs = []
    for bl, findings in inputs:
        uri = _uri(log_file(bl))
        results = []
        for f in findings:
            located = [e for e in f.evidence if e.line > 0]
            locations = [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0},
                                               "region": {"startLine": e.line, "snippet": {"text": e.text}}}}
                         for e in located] or [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0}}}]
            res: Dict[str, Any] = {"ruleId": f.code, "level": SARIF_LEVEL[f.severity],
                                   "message": {"text": f"{f.title}. {f.message}"},
                                   "locations": locations,
                                   "partialFingerprints": {FINGERPRINT: fingerprint(f)},
                                   "properties": {"category": f.category, "confidence": f.confidence,
                                                  "evidenceTotal": max(f.evidence_total, len(f.evidence))}}
            if f.code in index:
                res["ruleIndex"] = index[f.code]
            if f.run is not None:
                res["properties"]["run"] = f.run
            results.append(res)
        runs.append({"tool": {"driver": {"name": "trtlog", "version": __version__, "semanticVersion": __version__,
                                         "rules": [_descriptor(r) for r in rules]}},
                     "artifacts": [{"location": {"uri": uri}}],
                     "invocations": [{"executionSuccessful": True}],
                     "results": results,
                     "properties": {"tensorrtVersion": bl.trt_version, "producer": bl.producer,
                                    "buildOk": bl.facts.build_ok}})
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def junit(inputs: Inputs, codes: Optional[Sequence[str]] = None, threshold: Optional[str] = None) -> str:
    threshold = threshold or "warning"
    top = ET.Element("testsuites", name="trtlog explain")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for bl, findings in inputs:
        path = log_file(bl)
        suite = ET.SubElement(top, "testsuite", name=path)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for r in selected_rules(codes):
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=f"trtlog.{r.category}", name=f"{r.code} {r.name}",
                                 file=path)
            if not r.applies_to(bl.trt_version):
                ET.SubElement(case, "skipped", message=f"rule applies to TensorRT {r.versions}, "
                                                       f"the log is {bl.trt_version}")
                counts["skipped"] += 1
                continue
            mine = [f for f in findings if f.code == r.code]
            failing = [f for f in mine if at_least(f.severity, threshold)]
            for f in failing:
                lines = ", ".join(str(e.line) for e in f.evidence if e.line > 0)
                el = ET.SubElement(case, "failure", message=f.title, type=f.severity)
                el.text = f"{f.message}\n{path}" + (f" lines {lines}" if lines else "")
            if failing:
                counts["failures"] += 1
            milder = [f for f in mine if f not in failing]
            if milder:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"{f.severity.upper()} {f.title}. {f.message}" for f in milder)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("errors", "0")
    for k, v in totals.items():
        top.set(k, str(v))
    top.set("errors", "0")
    ET.indent(top)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode") + "\n"


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(inputs: Inputs) -> str:
    """GitHub Actions workflow commands: each line becomes an annotation on the log file."""
    out = []
    for bl, findings in inputs:
        path = log_file(bl)
        for f in findings:
            props = [f"file={_escape_property(path)}"]
            line = next((e.line for e in f.evidence if e.line > 0), 0)
            if line:
                props.append(f"line={line}")
            props.append(f"title={_escape_property(f'{f.code} {f.name}: {f.title}')}")
            out.append(f"::{GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in out)
