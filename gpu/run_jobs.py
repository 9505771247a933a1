"""Run `trtlog build` jobs on the GPU machine, a few at a time, until a deadline.

  python3 gpu/run_jobs.py SET MODELS_DIR BUNDLES_DIR --deadline EPOCH [--parallel N]

Runs `$PY39 -m trtlog build ...` (PY39 from device-setup.sh) from the repository root. A job whose
bundle already has status ok is skipped, so a second call on the same machine resumes. INT8 jobs
wait for the file PYCUDA_READY (written by run_builds.sh once build_pycuda is done). Prints one
line per job: name, exit code, build seconds, engine size, wall seconds, and the build's last line.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TS = ["--tactic-sources", "EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS"]   # cuBLAS/cuDNN are stubs

SETS = {
    # name, onnx, flags (the TensorRT version is appended to the name by the runner)
    "860": [
        ("mobilenet-fp16", "mobilenet.onnx", ["--fp16"]),
        ("cnn-fp16", "cnn.onnx", ["--fp16"]),
        ("transformer-fp16", "transformer.onnx", ["--fp16"]),
        ("cnn-fp32", "cnn.onnx", []),
        ("transformer-fp32", "transformer.onnx", []),
        ("mobilenet-fp32", "mobilenet.onnx", []),
        # builds at the default level 3 took 100-500 s here (PointWise/JIT kernels compile while timing):
        # the rest use level 1 (heuristics pick the candidates; dynamic kernels compiled at low optimization)
        ("mobilenet-fp16-O1", "mobilenet.onnx", ["--fp16", "--builder-opt-level", "1"]),
        ("cnn-dynamic-fp16-O1", "cnn_dyn.onnx", ["--fp16", "--min-shapes", "input:1x3x64x64", "--opt-shapes",
                                                 "input:4x3x128x128", "--max-shapes", "input:8x3x224x224",
                                                 "--builder-opt-level", "1"]),
        ("cnn-fp16-O1", "cnn.onnx", ["--fp16", "--builder-opt-level", "1"]),
        ("transformer-int8", "transformer.onnx", ["--int8", "--calib-data", "{models}/calib/transformer"]),
        ("cnn-int8-O1", "cnn.onnx", ["--int8", "--calib-data", "{models}/calib/cnn", "--builder-opt-level", "1"]),
        ("mobilenet-int8-O1", "mobilenet.onnx", ["--int8", "--calib-data", "{models}/calib/mobilenet",
                                                 "--builder-opt-level", "1"]),
        ("mobilenet-fp16-tinyws-O1", "mobilenet.onnx", ["--fp16", "--workspace", "256K", "--builder-opt-level", "1"]),
        ("cnn-fp16-headfp32-O1", "cnn.onnx",
         ["--fp16", "--layer-precision", "/head/*=fp32", "--builder-opt-level", "1"]),
    ],
    "853": [
        ("cnn-fp16", "cnn.onnx", ["--fp16"]),
        ("mobilenet-fp16", "mobilenet.onnx", ["--fp16"]),
        ("cnn-fp32", "cnn.onnx", []),
        ("mobilenet-fp32", "mobilenet.onnx", []),
    ],
}


# session 2: the engines validate/bench needs (engine.plan files are not committed), MobileNet INT8 to
# completion, and --layer-precision builds (the transformer's classifier head kept in FP32)
_860 = {job[0]: job for job in SETS["860"]}
SETS["s2"] = [_860[name] for name in ("mobilenet-int8-O1", "mobilenet-fp16-O1", "cnn-int8-O1", "cnn-fp16-O1",
                                      "transformer-int8", "transformer-fp16")] + [
    ("transformer-fp16-headfp32", "transformer.onnx", ["--fp16", "--layer-precision", "/head/*=fp32"]),
    ("transformer-fp16-headfp32-prefer", "transformer.onnx", ["--fp16", "--layer-precision", "/head/*=fp32",
                                                              "--precision-constraints", "prefer"]),
]


def ok(bundle: Path) -> bool:
    try:
        return json.loads((bundle / "status.json").read_text()).get("ok") is True
    except (OSError, ValueError):
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set")
    ap.add_argument("models")
    ap.add_argument("bundles")
    ap.add_argument("--deadline", type=float, required=True, help="no job starts after this (epoch s)")
    ap.add_argument("--hard", type=float, required=True, help="running builds are killed at this (epoch s)")
    ap.add_argument("--parallel", type=int, default=3)
    ap.add_argument("--tag", required=True, help="suffix, e.g. trt8.6.0")
    ap.add_argument("--only", default="", help="comma-separated job names")
    a = ap.parse_args()
    py = shlex.split(os.environ["PY39"])
    models, bundles = Path(a.models), Path(a.bundles)
    bundles.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    jobs = [j for j in SETS[a.set] if not a.only or j[0] in a.only.split(",")]

    def run(job):
        name, onnx, flags = job
        bundle = bundles / f"{name}-{a.tag}"
        if ok(bundle):
            return print(f"{name}: already built", flush=True)
        if not (models / onnx).is_file():
            return print(f"{name}: SKIP, no {onnx}", flush=True)
        flags = [f.replace("{models}", str(models)) for f in flags]
        if "--calib-data" in flags:
            while not (models / "PYCUDA_READY").exists() and time.time() < a.deadline:
                time.sleep(2)
            if (models / "PYCUDA_FAILED").exists():
                return print(f"{name}: SKIP, pycuda did not build", flush=True)
        if time.time() > a.deadline:
            return print(f"{name}: SKIP, deadline", flush=True)
        job_py = py
        if "--calib-data" in flags and (models / "PY39_PYCUDA").is_file():
            job_py = shlex.split((models / "PY39_PYCUDA").read_text().strip())
        cmd = job_py + ["-m", "trtlog", "build", str(models / onnx), "-o", str(bundle), "--force", "--no-progress",
                    "--explain"] + TS + flags
        t0 = time.time()
        remaining = max(10.0, a.hard - t0)
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=remaining)
            out, rc = proc.stdout.decode("utf-8", "replace"), proc.returncode
        except subprocess.TimeoutExpired as exc:
            out, rc = (exc.stdout or b"").decode("utf-8", "replace"), "timeout"
        wall = time.time() - t0
        bundle.mkdir(parents=True, exist_ok=True)
        (bundle / "cli-output.txt").write_text(" ".join(cmd) + "\n" + out)
        try:
            st = json.loads((bundle / "status.json").read_text())
        except (OSError, ValueError):
            st = {}
        built = [l for l in out.splitlines() if l.startswith("built ") or "build failed" in l]
        with lock:
            print(f"{name}: rc={rc} build_s={st.get('build_seconds')} engine_bytes={st.get('engine_bytes')} "
                  f"wall_s={wall:.1f} | {built[-1] if built else out.strip().splitlines()[-1:]}", flush=True)

    with ThreadPoolExecutor(a.parallel) as pool:
        list(pool.map(run, jobs))


if __name__ == "__main__":
    sys.exit(main())
