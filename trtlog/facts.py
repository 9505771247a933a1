"""Facts: what one log (or bundle) says about its build, resolved once when it is loaded (`bl.facts`).

Every reader (report, fleet, repr, CLI) takes a fact from here instead of re-deciding it from `meta`
and the tables with its own precedence. Each fact keeps its evidence where it has one: the log line
that states it or the bundle file it came from (`facts.evidence["gpu"]` -> `line 79`, `env.json`).

Precedence, one rule per fact (the loader has already applied bundle-over-log for build_ok, failure,
build_seconds and the version in `meta`; see trtlog/parse/loader.py):
  version        TensorRT-RTX: the version env.json or a line states; TensorRT: the printed version
                 (or env.json's when the log prints none), else the version a run banner prints
  gpu            the GPU the log names first (or env.json's), else the device table's GPU / Device
  model          the model the log or config.json names, else a model option, else the command's flag
  engine size    status.json `engine_bytes` (exact), else the engine size the log prints
  memory totals  the last `Total ... Memory` per name (earlier ones are interim candidates)
  precision      config.json's builder flags or trtexec's first `Precision:` echo, then the other precisions
                 that echo names and the precision flags of the command lines (--fp16, --int8, --best, --bf16, --fp8)
  workspace      trtexec's first `Memory Pools: workspace: ...` (8.4+), else `Workspace: ...` echo
  GPU memory     the device table's first `... Global Memory: N MiB`
  sources off    the libraries trtexec's `Tactic sources:` echoes turn off ([OFF], -CUDNN)
  command profiles  --minShapes/--optShapes/--maxShapes of the command lines, a later line's shape of an input
                 replacing an earlier one
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

import pandas as pd

from .numbers import to_float, to_int
from .vocab import GiB, KiB, MiB, Version, find_version, format_shape, parse_shapes, precision_alias, precision_flag

if TYPE_CHECKING:        # pragma: no cover
    from .buildlog import BuildLog

TENSORRT, TENSORRT_RTX = "tensorrt", "tensorrt-rtx"


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: a log line, a bundle file, or nowhere known (both empty)."""
    line: Optional[int] = None
    file: str = ""

    def __bool__(self) -> bool:
        return self.line is not None or bool(self.file)

    def __str__(self) -> str:
        return f"line {self.line}" if self.line is not None else self.file


NOWHERE = Evidence()


@dataclass(frozen=True)
class ProfileRequest:
    """One input of one optimisation profile a bundle's config.json asked for (dims as '1x3x224x224')."""
    profile: int
    input: str
    min: str
    opt: str
    max: str
    added: Optional[bool]            # False: TensorRT rejected the profile; None: the bundle does not say


