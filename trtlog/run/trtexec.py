"""`trtlog build --trtexec [PATH]`: the same options as trtexec flags, run as a subprocess whose
output is captured verbatim into the bundle's build.log (trtexec's `[date] [X] [TRT] msg` order).

trtexec's version decides a few flags (--memPoolSize from 8.4, --builderOptimizationLevel from 8.6,
--stronglyTyped from 10, no --fp16/--int8/--best in 11); it is read from the banner that
`trtexec --help` prints, else from the installed tensorrt module.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_OK, TrtlogError
from ..vocab import format_shapes
from .bundle import Bundle, collect_env, gpu_info, timing_cache_path
from .options import WEAK_TYPING_GONE, BuildSpec
from .progress import Progress
from .version import Version, at_least, parse_version

TACTIC_SOURCES = (("CUBLAS", "7.0"), ("CUBLAS_LT", "7.2"), ("CUDNN", "7.0"), ("EDGE_MASK_CONVOLUTIONS", "8.4"),
                  ("JIT_CONVOLUTIONS", "8.5"))
_BANNER = re.compile(r"TensorRT\.trtexec \[TensorRT v(\d+)\]")
_ENVELOPE = re.compile(r"^\[[^\]]*\] \[([A-Z])\] (?:\[TRT\] )?")
CAPTURE_FLAGS = ("--verbose", "--profilingVerbosity=detailed")


def find_trtexec(path: Optional[str]) -> str:
    cand = path or "trtexec"
    found = shutil.which(cand)
    if found is None and Path(cand).is_file():
        found = str(Path(cand).resolve())
    if found is None:
        raise TrtlogError(f"trtexec not found: {cand!r} (give its path: --trtexec /usr/src/tensorrt/bin/trtexec)",
                          EXIT_BAD_INPUT)
    return found


def probe_version(exe: str, timeout: float = 30.0) -> Optional[Version]:
    """trtexec prints `&&&& RUNNING TensorRT.trtexec [TensorRT v8600] # ...` first, even for --help."""
    try:
        proc = subprocess.run([exe, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    m = _BANNER.search(proc.stdout[:4096].decode("utf-8", "replace"))
    return parse_version(int(m.group(1))) if m else None


def _size_flag(n: int) -> str:
    if n % 2 ** 20 == 0:
        return f"{n // 2 ** 20}M"
    if n % 2 ** 10 == 0:
        return f"{n // 2 ** 10}K"
    return f"{n}B"


def trtexec_args(spec: BuildSpec, bundle_dir, version: Version,
                 gpu: Optional[dict] = None) -> Tuple[List[str], List[str]]:
    """(flags, notes) for one spec on one trtexec version; the bundle's files are the outputs."""
    b = Path(bundle_dir)
    notes: List[str] = []
    args = [f"--onnx={spec.model}", f"--saveEngine={b / 'engine.plan'}"]
    weak_gone = at_least(version, WEAK_TYPING_GONE)
    precisions = [p for p in ("fp16", "bf16", "int8") if p in spec.precisions]
    if weak_gone:
        if precisions or spec.best or spec.layer_precisions or spec.calib_data or spec.calib_cache:
            notes.append(f"TensorRT {version} removed weak typing: the build is strongly typed and precision "
                         "comes from the ONNX graph; ignoring the precision options")
    else:
        if "bf16" in precisions and not at_least(version, "9.0"):
            raise TrtlogError(f"--bf16 needs TensorRT >= 9.0 (trtexec is {version})")
        args += [f"--{p}" for p in precisions]
        if spec.best:
            args.append("--best")
        if spec.strongly_typed:
            if not at_least(version, "10.0"):
                raise TrtlogError(f"--strongly-typed needs TensorRT >= 10.0 (trtexec is {version})")
            args.append("--stronglyTyped")
        if spec.layer_precisions:
            for name in spec.layer_precisions:
                if any(c in name for c in "*?[") and name != "*":
                    raise TrtlogError(f"trtexec takes exact layer names (or *) in --layerPrecisions, not {name!r}")
            spec_text = ",".join(f"{n}:{t}" for n, t in spec.layer_precisions.items())
            args += [f"--layerPrecisions={spec_text}", f"--layerOutputTypes={spec_text}",
                     f"--precisionConstraints={spec.precision_constraints}"]
        if spec.calib_data:
            raise TrtlogError("trtexec cannot read a --calib-data folder (it takes a calibration cache): build "
                              "once without --trtexec, then pass --calib-cache BUNDLE/calibration.cache")
        if spec.calib_cache:
            args.append(f"--calib={spec.calib_cache}")
    if spec.extra_profiles:
        raise TrtlogError("several optimization profiles: use the Python API backend (--backend tensorrt or rtx); "
                          "trtlog passes trtexec one profile")
    if spec.wants_profile():
        if spec.min_shapes or spec.opt_shapes or spec.max_shapes:
            names = spec.shape_names()
            prof = {n: spec.profile_for(n) for n in names}
            args += [f"--minShapes={format_shapes({n: p[0] for n, p in prof.items()})}",
                     f"--optShapes={format_shapes({n: p[1] for n, p in prof.items()})}",
                     f"--maxShapes={format_shapes({n: p[2] for n, p in prof.items()})}"]
            args.append(f"--shapes={format_shapes({n: p[1] for n, p in prof.items()})}")
        else:
            args.append(f"--shapes={format_shapes(spec.shapes)}")
    if spec.workspace is not None:
        if at_least(version, "8.4"):
            args.append(f"--memPoolSize=workspace:{_size_flag(spec.workspace)}")
        else:
            args.append(f"--workspace={max(1, spec.workspace // 2 ** 20)}")
    if spec.tactic_sources:
        from .options import parse_tactic_sources
        ops = parse_tactic_sources(spec.tactic_sources)
        known = [n for n, since in TACTIC_SOURCES if at_least(version, since)]
        if ops[0][0] == "=":
            wanted = {n for _, n in ops}
            ops = [("+" if n in wanted else "-", n) for n in known] + \
                  [("+", n) for n in sorted(wanted - set(known))]
        args.append("--tacticSources=" + ",".join(s + n for s, n in ops))
    if spec.builder_opt_level is not None:
        if not at_least(version, "8.6"):
            raise TrtlogError(f"--builder-opt-level needs TensorRT >= 8.6 (trtexec is {version})")
        args.append(f"--builderOptimizationLevel={spec.builder_opt_level}")
    if spec.timing_cache:
        args.append(f"--timingCacheFile={timing_cache_path(spec.timing_cache, str(version), gpu or {})}")
    args += [f for f in CAPTURE_FLAGS if spec.verbose or f != "--verbose"]
    args += [f"--exportLayerInfo={b / 'layers.json'}", f"--exportProfile={b / 'profile.json'}",
             f"--exportTimes={b / 'times.json'}"]
    return args, notes


