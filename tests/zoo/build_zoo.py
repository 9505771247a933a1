"""Regenerate the zoo: write the models (tests/zoo/models/, not committed), build each entry with
`trtlog build --backend rtx` into tests/fixtures/rtx/<name>/, keep build.log as build.log.xz plus
config.json, env.json and status.json (no engine), build the two-builds log, and write
tests/fixtures/rtx/ZOO.md (model, expected, outcome, log lines, seconds).

    python tests/zoo/build_zoo.py [NAME ...]      (make zoo)

Exit 1 when an outcome differs from what the entry expects.
"""
from __future__ import annotations

import json
import lzma
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from zoo.entries import ZOO, Entry  # noqa: E402
from zoo.models import write  # noqa: E402

MODELS = Path("tests/zoo/models")
FIXTURES = Path("tests/fixtures/rtx")
KEEP = ("config.json", "env.json", "status.json")


def compress(log: Path) -> None:
    data = log.read_bytes()
    (log.parent / "build.log.xz").write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    log.unlink()


def tidy(bundle: Path) -> None:
    """Only what is committed stays: build.log.xz and the JSON files."""
    if (bundle / "build.log").is_file():
        compress(bundle / "build.log")
    for p in bundle.iterdir():
        if p.name not in KEEP + ("build.log.xz",):
            p.unlink()


def build(entry: Entry) -> dict:
    model = write(entry.model, MODELS)
    out = FIXTURES / entry.name
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "trtlog", "build", model, "--backend", "rtx", "-o", str(out), "--no-progress"]
    cmd += entry.args
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    lines, status = 0, {}
    if (out / "build.log").is_file():
        lines = len((out / "build.log").read_bytes().splitlines())
        text = (out / "build.log").read_text(encoding="utf-8", errors="replace")
        status = json.loads((out / "status.json").read_text())
        tidy(out)
    else:
        text = ""
    said = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    error = status.get("error", "") or (said if proc.returncode else "")
    evidence = {0: text, 1: status.get("error", "") + "\n" + text, 2: proc.stderr}.get(proc.returncode, "")
    ok = proc.returncode == entry.exit and (not entry.why or entry.why in evidence)
    return {"name": entry.name, "model": entry.model, "args": entry.args, "expected_exit": entry.exit,
            "why": entry.why, "what": entry.what, "exit": proc.returncode, "error": error, "log_lines": lines,
            "seconds": round(secs, 2), "build_seconds": status.get("build_seconds"),
            "engine_bytes": status.get("engine_bytes", 0), "as_expected": ok}


# name: (models, load, what, expected exit, timing cache bytes) -- tests/zoo/two_builds.py, not the CLI
SCRIPTED = {
    "two_builds": (("cnn", "transformer"), False, "two builds through one logger in one process", 0, None),
    "build_then_load": (("cnn",), True, "a build, then deserializing the engine in the same process "
                                        "(fails without a CUDA driver)", 1, None),
    # a cache file a crashed writer left as zeros, loaded as an application ported from TensorRT does
    "bad_timing_cache": (("cnn",), False, "a build given a timing cache file of 4 KiB of zeros", 0, bytes(4096)),
}


def scripted(name: str) -> dict:
    from trtlog.run.bundle import gpu_info
    from zoo.two_builds import main as run_builds

    models, load, what, expected, cache = SCRIPTED[name]
    if load and gpu_info().get("compute_capability"):
        expected = -1          # with a driver the outcome depends on the GPU: recorded, not checked
    out = FIXTURES / name
    if out.exists():
        shutil.rmtree(out)
    cache_file = None
    if cache is not None:
        cache_file = MODELS / f"{name}.cache"
        MODELS.mkdir(parents=True, exist_ok=True)
        cache_file.write_bytes(cache)
    t0 = time.perf_counter()
    codes = run_builds([write(m, MODELS) for m in models], out, load, str(cache_file) if cache_file else None)
    secs = time.perf_counter() - t0
    lines = len((out / "build.log").read_bytes().splitlines())
    error = json.loads((out / "status.json").read_text())["error"]
    tidy(out)
    return {"name": name, "model": " + ".join(models),
            "args": ["(tests/zoo/two_builds.py" + (" --load" if load else "")
                     + (" --timing-cache FILE" if cache is not None else "") + ")"],
            "expected_exit": expected, "why": "", "what": what, "exit": max(codes), "error": error,
            "log_lines": lines, "seconds": round(secs, 2), "build_seconds": None, "engine_bytes": 0,
            "as_expected": expected in (-1, max(codes))}


def table(rows) -> str:
    out = ["# TensorRT-RTX zoo", "",
           "Made by `make zoo` (tests/zoo/build_zoo.py): real `trtlog build --backend rtx` runs on this",
           "machine's CPU. Exit 0 built, 1 build failed (bundle kept), 2 refused by trtlog (no bundle).", "",
           "| bundle | model | options | what | expected | outcome | log lines | seconds |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        outcome = "built" if r["exit"] == 0 else f"exit {r['exit']}: {r['error'][:110]}"
        expected = {0: "built", 1: "fails (exit 1)", 2: "refused (exit 2)"}.get(r["expected_exit"], "?")
        if r["why"]:
            expected += f" — `{r['why']}`"
        flag = "" if r["as_expected"] else " **UNEXPECTED**"
        out.append(f"| {r['name']} | {r['model']} | `{' '.join(r['args'])}` | {r['what']} | {expected} | "
                   f"{outcome.replace('|', '/')}{flag} | {r['log_lines']} | {r['seconds']} |")
    return "\n".join(out) + "\n"


def main(argv) -> int:
    os.chdir(ROOT)
    names = set(argv)
    rows = []
    results = FIXTURES / "zoo.json"
    previous = {r["name"]: r for r in json.loads(results.read_text())} if results.is_file() else {}
    for entry in ZOO:
        if names and entry.name not in names:
            rows.append(previous.get(entry.name) or build(entry))
            continue
        rows.append(build(entry))
        r = rows[-1]
        print(f"{r['name']:28s} exit {r['exit']} ({'as expected' if r['as_expected'] else 'UNEXPECTED'}) "
              f"{r['log_lines']:5d} lines {r['seconds']:.2f} s {r['error'][:100]}")
    for name in SCRIPTED:
        if not names or name in names:
            rows.append(scripted(name))
            print(f"{name:28s} exit {rows[-1]['exit']} {rows[-1]['log_lines']:5d} lines {rows[-1]['error'][:100]}")
        elif name in previous:
            rows.append(previous[name])
    FIXTURES.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(rows, indent=1) + "\n")
    (FIXTURES / "ZOO.md").write_text(table(rows))
    bad = [r["name"] for r in rows if not r["as_expected"]]
    if bad:
        print("not as expected:", ", ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
