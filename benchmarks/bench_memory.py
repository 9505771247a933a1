"""Peak RSS and wall time of `trtlog parse --stats`, `explain` and `report` on a big real log.

The log is one real corpus log repeated until it reaches --mb (bench_parse.build). Each command
runs in a fresh process under /usr/bin/time -v (peak RSS of that process, TRTLOG_JOBS=1 so that
no worker process hides memory). --root runs another checkout (the code before a change) the
same way; issue 17's goal is peak RSS <= 1.5x the log size for parse/explain.

    python benchmarks/bench_memory.py --mb 100 500 [--root BEFORE_DIR --root AFTER_DIR]
    python benchmarks/bench_memory.py --breakdown 32     # where the memory of one load goes
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_parse import DEFAULT_LOG, build  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def measure(root: Path, args: list) -> tuple:
    env = dict(os.environ, PYTHONPATH=str(root), TRTLOG_JOBS="1")
    proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "trtlog", *args], env=env, cwd=root,
                          capture_output=True, text=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) * 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", proc.stderr).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    return proc.returncode, rss, secs


BREAKDOWN = r"""
import gc, os, resource, sys
os.environ["TRTLOG_JOBS"] = "1"
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
import trtlog
from trtlog.parse.grammar import default_grammar
from trtlog.parse import parser, scan  # noqa: F401
default_grammar()
base = rss()
bl = trtlog.load(sys.argv[1])
gc.collect()
after, peak = rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
seen, total = set(), 0
for name, df in bl.tables.items():
    size = 0
    for col in df.columns:
        s = df[col]
        if s.dtype == object:      # 8-byte pointers, and each distinct object once
            size += 8 * len(s)
            for v in s.values:
                if id(v) not in seen:
                    seen.add(id(v))
                    size += sys.getsizeof(v)
        else:
            size += s.memory_usage(index=False, deep=False)
    total += size
    if size > 2**20:
        print(f"  table {name:<10} {len(df):>9} rows {size / 2**20:8.1f} MiB")
M = 2**20
print(f"  imports + grammar {base / M:.0f} MiB | tables {total / M:.0f} MiB | rest after load (freed intermediates "
      f"the allocator keeps) {(after - base - total) / M:.0f} MiB | RSS after load {after / M:.0f} MiB, "
      f"peak {peak / M:.0f} MiB")
"""


def breakdown(root: Path, log: Path, mb: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.log"
        size = build(log, mb, big)
        print(f"where the memory of trtlog.load goes: {log.name} repeated to {size / 2**20:.0f} MiB")
        env = dict(os.environ, PYTHONPATH=str(root))
        print(subprocess.run([sys.executable, "-c", BREAKDOWN, str(big)], env=env, capture_output=True,
                             text=True, check=True).stdout, end="")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, nargs="+", default=[100])
    ap.add_argument("--log", type=Path, default=DEFAULT_LOG)
    ap.add_argument("--root", type=Path, action="append", help="checkout(s) to measure (default: this one)")
    ap.add_argument("--commands", default="parse,explain,report")
    ap.add_argument("--breakdown", type=float, metavar="MB", help="only the breakdown of one load of a MB-sized log")
    args = ap.parse_args()
    roots = args.root or [ROOT]
    if args.breakdown:
        for root in roots:
            breakdown(root, args.log, args.breakdown)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            log = Path(tmp) / f"big-{mb:g}MB.log"
            size = build(args.log, mb, log)
            print(f"log: {args.log.name} repeated to {size / 1e6:.1f} MB", flush=True)
            print(f"{'root':<40} {'command':<8} {'exit':>4} {'peak RSS MiB':>13} {'RSS/log':>8} {'wall s':>8}")
            for root in roots:
                for cmd in args.commands.split(","):
                    argv = {"parse": ["parse", str(log), "--stats"], "explain": ["explain", str(log)],
                            "report": ["report", str(log), "-o", str(Path(tmp) / "r.html"), "--force"]}[cmd]
                    rc, rss, secs = measure(root, argv)
                    print(f"{str(root):<40} {cmd:<8} {rc:>4} {rss / 2**20:>13.0f} {rss / size:>8.2f} {secs:>8.1f}",
                          flush=True)
            log.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
