"""What each rule reads, found in its source: the tables (and facts, meta) a rule function touches, directly or
through the helpers it calls (trtlog/rules/util.py, module-level helpers of its own module).

Read by tests/test_rules_contract.py, which holds it equal to what each rule declares (the catalog's and
docs/rules.md's "reads:"). Forms recognised, `bl` being any name:
`bl.tables["t"]`, `bl.tables.get("t")`, `rows(bl, "t", ...)`, `at_lines(bl, "t", ...)`, `by_id(...)`
(messages), `bl.line_text(...)` (messages), `bl.facts` (facts), `bl.meta` and `bl.bundle` (meta: the bundle's
JSON documents, RuleView.bundle). A table named by a variable
is an error: the reads must be readable here.
"""
from __future__ import annotations

import ast
import inspect
import sys
from functools import lru_cache
from typing import Dict, Set, Tuple

_TABLE_ARG = {"rows": 1, "at_lines": 1}      # helpers whose 2nd argument names the table
_MESSAGES = {"by_id"}                         # helpers that read the messages table


@lru_cache(maxsize=None)
def _module(name: str) -> Tuple[ast.Module, Dict[str, ast.AST]]:
    mod = sys.modules[name]
    tree = ast.parse(inspect.getsource(mod))
    defs: Dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    defs[t.id] = node
    return tree, defs


def _resolve(modname: str, name: str):
    """(module, definition) of `name` as seen from `modname`: its own top level, or `from .x import name`."""
    tree, defs = _module(modname)
    if name in defs:
        return modname, defs[name]
    pkg = modname.rsplit(".", 1)[0]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and any(a.name == name for a in node.names):
            target = f"{pkg}.{node.module}"
            if target in sys.modules:
                return _resolve(target, name)
    return None, None


def _literal(node) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise ValueError(f"a table named by an expression, not a literal: {ast.unparse(node)}")


def reads_of(modname: str, node: ast.AST, seen: Set[Tuple[str, str]] = None) -> Set[str]:
    seen = set() if seen is None else seen
    out: Set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and n.value.attr == "tables":
            out.add(_literal(n.slice))
        elif isinstance(n, ast.Attribute) and n.attr in ("facts", "meta", "bundle"):
            out.add("meta" if n.attr == "bundle" else n.attr)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            f = n.func
            if f.attr == "get" and isinstance(f.value, ast.Attribute) and f.value.attr == "tables":
                out.add(_literal(n.args[0]))
            elif f.attr == "line_text":
                out.add("messages")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            if n.func.id in _TABLE_ARG:
                out.add(_literal(n.args[_TABLE_ARG[n.func.id]]))
            elif n.func.id in _MESSAGES:
                out.add("messages")
        if isinstance(n, ast.Name) and n.id not in _TABLE_ARG and n.id not in _MESSAGES:
            mod, d = _resolve(modname, n.id)
            if d is not None and (mod, n.id) not in seen and d is not node:
                seen.add((mod, n.id))
                out |= reads_of(mod, d, seen)
    return out


def rule_reads(rule) -> Set[str]:
    """The tables (and "facts", "meta") a registered rule reads."""
    kind = getattr(rule.func, "kind", None)
    if kind is not None:          # a declarative rule (trtlog.rules.kinds): its declaration says what it reads
        return set(kind.reads)
    modname = rule.func.__module__
    _, defs = _module(modname)
    return reads_of(modname, defs[rule.func.__name__], {(modname, rule.func.__name__)})
