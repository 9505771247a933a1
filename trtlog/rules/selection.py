"""Which rules run: `--select` / `--ignore` tokens (a code such as TRT204, a code prefix such as TRT2 or
TRT40, or a rule name such as insufficient-workspace), as in ruff. Start from the selected rules (all when
nothing is selected), then drop the ignored ones. A token that matches no rule is an error."""
from __future__ import annotations

from typing import Iterable, List, Optional, Sequence

from ..errors import TrtlogError
from .engine import Rule, all_rules


def split_tokens(values: Iterable[str]) -> List[str]:
    """'TRT2,TRT401' and repeated options alike -> ['TRT2', 'TRT401']."""
    out: List[str] = []
    for v in values or ():
        out += [t.strip() for t in str(v).split(",") if t.strip()]
    return out


def matching(token: str, rules: Sequence[Rule]) -> List[Rule]:
    t = token.strip()
    if t.upper().startswith("TRT"):
        return [r for r in rules if r.code.startswith(t.upper())]
    return [r for r in rules if r.name == t.lower()]


def resolve(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Optional[List[str]]:
    """Codes of the rules to run, or None for every rule (nothing selected or ignored)."""
    sel, ign = split_tokens(select), split_tokens(ignore)
    if not sel and not ign:
        return None
    rules = all_rules()
    for opt, tokens in (("--select", sel), ("--ignore", ign)):
        for t in tokens:
            if not matching(t, rules):
                raise TrtlogError(f"{opt} {t}: unknown rule (no rule has this code, code prefix or name); "
                                  "see `trtlog rules`")
    chosen = [r for r in rules if not sel or any(r in matching(t, rules) for t in sel)]
    dropped = {r.code for t in ign for r in matching(t, rules)}
    return [r.code for r in chosen if r.code not in dropped]
