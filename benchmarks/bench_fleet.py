"""Fleet scan throughput: logs/s and MB/s of `trtlog scan` on a 1,000-input fleet, per worker count,
in the local process pool and on a Dask LocalCluster, with the scaling efficiency and the peak memory
of each worker.

The fleet is made by copying real inputs: every shared-corpus log and every GPU fixture bundle, round
robin until --n inputs. A scan identifies inputs by sha256, so byte-identical copies would be one
input: each copy is the same log text gzip-compressed with its own header time (a bundle copy gets
its log as build.log.gz the same way; its other files are copied as they are). MB/s counts the log
text (uncompressed) of the inputs scanned.

Each measurement scans the whole fleet into a fresh dataset. For Dask the cluster is started and its
workers have imported trtlog (one small scan each) before the clock starts, as a long-lived cluster
would have; the process pool forks its workers from this process, which has trtlog imported.

    python3 benchmarks/bench_fleet.py [--n 1000] [--local 1,2] [--dask 1,2,4,8,16] [--corpus DIR]
                                      [--work DIR] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import gzip
import json
import lzma
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
FIXTURES = ROOT / "tests" / "fixtures" / "gpu"


def _log_bytes(path: Path) -> bytes:
    if path.name.endswith(".xz"):
        return lzma.decompress(path.read_bytes())
    if path.name.endswith(".gz"):
        return gzip.decompress(path.read_bytes())
    return path.read_bytes()


def sources(corpus: Path):
    from trtlog.parse.loader import BUNDLE_LOGS
    logs = sorted(p for p in corpus.iterdir() if p.is_file())
    bundles = sorted(d for d in FIXTURES.iterdir() if d.is_dir() and any((d / n).is_file() for n in BUNDLE_LOGS))
    return logs, bundles


def make_fleet(corpus: Path, dest: Path, n: int) -> dict:
    """`n` inputs under dest: copies of the real logs and bundles (see the module doc)."""
    from trtlog.parse.loader import BUNDLE_LOGS
    logs, bundles = sources(corpus)
    srcs = [("log", p) for p in logs] + [("bundle", d) for d in bundles]
    text = {}
    for kind, p in srcs:
        log = p if kind == "log" else next(p / b for b in BUNDLE_LOGS if (p / b).is_file())
        text[p] = _log_bytes(log)
    total = 0
    for i in range(n):
        kind, p = srcs[i % len(srcs)]
        data = gzip.compress(text[p], compresslevel=1, mtime=1_000_000 + i)
        if kind == "log":
            (dest / "logs").mkdir(parents=True, exist_ok=True)
            (dest / "logs" / f"{i:05d}-{p.name}.gz").write_bytes(data)
        else:
            b = dest / "bundles" / f"{i:05d}-{p.name}"
            b.mkdir(parents=True)
            for f in p.iterdir():
                if f.is_file() and f.name not in BUNDLE_LOGS:
                    shutil.copy2(f, b / f.name)
            (b / "build.log.gz").write_bytes(data)
        total += len(text[p])
    return {"inputs": n, "sources": len(srcs), "corpus_logs": len(logs), "bundles": len(bundles),
            "log_text_mb": total / 1e6}


def _warm(corpus_log: str, work: str) -> int:
    """Run on a Dask worker before the clock: import trtlog and scan one small log."""
    from trtlog.fleet import dataset
    from trtlog.fleet.inputs import Input
    from trtlog.fleet.task import run_task
    root = Path(work) / f"warm-{os.getpid()}"
    dataset.prepare_output(root, force=True)
    run_task(Input(corpus_log, "log"), str(root))
    return os.getpid()


def per_worker(res) -> dict:
    peaks = {}
    for t in res.tasks:
        peaks[t["pid"]] = max(peaks.get(t["pid"], 0.0), t.get("peak_rss_mib") or 0.0)
    vals = sorted(peaks.values())
    return {"workers_seen": len(vals), "peak_rss_mib_max": round(max(vals), 1),
            "peak_rss_mib_median": round(statistics.median(vals), 1)}


def measure(mode: str, n_workers: int, fleet: Path, work: Path, text_mb: float, small_log: str) -> dict:
    from trtlog.fleet.runner import run_scan
    out = work / f"ds-{mode}-{n_workers}"
    shutil.rmtree(out, ignore_errors=True)
    if mode == "local":
        res = run_scan([str(fleet)], out, jobs=n_workers)
    else:
        from distributed import Client, LocalCluster
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as client:
            client.run(_warm, small_log, str(work))
            res = run_scan([str(fleet)], out, dask=cluster.scheduler_address)
    assert res.failed == 0 and res.added == res.inputs, res.summary()
    cpu = sum(t.get("cpu_seconds") or 0.0 for t in res.tasks)
    row = {"mode": mode, "workers": n_workers, "inputs": res.inputs, "seconds": round(res.seconds, 3),
           "logs_per_s": round(res.inputs / res.seconds, 2), "mb_per_s": round(text_mb / res.seconds, 2),
           # CPU time the tasks got: on a machine shared with other work, wall-clock scaling says more
           # about the neighbours than about the scan; MB per CPU-second does not
           "task_cpu_s": round(cpu, 1), "mb_per_cpu_s": round(text_mb / cpu, 2) if cpu else None,
           **per_worker(res)}
    shutil.rmtree(out, ignore_errors=True)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--local", default="1,2", help="process-pool worker counts ('' for none)")
    ap.add_argument("--dask", default="", help="Dask LocalCluster worker counts, e.g. 1,2,4,8,16")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here (after each run)")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    fleet = work / "fleet"
    shutil.rmtree(fleet, ignore_errors=True)
    t = time.perf_counter()
    # in a child process: this one (and the pool workers it forks) never holds the fleet's text,
    # so the peak RSS figures are the scan's own
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        info = ex.submit(make_fleet, args.corpus, fleet, args.n).result()
    info.update(made_in_s=round(time.perf_counter() - t, 1), cpus=os.cpu_count(), python=platform.python_version(),
                machine=platform.node())
    print(json.dumps(info))
    small_log = str(sorted(args.corpus.iterdir())[0])
    results = {"fleet": info, "runs": []}
    plan = [("local", int(x)) for x in args.local.split(",") if x] + \
        [("dask", int(x)) for x in args.dask.split(",") if x]
    for mode, n in plan:
        row = measure(mode, n, fleet, work, info["log_text_mb"], small_log)
        results["runs"].append(row)
        print(json.dumps(row), flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1) + "\n")
    for mode in ("local", "dask"):
        rows = [r for r in results["runs"] if r["mode"] == mode]
        base = next((r for r in rows if r["workers"] == 1), None)
        for r in rows:
            if base:
                r["efficiency"] = round(r["logs_per_s"] / (r["workers"] * base["logs_per_s"]), 3)
    print(f"{'mode':6} {'workers':>7} {'s':>8} {'logs/s':>8} {'MB/s':>7} {'eff':>6} {'task CPU s':>10} "
          f"{'MB/CPU-s':>8} {'peak RSS/worker MiB (max, median)':>34}")
    for r in results["runs"]:
        print(f"{r['mode']:6} {r['workers']:>7} {r['seconds']:>8.2f} {r['logs_per_s']:>8.1f} {r['mb_per_s']:>7.2f} "
              f"{r.get('efficiency', float('nan')):>6.2f} {r['task_cpu_s']:>10.1f} {r['mb_per_cpu_s'] or 0:>8.2f} "
              f"{r['peak_rss_mib_max']:>20.0f} {r['peak_rss_mib_median']:>12.0f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
