"""Every JSON document names its schema, and docs/json.md lists exactly the top-level fields written."""
from __future__ import annotations

import json
import re
from pathlib import Path

from corpus import corpus_log
from test_cli_contracts import runner

from trtlog import schemas
from trtlog.cli import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "json.md"
T82 = "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
T84 = "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"


def documented_fields(schema: str):
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {schema}\n", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `(\w+)` \|", section, re.M)]


def out_of(*args):
    res = runner().invoke(cli, list(map(str, args)), standalone_mode=False)
    if res.exception is not None:
        raise res.exception
    return json.loads(res.stdout)


def test_json_outputs_name_their_schema_and_match_the_docs():
    a, b = corpus_log(T82), corpus_log(T84)
    docs = {schemas.EXPLAIN: out_of("explain", a, "--format", "json"),
            schemas.PARSE_STATS: out_of("parse", a, "--stats"),
            schemas.FACTS: out_of("parse", a, "--facts"),
            schemas.DIFF: out_of("diff", a, b, "--format", "json"),
            schemas.RULES: out_of("rules", "--format", "json")}
    for name, doc in docs.items():
        assert doc["schema"] == name
        assert list(doc) == documented_fields(name), name
    # T82 is 2891 lines, all recognised (corpus-coverage); one run with 12 engine layers
    assert docs[schemas.PARSE_STATS]["lines"] == 2891 and docs[schemas.PARSE_STATS]["tables"]["layers"] == 12
    # T82 line 62: Selected Device: NVIDIA GeForce GTX 1070; line 11: Precision: FP32
    facts = docs[schemas.FACTS]
    assert facts["gpu"] == "NVIDIA GeForce GTX 1070" and facts["evidence"]["gpu"] == {"line": 62}
    assert facts["precision_requested"] == ["FP32"] and facts["trt_version"] == "8.2.3"
    assert {d["schema"] for d in out_of("explain", a, b, "--format", "json")} == {schemas.EXPLAIN}
