"""The tactic timing context (current layer, runner, format, pending kernel) as timelines.

A tactic row takes the layer, runner, format and kernel set by the last lines before it. The
actions (actions.Set) of lines that scan.py matched in bulk set them column-wise, for a whole block
before its line loop; those of lines the line parser matched, and the function handlers (through
State attributes), at the current line; tactic rows and marks read the merged timeline after the
loop. Every variable is a timeline of
(line, value) events, the last one before a line wins, and the events of one line keep their order.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Dict, List, Set, Tuple

import numpy as np

VARS = ("layer", "runner", "format", "kernel")


def object_array(values) -> np.ndarray:
    """A list as a 1-d object array (np.array would build a 2-d array from equal-length tuples)."""
    if isinstance(values, np.ndarray):
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class Context:
    def __init__(self) -> None:
        self.before: Dict[str, str] = dict.fromkeys(VARS, "")   # values when the block starts
        self.line = 0                   # the line the line-by-line parser is at
        self.void: Set[int] = set()     # bulk lines handed to the line parser: their events do not count
        self._reset()

    def _reset(self) -> None:
        self._parts: Dict[str, list] = {v: [] for v in VARS}
        self._bulk: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
        self._lists: Dict[str, Tuple[List[int], list]] = {}     # the same as lists, when a handler reads
        self._own: Dict[str, Tuple[List[int], list]] = {v: ([], []) for v in VARS}
        self._merged: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}

    # -- bulk lines (bulk.py) ---------------------------------------------------------------------
    def add_bulk(self, var: str, lines: np.ndarray, values) -> None:
        """Events of bulk lines of the current block (before its line loop starts)."""
        if len(lines):
            self._parts[var].append((lines, values))

    def start_loop(self) -> None:
        for var, parts in self._parts.items():
            if parts:
                lines = np.concatenate([p[0] for p in parts])
                values = np.concatenate([object_array(p[1]) for p in parts])
                order = np.argsort(lines, kind="stable")
                self._bulk[var] = (lines[order], values[order])

    # -- the line-by-line handlers (State attributes) -----------------------------------------
    def get(self, var: str) -> str:
        lists = self._lists.get(var)
        if lists is None:
            lines, values = self._bulk.get(var, ((), ()))
            lists = self._lists[var] = (list(lines), list(values))
        lines, values = lists
        i = bisect_left(lines, self.line) - 1
        while i >= 0 and lines[i] in self.void:
            i -= 1
        own_lines, own_values = self._own[var]
        if own_lines and (i < 0 or own_lines[-1] > lines[i]):
            return own_values[-1]
        return values[i] if i >= 0 else self.before[var]

    def set(self, var: str, value: str) -> None:
        own_lines, own_values = self._own[var]
        own_lines.append(self.line)
        own_values.append(value)

    # -- after the line loop ---------------------------------------------------------------------
    def _timeline(self, var: str) -> Tuple[np.ndarray, np.ndarray]:
        """(sorted event lines, [value before the block] + values in that order)."""
        got = self._merged.get(var)
        if got is None:
            lines, values = self._bulk.get(var, (np.zeros(0, np.int64), object_array([])))
            if self.void and len(lines):
                keep = ~np.isin(lines, np.fromiter(self.void, np.int64, len(self.void)))
                lines, values = lines[keep], values[keep]
            own_lines, own_values = self._own[var]
            if own_lines:
                lines = np.concatenate([lines, np.array(own_lines, np.int64)])
                values = np.concatenate([values, object_array(own_values)])
                order = np.argsort(lines, kind="stable")
                lines, values = lines[order], values[order]
            got = self._merged[var] = (lines, np.concatenate([object_array([self.before[var]]), values]))
        return got

    def read(self, var: str, at: np.ndarray) -> np.ndarray:
        """Value of `var` just before each line of `at` (an object array)."""
        lines, values = self._timeline(var)
        return values[np.searchsorted(lines, at, "left")]

    def end_block(self) -> None:
        for var in VARS:
            self.before[var] = self._timeline(var)[1][-1]
        self.void = set()
        self._reset()
