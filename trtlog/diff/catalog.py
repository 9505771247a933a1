"""The change-kind catalog page, generated from trtlog/diff/kinds.py:
`python -m trtlog.diff.catalog > docs/diff-kinds.md`."""
from __future__ import annotations

from .kinds import (
    CAVEATS,
    GROUPS,
    KINDS,
    SUMMARY_DETAIL_MIN_SCORE,
    SUMMARY_LIMIT,
    SUMMARY_MIN_SCORE,
    UNVERIFIED_CAVEATS,
    Scale,
)


def markdown() -> str:
    out = ["# trtlog diff: change kinds", "",
           "Generated from the catalog (`python -m trtlog.diff.catalog > docs/diff-kinds.md`) — do not edit by hand.",
           "", "`trtlog diff A B` reports changes of these kinds, each with evidence lines on both sides. The "
           "score (0-100) says how much a change can explain a difference between the builds and ranks the "
           f"summary: at most {SUMMARY_LIMIT} lines of changes scoring {SUMMARY_MIN_SCORE} or more; detail "
           "kinds (one per layer, option or figure) only when one scores "
           f"{SUMMARY_DETAIL_MIN_SCORE} or more (their aggregate kind usually "
           "says it). Thresholds: below them the change is not reported.", "",
           f"{len(KINDS)} kinds; {sum(k.unverified for k in KINDS.values())} marked *unverified*: no real pair of "
           "logs the project holds shows them yet.", "",
           "| kind | group | score | thresholds | wording |", "|---|---|---|---|---|"]
    for k in KINDS.values():
        score = _score(k.score) + "".join(f"; {name}: {_score(s)}" for name, (s, _) in k.variants.items()
                                          if s is not None)
        th = ", ".join(f"{n} = {v:g}" for n, v in k.thresholds.items())
        flags = (" (detail)" if k.detail else "") + (" *unverified*" if k.unverified else "")
        out.append(f"| `{k.id}`{flags} | {k.group} | {score} | {th} | {_cell(k.template)} |")
    out += ["", "## Meaning", ""]
    for group in GROUPS:
        out += [f"### {group}", ""]
        for k in (k for k in KINDS.values() if k.group == group):
            out.append(f"- `{k.id}`: {k.meaning}" + (" *Unverified.*" if k.unverified else ""))
            for name, (_, t) in k.variants.items():
                if t:
                    out.append(f"  - variant `{name}`: {_cell(t)}")
            for name, names in k.names.items():
                out.append(f"  - variant `{name}` for: " + ", ".join(f"`{n}`" for n in sorted(names)))
            for name, t in k.clauses.items():
                out.append(f"  - clause `{name}`: {_cell(t)}")
        out.append("")
    out += ["## Caveats", "", "What limits the comparison of performance figures (`caveats`; the summary repeats "
            "them after a `perf_summary`):", ""]
    out += [f"- `{name}`: {_cell(t)}" + (" *Unverified.*" if name in UNVERIFIED_CAVEATS else "")
            for name, t in CAVEATS.items()]
    return "\n".join(out) + "\n"


def _score(s) -> str:
    return s.describe() if isinstance(s, Scale) else f"{s:g}"


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


if __name__ == "__main__":
    print(markdown(), end="")
