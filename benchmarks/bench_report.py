"""Benchmark the HTML report: size and render time for corpus logs (default: the largest one).

    python3 benchmarks/bench_report.py [LOG ...] [--repeat N]

Prints, per log: parse time, rules time, render time (best and median of N), the HTML size, the size
of the embedded plotly.js and what remains for the report itself.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trtlog  # noqa: E402
from trtlog.report import render_report  # noqa: E402
from trtlog.report.render import PLOTLY_ASSET, templates_dir  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "logs"
MOBILENET = CORPUS / "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"


def findings_for(bl):
    try:
        from trtlog.rules import run_rules
    except ImportError:
        return []
    return run_rules(bl)


def bench(path: Path, repeat: int, out_dir: Path) -> None:
    t0 = time.perf_counter()
    bl = trtlog.load(path)
    t1 = time.perf_counter()
    findings = findings_for(bl)
    t2 = time.perf_counter()
    out = out_dir / (path.stem + ".html")
    times = []
    for _ in range(repeat):
        s = time.perf_counter()
        render_report(bl, findings, out)
        times.append(time.perf_counter() - s)
    size = out.stat().st_size
    plotly = (templates_dir() / PLOTLY_ASSET).stat().st_size
    print(f"{path.name}")
    print(f"  log            {path.stat().st_size / 1e6:8.2f} MB, {bl.lines} lines, "
          f"{len(bl.tables['layers'])} layers, {len(bl.tables['tactics'])} tactic rows, {len(findings)} findings")
    print(f"  parse          {t1 - t0:8.3f} s")
    print(f"  rules          {t2 - t1:8.3f} s")
    print(f"  render         {min(times):8.3f} s best, {statistics.median(times):.3f} s median of {repeat}")
    print(f"  report size    {size / 1e6:8.2f} MB ({size} bytes; plotly.js basic {plotly / 1e6:.2f} MB, "
          f"report content {(size - plotly) / 1e6:.2f} MB)")
    print(f"  written to     {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("logs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    logs = args.logs
    if not logs:
        if not CORPUS.is_dir():
            sys.exit(f"corpus not found: {CORPUS}")
        largest = max(CORPUS.glob("*.log"), key=lambda p: p.stat().st_size)
        logs = [largest] + ([MOBILENET] if MOBILENET.is_file() and MOBILENET != largest else [])
    out_dir = Path(tempfile.mkdtemp(prefix="trtlog-bench-report-"))
    for log in logs:
        bench(log, args.repeat, out_dir)


if __name__ == "__main__":
    main()
