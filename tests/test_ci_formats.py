"""explain --format sarif | junit | github on real logs, in-process (CliRunner). The SARIF output is
validated against the official SARIF 2.1.0 schema (tests/schemas/sarif-schema-2.1.0.json, see its README)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from corpus import corpus_log
from test_cli_contracts import H100_FP16, PAD_ERROR, explain

from trtlog.rules import all_rules

SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"


def sarif_of(*args):
    code, out, err = explain(*args, "--format", "sarif")
    return code, json.loads(out), err


def test_sarif_validates_against_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)
    code, doc, _ = sarif_of(a, b)
    assert code == 0
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(doc)
    # and the schema does catch a broken document (the test can fail)
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["level"] = "warn"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_runs_rules_results_and_locations():
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)
    _, doc, _ = sarif_of(a, b)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 2          # one run per input
    run_a, run_b = doc["runs"]
    rules = run_a["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]   # the whole catalog without --select
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    by_rule = {r["ruleId"]: r for r in run_a["results"]}
    # README: 4 warnings (TRT204, TRT401, TRT402, TRT503); infos TRT311 (line 4427: "[W] ... Multi stream
    # is disabled because the stream assignment failed.") and TRT314 (3 of the 6 Layer( lines, 4688/4691/4693,
    # are Myelin ForeignNodes)
    assert sorted(by_rule) == ["TRT204", "TRT311", "TRT314", "TRT401", "TRT402", "TRT503"]
    assert {by_rule[c]["level"] for c in ("TRT204", "TRT401", "TRT402", "TRT503")} == {"warning"}
    assert by_rule["TRT311"]["level"] == by_rule["TRT314"]["level"] == "note"
    lines = [loc["physicalLocation"]["region"]["startLine"] for loc in by_rule["TRT401"]["locations"]]
    assert lines[:2] == [8, 1740]        # "Memory Pools: workspace: 0.000976562 MiB", the first skipped tactic
    loc = by_rule["TRT503"]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 2 and loc["artifactLocation"]["uri"].endswith(H100_FP16)
    assert "Weakly-typed networks have been deprecated" in loc["region"]["snippet"]["text"]
    assert rules[by_rule["TRT401"]["ruleIndex"]]["id"] == "TRT401"
    # line 1: "Error Code 4: Internal Error (Reshape_3 ...)"; line 2: the ONNX parser on node 13 (Pad)
    assert {r["ruleId"]: r["level"] for r in run_b["results"]} == {"TRT101": "error", "TRT102": "error",
                                                                   "TRT116": "error"}
    assert run_b["properties"]["buildOk"] is False


def test_sarif_fingerprints_are_stable():
    log = corpus_log(H100_FP16)
    first, second = sarif_of(log)[1], sarif_of(log)[1]
    fps = [r["partialFingerprints"] for r in first["runs"][0]["results"]]
    assert fps == [r["partialFingerprints"] for r in second["runs"][0]["results"]]
    assert len({json.dumps(f) for f in fps}) == len(fps)              # one per finding


def test_sarif_rules_follow_select():
    _, doc, _ = sarif_of(corpus_log(H100_FP16), "--select", "TRT4")
    run = doc["runs"][0]
    assert {r["id"][:4] for r in run["tool"]["driver"]["rules"]} == {"TRT4"}
    assert sorted(r["ruleId"] for r in run["results"]) == ["TRT401", "TRT402"]


def test_junit_one_suite_per_input_one_case_per_rule():
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)
    code, out, _ = explain(a, b, "--format", "junit", "--fail-on", "error")
    assert code == 1                                                   # PAD_ERROR has errors
    top = ET.fromstring(out)
    suites = top.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(a), str(b)]
    n = len(all_rules())
    assert all(len(s.findall("testcase")) == n and s.get("tests") == str(n) for s in suites)
    # threshold error: A's warnings are no failures, they are in system-out; B fails TRT101 and TRT102
    assert suites[0].get("failures") == "0"
    case = suites[0].find("testcase[@name='TRT204 reduced-precision-not-realised']")
    assert "2 of 5 layers stayed FP32 despite FP16" in case.find("system-out").text
    failed = [c.get("name").split()[0] for c in suites[1].findall("testcase") if c.find("failure") is not None]
    assert failed == ["TRT101", "TRT102", "TRT116"] and suites[1].get("failures") == "3"
    # a rule whose version range excludes TensorRT 10.16 is skipped, not passed
    skipped = [c for c in suites[0].findall("testcase") if c.find("skipped") is not None]
    assert skipped and all("10.16" in c.find("skipped").get("message") for c in skipped)
    assert top.get("failures") == "3" and top.get("tests") == str(2 * n)


def test_junit_default_threshold_is_warning():
    out = explain(corpus_log(H100_FP16), "--format", "junit")[1]
    suite = ET.fromstring(out).find("testsuite")
    failed = sorted(c.get("name").split()[0] for c in suite.findall("testcase") if c.find("failure") is not None)
    assert failed == ["TRT204", "TRT401", "TRT402", "TRT503"]


def test_github_annotations():
    code, out, _ = explain(corpus_log(PAD_ERROR), corpus_log(H100_FP16), "--format", "github")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3 + 6
    assert lines[0].startswith(f"::error file={corpus_log(PAD_ERROR)},line=1,title=TRT101 build-failed%3A ")
    assert lines[1].startswith("::error ") and ",line=2," in lines[1] and "Pad_13" in lines[1]
    assert lines[2].startswith("::error ") and ",line=1,title=TRT116 internal-error%3A " in lines[2]
    assert any(ln.startswith("::notice ") and ",line=4427," in ln for ln in lines)     # TRT311 info
    # workflow-command escaping: '%' in the data, ':' and ',' in properties
    tr204 = next(ln for ln in lines if "TRT204" in ln)
    assert "(40%25)" in tr204 and "\n" not in tr204
    title = tr204.split("title=", 1)[1].split("::", 1)[0]
    assert title == "TRT204 reduced-precision-not-realised%3A 2 of 5 layers stayed FP32 despite FP16"
