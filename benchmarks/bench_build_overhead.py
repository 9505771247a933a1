"""Overhead of `trtlog build` over a bare TensorRT Python-API build of the same network and config.

  python bench_build_overhead.py MODEL.onnx [--pairs 3] [--work DIR] -- [--fp16] [--tactic-sources LIST]
                                                                        [--builder-opt-level N]

Needs TensorRT (run it on the GPU machine with the same Python that runs trtlog). Each pair runs
both commands as fresh processes, alternating which goes first, after --warmup unmeasured builds; wall time is
measured around the whole process (interpreter start, imports, parse, build, writing the outputs). The bare build is
what a user would write: trt.Logger(VERBOSE) printing to stdout (redirected to a file), the same
builder flags, tactic sources, optimization level and profiling verbosity, the plan written to disk.
trtlog additionally captures every message through a Python ILogger, writes the bundle (config,
env, status, timing cache) and the engine-inspector JSON.

Whole-process wall times of identical TensorRT builds vary by seconds between runs (builder creation
loads the kernel library; tactic timing varies), more than trtlog's own cost. So both sides also
report their phases (trtlog: status.json `timings_s`; bare: the same marks), and each pair is
reported twice: the raw wall ratio, and the ratio with TensorRT's own phases (builder creation, ONNX
parse, build) equalised — the trtlog run's wall time with its TensorRT phases replaced by the bare
run's, over the bare run's wall time. That isolates what trtlog adds.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bare_build(model: str, plan_path: str, flags: list) -> None:
    import tensorrt as trt

    ap = argparse.ArgumentParser()
    ap.add_argument("--fp16", action="store_true")
    ap.add_argument("--tactic-sources")
    ap.add_argument("--builder-opt-level", type=int)
    a = ap.parse_args(flags)
    marks, last = {}, [time.perf_counter()]

    def mark(name):
        now = time.perf_counter()
        marks[name] = marks.get(name, 0.0) + now - last[0]
        last[0] = now

    mark("import_tensorrt")
    logger = trt.Logger(trt.Logger.VERBOSE)
    builder = trt.Builder(logger)
    mark("create_builder")
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(model):
        raise SystemExit("parse failed")
    mark("parse_onnx")
    config = builder.create_builder_config()
    if a.fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    if a.tactic_sources:
        mask = 0
        for name in a.tactic_sources.split(","):
            mask |= 1 << int(getattr(trt.TacticSource, name))
        config.set_tactic_sources(mask)
    if a.builder_opt_level is not None:
        config.builder_optimization_level = a.builder_opt_level
    config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
    mark("configure")
    plan = builder.build_serialized_network(network, config)
    mark("build")
    with open(plan_path, "wb") as f:
        f.write(plan)
    mark("write")
    sys.stderr.write("BARE timings " + json.dumps(marks) + "\n")


def timed(cmd, log_path, cwd) -> tuple:
    t0 = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.PIPE, cwd=cwd)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    return wall, proc.stderr.decode("utf-8", "replace")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        return bare_build(sys.argv[2], sys.argv[3], sys.argv[4:])
    argv = sys.argv[1:]
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--work", default="bench-work")
    ap.add_argument("--warmup", type=int, default=1,
                    help="unmeasured bare builds first (page cache, GPU clocks); the first timed run paid these")
    a = ap.parse_args(argv)
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable

    # import cost alone (paid by every trtlog command)
    t0 = time.perf_counter()
    subprocess.run([py, "-c", "import trtlog.commands.build"], cwd=REPO, check=True)
    imp = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([py, "-c", "import tensorrt"], check=True)
    imp_trt = time.perf_counter() - t0
    print(f"process start + import trtlog.commands.build: {imp:.2f} s; + import tensorrt: {imp_trt:.2f} s")

    for i in range(a.warmup):
        wall, _ = timed([py, os.path.abspath(__file__), "--bare", a.model, str(work / "warmup.plan")] + flags,
                        work / "warmup.out", REPO)
        print(f"warm-up bare build {i}: {wall:.2f} s (not counted)", flush=True)

    rows = []
    for i in range(a.pairs):
        bundle = work / f"trtlog-{i}"
        tcmd = [py, "-m", "trtlog", "build", a.model, "-o", str(bundle), "--force", "--no-progress"] + flags
        bcmd = [py, os.path.abspath(__file__), "--bare", a.model, str(work / f"bare-{i}.plan")] + flags
        order = [("trtlog", tcmd), ("bare", bcmd)] if i % 2 == 0 else [("bare", bcmd), ("trtlog", tcmd)]
        res = {}
        for kind, cmd in order:
            wall, err = timed(cmd, work / f"{kind}-{i}.out", REPO)
            res[kind] = wall
            if kind == "bare":
                timings = json.loads(err.split("BARE timings ")[1].splitlines()[0])
                res["bare_build"] = timings["build"]
                res["bare_trt"] = trt_phases(timings)
            else:
                st = json.loads((bundle / "status.json").read_text())
                res["trtlog_build"] = st["build_seconds"]
                res["trtlog_trt"] = trt_phases(st.get("timings_s") or {})
            print(f"pair {i} {kind:6s} wall {wall:7.2f} s", flush=True)
        res["ratio"] = res["trtlog"] / res["bare"]
        res["equalised"] = (res["trtlog"] - res["trtlog_trt"] + res["bare_trt"]) / res["bare"]
        rows.append(res)
        print(f"pair {i}: trtlog {res['trtlog']:.2f} s (TensorRT phases {res['trtlog_trt']:.2f}, builder "
              f"{res['trtlog_build']:.2f}) / bare {res['bare']:.2f} s (TensorRT phases {res['bare_trt']:.2f}, builder "
              f"{res['bare_build']:.2f}) = {res['ratio']:.4f}; TensorRT phases equalised {res['equalised']:.4f}",
              flush=True)

    t = [r["trtlog"] for r in rows]
    b = [r["bare"] for r in rows]
    print(f"trtlog wall: {' '.join(f'{x:.2f}' for x in t)}  median {statistics.median(t):.2f} s")
    print(f"bare   wall: {' '.join(f'{x:.2f}' for x in b)}  median {statistics.median(b):.2f} s")
    ratios = " ".join(f"{r['ratio']:.4f}" for r in rows)
    print(f"ratio of medians {statistics.median(t) / statistics.median(b):.4f}; per-pair ratios {ratios}; "
          f"mean {statistics.mean(r['ratio'] for r in rows):.4f}")
    extra = [r["trtlog"] - r["trtlog_trt"] - (r["bare"] - r["bare_trt"]) for r in rows]
    print(f"time outside TensorRT's phases, trtlog minus bare: {' '.join(f'{x:+.2f}' for x in extra)} s; "
          f"median {statistics.median(extra):+.3f} s")
    eq = [r["equalised"] for r in rows]
    print(f"TensorRT phases equalised: per-pair ratios {' '.join(f'{x:.4f}' for x in eq)}; "
          f"median {statistics.median(eq):.4f}; mean {statistics.mean(eq):.4f}")


def trt_phases(timings: dict) -> float:
    """Seconds inside TensorRT's own work common to both sides: builder creation, ONNX parse, build."""
    return sum(float(timings.get(k, 0.0)) for k in ("create_builder", "parse_onnx", "build"))


if __name__ == "__main__":
    main()
