"""Parse throughput and memory of trtlog.load on a >= 100 MB real verbose log.

Builds the big log by concatenating one real corpus log (default: the 3.3 MB TensorRT 8.6.1
MobileNetV2 INT8 verbose build) until it reaches --mb, then, each in a fresh subprocess:
  * a bare `for line in open(...)` loop (the floor any Python line parser pays),
  * trtlog.load(path, jobs=1) in one process,
  * trtlog.load(path, jobs=N) with N worker processes scanning blocks (--jobs; default: one per core;
    the CLI's default from 4 cores on); their start (fork server or spawn) is inside the clock,
    (checkouts whose load() has no jobs= get TRTLOG_JOBS=N instead),
and prints MB/s, the ratio, and peak RSS (of the main process; the workers are separate).
Start-up (imports, grammar and scanner compile) happens before the clock starts: it does not grow
with the log. Memory is also measured at half the size to show how it grows with the number of
lines (tables only: the messages table keeps one row per line). --root benchmarks another checkout
(for example the previous parser) with the same method.

    python3 benchmarks/bench_parse.py [--mb 100] [--log PATH] [--root DIR] [--jobs 2,4,16] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LOG = ROOT.parent / "shared" / "corpus" / "logs" / "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
mode, path = sys.argv[1], sys.argv[2]
table_mib = start_mib = 0.0


def table_bytes(tables):
    # what the tables hold: their arrays (Arrow buffers included), plus each distinct Python object of an
    # object column once (kernel names and tactic ids are shared between rows)
    seen, total = set(), 0
    for df in tables.values():
        total += int(df.memory_usage(deep=False, index=True).sum())
        for col in df.columns:
            dtype = df[col].dtype       # Arrow-backed strings: their buffers, counted by memory_usage above
            if dtype == object or getattr(dtype, "storage", "") == "python":
                for v in df[col].tolist():
                    if id(v) not in seen:
                        seen.add(id(v))
                        total += sys.getsizeof(v)
    return total


if mode == "bare":
    t = time.perf_counter(); n = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        n += 1
    dt = time.perf_counter() - t
    rows = {}
else:
    import trtlog
    import trtlog.parse.loader            # pandas
    from trtlog.parse.grammar import default_grammar
    g = default_grammar()                 # grammar compile is start-up, not per-MB cost
    try:
        from trtlog.parse.parser import scanner_for
        scanner_for(g)                    # so is compiling its block regexes
    except ImportError:                   # a checkout without block scanning
        pass
    import inspect
    import trtlog.parse.loader as loader
    jobs = sys.argv[4] if len(sys.argv) > 4 else ""
    # a checkout whose load() takes jobs= (library calls ignore TRTLOG_JOBS); older ones read the variable
    kw = {"jobs": int(jobs)} if jobs and "jobs" in inspect.signature(loader.load).parameters else {}
    start_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    bl = trtlog.load(path, **kw)
    dt = time.perf_counter() - t
    n = bl.lines
    rows = {k: len(v) for k, v in bl.tables.items()}
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mapped_temp_mib():
    # memory-mapped deleted temporary files (the text column past TRTLOG_SPILL_MB): part of the tables'
    # size, but held by the OS's file cache, not in this process's memory unless read
    total = 0
    with open("/proc/self/maps") as f:
        for line in f:
            if line.rstrip().endswith("(deleted)"):
                lo, hi = line.split()[0].split("-")
                total += int(hi, 16) - int(lo, 16)
    return total / 2**20


mapped_mib = 0.0
if mode != "bare":
    table_mib = table_bytes(bl.tables) / 2**20       # after the peak was read: it allocates
    mapped_mib = mapped_temp_mib()
print(json.dumps({"seconds": dt, "lines": n, "rss_mib": rss, "start_mib": start_mib, "table_mib": table_mib,
                  "mapped_mib": mapped_mib, "rows": rows}))
"""


