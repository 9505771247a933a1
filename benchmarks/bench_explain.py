"""Benchmark `trtlog explain` on every corpus log: load (parse) time, rule time, total, per file.

Usage: python3 benchmarks/bench_explain.py [--repeat N] [LOG ...]
Prints one row per log and the worst total for logs below 5 MB (target: < 2 s).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"


def bench(path: Path, repeat: int):
    import trtlog
    from trtlog.rules import run_rules
    from trtlog.rules.render import render_text
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        bl = trtlog.load(str(path))
        t1 = time.perf_counter()
        findings = run_rules(bl)
        render_text(bl, findings)
        t2 = time.perf_counter()
        row = (t1 - t0, t2 - t1, t2 - t0, len(findings), bl.lines)
        if best is None or row[2] < best[2]:
            best = row
    return best


def cold_cli(path: Path) -> float:
    """Wall time of a fresh `python -m trtlog explain LOG` process (imports and grammar set-up included)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trtlog", "explain", str(path)], cwd=ROOT, capture_output=True,
                   check=False)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    logs = [Path(p) for p in args.logs] or sorted(CORPUS.glob("*.log"))
    if not logs:
        print(f"no logs (corpus not found at {CORPUS})")
        return 2
    print(f"{'log':<70} {'MB':>6} {'lines':>6} {'load s':>7} {'rules s':>7} {'total s':>7} {'cli s':>6} "
          f"{'findings':>8}")
    worst = 0.0
    worst_cli = 0.0
    rules_total = 0.0
    for p in logs:
        load_s, rules_s, total_s, n, lines = bench(p, args.repeat)
        cli_s = cold_cli(p)
        mb = p.stat().st_size / 1e6
        if mb < 5:
            worst = max(worst, total_s)
            worst_cli = max(worst_cli, cli_s)
        rules_total += rules_s
        print(f"{p.name:<70} {mb:6.2f} {lines:6d} {load_s:7.3f} {rules_s:7.3f} {total_s:7.3f} {cli_s:6.2f} {n:8d}")
    print(f"\nworst in-process explain (load+rules+render) for logs < 5 MB: {worst:.3f} s (best of {args.repeat}); "
          f"worst cold `trtlog explain` process: {worst_cli:.2f} s (target < 2 s); "
          f"rules alone, all logs: {rules_total:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
