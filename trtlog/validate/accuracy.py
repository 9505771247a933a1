"""`trtlog validate`: the engine against ONNX Runtime on the same inputs, output by output."""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import TrtlogError
from . import inputs as I
from .metrics import compare, verdict

SCHEMA = "trtlog.validate/1"


# -- ENGINE_OR_BUNDLE and result files ------------------------------------------------------------

def resolve_target(path) -> Tuple[Path, Optional[Path]]:
    """(engine file, bundle dir or None). A directory is a bundle and must hold engine.plan; an
    engine.plan next to a config.json or status.json is inside a bundle too."""
    p = Path(path)
    if p.is_dir():
        eng = p / "engine.plan"
        if not eng.is_file():
            raise TrtlogError(f"{p} is a directory without engine.plan (not a built bundle)")
        return eng, p
    if not p.exists():
        raise TrtlogError(f"engine not found: {path}")
    if p.name == "engine.plan" and ((p.parent / "config.json").is_file() or (p.parent / "status.json").is_file()):
        return p, p.parent
    return p, None


def result_path(bundle: Optional[Path], output: Optional[str], name: str, force: bool) -> Optional[Path]:
    """Where the JSON result goes (--output, else <bundle>/NAME, else nowhere); refuses to overwrite."""
    target = Path(output) if output else (bundle / name if bundle is not None else None)
    if target is not None and target.exists() and not force:
        raise TrtlogError(f"{target} exists; pass --force to overwrite it")
    return target


