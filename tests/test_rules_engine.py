"""Rule registry invariants, version ranges, severity order, and the generated catalog."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from trtlog.rules import CATEGORIES, RULES, SEVERITIES, all_rules, at_least, severity_rank
from trtlog.rules.catalog import markdown
from trtlog.rules.engine import parse_version

ROOT = Path(__file__).resolve().parents[1]
RANGE = {"build": "1", "accuracy": "2", "performance": "3", "memory": "4", "compatibility": "5"}


def test_at_least_25_rules_with_stable_unique_codes():
    rules = all_rules()
    assert len(rules) >= 25
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for r in rules:
        assert re.fullmatch(r"TRT[1-5]\d\d", r.code)
        assert r.code[3] == RANGE[r.category], f"{r.code} is {r.category}"
        assert r.severity in SEVERITIES and r.category in CATEGORIES
        assert r.summary and r.rationale and r.tables
        assert r.fix.python and r.fix.trtexec and r.fix.trt11, r.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name)


def test_every_category_has_rules():
    cats = {r.category for r in RULES.values()}
    assert cats == set(CATEGORIES)


def test_severity_order():
    assert [severity_rank(s) for s in ("error", "warning", "info")] == [0, 1, 2]
    assert at_least("error", "warning") and at_least("warning", "warning")
    assert not at_least("info", "warning")
    with pytest.raises(ValueError):
        severity_rank("fatal")


def test_version_parsing_is_numeric_not_lexical():
    assert parse_version("8.6.1") == (8, 6, 1)
    assert parse_version("10.16") == (10, 16)
    assert parse_version("") is None
    # 10.x must sort after 8.x (string comparison would put "10" first)
    assert parse_version("10.3") > parse_version("8.6")
    r = RULES["TRT206"]          # INT64 cast: TensorRT < 10 only
    assert r.applies_to("8.6.0") and not r.applies_to("10.16.1") and r.applies_to("")
    r = RULES["TRT402"]          # UNSUPPORTED_STATE skips: 10.x only
    assert r.applies_to("10.14") and not r.applies_to("8.5.1")


def test_docs_rules_md_is_generated_from_registry():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == markdown(), "regenerate: python -m trtlog.rules.catalog > docs/rules.md"
    for r in RULES.values():
        assert f"### {r.code} {r.name}" in doc
