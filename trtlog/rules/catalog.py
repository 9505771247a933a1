"""The rule catalog, generated from the registry: `python -m trtlog.rules.catalog > docs/rules.md`."""
from __future__ import annotations

from typing import List

from .engine import CATEGORIES, all_rules

_RANGES = {"build": "TRT1xx", "accuracy": "TRT2xx", "performance": "TRT3xx", "memory": "TRT4xx",
           "compatibility": "TRT5xx"}


def table_rows() -> List[dict]:
    return [r.catalog_entry() for r in all_rules()]


def markdown() -> str:
    rules = all_rules()
    out = ["# trtlog rules", "",
           "Generated from the rule registry (`python -m trtlog.rules.catalog > docs/rules.md`) — do not edit "
           "by hand.", "",
           "`trtlog explain LOG` runs every rule whose TensorRT version range contains the log's version "
           "(rules also run when the version is unknown). Severities: error > warning > info; "
           "`--fail-on S` exits 1 when a finding of severity S or worse exists.", "",
           "A rule's `reads:` are the tables it reads (`facts`: the build facts, `bl.facts`; `meta`: the bundle "
           "documents validate.json and config.json, typed in `bl.bundle`): the engine hands each "
           "rule only those, and rules select log lines by grammar message id, never by matching message text.", "",
           f"{len(rules)} rules; {sum(r.unverified for r in rules)} marked *unverified*: no real log the "
           "project holds shows their condition yet (they were written from documented TensorRT wording).", "",
           "| code | name | severity | category | versions | summary |", "|---|---|---|---|---|---|"]
    for r in rules:
        out.append(f"| [{r.code}](#{r.code.lower()}-{r.name}) | `{r.name}` | {r.severity} | {r.category} | "
                   f"{r.versions} | {'*unverified* ' if r.unverified else ''}{r.summary} |")
    for cat in CATEGORIES:
        group = [r for r in rules if r.category == cat]
        if not group:
            continue
        out += ["", f"## {cat.capitalize()} ({_RANGES[cat]})"]
        for r in group:
            out += ["", f"### {r.code} {r.name}", "", r.summary, "",
                    f"- severity: **{r.severity}**, default confidence: {r.confidence}"
                    + (" — **unverified**: no real log the project holds shows this condition" if r.unverified else ""),
                    f"- TensorRT versions: {r.versions}",
                    f"- reads: {', '.join('`' + t + '`' for t in r.tables)}", "",
                    f"Why: {r.rationale}", "", "Fix:", ""]
            for label, text in (("Python API", r.fix.python), ("trtexec", r.fix.trtexec),
                                ("TensorRT 11", r.fix.trt11)):
                if text:
                    out.append(f"- {label}: {text}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
