"""One fact is resolved in one place (issue #16): the rules, the diff and the commands read build facts from
`bl.facts` (trtlog/facts.py), never from the untyped `bl.meta`; the bundle documents Facts does not hold
(validate.json, config.json contents) are read typed from `bl.bundle` (trtlog/parse/bundlemodels.py). What
still reads meta is listed below with its reason; the list must only shrink."""
from __future__ import annotations

import ast
from pathlib import Path

import trtlog
from trtlog.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "trtlog" / d for d in ("rules", "diff", "commands", "parquet.py")]

# (file relative to trtlog/, enclosing function) -> why it still reads bl.meta
META_ALLOWED = {
    ("rules/engine.py", "meta"):
        "RuleView.meta hands meta to a rule that declares \"meta\" (no rule reads it now: TRT210/TRT211 read "
        "the typed bundle documents, bl.bundle)",
    ("parquet.py", "to_parquet"):
        "meta.json keeps what the parser gathered beside the facts, for readers of the folder",
}


def meta_reads(source: str, name: str):
    """(file, enclosing function, line) of every `<expr>.meta` in `source`."""
    tree = ast.parse(source)
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and n.attr == "meta":
            owner = [f.name for f in funcs if f.lineno <= n.lineno <= f.end_lineno]
            out.append((name, owner[-1] if owner else "<module>", n.lineno))
    return out


def _scanned_files():
    for p in SCANNED:
        yield from (sorted(p.rglob("*.py")) if p.is_dir() else [p])


def test_rules_diff_and_commands_read_facts_not_meta():
    found = []
    for path in _scanned_files():
        found += meta_reads(path.read_text(encoding="utf-8"), path.relative_to(ROOT / "trtlog").as_posix())
    stray = [f for f in found if (f[0], f[1]) not in META_ALLOWED]
    assert not stray, f"bl.meta read outside the documented bundle-document reads (read bl.facts): {stray}"
    gone = set(META_ALLOWED) - {(f, fn) for f, fn, _ in found}
    assert not gone, f"no longer read: drop from META_ALLOWED {sorted(gone)}"


def test_the_meta_finder_is_not_vacuous():
    # the old form of TRT101 and of the diff's build-time delta are both flagged
    src = ('def build_failed(bl, check):\n    return bl.meta.get("build_ok") is False\n'
           'def build_time_changes(A, B):\n    return A.bl.meta.get("build_seconds")\n')
    assert sorted((fn, line) for _, fn, line in meta_reads(src, "x.py")) == [("build_failed", 2),
                                                                             ("build_time_changes", 4)]


def test_only_the_bundle_document_rules_declare_meta():
    assert sorted(c for c, r in RULES.items() if "meta" in r.tables) == ["TRT210", "TRT211"]
    facts_readers = {c for c, r in RULES.items() if "facts" in r.tables}
    # build_ok/failure (TRT101), the plan's version (TRT107), profiles (TRT115), driver (TRT508)
    assert {"TRT101", "TRT107", "TRT115", "TRT508"} <= facts_readers


def test_a_rule_sees_a_replaced_fact():
    # a test (or notebook) changes a fact by replacing the Facts object; the rules follow it.
    # a trtexec mnist FP32 build on a GTX 1070 that succeeds (line 2891: &&&& PASSED)
    import dataclasses

    from corpus import corpus_log
    bl = trtlog.load(str(corpus_log("trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log")))
    assert bl.facts.build_ok is True
    assert trtlog.run_rules(bl, select=["TRT101"]) == []
    bl.facts = dataclasses.replace(bl.facts, build_ok=False, failure="out of memory (a replaced fact)")
    (f,) = trtlog.run_rules(bl, select=["TRT101"])
    assert "First cause: out of memory (a replaced fact)" in f.message


def test_the_diff_sees_replaced_facts():
    # two builds that both succeed (T82 line 2891 and T84 line 3035: &&&& PASSED); T84 line 1157:
    # "Engine built in 3.05461 sec." -- with B's facts replaced, the diff reports what the facts say
    import dataclasses

    from corpus import corpus_log
    a = trtlog.load(str(corpus_log("trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log")))
    b = trtlog.load(str(corpus_log("trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log")))
    assert "build_status" not in {c.kind for c in trtlog.diff_builds(a, b).changes}
    assert trtlog.diff_builds(a, b).b_info.build_seconds == 3.05461
    b.facts = dataclasses.replace(b.facts, build_ok=False, failure="a replaced failure", build_seconds=7.5)
    d = trtlog.diff_builds(a, b)
    (status,) = [c for c in d.changes if c.kind == "build_status"]
    assert (status.a, status.b, status.fields["failure"]) == ("ok", "failed", "a replaced failure")
    assert d.b_info.build_seconds == 7.5 and d.b_info.build_ok is False
