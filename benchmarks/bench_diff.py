"""Benchmark: diff of two ~50 MB verbose logs vs the time to load them.

Builds two large logs under /tmp by concatenating real verbose logs of the corpus (whole files,
unchanged), times `trtlog.load` of each and `diff_builds` of the pair, and prints the figures.

Two diff figures:
  default   diff_builds(a, b): compares the last run of each file (what `trtlog diff` does)
  one-run   the same BuildLogs with every table relabelled to run 0, so that the diff works on
            all rows at once (tactics, layers, messages of a 50 MB file) - the worst case.

Usage: python3 benchmarks/bench_diff.py [--mb 50] [--repeat 3]
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"

import trtlog  # noqa: E402
from trtlog.diff import diff_builds  # noqa: E402

SET_A = ["trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log",
         "trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log",
         "trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log"]
SET_B = ["trt8.5-trtexec-mnist-best-verbose-orin.log",
         "trt10.16-trtexec-mnist-fp16-verbose-h100.log",
         "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log",
         "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"]


def build(path: Path, names, target: int) -> int:
    blobs = [(CORPUS / n).read_bytes() for n in names]
    size = 0
    with open(path, "wb") as fh:
        i = 0
        while size < target:
            blob = blobs[i % len(blobs)]
            if not blob.endswith(b"\n"):
                blob += b"\n"
            fh.write(blob)
            size += len(blob)
            i += 1
    return size


def one_run(bl):
    out = copy.copy(bl)
    out.tables = {}
    for name, df in bl.tables.items():
        df = df.copy()
        if name == "runs":
            df = df.iloc[-1:].copy()
        if "run" in df.columns and len(df):
            df["run"] = 0
        out.tables[name] = df
    return out


def best(fn, repeat):
    times, res = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t)
    return min(times), res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    target = int(args.mb * 1024 * 1024)
    pa, pb = Path("/tmp/trtlog-bench-diff-a.log"), Path("/tmp/trtlog-bench-diff-b.log")
    sa, sb = build(pa, SET_A, target), build(pb, SET_B, target)
    print(f"A: {pa} {sa / 1e6:.1f} MB   B: {pb} {sb / 1e6:.1f} MB")

    ta, bla = best(lambda: trtlog.load(str(pa)), 1)
    tb, blb = best(lambda: trtlog.load(str(pb)), 1)
    load = ta + tb
    print(f"load A: {ta:.2f} s ({sa / 1e6 / ta:.1f} MB/s)  rows: layers={len(bla.layers)} "
          f"tactics={len(bla.tactics)} messages={len(bla.messages)} runs={len(bla.runs)}")
    print(f"load B: {tb:.2f} s ({sb / 1e6 / tb:.1f} MB/s)  rows: layers={len(blb.layers)} "
          f"tactics={len(blb.tactics)} messages={len(blb.messages)} runs={len(blb.runs)}")

    td, res = best(lambda: diff_builds(bla, blb), args.repeat)
    print(f"diff (default, last run each): {td:.3f} s  = {td / load:.3f}x load  "
          f"changes={len(res.changes)} groups={len(res.alignment.groups)}")
    oa, ob = one_run(bla), one_run(blb)
    to, res = best(lambda: diff_builds(oa, ob), args.repeat)
    tj, _ = best(lambda: res.to_dict(), args.repeat)
    print(f"diff (one-run, all rows):     {to:.3f} s  = {to / load:.3f}x load  "
          f"layers={res.a_info.layers}/{res.b_info.layers} changes={len(res.changes)}; to_dict {tj:.3f} s")
    verdict = "OK" if max(td, to + tj) <= 2 * load else "SLOW"
    print(f"target: diff <= 2x load ({2 * load:.2f} s): {verdict}")
    if os.environ.get("KEEP") != "1":
        pa.unlink()
        pb.unlink()


if __name__ == "__main__":
    main()