@dataclass(frozen=True)
class Facts:
    """The build facts of one BuildLog. Strings are '' and optional values None when the log does not say."""
    source: str = ""                 # the bundle directory, else the log path
    sources: Tuple[str, ...] = ()    # the files that fed the tables (a bundle's log and JSON files)
    producer: str = "unknown"        # trtexec | python | python-old | custom-logger | ultralytics | json | unknown
    backend: str = TENSORRT          # tensorrt | tensorrt-rtx
    trt_version: str = ""            # TensorRT version as printed or stated by env.json ('' when neither)
    trt_version_min: str = ""        # not printed: the lowest version whose message forms the log carries
    backend_version: str = ""        # TensorRT-RTX version as stated ('' when unknown)
    version_source: str = ""         # how the version is known: 'printed', 'env.json', 'not printed (>= 8.6: ...)'
    gpu: str = ""
    compute_capability: str = ""
    model: str = ""
    command: str = ""                # trtexec command line
    precision_requested: Tuple[str, ...] = ()   # canonical names (vocab), e.g. ('FP32', 'FP16')
    strongly_typed: Optional[bool] = None
    build_ok: Optional[bool] = None  # True built, False failed, None no build in the log
    engine_loaded: bool = False      # the log only deserializes an engine (build_ok is None)
    failure: str = ""                # one-line reason when build_ok is False
    runtime_failure: str = ""        # deserialising / running an engine failed (not a build failure)
    status: str = ""                 # PASSED / FAILED from trtexec's closing banner
    build_seconds: Optional[float] = None
    engine_bytes: Optional[int] = None
    memory_totals: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # name -> bytes
    engine_layers: int = 0
    tactic_sources: Tuple[str, ...] = ()            # bundle config: the tactic sources the build enabled
    tactic_sources_off: Tuple[str, ...] = ()        # trtexec's `Tactic sources:` echo: the sources turned off
    requested_profiles: Tuple[ProfileRequest, ...] = ()
    command_profiles: Tuple[ProfileRequest, ...] = ()   # the trtexec command's --min/opt/maxShapes (profile 0)
    workspace_bytes: Optional[int] = None            # the workspace pool trtexec echoes (None: default / not printed)
    gpu_memory_bytes: Optional[int] = None           # the device's global memory (trtexec's device information)
    driver: Optional[str] = None     # env.json nvidia_driver ('' = env.json names none; None = not stated)
    engine_trt_version: str = ""     # the version that wrote an engine plan this runtime refused ('' when none)
    evidence: Mapping[str, Evidence] = field(default_factory=lambda: MappingProxyType({}))

    # -- derived --------------------------------------------------------------------------------
    @property
    def rtx(self) -> bool:
        return self.backend == TENSORRT_RTX

    @property
    def version(self) -> Optional[Version]:
        """The version of what built the engine (TensorRT-RTX's own 1.x numbering for it), None when unknown."""
        return find_version(self.backend_version if self.rtx else self.trt_version)

    @property
    def version_text(self) -> str:
        """The stated version of what built the engine as written ('1.7.1.116', '8.6.0'), '' when unknown."""
        return self.backend_version if self.rtx else self.trt_version

    @property
    def trt_version_label(self) -> str:
        """For people: '10.8.0', '>= 8.6 (not printed)' or 'unknown'."""
        if self.trt_version:
            return self.trt_version
        if self.trt_version_min:
            return f">= {self.trt_version_min} (not printed)"
        return "unknown"

    @property
    def product(self) -> str:
        """'TensorRT 10.16.1', 'TensorRT-RTX 1.7.1', 'TensorRT-RTX (version unknown)', '' when nothing is known."""
        if self.rtx:
            return "TensorRT-RTX " + (self.backend_version or "(version unknown)")
        label = self.trt_version_label
        return f"TensorRT {label}" if label != "unknown" else ""

    @property
    def engine_size_mib(self) -> Optional[float]:
        return None if self.engine_bytes is None else self.engine_bytes / MiB

    def where(self, name: str) -> Evidence:
        """Evidence of fact `name` ('memory_totals.<name>' for one total); NOWHERE when it has none."""
        if name.split(".", 1)[0] not in _FIELDS:
            raise KeyError(f"unknown fact {name!r}")
        return self.evidence.get(name, NOWHERE)

    def __reduce__(self) -> Any:      # mappingproxy does not pickle: rebuild from plain dicts
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        return _rebuild, ({k: dict(v) if isinstance(v, Mapping) else v for k, v in state.items()},)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready: every fact, plus `evidence` {fact: {"line": N} or {"file": name}}."""
        out: Dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "evidence":
                v = {k: ({"line": e.line} if e.line is not None else {"file": e.file}) for k, e in v.items()}
            elif isinstance(v, Mapping):
                v = dict(v)
            elif isinstance(v, tuple):
                v = [asdict(x) if is_dataclass(x) and not isinstance(x, type) else x for x in v]
            out[f.name] = v
        return out


_FIELDS = frozenset(f.name for f in fields(Facts)) - {"evidence"}


def _rebuild(state: Dict[str, Any]) -> Facts:
    args: Dict[str, Any] = {k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in state.items()}
    return Facts(**args)


# -- computing them ------------------------------------------------------------------------------

_MODEL_KEYS = ("Model", "ONNX Model", "onnx", "Onnx", "deploy", "Prototxt", "uff", "loadEngine", "Load engine")
_MODEL_FLAGS = re.compile(r"--(onnx|deploy|uff|model|loadEngine)[= ](\S+)")
_GPU_KEYS = ("Selected Device", "GPU", "Device")
_PRECISION_FLAGS = (("--fp16", "FP16"), ("--int8", "INT8"), ("--best", "BEST"), ("--bf16", "BF16"), ("--fp8", "FP8"))
_POOL_WORKSPACE = re.compile(r"workspace:\s*[^,]*")
_SIZE = re.compile(r"(?:workspace:\s*)?([\d.]+)\s*(MiB|MB|GiB|KiB)?")       # trtexec echoes MiB (16 MB before 8.0)
_UNIT = {"MiB": MiB, "MB": MiB, "GiB": GiB, "KiB": KiB}
_GLOBAL_MEMORY = re.compile(r"([\d.]+)\s*MiB")
_SOURCE_OFF = re.compile(r"\[OFF\]|-cublas|-cudnn|-CUBLAS|-CUDNN")
_SHAPE_FLAGS = re.compile(r"--(min|opt|max)Shapes=(\S+)")
_BUILT_PHASES = ("Engine built", "Engine generation", "build engine")
# the refusals that name the plan's version ("expecting library version X got Y"; handler engine_version_mismatch)
_ENGINE_VERSION_IDS = ("err.version_mismatch_library", "err.version_mismatch_coded")


def _s(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _first(df: pd.DataFrame, col: str, value: Any, out: str = "line") -> Any:
    if not len(df):
        return None
    hit = df.loc[df[col] == value, out]
    return hit.iloc[0] if len(hit) else None


def _line(v: Any) -> Evidence:
    n = to_int(v)
    return Evidence(line=n) if n is not None else NOWHERE


def _option_rows(options: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of trtexec option `key` (any case), in line order."""
    return options[options["key"].astype(str).str.lower() == key.lower()] if len(options) else options


