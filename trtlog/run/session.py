"""The steps every Python-API build shares, whichever library builds (TensorRT or TensorRT-RTX):
ONNX parsing and input checks, optimization profiles, the bundle's life (config/env/status written
before the build, status rewritten at the end), per-phase timings and Ctrl-C handling.

The library module is passed in (`trt` = tensorrt or tensorrt_rtx); both expose the same names for
what is used here.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import EXIT_FAIL, EXIT_INTERRUPTED, TrtlogError
from .bundle import Bundle, collect_env, gpu_info
from .logger import LogSink
from .options import BuildSpec
from .progress import Progress


@dataclass
class BuildResult:
    bundle: Path
    ok: bool
    exit_code: int
    error: str = ""
    build_seconds: Optional[float] = None
    engine_bytes: int = 0
    notes: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)


class PhaseClock:
    """Seconds spent per phase of a build (status.json `timings_s`): what the library spent (builder
    creation with its kernel library, ONNX parsing, the build, engine inspection) apart from what
    trtlog adds (its set-up and the bundle files). A phase marked twice accumulates."""

    def __init__(self):
        self.last = time.perf_counter()
        self.phases: Dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now

    def rounded(self) -> Dict[str, float]:
        return {k: round(v, 4) for k, v in self.phases.items()}


def check_values(spec) -> None:
    """Option values no backend accepts, before any library is imported."""
    if spec.builder_opt_level is not None and not 0 <= spec.builder_opt_level <= 5:
        raise TrtlogError("--builder-opt-level must be 0..5")
    if spec.calib_data and not Path(spec.calib_data).is_dir():
        raise TrtlogError(f"--calib-data {spec.calib_data}: no such folder")


def check_model(path: str) -> None:
    """The model file exists and can be read (before any library is imported)."""
    p = Path(path)
    if not p.exists():
        raise TrtlogError(f"model {path}: no such file")
    if not p.is_file():
        raise TrtlogError(f"model {path}: not a file")
    try:
        with open(p, "rb") as f:
            head = f.read(1)
    except OSError as exc:
        raise TrtlogError(f"model {path}: cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise TrtlogError(f"model {path}: empty file")


def parse_onnx(parser, model: str) -> List[str]:
    """The ONNX parser's error descriptions ([] when the model parsed)."""
    if hasattr(parser, "parse_from_file"):
        ok = parser.parse_from_file(str(model))
    else:
        ok = parser.parse(Path(model).read_bytes())
    if ok:
        return []
    return [str(parser.get_error(i).desc()) if hasattr(parser.get_error(i), "desc") else str(parser.get_error(i))
            for i in range(parser.num_errors)] or ["the ONNX parser reported failure"]


def network_inputs(network) -> List[tuple]:
    out = []
    for i in range(network.num_inputs):
        t = network.get_input(i)
        out.append((t.name, tuple(int(d) for d in t.shape), str(t.dtype).split(".")[-1]))
    return out


def check_shapes(spec: BuildSpec, inputs) -> None:
    """Usage errors in the shape options (exit 2, before the bundle exists). Whether min <= opt <=
    max holds is left to the library, whose log then names the rejected profile."""
    names = [n for n, _, _ in inputs]
    for n in spec.shape_names():
        if n not in names:
            raise TrtlogError(f"shape given for {n!r}, which is not a network input (inputs: {', '.join(names)})")
    for name, shape, _ in inputs:
        for index in range(max(1, spec.profile_count())):
            prof = spec.profile_for(name, index)
            if prof is None:
                if -1 in shape:
                    dims = "x".join("?" if d < 0 else str(d) for d in shape)
                    where = f" in profile {index + 1}" if index else ""
                    example = "x".join("1" if d < 0 else str(d) for d in shape)
                    raise TrtlogError(f"input {name!r} has dynamic shape {dims}{where}: give an optimization "
                                      f"profile, e.g. --shapes {name}:{example} or "
                                      "--min-shapes/--opt-shapes/--max-shapes")
                continue
            for which, dims in zip(("min", "opt", "max"), prof):
                if len(dims) != len(shape) or any(s not in (-1, d) for s, d in zip(shape, dims)):
                    raise TrtlogError(f"{which} shape {'x'.join(map(str, dims))} for {name!r} does not fit "
                                      f"its shape {tuple(shape)}")


def add_profiles(builder, config, spec: BuildSpec, inputs):
    """One optimization profile per profile in the spec; returns the index the library gave each
    (-1 where it rejected the profile: its log says why) and the profile objects."""
    indices, profiles = [], []
    for index in range(spec.profile_count()):
        profile = builder.create_optimization_profile()
        for name, _, _ in inputs:
            prof = spec.profile_for(name, index)
            if prof is not None:
                profile.set_shape(name, *prof)
        indices.append(int(config.add_optimization_profile(profile)))
        profiles.append(profile)
    return indices, profiles


