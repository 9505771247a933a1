"""Benchmark the HTML report: size and render time for corpus logs (default: the largest one).

    python3 benchmarks/bench_report.py [LOG ...] [--repeat N] [--scale K]

Prints, per log: parse time, rules time, render time (best and median of N), the HTML size, the size
of the embedded plotly.js and what remains for the report itself.

--scale K also renders the first log with its layer table repeated K times (names suffixed " #k"),
to show size and render time for a network with thousands of layers, and, when chromium is installed,
how long headless Chromium takes to open that page and apply a layer filter.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
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


def bench_scaled(path: Path, k: int, out_dir: Path) -> None:
    import pandas as pd

    bl = trtlog.load(path)
    layers = bl.tables["layers"]
    if layers.empty:
        print(f"{path.name}: no layers, --scale skipped")
        return
    copies = []
    for i in range(k):
        c = layers.copy()
        c["name"] = c["name"] + f" #{i}"
        copies.append(c)
    bl.tables["layers"] = pd.concat(copies, ignore_index=True)
    out = out_dir / (path.stem + f".x{k}.html")
    s = time.perf_counter()
    render_report(bl, findings_for(bl), out)
    dt = time.perf_counter() - s
    n = len(bl.tables["layers"])
    print(f"{path.name} with the layer table x{k} ({n} layers)")
    print(f"  render         {dt:8.3f} s")
    print(f"  report size    {out.stat().st_size / 1e6:8.2f} MB")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("  chromium       not installed, page load not measured")
        return
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", f"--user-data-dir={out_dir / 'profile'}", "--dump-dom",
            out.resolve().as_uri() + "#filter=%230"]
    s = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    dt = time.perf_counter() - s
    m = re.search(r'id="layers-table" data-shown="(\d+)"|data-shown="(\d+)"[^>]*id="layers-table"', res.stdout)
    shown = (m.group(1) or m.group(2)) if m else "?"
    print(f"  chromium       {dt:8.3f} s to load, draw charts and filter '#0' "
          f"({shown} of {n} rows shown; expected {len(layers)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("logs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=0)
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
    if args.scale > 1:
        bench_scaled(logs[0], args.scale, out_dir)


if __name__ == "__main__":
    main()
