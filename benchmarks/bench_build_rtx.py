"""`trtlog build --backend rtx` wall time vs a bare TensorRT-RTX Python build of the same model and
config, alternating which goes first, on the zoo's largest model (tests/zoo `large`: 64 MiB of
FP32 weights) unless a model is given.

  python benchmarks/bench_build_rtx.py [MODEL.onnx] [--pairs 7] [--warmup 1] [--work DIR]

Runs on the CPU (TensorRT-RTX builds ahead of time, no GPU). Each run is a fresh process; wall
time covers the whole process (interpreter start, imports, ONNX parse, build, writing the outputs).
The bare build is what a user would write: tensorrt_rtx.Logger(VERBOSE) printing to stdout
(redirected to a file), ProfilingVerbosity.DETAILED, the plan written to disk. trtlog also captures
every message through a Python ILogger, writes the bundle files and checks for a CUDA driver.
The phase lines compare the library's own phases (builder creation, ONNX parse, build) of both.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from bench_build_overhead import timed, trt_phases  # noqa: E402


def bare_build(model: str, plan_path: str) -> None:
    marks, last = {}, [time.perf_counter()]

    def mark(name):
        now = time.perf_counter()
        marks[name] = marks.get(name, 0.0) + now - last[0]
        last[0] = now

    import tensorrt_rtx as trt
    mark("import_tensorrt")
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    mark("create_builder")
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(model):
        raise SystemExit("parse failed")
    mark("parse_onnx")
    config = builder.create_builder_config()
    config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
    mark("configure")
    plan = builder.build_serialized_network(network, config)
    mark("build")
    if plan is None:
        raise SystemExit("build failed")
    with open(plan_path, "wb") as f:
        f.write(plan)
    mark("write")
    sys.stderr.write("BARE timings " + json.dumps(marks) + "\n")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        return bare_build(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", help="default: the zoo's largest model (tests/zoo/models.py large)")
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured bare builds first (page cache)")
    ap.add_argument("--work", default="bench-work-rtx")
    a = ap.parse_args()
    work = Path(a.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    if a.model is None:
        sys.path.insert(0, str(REPO / "tests"))
        from zoo.models import write
        a.model = write("large", work)
    model = str(Path(a.model).resolve())
    py = sys.executable
    import tensorrt_rtx
    print(f"TensorRT-RTX {tensorrt_rtx.__version__}; model {model} ({os.path.getsize(model) / 2 ** 20:.1f} MiB); "
          f"{os.cpu_count()} CPUs; {a.pairs} pairs")

    for i in range(a.warmup):
        wall, _ = timed([py, os.path.abspath(__file__), "--bare", model, str(work / "warmup.plan")],
                        work / "warmup.out", REPO)
        print(f"warm-up bare build {i}: {wall:.2f} s (not counted)", flush=True)

    rows = []
    for i in range(a.pairs):
        bundle = work / f"trtlog-{i}"
        tcmd = [py, "-m", "trtlog", "build", model, "--backend", "rtx", "-o", str(bundle), "--force", "--no-progress"]
        bcmd = [py, os.path.abspath(__file__), "--bare", model, str(work / f"bare-{i}.plan")]
        order = [("trtlog", tcmd), ("bare", bcmd)] if i % 2 == 0 else [("bare", bcmd), ("trtlog", tcmd)]
        res = {}
        for kind, cmd in order:
            wall, err = timed(cmd, work / f"{kind}-{i}.out", REPO)
            res[kind] = wall
            if kind == "bare":
                timings = json.loads(err.split("BARE timings ")[1].splitlines()[0])
                res["bare_lib"] = trt_phases(timings)
            else:
                st = json.loads((bundle / "status.json").read_text())
                res["trtlog_lib"] = trt_phases(st.get("timings_s") or {})
        res["ratio"] = res["trtlog"] / res["bare"]
        rows.append(res)
        print(f"pair {i} ({order[0][0]} first): trtlog {res['trtlog']:.3f} s (library phases {res['trtlog_lib']:.3f}) "
              f"/ bare {res['bare']:.3f} s (library phases {res['bare_lib']:.3f}) = {res['ratio']:.3f}", flush=True)

    t = [r["trtlog"] for r in rows]
    b = [r["bare"] for r in rows]
    ratios = [r["ratio"] for r in rows]
    print(f"trtlog wall: {' '.join(f'{x:.3f}' for x in t)}  median {statistics.median(t):.3f} s  "
          f"mean {statistics.mean(t):.3f} s")
    print(f"bare   wall: {' '.join(f'{x:.3f}' for x in b)}  median {statistics.median(b):.3f} s  "
          f"mean {statistics.mean(b):.3f} s")
    print(f"ratio trtlog/bare: median of per-pair ratios {statistics.median(ratios):.3f}; mean "
          f"{statistics.mean(ratios):.3f}; ratio of medians {statistics.median(t) / statistics.median(b):.3f}; "
          f"ratio of means {statistics.mean(t) / statistics.mean(b):.3f}")
    extra = [r["trtlog"] - r["trtlog_lib"] - (r["bare"] - r["bare_lib"]) for r in rows]
    print(f"time outside the library's phases, trtlog minus bare: median {statistics.median(extra):+.3f} s "
          f"(per pair {' '.join(f'{x:+.3f}' for x in extra)})")


if __name__ == "__main__":
    main()
