"""`trtlog explain` and `trtlog rules` end to end on real corpus logs: formats, filters, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")


def trtlog(*args):
    return subprocess.run([sys.executable, "-m", "trtlog", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@needs_corpus
def test_explain_json_document():
    r = trtlog("explain", str(CORPUS / "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"), "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["build_ok"] is False
    codes = [f["code"] for f in doc["findings"]]
    assert codes == ["TRT101", "TRT102", "TRT116"]   # TRT116: line 1 is "Error Code 4: Internal Error"
    f = doc["findings"][0]
    assert set(f) >= {"code", "severity", "category", "title", "message", "evidence", "fix", "confidence"}
    assert f["evidence"][0] == {"line": 1, "text": f["evidence"][0]["text"], "table": "errors",
                                "row": f["evidence"][0]["row"]}
    assert set(f["fix"]) == {"python", "trtexec", "trt11"}


@needs_corpus
def test_explain_text_grouped_by_severity_with_lines_and_fix():
    r = trtlog("explain", str(CORPUS / "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"),
               "--no-color")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "TensorRT 8.6.1" in out and out.index("Warnings (") < out.index("Info (")
    assert "line 1375: Calibrator is not being used" in out
    assert "trtexec: --workspace -> --memPoolSize" in out


@needs_corpus
def test_fail_on_sets_exit_code():
    log = str(CORPUS / "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log")
    assert trtlog("explain", log, "--fail-on", "error").returncode == 1
    quiet = str(CORPUS / "trt8.5.3-trtexec-loadengine-plugin-dumpprofile-rtx3090.log")   # only TRT313 (info)
    assert trtlog("explain", quiet, "--fail-on", "warning").returncode == 0
    assert trtlog("explain", quiet, "--fail-on", "info").returncode == 1


@needs_corpus
def test_min_severity_filters():
    log = str(CORPUS / "trt10.16-trtexec-mnist-default-perf-h100.log")   # TRT110 warning, TRT209/307 info
    doc = json.loads(trtlog("explain", log, "--format", "json", "--min-severity", "warning").stdout)
    assert [f["code"] for f in doc["findings"]] == ["TRT110"]


def test_bad_input_exit_2(tmp_path):
    r = trtlog("explain", str(tmp_path / "missing.log"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = trtlog("explain", "--select", "TRT999", str(tmp_path / "x.log"))
    assert r.returncode == 2 and "unknown rule" in r.stderr


def test_rules_catalog_lists_every_rule():
    from trtlog.rules import RULES
    r = trtlog("rules", "--format", "json")
    assert r.returncode == 0
    cat = json.loads(r.stdout)["rules"]
    assert [c["code"] for c in cat] == sorted(RULES)
    r = trtlog("rules", "TRT401")
    assert r.returncode == 0 and "insufficient-workspace" in r.stdout and "fix trtexec" in r.stdout
    assert trtlog("rules", "nope").returncode == 2


def test_rules_catalog_marks_unverified_rules():
    r = trtlog("rules")
    lines = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln.startswith("TRT")}
    assert "unverified" in lines["TRT310"] and "unverified" not in lines["TRT506"]
    assert "UNVERIFIED" in trtlog("rules", "TRT310").stdout
    cat = {c["code"]: c for c in json.loads(trtlog("rules", "--format", "json").stdout)["rules"]}
    assert cat["TRT310"]["unverified"] is True and cat["TRT111"]["unverified"] is False