def build(src: Path, mb: float, out: Path) -> int:
    data = src.read_bytes()
    with open(out, "wb") as fh:
        written = 0
        while written < mb * 1e6:
            fh.write(data)
            written += len(data)
    return written


def run(mode: str, path: Path, root: Path, jobs: str = "") -> dict:
    env = dict(os.environ)
    env.pop("TRTLOG_JOBS", None)
    if jobs:
        env["TRTLOG_JOBS"] = jobs
    r = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(root), jobs], capture_output=True, text=True,
                       check=True, env=env)
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--log", type=Path, default=DEFAULT_LOG)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose trtlog is measured")
    ap.add_argument("--jobs", default="", help="worker counts to measure besides 1 process, comma-separated "
                    "(default: the number of cores)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is shown")
    args = ap.parse_args()
    if not args.log.exists():
        sys.exit(f"corpus log not found: {args.log} (needs ../shared)")
    cores = os.cpu_count() or 1
    worker_counts = [int(j) for j in args.jobs.split(",") if j] or [cores]

    def best(mode: str, path: Path, jobs: str = "") -> dict:
        return min((run(mode, path, args.root, jobs) for _ in range(args.repeat)), key=lambda r: r["seconds"])

    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, mb in (("half", args.mb / 2), ("full", args.mb)):
            big = Path(tmp) / f"big-{label}.log"
            size = build(args.log, mb, big)
            results[label] = (size, best("bare", big), best("load", big, "1"),
                              [best("load", big, str(j)) for j in worker_counts] if label == "full" else None)
            os.unlink(big)
    size, bare, load1, loadns = results["full"]
    mbs = size / 1e6
    print(f"log: {args.log.name} repeated to {mbs:.1f} MB, {load1['lines']} lines; {cores} cores")
    print(f"bare line loop        : {bare['seconds']:.2f} s  {mbs / bare['seconds']:7.1f} MB/s  "
          f"peak RSS {bare['rss_mib']:.0f} MiB")
    runs = [("trtlog.load, 1 process", load1)] + [(f"trtlog.load, {j} workers", r)
                                                  for j, r in zip(worker_counts, loadns)]
    for label, load in runs:
        print(f"{label:22s}: {load['seconds']:.2f} s  {mbs / load['seconds']:7.1f} MB/s  "
              f"peak RSS {load['rss_mib']:.0f} MiB  ratio load/bare {load['seconds'] / bare['seconds']:.2f}")
    hsize, _, hload, _ = results["half"]
    print(f"memory growth (1 process): {hload['rss_mib']:.0f} MiB at {hsize / 1e6:.0f} MB -> "
          f"{load1['rss_mib']:.0f} MiB at {mbs:.0f} MB; table rows {sum(hload['rows'].values())} -> "
          f"{sum(load1['rows'].values())}")
    for label, r in (("half", hload), ("full", load1)):
        grown = r["rss_mib"] - r["start_mib"]
        print(f"  {label}: peak RSS - RSS after imports = {grown:.0f} MiB; the tables hold {r['table_mib']:.0f} MiB "
              f"(peak {grown / max(r['table_mib'], 1e-9):.2f}x the tables)")
        mapped = r.get("mapped_mib", 0.0)
        if mapped:
            resident = r["table_mib"] - mapped
            print(f"     of the tables {mapped:.0f} MiB is text in a memory-mapped temporary file, {resident:.0f} MiB "
                  f"in memory (peak {grown / max(resident, 1e-9):.2f}x the tables in memory)")
    d_peak = (load1["rss_mib"] - load1["start_mib"]) - (hload["rss_mib"] - hload["start_mib"])
    d_tables = load1["table_mib"] - hload["table_mib"]
    print(f"  half -> full: peak +{d_peak:.0f} MiB for tables +{d_tables:.0f} MiB "
          f"({d_peak / max(d_tables, 1e-9):.2f} MiB of peak per MiB of table)")
    print("rows:", json.dumps(load1["rows"]))


if __name__ == "__main__":
    main()
