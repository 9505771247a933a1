"""What exact line-by-line parsing costs in CPython before any table is built: the floor under
trtlog.load on a >= 100 MB real verbose log (the same repeated corpus log as bench_parse.py).

Measured in one process, start-up (imports, grammar and regex compile) outside the clock, each step
timed on its own and the fastest of --repeat runs kept:
  1. the bare `for line in open(...)` loop bench_parse.py compares with;
  2. reading and decoding the file in blocks of whole lines (reader.LogSource.blocks);
  3. the first regex pass over every block (scan.py level 1: envelope, severity, text, first word);
  4. the second pass: only the `split` calls of the grammar templates over the joined lines of
     each dispatch key (scan.py level 2), without the bookkeeping around them;
  5. the per-line strings (made by step 3) in a pandas object column: the messages table's `text`,
     which holds every line of the log.
Steps 2-5 are what any parser that recognises every line with the grammar's own regexes and keeps
the messages table must do at least once; their sum, against step 1, is the lowest load/bare ratio
this design can reach on the machine. The same figure for trtlog.load itself: bench_parse.py.
Three more steps, each the least Python of its kind, that the two-level scan cannot do without:
  6. strip each line's text and look its first word up in the dispatch table (Grammar.match's key);
  7. gather each key's lines for its second-pass regex (one stable sort and one gather per block);
  8. the tactics table from the second pass's strings alone: each timed tactic line's time as a
     float, its kernel (where the line names it), tactic id and line number as columns of a
     DataFrame in line order (no layer, runner or format, no marks, no other table).
The floor with them (2-8) is what is left of the ratio for everything else trtlog.load does.

    python3 benchmarks/parse_floor.py [--mb 100] [--log PATH] [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from itertools import chain, repeat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_parse import DEFAULT_LOG, build  # noqa: E402


def fastest(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--log", type=Path, default=DEFAULT_LOG)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.log.exists():
        sys.exit(f"corpus log not found: {args.log} (needs ../shared)")

    import numpy as np
    import pandas as pd

    from trtlog.parse import scan
    from trtlog.parse.grammar import default_grammar
    from trtlog.parse.parser import scanner_for
    from trtlog.parse.reader import LogSource

    scanner = scanner_for(default_grammar())
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.log"
        size = build(args.log, args.mb, big)

        def bare() -> None:
            for _ in open(big, encoding="utf-8", errors="replace"):
                pass

        t_bare = fastest(bare, args.repeat)
        t_read = fastest(lambda: [None for _ in LogSource(str(big)).blocks()], args.repeat)
        blocks = list(LogSource(str(big)).blocks())
        level1 = scanner.level1.split
        t_level1 = fastest(lambda: [level1(b) for b in blocks], args.repeat)

        # level 2: time only the template splits that scanner.scan makes (Level2.match itself runs
        # unchanged; its compiled regexes are wrapped for the measurement)
        spent = [0.0]

        class TimedSplit:
            def __init__(self, pattern):
                self.pattern = pattern

            def split(self, text):
                t0 = time.perf_counter()
                parts = self.pattern.split(text)
                spent[0] += time.perf_counter() - t0
                return parts

        level2s = [l2 for l2 in scanner.groups + scanner.floating if isinstance(l2, scan.Level2)]
        for l2 in level2s:
            l2.exact, l2.spaced = TimedSplit(l2.exact), TimedSplit(l2.spaced)
        try:
            level2 = []
            for _ in range(args.repeat):
                spent[0] = 0.0
                for b in blocks:
                    scanner.scan(b)
                level2.append(spent[0])
        finally:
            for l2 in level2s:
                l2.exact, l2.spaced = l2.exact.pattern, l2.spaced.pattern
        t_level2 = min(level2)

        texts = [t for b in blocks for t in b[1:].split("\n")]
        t_column = fastest(lambda: pd.Series(texts, dtype=object), args.repeat)
        n = len(texts)
        texts = []

        s = scanner.level1.groups + 1
        slot = scanner.level1.groupindex
        firsts = [(parts[s::s], parts[slot["key"]::s]) for parts in map(level1, blocks)]
        keymap, other = scanner.keymap.get, scanner.float_id

        def dispatch() -> None:
            for pieces, keys in firsts:
                list(map(str.strip, pieces))
                np.fromiter(map(keymap, keys, repeat(other)), np.int32, len(keys))

        t_dispatch = fastest(dispatch, args.repeat)
        stripped = [(list(map(str.strip, p)), np.fromiter(map(keymap, k, repeat(other)), np.int32, len(k)))
                    for p, k in firsts]
        firsts = []

        def gather() -> None:
            for texts_, codes in stripped:
                order = np.argsort(codes, kind="stable")
                scan._take(texts_, order.tolist())

        t_gather = fastest(gather, args.repeat)
        stripped = []

        # the tactic lines' strings as the second pass gives them, block by block
        g = scanner.grammar
        tactic_hits = []
        for base, b in zip(np.cumsum([0] + [b.count("\n") for b in blocks[:-1]]).tolist(), blocks):
            for h in scanner.scan(b).hits:
                tac = g.messages[h.index].action.tactic
                if tac is not None and tac.time:
                    kernel = h.fields.get("kernel") or [""] * len(h.offs)   # else the context's kernel
                    tactic_hits.append((base + 1 + h.offs, kernel, h.fields["tactic"], h.fields[tac.time]))

        def tactics_table() -> None:
            lines = np.concatenate([h[0] for h in tactic_hits])
            order = np.argsort(lines, kind="stable")
            cols = {"line": pd.arrays.IntegerArray(lines[order], np.zeros(len(lines), bool))}
            for name, k in (("kernel", 1), ("tactic", 2)):
                col = np.empty(len(lines), object)
                col[:] = list(chain.from_iterable(h[k] for h in tactic_hits))
                cols[name] = col[order]
            times = chain.from_iterable(h[3] for h in tactic_hits)
            cols["time_ms"] = np.fromiter(map(float, times), float, len(lines))[order]
            pd.DataFrame(cols, copy=False)

        t_tactics = fastest(tactics_table, args.repeat)
        tactic_rows = sum(len(h[0]) for h in tactic_hits)
        tactic_hits = blocks = []   # free them (the lambdas above are done with them)

    mb = size / 1e6
    floor = t_read + t_level1 + t_level2 + t_column
    full = floor + t_dispatch + t_gather + t_tactics
    print(f"log: {args.log.name} repeated to {mb:.1f} MB, {n} lines; fastest of {args.repeat}")
    rows = [("1 bare line loop", t_bare), ("2 read + decode blocks", t_read),
            ("3 level-1 regex split", t_level1), ("4 level-2 template splits", t_level2),
            ("5 text column (object)", t_column)]
    for label, secs in rows:
        print(f"{label:28s}: {secs:6.3f} s  {secs * 1e6 / n:6.3f} us/line")
    print(f"floor (2-5)                 : {floor:6.3f} s  {mb / floor:6.1f} MB/s  "
          f"ratio floor/bare {floor / t_bare:.2f}")
    more = [("6 strip + dispatch keys", t_dispatch), ("7 gather lines by key", t_gather),
            ("8 tactics table", t_tactics)]
    for label, secs in more:
        print(f"{label:28s}: {secs:6.3f} s  {secs * 1e6 / n:6.3f} us/line")
    print(f"floor (2-8)                 : {full:6.3f} s  {mb / full:6.1f} MB/s  "
          f"ratio floor/bare {full / t_bare:.2f}")
    print(f"(step 8: {tactic_rows} timed tactic rows)")


if __name__ == "__main__":
    main()