def envelope_split(line: str) -> Tuple[str, str]:
    """(severity letter, message) of one trtexec output line; ('', line) for other lines."""
    m = _ENVELOPE.match(line)
    return (m.group(1), line[m.end():]) if m else ("", line)


def trtexec_build(spec: BuildSpec, out, exe_path: Optional[str], force: bool = False,
                  argv: Optional[List[str]] = None, progress: Optional[Progress] = None, note=None):
    from .session import BuildResult

    note = note or (lambda msg: None)
    progress = progress or Progress(enabled=False)
    bundle = Bundle(out, force)
    bundle.check()
    exe = find_trtexec(exe_path)
    if not Path(spec.model).is_file():
        raise TrtlogError(f"model {spec.model}: no such file")
    version = probe_version(exe)
    if version is None:
        try:
            import tensorrt
            version = parse_version(tensorrt.__version__)
        except ImportError:
            version = parse_version("10.0")
            note("could not read trtexec's version; assuming TensorRT 10 flags")
    gpu = gpu_info()
    args, notes = trtexec_args(spec, bundle.dir, version, gpu)
    for n in notes:
        note(n)
    bundle.create()
    bundle.write_json("config.json", {"argv": argv or [], "backend": "trtexec", "spec": spec.to_dict(),
                                      "producer": "trtexec",
                                      "trtexec": exe, "trtexec_version": str(version),
                                      "command": [exe] + args, "notes": notes})
    bundle.write_json("env.json", collect_env(str(version), "trtexec", gpu, backend="trtexec"))
    bundle.write_status(False, EXIT_FAIL, "trtexec did not finish", None, 0, producer="trtexec", backend="trtexec")

    started = time.perf_counter()
    counts = {"W": 0, "E": 0, "F": 0}
    last_error = ""
    interrupted = False
    with open(bundle / "build.log", "wb") as log:
        proc = subprocess.Popen([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for raw in proc.stdout:
                log.write(raw)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                letter, msg = envelope_split(line)
                if letter in counts:
                    counts[letter] += 1
                    if letter in "EF":
                        last_error = msg
                        progress.clear()
                        sys.stderr.write(line + "\n")
                elif "&&&& FAILED" in line and not last_error:
                    last_error = line
                progress.feed(letter, msg)
            rc = proc.wait()
        except KeyboardInterrupt:
            interrupted = True
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
    progress.finish()
    wall = time.perf_counter() - started
    plan = bundle / "engine.plan"
    nbytes = plan.stat().st_size if plan.is_file() else 0
    secs = progress.engine_built_seconds
    if interrupted:
        code, error = EXIT_INTERRUPTED, "interrupted (Ctrl-C)"
    elif rc == 0 and nbytes > 0:
        code, error = EXIT_OK, ""
    elif rc == 0:      # a build without an engine file is a failure, whatever the exit status
        code, error = EXIT_FAIL, last_error or f"trtexec exited with status 0 but wrote no engine ({plan.name})"
    else:
        code, error = EXIT_FAIL, last_error or f"trtexec exited with status {rc}"
    bundle.write_status(code == EXIT_OK, code, error, secs, nbytes, producer="trtexec", backend="trtexec",
                        trtexec_exit=rc,
                        wall_seconds=round(wall, 3), warnings=counts["W"], errors=counts["E"] + counts["F"],
                        interrupted=interrupted)
    return BuildResult(bundle.dir, code == EXIT_OK, code, error, secs, nbytes, notes, counts)
