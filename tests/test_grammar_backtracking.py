"""Every compiled template pattern against adversarial lines, under a generous time bound.

This is a correctness check for catastrophic backtracking, not a speed benchmark: before the fix,
`app.numpy_rows` took 5 s on 18 digits, 25 s on 20 and minutes on 22 (issue 17); a pattern that
backtracks exponentially never finishes the 1,000-character lines used here. The matching runs in
a child process so that a regression is reported (with the pattern and line) instead of hanging.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOUND_S = 3.0        # per match; a polynomial pattern on these lines takes well under 0.1 s
N = 1000             # characters of adversarial payload

_CHILD = r"""
import re, sys, time
from trtlog.parse.grammar import default_grammar
N, BOUND = int(sys.argv[1]), float(sys.argv[2])
payloads = {
    "digits": "1" * N, "digits_spaced": "1 " * (N // 2), "decimals": "1." * (N // 2),
    "name": "a" * N, "words": "ab " * (N // 3), "hex": "0x" + "f" * N, "spaces": " " * N + "x",
    "commas": ", " * (N // 2), "colons": ": " * (N // 2), "arrows": " -> " * (N // 4),
    "brackets": "[" * N, "parens": "(a" * (N // 2), "dims": "1x" * (N // 2), "kv": "a: 1, " * (N // 6),
}
from trtlog.parse.rx import compile as compile_rx
g = default_grammar()
patterns = []
for m in g.messages:
    patterns.append((m, "template", m.regex))
    patterns.append((m, "line-safe", compile_rx("^(?:%s)$" % m.render(), re.M)))        # as scan.py compiles them
    patterns.append((m, "spaced", compile_rx("^(?:%s)$" % m.render(spaced=True), re.M)))
for scope, by_key in g.combined.items():
    for key, (rx, index) in by_key.items():
        patterns.append((next(iter(index.values())), "combined:" + key, rx))
worst = (0.0, "")
for m, kind, rx in patterns:
    lits = [l.strip() for l in m.literals if l.strip()]
    for pname, p in payloads.items():
        lines = [p, m.key + " " + p]
        if lits:   # the template's own words around the payload: reaches the inner fields
            lines += [lits[0] + " " + p, (" " + p + " ").join(lits) + " " + p]
        for text in lines:
            for tail in ("", "!", " !"):
                line = text + tail
                print(m.id, kind, pname, repr(tail), flush=True)
                t = time.perf_counter()
                rx.match(line)
                dt = time.perf_counter() - t
                if dt > worst[0]:
                    worst = (dt, "%s %s %s" % (m.id, kind, pname))
                if dt > BOUND:
                    print("SLOW %.2f s %s %s %s %r" % (dt, m.id, kind, pname, line[:80]), flush=True)
print("PATTERNS", len(patterns), "WORST %.3f s %s" % worst, flush=True)
"""


def _run(n: int, timeout: float) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(n), str(BOUND_S)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        last = out.strip().splitlines()[-1:] or ["<nothing>"]
        raise AssertionError(f"adversarial matching did not finish in {timeout} s; last pattern: {last[0]}") from None
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_every_template_pattern_is_free_of_catastrophic_backtracking():
    out = _run(N, timeout=900)
    slow = [ln for ln in out.splitlines() if ln.startswith("SLOW")]
    assert not slow, "\n".join(slow[:20])
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("PATTERNS"), summary
    assert int(summary.split()[1]) > 500   # every template, its line-safe forms and the per-key regexes


def test_numpy_row_of_long_digit_runs_is_read_or_refused_at_once():
    # the reported hang: a line of ~22 digits that is *not* a numpy row (it ends in a letter)
    from trtlog.parse.grammar import default_grammar

    msg = default_grammar().by_id["app.numpy_rows"]
    import time
    t = time.perf_counter()
    assert msg.regex.match("1" * 22 + "x") is None
    assert time.perf_counter() - t < BOUND_S
    # numpy's own row shapes still match
    for row in ("[[ 1.  2.5 -3.]", "0. 1.]]]", "[7]", "[ 1.0e-03 -inf  nan ...  4.]", "12345678901234567890123"):
        assert msg.regex.match(row), row
