"""What a message does, as data: the one description that both parse paths run.

A grammar section names what its lines do with `handler = NAME`. NAME is either an *action* of
ACTIONS below (data: the context variables the line sets, the tactic row or mark it writes, whether
it starts a new layer/format block) or a function of handlers.py (genuinely stateful logic: runs,
look-back rows, payload parsing). A section without a handler writes its fields as one row of
`table` (or nothing) -- the plain action.

Lines of an action message are run by bulk.py column-wise, whether scan.py matched them in bulk
for a whole block or the line-by-line parser matched them one at a time (a batch of one): only
their context events (Set) take effect at once on the line path, since the handler of the next
line may read them; their rows, marks and block starts are made from the block's batches after
its line loop, the same code for both paths. Lines of a function handler are always parsed line by
line (scan.py leaves them to the line parser).

Adding a message family that fits an action: one grammar section (`handler = fastest`, or
`table = memory` and `set.kind = ...`). A new context variable or row kind: an entry here; a
function handler only where the line needs earlier rows or state that is not a context variable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

from .context import VARS


@dataclass(frozen=True)
class Set:
    """Context variable `var` takes, at this line, the value of `field` ("" when field is "")."""
    var: str
    field: str = ""
    # "always": "" where the template has no such field; "captured": only where it has the field;
    # "nonempty": only where the value is not empty
    when: str = "always"


@dataclass(frozen=True)
class TacticRow:
    """A tactics row: tactic id, kernel (field, else the pending context kernel), layer/runner/format
    from the context before the line. `time` names the time field; without it the row is a skipped
    tactic whose reason is the section's `set.reason` (default "skipped"). With `scratch` and a
    `requested` field the line also writes a memory row tactic_skip_scratch."""
    time: str = ""
    scratch: bool = False


@dataclass(frozen=True)
class Mark:
    """Marks the tactic row of (runner, tactic) in the current layer/format block "fastest" or
    "chosen". Runner: the `runner` field (text from "[" on cut off when `strip`), else the context
    runner (`runner_from_context`) or ""."""
    column: str
    runner_from_context: bool = False
    strip: bool = False


@dataclass(frozen=True)
class Action:
    sets: Tuple[Set, ...] = ()
    block: bool = False               # starts a new layer/format block of tactic rows
    tactic: Optional[TacticRow] = None
    mark: Optional[Mark] = None
    feature: Tuple[str, str] = ()     # (field, feature): count `feature` on lines whose template has `field`
    needs: Tuple[str, ...] = ()       # fields every template of the section must capture

    @property
    def reads(self) -> FrozenSet[str]:
        """The fields whose values the action uses (scan.py captures only those)."""
        names = {s.field for s in self.sets if s.field} | set(self.needs)
        if self.tactic is not None:
            names |= {"tactic", "kernel"} | ({self.tactic.time} if self.tactic.time else set())
            if self.tactic.scratch:
                names |= {"requested", "available"}
        if self.mark is not None:
            names |= {"runner", "tactic"}
        return frozenset(names)


PLAIN = Action()      # no handler: the fields as one row of the section's table
ACTIONS: Dict[str, Action] = {
    "noop": Action(),
    # "Computing costs for <layer>": a new layer; its runner and pending kernel are not known yet
    "costs": Action(sets=(Set("layer", "layer"), Set("runner"), Set("kernel")), block=True),
    "format": Action(sets=(Set("format", "format"),), block=True),
    "timing_runner": Action(sets=(Set("layer", "layer", "captured"), Set("runner", "runner"), Set("kernel"))),
    # <= 8.5: the kernel name is printed on the line before its "Tactic: N Time: t"
    "set_tactic_name": Action(sets=(Set("kernel", "kernel"),)),
    "tactic_time": Action(sets=(Set("kernel"),), tactic=TacticRow(time="time_ms"), needs=("tactic", "time_ms")),
    "tactic_skip": Action(sets=(Set("kernel"),), tactic=TacticRow(scratch=True)),
    "fastest": Action(sets=(Set("layer", "layer", "nonempty"),),
                      mark=Mark("fastest", runner_from_context=True, strip=True),
                      feature=("seconds", "profiling_completed")),
    "chose": Action(mark=Mark("chosen")),
}

for _name, _a in ACTIONS.items():
    for _s in _a.sets:
        assert _s.var in VARS and _s.when in ("always", "captured", "nonempty"), (_name, _s)
