"""The rules' contract with the tables: each rule reads exactly the tables it declares (docs/rules.md "reads:"),
the engine hands it only those, and no rule re-parses message text with a regex: lines are selected by grammar
message id and their fields come from typed tables."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from corpus import corpus_log
from rule_reads import rule_reads

import trtlog
from trtlog.rules import RULES, all_rules, run_rules, util
from trtlog.rules.engine import Check, RuleView, UndeclaredRead

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "trtlog" / "rules"
LOCAL = ROOT / "tests" / "corpus" / "logs"


# ---- reads: declared == read -------------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_declares_exactly_the_tables_it_reads(code):
    r = RULES[code]
    assert rule_reads(r) == set(r.tables), \
        f"{code} declares {sorted(r.tables)} but reads {sorted(rule_reads(r))}: fix tables=, regenerate docs/rules.md"


def test_docs_reads_line_is_the_declared_tables():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for r in all_rules():
        section = doc.split(f"### {r.code} {r.name}")[1].split("\n### ")[0]
        line = next(ln for ln in section.splitlines() if ln.startswith("- reads: "))
        assert line == "- reads: " + ", ".join(f"`{t}`" for t in r.tables), r.code


def test_the_reads_finder_sees_each_access_form():
    # a rule that declares too little is caught by the finder (not only at run time): TRT110 reads the
    # options table through at_lines and errors through util.rejected_profile_runs
    reads = rule_reads(RULES["TRT110"])
    assert {"options", "errors", "messages"} <= reads
    assert "facts" in rule_reads(RULES["TRT101"])         # bl.facts
    assert "meta" in rule_reads(RULES["TRT211"])          # bl.bundle.config (config.json), declared as meta
    assert "facts" in rule_reads(RULES["TRT204"])         # util.requested_precisions -> bl.facts
    assert "tensors" in rule_reads(RULES["TRT204"])       # util.layer_tensors -> bl.tables.get("tensors")


# ---- the view a rule gets ------------------------------------------------------------------------------------

def _bl():
    path = LOCAL / "trt8.4-python-mmdeploy-noimpl-traceback-excerpt.log"
    return trtlog.load(str(path))


def test_view_refuses_an_undeclared_table_facts_and_meta():
    bl = _bl()
    view = RuleView(bl, RULES["TRT102"])                  # declares errors only
    assert view.tables["errors"] is bl.tables["errors"]
    with pytest.raises(UndeclaredRead, match=r"TRT102 reads table 'memory' but declares only errors"):
        view.tables["memory"]
    with pytest.raises(UndeclaredRead, match="TRT102 reads table 'messages'"):
        view.tables.get("messages")
    with pytest.raises(UndeclaredRead, match="TRT102 reads meta but does not declare it"):
        _ = view.meta
    with pytest.raises(UndeclaredRead, match="TRT102 reads facts but does not declare it"):
        _ = view.facts
    assert list(view.tables) == ["errors"]
    assert RuleView(bl, RULES["TRT101"]).facts is bl.facts   # TRT101 declares facts
    with pytest.raises(UndeclaredRead, match="TRT101 reads meta"):
        _ = RuleView(bl, RULES["TRT101"]).meta             # ... and no longer meta
    assert RuleView(bl, RULES["TRT211"]).meta is bl.meta   # TRT211 declares meta (config.json)
    assert RuleView(bl, RULES["TRT211"]).bundle is bl.bundle   # ... the typed documents, bl.bundle
    with pytest.raises(UndeclaredRead, match="TRT101 reads meta"):
        _ = RuleView(bl, RULES["TRT101"]).bundle
    assert view.producer == bl.facts.producer             # the log's identity needs no declaration


def test_a_rule_that_reads_facts_undeclared_fails_when_run():
    bl = _bl()
    r = RULES["TRT101"]                                   # reads errors, runs and facts (build_ok, failure)
    narrowed = type(r)(**{**r.__dict__, "tables": ("errors", "runs")})
    with pytest.raises(UndeclaredRead, match="TRT101 reads facts"):
        list(narrowed.func(RuleView(bl, narrowed), Check(narrowed, bl)))


def test_a_rule_that_reads_beyond_its_declaration_fails_when_run():
    bl = _bl()
    r = RULES["TRT104"]                                   # reads messages, errors and memory
    narrowed = type(r)(**{**r.__dict__, "tables": ("messages",)})
    with pytest.raises(UndeclaredRead, match="TRT104 reads table"):
        list(narrowed.func(RuleView(bl, narrowed), Check(narrowed, bl)))
    assert [f.code for f in run_rules(bl, select=["TRT104"])] == ["TRT104"]   # declared: runs


# ---- no regex over message text ------------------------------------------------------------------------------

# `re` over values that are not message text: the rule code. Option values, device values and the command line
# (workspace, GPU memory, tactic sources, precision flags, shapes) are facts (trtlog/facts.py), dtype names go
# through the vocabulary (vocab.precision_of): no rule reads their text.
RE_ALLOWED = {
    ("engine.py", "rule"): "checks a rule code (TRT1xx..TRT5xx)",
}
# Message text still parsed because the grammar's field has no column in the errors table (tables.py and
# handlers.h_error, outside the rules): {plugin}/{version} of pload.creator_not_found and {op} of
# app.onnx_parser_error_desc, {bytes} of err.oom, {cond} of err.assertion. Each entry must still exist, so the
# list shrinks when a column arrives.
# (emptied: TRT103's plugin name/version, TRT105's failed request size and TRT108's assertion condition are
# errors-table columns now: plugin, plugin_version, bytes, condition)
TEXT_PARSE_DEBT: dict = {}
_STR_METHODS = {"contains", "match", "fullmatch", "extract", "extractall", "findall", "count", "replace", "split",
                "rsplit", "startswith", "endswith", "find", "slice"}


def _mentions_text(node) -> bool:
    return any((isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and n.slice.value == "text")
               for n in ast.walk(node))


def _re_calls():
    """(file, enclosing function, line) of every `re.<fn>(...)` call and `re.compile` in trtlog/rules/."""
    out = []
    for path in sorted(RULES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    isinstance(n.func.value, ast.Name) and n.func.value.id == "re":
                owner = [f.name for f in funcs if f.lineno <= n.lineno <= f.end_lineno]
                out.append((path.name, owner[-1] if owner else "<module>", n.lineno))
    return out


def test_util_has_no_text_grep():
    assert not hasattr(util, "messages"), "util.messages(pattern) is gone: select lines with util.by_id"


def test_no_regex_over_message_text_in_rules():
    calls = _re_calls()
    where = {(f, fn) for f, fn, _ in calls}
    stray = [c for c in calls if (c[0], c[1]) not in RE_ALLOWED and (c[0], c[1]) not in TEXT_PARSE_DEBT]
    assert not stray, f"re over message text in a rule (select by grammar id, read typed fields): {stray}"
    assert set(TEXT_PARSE_DEBT) <= where, "a text parse was removed: drop it from TEXT_PARSE_DEBT"
    assert not TEXT_PARSE_DEBT


def test_no_pandas_string_matching_or_substring_test_on_a_text_column():
    bad = []
    for path in sorted(RULES_DIR.glob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _STR_METHODS \
                    and isinstance(n.func.value, ast.Attribute) and n.func.value.attr == "str" \
                    and _mentions_text(n.func.value):
                bad.append((path.name, n.lineno, ast.unparse(n)[:80]))
            if isinstance(n, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in n.ops) \
                    and any(_mentions_text(c) for c in n.comparators):
                bad.append((path.name, n.lineno, ast.unparse(n)[:80]))
    assert not bad, f"string matching on a text column in a rule: {bad}"


def test_the_checks_catch_a_text_grep():
    # the checks above are not vacuous: the old form of TRT305 is flagged by both
    src = 'def f(bl):\n    m = bl.tables["messages"]\n    return m[m["text"].astype(str).str.contains("bound by")]\n'
    n = next(x for x in ast.walk(ast.parse(src))
             if isinstance(x, ast.Call) and getattr(x.func, "attr", "") == "contains")
    assert _mentions_text(n.func.value)
    assert ("performance.py", "enqueue_bound") not in RE_ALLOWED


def test_rule_functions_take_the_view_not_the_buildlog():
    # every registered rule runs through run_rules' RuleView: the function signature is (bl, check)
    for r in all_rules():
        assert list(inspect.signature(r.func).parameters)[:2] == ["bl", "check"], r.code


# ---- declarative kinds ---------------------------------------------------------------------------------------

def test_message_present_rules_are_declarations():
    from trtlog.rules.kinds import Present
    declared = sorted(c for c, r in RULES.items() if isinstance(getattr(r.func, "kind", None), Present))
    assert declared == ["TRT207", "TRT208", "TRT209", "TRT305", "TRT310", "TRT311", "TRT312", "TRT313",
                        "TRT403", "TRT503"]
    for code in declared:
        assert RULES[code].tables == RULES[code].func.kind.reads


def test_present_counts_and_pluralises_from_the_log():
    # 'Using default stream in enqueueV3()' is printed twice, at lines 917 and 942 (grep -n)
    bl = trtlog.load(str(corpus_log("trt10.14-python-int8-plugin-missing-scale.log")))
    (f,) = run_rules(bl, select=["TRT312"])
    assert f.message == "2 enqueueV3 calls used the default stream."
    assert [e.line for e in f.evidence] == [917, 942]


def test_present_declaration_is_checked():
    from trtlog.rules.kinds import Present
    with pytest.raises(ValueError, match="not both"):
        Present(title="t", message="m", ids=("a",), table="precision")
    with pytest.raises(ValueError, match="evidence"):
        Present(title="t", message="m", ids=("a",), evidence="some")