def write_result(path: Path, doc: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=_json_default) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    return str(o)


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def model_from_bundle(bundle: Path) -> Optional[Path]:
    """The ONNX model a bundle was built from: config.json spec.model (or model), resolved as given,
    then relative to the bundle; else a model.onnx copied into the bundle."""
    cands: List[Path] = []
    cfg = bundle / "config.json"
    if cfg.is_file():
        try:
            doc = json.loads(cfg.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
        for m in ((doc.get("spec") or {}).get("model"), doc.get("model")):
            if m:
                cands += [Path(m), bundle / m, bundle / Path(m).name]
    cands.append(bundle / "model.onnx")
    for c in cands:
        if c.is_file():
            return c
    return None


# -- stacking sets ------------------------------------------------------------------------------

def stack_sets(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Join one output's values over the input sets: along the batch axis when they have one (so a
    (N, C) classifier output becomes (sets*N, C)), else as new leading rows; ragged shapes flatten."""
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) == 1:
        return arrays[0]
    shapes = {a.shape for a in arrays}
    if len(shapes) == 1:
        return np.concatenate(arrays, axis=0) if arrays[0].ndim >= 2 else np.stack(arrays)
    return np.concatenate([a.ravel() for a in arrays])


# -- the comparison ---------------------------------------------------------------------------------

def compare_outputs(engine_sets: Sequence[Dict[str, np.ndarray]], ref_sets: Sequence[Dict[str, np.ndarray]],
                    names: Sequence[str], atol: float, rtol: float, max_outside: float,
                    min_argmax: Optional[float] = None, min_cosine: Optional[float] = None) -> List[dict]:
    rows = []
    for name in names:
        row: Dict[str, object] = {"name": name}
        if any(name not in s for s in engine_sets):
            row.update(passed=False, reasons=[f"{name!r} is not an output of the engine"])
            rows.append(row)
            continue
        eng = [s[name] for s in engine_sets]
        ref = [s[name] for s in ref_sets]
        row["shape"] = list(np.asarray(ref[0]).shape)
        row["engine_dtype"] = str(np.asarray(eng[0]).dtype)
        row["reference_dtype"] = str(np.asarray(ref[0]).dtype)
        try:
            st = compare(stack_sets(eng), stack_sets(ref), atol, rtol)
        except ValueError as exc:
            row.update(passed=False, reasons=[str(exc)])
            rows.append(row)
            continue
        row.update(st)
        reasons = verdict(st, max_outside, min_argmax, min_cosine)
        row.update(passed=not reasons, reasons=reasons)
        rows.append(row)
    return rows


def validate_engine(model, target, *, inputs_file: Optional[str] = None, random: Optional[int] = None,
                    reference: Optional[str] = None, seed: int = 0, shapes: Optional[Dict[str, tuple]] = None,
                    batch: Optional[int] = None, atol: float = 1e-3, rtol: float = 1e-3, max_outside: float = 0.0,
                    min_argmax: Optional[float] = None, min_cosine: Optional[float] = None,
                    per_layer: bool = False, top: int = 10, device: int = 0,
                    precisions: Sequence[str] = (), progress=None) -> dict:
    """Run everything and return the validate.json document (raises TrtlogError for bad input)."""
    from .trt_runner import CudaContext, EngineRunner, require_runtime
    say = progress or (lambda msg: None)
    engine_path, bundle = resolve_target(target)
    model = Path(model)
    if not model.is_file():
        raise TrtlogError(f"ONNX model not found: {model}")
    if sum(x is not None for x in (inputs_file, random, reference)) > 1:
        raise TrtlogError("give one of --inputs, --random, --reference")
    trt, cuda = require_runtime()
    ort_runner = None
    if reference is None:
        from .ort_runner import OrtRunner, import_ort
        import_ort()

    ctx = CudaContext(device)
    try:
        with EngineRunner(engine_path, cuda_ctx=ctx) as runner:
            order: List[str] = []
            intermediates: Optional[Dict[str, np.ndarray]] = None
            if reference is not None:
                sets, ref_sets, meta = I.read_sets(reference)
                if ref_sets is None:
                    raise TrtlogError(f"{reference} holds no reference outputs (write it with "
                                      "python -m trtlog.validate.ort_runner)")
                names = list(meta.get("graph_outputs") or ref_sets[0].keys())
                order = list(meta.get("order") or [])
                if order:
                    intermediates = ref_sets[0]
                source = {"source": "reference", "file": str(reference), "sets": len(sets),
                          "seed": meta.get("seed"), "onnxruntime": meta.get("onnxruntime")}
                ort_version = meta.get("onnxruntime")
            else:
                say("running ONNX Runtime")
                ort_runner = OrtRunner(model)
                names = list(ort_runner.outputs)
                if inputs_file:
                    sets, _, _ = I.read_sets(inputs_file)
                    I.check_inputs(sets, ort_runner.specs)
                    source = {"source": "npz", "file": str(inputs_file), "sets": len(sets)}
                else:
                    n = 1 if random is None else random
                    resolved = {}
                    profiles = {t.name: t.profile[1] for t in runner.inputs if t.profile is not None}
                    for spec in ort_runner.specs:
                        resolved[spec.name] = I.resolve_shape(spec, shapes or {}, profiles.get(spec.name), batch)
                    sets = I.random_sets(ort_runner.specs, resolved, n, seed)
                    source = {"source": "random", "sets": n, "seed": seed}
                ref_sets = [ort_runner.run(s, names) for s in sets]
                ort_version = ort_runner.version
            source["shapes"] = {k: list(np.asarray(v).shape) for k, v in sets[0].items()}

            say(f"running the engine on {len(sets)} input set(s)")
            engine_sets = [runner.infer(s) for s in sets]
            rows = compare_outputs(engine_sets, ref_sets, names, atol, rtol, max_outside, min_argmax, min_cosine)
            api = runner.api_name
            gpu = ctx.name

        per_layer_doc = None
        if per_layer:
            from .per_layer import run_per_layer
            if intermediates is None:
                if reference is not None:
                    raise TrtlogError(f"--per-layer: {reference} holds no intermediate tensors "
                                      "(write it with python -m trtlog.validate.ort_runner --per-layer)")
                say("running ONNX Runtime with every intermediate tensor as an output")
                from .ort_runner import OrtRunner as _Ort
                full = _Ort(model, intermediates=True)
                try:
                    intermediates = full.run(sets[0], full.available)
                    order = full.order
                finally:
                    full.close()
            say("building the debug engine with intermediate outputs (this takes a while)")
            try:
                per_layer_doc = run_per_layer(str(model), bundle, sets[0], intermediates, order, atol, rtol,
                                              cuda_ctx=ctx, precisions=precisions, top=top)
            except TrtlogError as exc:   # the output comparison above still stands
                per_layer_doc = {"error": str(exc)}
                say(f"--per-layer failed: {exc}")
    finally:
        if ort_runner is not None:
            ort_runner.close()
        ctx.close()

    passed = bool(rows) and all(r["passed"] for r in rows)
    return {
        "schema": SCHEMA,
        "status": "PASS" if passed else "FAIL",
        "passed": passed,
        "model": str(model),
        "engine": str(engine_path),
        "bundle": str(bundle) if bundle is not None else None,
        "criteria": {"atol": atol, "rtol": rtol, "max_outside": max_outside, "min_argmax": min_argmax,
                     "min_cosine": min_cosine},
        "inputs": source,
        "outputs": rows,
        "per_layer": per_layer_doc,
        "runtime": {"tensorrt": str(getattr(trt, "__version__", "")), "onnxruntime": ort_version,
                    "api": api, "gpu": gpu, "pycuda": getattr(cuda, "VERSION_TEXT", None) or _pycuda_version()},
        "created": now(),
    }


def _pycuda_version() -> Optional[str]:
    try:
        import pycuda
        return getattr(pycuda, "VERSION_TEXT", None)
    except ImportError:
        return None