def failure_reason(sink: LogSink, profiles_added: List[int], build_error: str, library: str) -> str:
    """Why a build returned no engine. A profile the library rejected comes first: the library still
    builds and then reports that no profile was defined, which hides the root cause."""
    rejected = [i for i, idx in enumerate(profiles_added) if idx < 0]
    if rejected:
        return (f"optimization profile {rejected[0] + 1} rejected by {library}: "
                + (sink.first_error_with("isValid") or next(iter(sink.first_errors), "")
                   or "add_optimization_profile returned -1"))
    return build_error or sink.last_error or "build_serialized_network returned no engine"


class ExitOnInterrupt:
    """SIGINT before the bundle exists: exit 130 at once. Python's default handler would raise
    KeyboardInterrupt inside the logger callback the library is calling, where the bindings swallow
    it and the build goes on (seen with TensorRT-RTX: Ctrl-C during the ONNX parse was lost)."""

    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._exit)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)

    @staticmethod
    def _exit(signum, frame):
        sys.stderr.write("trtlog: interrupted\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


class Session:
    """One build's bundle: created once the inputs are known good, status.json says "did not
    finish" until `finish` rewrites it, and Ctrl-C leaves the partial log with exit 130."""

    def __init__(self, bundle: Bundle, sink: LogSink, progress: Progress, backend: str, started: float,
                 clock: PhaseClock, notes: List[str]):
        self.bundle, self.sink, self.progress = bundle, sink, progress
        self.backend, self.started, self.clock, self.notes = backend, started, clock, notes
        self.extra: Dict[str, Any] = {}
        self._previous = None

    def status(self, ok: bool, code: int, error: str = "", secs=None, nbytes: int = 0, **extra) -> None:
        self.bundle.write_status(ok, code, error, secs, nbytes, producer="python", backend=self.backend, **extra)

    def open(self, config_doc: Dict[str, Any], env: Dict[str, Any]) -> None:
        self.bundle.create()
        self.sink.attach(self.bundle / "build.log")
        self.bundle.write_json("config.json", config_doc)
        self.bundle.write_json("env.json", env)
        self.status(False, EXIT_FAIL, "build did not finish")
        self.clock.mark("write_bundle")

    def finish(self, ok: bool, code: int, error: str = "", secs=None, nbytes: int = 0, **extra) -> BuildResult:
        self.sink.flush()
        self.sink.close()
        self.progress.finish()
        self.clock.mark("write_bundle")
        extra = {**self.extra, **extra}
        self.status(ok, code, error, secs, nbytes, wall_seconds=round(time.perf_counter() - self.started, 3),
                    timings_s=self.clock.rounded(), warnings=self.sink.counts.get("W", 0),
                    errors=self.sink.counts.get("E", 0) + self.sink.counts.get("F", 0), **extra)
        return BuildResult(self.bundle.dir, ok, code, error, secs, nbytes, self.notes, dict(self.sink.counts))

    # SIGINT: keep the partial log, record the interruption, exit 130 at once (the library's own
    # objects are not torn down; they would only delay the exit)
    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)

    def _interrupt(self, signum, frame):
        self.sink.flush()
        self.sink.close()
        self.progress.finish()
        self.status(False, EXIT_INTERRUPTED, f"interrupted (Ctrl-C) while {self.progress.phase}", interrupted=True,
                    wall_seconds=round(time.perf_counter() - self.started, 3))
        sys.stderr.write(f"trtlog: interrupted; partial log kept in {self.bundle / 'build.log'}\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


def open_session(backend: str, trt, spec: BuildSpec, plan, inputs, argv, driver, bundle: Bundle, sink: LogSink,
                 progress: Progress, started: float, clock: PhaseClock):
    """env.json and the first config.json written and the session opened: from here every outcome leaves
    a bundle. Returns (session, the config document, GPU facts)."""
    gpu = gpu_info()
    env = collect_env(str(trt.__version__), "python", gpu, driver, backend=backend)
    config_doc = {"argv": argv or [], "backend": backend, "spec": spec.to_dict(), "plan": plan.to_dict(),
                  "inputs": [{"name": n, "shape": list(s), "dtype": t} for n, s, t in inputs]}
    session = Session(bundle, sink, progress, backend, started, clock, plan.notes)
    session.open(config_doc, env)
    return session, config_doc, gpu


def build_serialized(builder, network, config, progress: Progress, clock: PhaseClock):
    """builder.build_serialized_network, timed: (plan or None, the exception text or '', seconds)."""
    progress.set_phase("building")
    t0 = time.perf_counter()
    try:
        serialized = builder.build_serialized_network(network, config)
    except Exception as exc:   # noqa: BLE001  (the bindings raise plain RuntimeError/MemoryError)
        serialized, build_error = None, f"{type(exc).__name__}: {exc}"
    else:
        build_error = ""
    secs = time.perf_counter() - t0
    clock.mark("build")
    return serialized, build_error, secs