def _keyed(df: pd.DataFrame, keys: Tuple[str, ...]) -> Tuple[str, Evidence]:
    """First non-blank value of the first key that has one (device / options tables)."""
    if not len(df):
        return "", NOWHERE
    for key in keys:
        hit = df[df["key"] == key]
        for v, line in zip(hit["value"], hit["line"]):
            if _s(v).strip():
                return _s(v).strip(), _line(line)
    return "", NOWHERE


class _Builder:
    def __init__(self, bl: "BuildLog"):
        self.bl, self.meta, self.t, self.docs = bl, bl.meta, bl.tables, bl.bundle
        self.values: Dict[str, Any] = {}
        self.evidence: Dict[str, Evidence] = {}
        bundle_files = {str(s).replace("\\", "/").rsplit("/", 1)[-1] for s in self.meta.get("sources") or []}
        self.files = bundle_files if self.meta.get("bundle") else set()

    def put(self, name: str, value: Any, where: Evidence = NOWHERE) -> None:
        self.values[name] = value
        if where:
            self.evidence[name] = where

    def file(self, name: str) -> Evidence:
        return Evidence(file=name) if name in self.files else NOWHERE

    # each method resolves one fact (see the module docstring for the precedence)
    def version(self) -> None:
        m = self.meta
        source = _s(m.get("trt_version_source"))
        if m.get("backend") == TENSORRT_RTX:
            v = _s(m.get("backend_version"))
            where = self.file("env.json") if m.get("backend_version_source") == "env.json" else NOWHERE
            self.put("backend_version", "" if v == "unknown" else v, where)
            self.put("version_source", _s(m.get("backend_version_source")))
            self.put("trt_version", _s(m.get("trt_version")))
            return
        v = _s(m.get("trt_version"))
        where = NOWHERE
        if v and source == "env.json":
            where = self.file("env.json")
        elif v:
            where = self._version_line(v)
        else:
            runs = self.t["runs"]
            for rv, line in zip(runs["trt_version"], runs["line"]):
                if _s(rv).strip():
                    v, where = _s(rv).strip(), _line(line)
                    break
        self.put("trt_version", v, where)
        self.put("trt_version_min", _s(m.get("trt_version_min")))
        self.put("version_source", source)

    def engine_version(self) -> None:
        v = _s(self.meta.get("engine_trt_version"))
        msgs = self.t["messages"]
        hit = msgs[msgs["msg_id"].isin(_ENGINE_VERSION_IDS)] if v and len(msgs) else msgs.iloc[:0]
        self.put("engine_trt_version", v, _line(hit["line"].iloc[0]) if len(hit) else NOWHERE)

    def _version_line(self, v: str) -> Evidence:
        """First line that states version `v`: a device-table row or a run banner."""
        lines = []
        dev = self.t["device"]
        if len(dev):
            hit = dev[dev["key"] == "TensorRT version"]
            lines += [int(n) for n, val in zip(hit["line"], hit["value"])
                      if _s(val) == v or str(find_version(val) or "") == v]
        runs = self.t["runs"]
        lines += [int(n) for n, rv in zip(runs["line"], runs["trt_version"]) if _s(rv) == v]
        return Evidence(line=min(lines)) if lines else NOWHERE

    def device(self) -> None:
        gpu, where = _s(self.meta.get("gpu")), NOWHERE
        dev_gpu, dev_where = _keyed(self.t["device"], _GPU_KEYS)
        env = self.docs.env
        if gpu and dev_gpu == gpu:
            where = dev_where
        elif gpu and env is not None and gpu == _s(env.gpu_label):
            where = self.file("env.json")
        elif not gpu:
            gpu, where = dev_gpu, dev_where
        self.put("gpu", gpu, where)
        cc, where = _s(self.meta.get("compute_capability")), NOWHERE
        dev_cc, dev_where = _keyed(self.t["device"], ("Compute Capability",))
        if cc and cc == dev_cc:
            where = dev_where
        elif cc and env is not None and cc == _s(env.compute_capability):
            where = self.file("env.json")
        self.put("compute_capability", cc, where)

    def command_and_model(self) -> None:
        runs = self.t["runs"]
        cmd, where = _s(self.meta.get("command")), NOWHERE
        if cmd:
            where = _line(_first(runs, "command", cmd, out="command_line"))
        else:
            for c, line in zip(runs["command"], runs["command_line"]):
                if _s(c).strip():
                    cmd, where = _s(c).strip(), _line(line)
                    break
        self.put("command", cmd, where)
        model = _s(self.meta.get("model"))
        if model:
            cfg = self.docs.config
            where = self.file("config.json") if cfg is not None and cfg.spec is not None and cfg.model == model \
                else NOWHERE
            self.put("model", model, where)
            return
        model, where = _keyed(self.t["options"], _MODEL_KEYS)
        if not model:
            m = _MODEL_FLAGS.search(cmd)
            model, where = (m.group(2), self.evidence.get("command", NOWHERE)) if m else ("", NOWHERE)
        self.put("model", model, where)

    def precision(self) -> None:
        req = [precision_alias(p) or str(p) for p in self.meta.get("precision_requested") or ()]
        where = self.file("config.json") if "config.json" in self.files else NOWHERE
        if not where:
            _, where = _keyed(self.t["options"], ("Precision",))
        # what the echo and the command lines add (a log without the echo, several runs)
        echo = _option_rows(self.t["options"], "Precision")
        more = re.split(r"[+,\s]+", _s(echo["value"].iloc[0])) if len(echo) else []
        commands = " ".join(self._commands())
        more += [name for flag, name in _PRECISION_FLAGS if re.search(re.escape(flag) + r"(?![\w-])", commands)]
        for flag in map(precision_flag, more):
            for p in ("FP16", "INT8") if flag == "BEST" else (flag,):    # --best: FP16 and INT8 kernels allowed
                if not p or p in req:
                    continue
                if not req and not where:
                    where = self.evidence.get("command", NOWHERE)
                req.append(p)
        self.put("precision_requested", tuple(req), where if req else NOWHERE)
        st = self.meta.get("strongly_typed")
        self.put("strongly_typed", None if st is None else bool(st))

    def _commands(self) -> List[str]:
        """The command line fact, then each run's (a multi-run log's later commands)."""
        return [self.values.get("command", "")] + [_s(c) for c in self.t["runs"]["command"] if _s(c)]

    def trtexec_config(self) -> None:
        options = self.t["options"]
        for key in ("Memory Pools", "Workspace"):
            hit = _option_rows(options, key)
            if not len(hit):
                continue
            value = _s(hit["value"].iloc[0])
            if key == "Memory Pools":
                pool = _POOL_WORKSPACE.search(value)
                value = pool.group(0) if pool else ""
            size = _SIZE.search(value)
            try:
                n = int(round(float(size.group(1)) * _UNIT[size.group(2) or "MiB"])) if size else None
            except ValueError:          # '1.2.3'
                n = None
            self.put("workspace_bytes", n, _line(hit["line"].iloc[0]))     # the line also when it is the default
            break
        dev = self.t["device"]
        if len(dev):
            hit = dev[dev["key"].astype(str).str.contains("Global Memory", case=False)]
            size = _GLOBAL_MEMORY.search(_s(hit["value"].iloc[0])) if len(hit) else None
            if size:
                try:
                    self.put("gpu_memory_bytes", int(float(size.group(1)) * MiB), _line(hit["line"].iloc[0]))
                except ValueError:
                    pass
        off: List[str] = []
        where = NOWHERE
        sources = _option_rows(options, "Tactic sources")
        for value, line in zip(sources["value"], sources["line"]) if len(sources) else ():
            value = _s(value)
            if _SOURCE_OFF.search(value):
                where = where or _line(line)
                for name in re.findall(r"(\w+) \[OFF\]", value) + re.findall(r"-(\w+)", value):
                    if name not in off:
                        off.append(name)
        self.put("tactic_sources_off", tuple(off), where)

    def command_profiles(self) -> None:
        specs: Dict[str, Dict[str, Tuple[int, ...]]] = {}
        for kind, spec in _SHAPE_FLAGS.findall(" ".join(self._commands())):
            specs.setdefault(kind, {}).update(parse_shapes(spec, lenient=True))
        names = list(dict.fromkeys([*specs.get("max", {}), *specs.get("min", {}), *specs.get("opt", {})]))
        dims = {kind: {n: format_shape(d) if d else "()" for n, d in got.items()} for kind, got in specs.items()}
        profiles = tuple(ProfileRequest(profile=0, input=n, min=dims.get("min", {}).get(n, ""),
                                        opt=dims.get("opt", {}).get(n, ""), max=dims.get("max", {}).get(n, ""),
                                        added=None) for n in names)
        self.put("command_profiles", profiles, self.evidence.get("command", NOWHERE) if profiles else NOWHERE)

    def build(self) -> None:
        m, errors = self.meta, self.t["errors"]
        status_file = self.file("status.json")
        ok = m.get("build_ok")
        ok = None if ok is None else bool(ok)
        self.put("engine_loaded", bool(m.get("engine_loaded")))
        self.put("status", _s(m.get("status")))
        failure = _s(m.get("failure"))
        if failure:
            where = _line(errors["line"].iloc[0]) if len(errors) and _s(errors["text"].iloc[0])[:300] == failure \
                else status_file
            self.put("failure", failure, where)
        if ok is False:
            self.put("build_ok", ok, self.evidence.get("failure", status_file))
        elif ok is True:
            self.put("build_ok", ok, status_file or self._built_line())
        else:
            self.put("build_ok", ok)
        rf = _s(m.get("runtime_failure"))
        self.put("runtime_failure", rf, _line(m.get("runtime_failure_line")) if rf else NOWHERE)
        secs = to_float(m.get("build_seconds"))
        where = NOWHERE
        if secs is not None:
            status = self.docs.status
            if status is not None and to_float(status.build_seconds) == secs:
                where = status_file
            else:
                ph = self.t["phases"]
                hit = ph[ph["phase"].isin(_BUILT_PHASES) & (ph["seconds"] == secs)]
                where = _line(hit["line"].iloc[-1]) if len(hit) else NOWHERE
        self.put("build_seconds", secs, where)

    def _built_line(self) -> Evidence:
        ph = self.t["phases"]
        hit = ph[ph["phase"].isin(("Engine built", "Engine generation"))]
        return _line(hit["line"].iloc[-1]) if len(hit) else NOWHERE

    def memory(self) -> None:
        mem = self.t["memory"]
        status = self.docs.status
        size = to_int(status.engine_bytes) if status is not None and status.engine_bytes else None
        if size is not None:
            self.put("engine_bytes", size, self.file("status.json"))
        else:
            mib = to_float(self.meta.get("engine_size_mib"))
            if mib is not None:
                hit = mem[(mem["kind"] == "engine_size") & (mem["gpu_mib"] == mib)] if len(mem) else mem
                self.put("engine_bytes", int(round(mib * MiB)), _line(hit["line"].iloc[-1]) if len(hit) else NOWHERE)
        totals: Dict[str, int] = {}
        if len(mem):
            tot = mem[(mem["kind"] == "total") & mem["bytes"].notna()]
            for name, b, line in zip(tot["name"], tot["bytes"], tot["line"]):
                totals[_s(name)] = int(b)
                self.evidence[f"memory_totals.{_s(name)}"] = _line(line)
        self.put("memory_totals", MappingProxyType(totals))
        self.put("engine_layers", to_int(self.meta.get("engine_layers")) or int(len(self.t["layers"])))

    def bundle_config(self) -> None:
        m = self.meta
        sources = tuple(str(t) for t in m.get("tactic_sources") or ())
        self.put("tactic_sources", sources, self.file("config.json") if sources else NOWHERE)
        profiles = tuple(ProfileRequest(profile=int(p["profile"]), input=str(p["input"]), min=str(p["min"]),
                                        opt=str(p["opt"]), max=str(p["max"]), added=p.get("added"))
                         for p in m.get("requested_profiles") or ())
        self.put("requested_profiles", profiles, self.file("config.json") if profiles else NOWHERE)
        driver = self.docs.env.nvidia_driver if self.docs.env is not None else None
        if driver is not None:
            self.put("driver", str(driver), self.file("env.json"))

    def facts(self) -> Facts:
        m = self.meta
        self.version()
        self.engine_version()
        self.device()
        self.command_and_model()
        self.precision()
        self.trtexec_config()
        self.command_profiles()
        self.build()
        self.memory()
        self.bundle_config()
        return Facts(source=str(m.get("bundle") or self.bl.path),
                     sources=tuple(str(p) for p in m.get("sources") or ()), producer=_s(m.get("producer")) or "unknown",
                     backend=TENSORRT_RTX if m.get("backend") == TENSORRT_RTX else TENSORRT,
                     evidence=MappingProxyType(dict(self.evidence)), **self.values)


def compute(bl: "BuildLog") -> Facts:
    """The facts of `bl` from its meta and tables (the loader calls this once; see BuildLog.facts)."""
    return _Builder(bl).facts()
