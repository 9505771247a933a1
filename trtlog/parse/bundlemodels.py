"""Typed, frozen views of the JSON documents a bundle holds (status.json, config.json, env.json,
validate.json, bench.json), one class per file.

bundlejson.py checks each document against its spec first (a wrong type is a one-line error, exit 2)
and then builds the object here with `from_doc`, so these constructors only pick checked values out.
Each object keeps the checked document as `raw` (read-only) for what shows it as a whole: the report
header lists every env.json key, the report's validation section shows every validate.json key.
The loader attaches them to the BuildLog as `bl.bundle` (see docs/api.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Optional, Tuple

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


def _ro(v: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(v)) if isinstance(v, dict) else _EMPTY


@dataclass(frozen=True)
class Step:
    """One engine build of a bundle that holds several steps (status.json `builds[i]`)."""
    model: Optional[str] = None
    ok: Optional[bool] = None
    deserialized: Optional[bool] = None
    build_seconds: Optional[float] = None
    engine_bytes: Optional[int] = None

    @classmethod
    def from_doc(cls, d: dict) -> "Step":
        return cls(model=d.get("model"), ok=d.get("ok"), deserialized=d.get("deserialized"),
                   build_seconds=d.get("build_seconds"), engine_bytes=d.get("engine_bytes"))


@dataclass(frozen=True)
class Status:
    """status.json: how the build (or the several steps of `builds`) ended."""
    ok: Optional[bool] = None
    exit_code: Optional[int] = None
    error: Optional[str] = None
    build_seconds: Optional[float] = None
    engine_bytes: Optional[int] = None
    builds: Tuple[Step, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=_empty, repr=False)

    @classmethod
    def from_doc(cls, d: dict) -> "Status":
        return cls(ok=d.get("ok"), exit_code=d.get("exit_code"), error=d.get("error"),
                   build_seconds=d.get("build_seconds"), engine_bytes=d.get("engine_bytes"),
                   builds=tuple(Step.from_doc(b) for b in d.get("builds") or ()), raw=_ro(d))


@dataclass(frozen=True)
class Env:
    """env.json: the machine and library versions of the build. Versions and the compute capability
    are kept as written (a string or a number)."""
    tensorrt: Any = None
    tensorrt_rtx: Any = None
    backend: Optional[str] = None
    gpu: Optional[str] = None
    gpu_name: Optional[str] = None
    compute_capability: Any = None
    nvidia_driver: Any = None
    raw: Mapping[str, Any] = field(default_factory=_empty, repr=False)

    @property
    def gpu_label(self) -> Optional[str]:
        """`gpu`, else `gpu_name` (older bundles)."""
        return self.gpu or self.gpu_name

    @property
    def rtx(self) -> bool:
        """The build used TensorRT-RTX."""
        return str(self.backend or "").lower() in ("rtx", "tensorrt-rtx", "tensorrt_rtx") or bool(self.tensorrt_rtx)

    @classmethod
    def from_doc(cls, d: dict) -> "Env":
        return cls(tensorrt=d.get("tensorrt"), tensorrt_rtx=d.get("tensorrt_rtx"), backend=d.get("backend"),
                   gpu=d.get("gpu"), gpu_name=d.get("gpu_name"), compute_capability=d.get("compute_capability"),
                   nvidia_driver=d.get("nvidia_driver"), raw=_ro(d))


@dataclass(frozen=True)
class Config:
    """config.json: the build spec (`spec`, or the whole document in flat configs) and plan parts the
    readers use. `precisions` is None where the spec has no such key (an empty list is a request of
    FP32 only)."""
    spec: Optional[Mapping[str, Any]] = None
    model: Any = None
    precisions: Optional[Tuple[Any, ...]] = None
    best: bool = False
    strongly_typed: bool = False
    profiles_added: Optional[Tuple[int, ...]] = None
    tactic_sources: Tuple[str, ...] = ()
    layer_precisions_applied: Tuple[str, ...] = ()
    layer_precisions: Mapping[str, str] = field(default_factory=_empty)
    builder_flags: Tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=_empty, repr=False)

    @classmethod
    def from_doc(cls, d: dict) -> "Config":
        spec = d.get("spec", d)
        plan: Mapping[str, Any] = _ro(d.get("plan"))
        added = d.get("profiles_added")
        kw: dict = {}
        if isinstance(spec, dict):
            kw = dict(spec=_ro(spec), model=spec.get("model"), best=bool(spec.get("best")),
                      strongly_typed=bool(spec.get("strongly_typed")),
                      precisions=tuple(spec.get("precisions") or ()) if "precisions" in spec else None)
        return cls(profiles_added=tuple(added) if isinstance(added, list) else None,
                   tactic_sources=tuple(str(t).upper() for t in plan.get("tactic_sources") or ()),
                   layer_precisions_applied=tuple(str(n) for n in d.get("layer_precisions_applied") or ()),
                   layer_precisions=_ro(plan.get("layer_precisions")),
                   builder_flags=tuple(plan.get("builder_flags") or ()), raw=_ro(d), **kw)


@dataclass(frozen=True)
class Output:
    """One engine output compared with ONNX Runtime (validate.json `outputs[i]`)."""
    name: str = "?"
    passed: Optional[bool] = None
    max_abs_ref: Optional[float] = None
    max_abs_err: Optional[float] = None
    rel_l2: Optional[float] = None
    cosine: Optional[float] = None
    engine_nonfinite: Mapping[str, Optional[float]] = field(default_factory=_empty)
    reference_nonfinite: Mapping[str, Optional[float]] = field(default_factory=_empty)
    reasons: Tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=_empty, repr=False)

    @classmethod
    def from_doc(cls, d: dict) -> "Output":
        return cls(name=d.get("name", "?"), passed=d.get("passed"), max_abs_ref=d.get("max_abs_ref"),
                   max_abs_err=d.get("max_abs_err"), rel_l2=d.get("rel_l2"), cosine=d.get("cosine"),
                   engine_nonfinite=_ro(d.get("engine_nonfinite")),
                   reference_nonfinite=_ro(d.get("reference_nonfinite")),
                   reasons=tuple(d.get("reasons") or ()), raw=_ro(d))


@dataclass(frozen=True)
class Validation:
    """validate.json: the engine's outputs against ONNX Runtime on the same inputs."""
    status: Optional[str] = None
    passed: Optional[bool] = None
    outputs: Tuple[Output, ...] = ()
    first_jump: Optional[Mapping[str, Any]] = None     # per_layer.first_jump: where a per-layer run diverges
    raw: Mapping[str, Any] = field(default_factory=_empty, repr=False)

    @classmethod
    def from_doc(cls, d: dict) -> "Validation":
        per_layer = _ro(d.get("per_layer"))
        jump = per_layer.get("first_jump")
        return cls(status=d.get("status"), passed=d.get("passed"),
                   outputs=tuple(Output.from_doc(o) for o in d.get("outputs") or ()),
                   first_jump=_ro(jump) if isinstance(jump, dict) else None, raw=_ro(d))


@dataclass(frozen=True)
class Bench:
    """bench.json: timing statistics per metric (`metrics[metric][stat]`) and their units."""
    metrics: Mapping[str, Mapping[str, Optional[float]]] = field(default_factory=_empty)
    units: Mapping[str, str] = field(default_factory=_empty)

    @classmethod
    def from_doc(cls, d: dict) -> "Bench":
        metrics = d.get("metrics") or {}
        return cls(metrics=MappingProxyType({k: _ro(v) for k, v in metrics.items()}), units=_ro(d.get("units")))


@dataclass(frozen=True)
class Bundle:
    """The JSON documents of one bundle directory; None where the file is absent."""
    status: Optional[Status] = None
    config: Optional[Config] = None
    env: Optional[Env] = None
    validation: Optional[Validation] = None
    bench: Optional[Bench] = None
