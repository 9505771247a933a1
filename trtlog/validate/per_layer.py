"""--per-layer: where does the engine first go wrong?

A debug engine is built from the same ONNX with the same builder settings (the bundle's config.json
spec, re-planned for the installed TensorRT), with every floating-point intermediate tensor that ONNX
Runtime also produces marked as a network output. Both sides run input set 0; tensors are compared
in graph order, ranked by relative L2 error, and the first tensor whose error jumps is named.

Caveat (Polygraphy documents the same): marking a tensor as an output forces it to be materialized,
so TensorRT cannot fuse across it. The debug engine is therefore not the engine that was validated —
an error that only appears inside a fusion can vanish here, and the other way round.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..errors import TrtlogError
from .metrics import compare

FUSION_WARNING = ("marking intermediate tensors as outputs prevents TensorRT from fusing across them: "
                  "the debug engine's layers, tactics and precisions can differ from the validated engine "
                  "(Polygraphy documents the same effect)")
JUMP_FACTOR = 10.0
JUMP_FLOOR = 1e-3   # relative L2 below this is never called a jump (FP16 rounding lives around 1e-3)


def first_jump(rows: Sequence[Dict[str, object]], factor: float = JUMP_FACTOR,
               floor: float = JUMP_FLOOR) -> Optional[Dict[str, object]]:
    """First row (graph order) whose rel_l2 is >= floor and >= factor x the largest rel_l2 before it.
    A non-finite error counts as infinitely large. Rows need 'name' and 'rel_l2'."""
    worst = 0.0
    for i, row in enumerate(rows):
        err = float(row["rel_l2"])
        if not math.isfinite(err):
            err = math.inf
        if err >= floor and err >= factor * max(worst, floor / factor):
            before = worst
            return {"index": i, "name": row["name"], "rel_l2": err, "previous_max_rel_l2": before,
                    "ratio": (err / before) if before > 0 else None, "layer": row.get("layer")}
        worst = max(worst, err)
    return None


def compare_tensors(trt_values: Dict[str, np.ndarray], ort_values: Dict[str, np.ndarray], order: Sequence[str],
                    atol: float, rtol: float, producers: Optional[Dict[str, dict]] = None) -> List[Dict[str, object]]:
    """One row per tensor present on both sides, in `order` (ONNX graph order)."""
    rows = []
    for name in order:
        if name not in trt_values or name not in ort_values:
            continue
        a, e = np.asarray(trt_values[name]), np.asarray(ort_values[name])
        if a.shape != e.shape:
            if a.size == e.size:
                a = a.reshape(e.shape)
            else:
                rows.append({"name": name, "shape_mismatch": [list(a.shape), list(e.shape)],
                             "rel_l2": math.inf, "max_abs_err": math.inf})
                continue
        st = compare(a, e, atol, rtol)
        bad_nonfinite = (st["engine_nonfinite"]["nan"] + st["engine_nonfinite"]["inf"]
                         > st["reference_nonfinite"]["nan"] + st["reference_nonfinite"]["inf"])
        row = {"name": name, "shape": list(e.shape),
               "rel_l2": math.inf if bad_nonfinite else st["rel_l2"],
               "max_abs_err": st["max_abs_err"], "mean_abs_err": st["mean_abs_err"],
               "cosine": st["cosine"], "outside_tol": st["outside_tol"],
               "engine_nonfinite": st["engine_nonfinite"]}
        if producers and name in producers:
            row.update(producers[name])
        rows.append(row)
    return rows


def summarize(rows: List[Dict[str, object]], top: int = 10) -> Dict[str, object]:
    ranked = sorted(rows, key=lambda r: (-_key(r["rel_l2"]), r["name"]))
    return {"warning": FUSION_WARNING, "compared": len(rows),
            "first_jump": first_jump(rows), "ranked": ranked[:top], "graph_order": rows}


def _key(v) -> float:
    v = float(v)
    return 1e308 if not math.isfinite(v) else v


# -- the debug build (TensorRT) ----------------------------------------------------------------------

def _spec_from_bundle(model: str, bundle: Optional[Path], precisions: Sequence[str]):
    from ..run.options import BuildSpec
    spec_doc = {}
    if bundle is not None and (bundle / "config.json").is_file():
        try:
            spec_doc = json.loads((bundle / "config.json").read_text(encoding="utf-8")).get("spec") or {}
        except (OSError, ValueError):
            spec_doc = {}
    fields = set(BuildSpec.__dataclass_fields__)
    kwargs = {k: v for k, v in spec_doc.items() if k in fields}
    for k in ("shapes", "min_shapes", "opt_shapes", "max_shapes"):
        kwargs[k] = {n: tuple(v) for n, v in (kwargs.get(k) or {}).items()}
    kwargs["model"] = str(model)
    if not spec_doc:
        kwargs["precisions"] = [p for p in precisions]
    # calibration is never re-run: the bundle's cache (if any) supplies the INT8 scales
    kwargs["calib_data"] = None
    kwargs["timing_cache"] = None
    cache = bundle / "calibration.cache" if bundle is not None else None
    kwargs["calib_cache"] = str(cache) if cache is not None and cache.is_file() else None
    return BuildSpec(**kwargs)


def _cache_calibrator(trt, cache: bytes):
    """A calibrator that only hands TensorRT the existing cache (the header names the algorithm)."""
    head = cache[:64].decode("ascii", "replace")
    base = trt.IInt8EntropyCalibrator2
    for tag, cls in (("EntropyCalibration2", "IInt8EntropyCalibrator2"),
                     ("EntropyCalibration", "IInt8EntropyCalibrator"),
                     ("MinMaxCalibration", "IInt8MinMaxCalibrator"), ("LegacyCalibration", "IInt8LegacyCalibrator")):
        if tag in head and hasattr(trt, cls):
            base = getattr(trt, cls)
            break

    class CacheCalibrator(base):
        def __init__(self):
            base.__init__(self)

        def get_batch_size(self):
            return 1

        def get_batch(self, names, *args):
            return None   # no data: TensorRT must use the cache

        def read_calibration_cache(self):
            return cache

        def write_calibration_cache(self, data):
            return None

        # legacy calibrator extras
        def get_quantile(self):
            return 0.9999

        def get_regression_cutoff(self):
            return 1.0

        def read_histogram_cache(self, *args):
            return None

        def write_histogram_cache(self, *args):
            return None

    return CacheCalibrator()


def build_debug_engine(model: str, bundle: Optional[Path], keep: Sequence[str], precisions: Sequence[str] = (),
                       notes: Optional[List[str]] = None) -> tuple:
    """Returns (serialized engine bytes, {tensor: {"layer", "layer_type"}}, marked names)."""
    from ..run.options import apply_plan, network_flags_value, plan_config
    from .trt_runner import _make_logger, import_trt
    trt = import_trt()
    notes = notes if notes is not None else []
    spec = _spec_from_bundle(model, bundle, precisions)
    plan = plan_config(spec, trt)
    notes.extend(plan.notes)
    logger = _make_logger(trt)
    builder = trt.Builder(logger)
    network = builder.create_network(network_flags_value(plan, trt))
    parser = trt.OnnxParser(network, logger)
    ok = (parser.parse_from_file(str(model)) if hasattr(parser, "parse_from_file")
          else parser.parse(Path(model).read_bytes()))
    if not ok:
        errs = [str(parser.get_error(i)) for i in range(parser.num_errors)]
        raise TrtlogError(f"TensorRT's ONNX parser failed on {model}: {errs[0] if errs else 'no message'}")

    wanted = set(keep)
    floats = {trt.DataType.FLOAT, trt.DataType.HALF}
    if hasattr(trt.DataType, "BF16"):
        floats.add(trt.DataType.BF16)
    producers: Dict[str, dict] = {}
    marked: List[str] = []
    for i in range(network.num_layers):
        layer = network.get_layer(i)
        if layer.type == trt.LayerType.CONSTANT:
            continue
        for j in range(layer.num_outputs):
            t = layer.get_output(j)
            producers[t.name] = {"layer": layer.name, "layer_type": _enum(layer.type)}
            if t.name not in wanted or t.is_network_output or t.dtype not in floats:
                continue
            if getattr(t, "is_shape_tensor", False):
                continue
            network.mark_output(t)
            marked.append(t.name)
    if not marked:
        raise TrtlogError("--per-layer: no intermediate tensor of the TensorRT network has an ONNX Runtime "
                          "counterpart to compare with")

    config = builder.create_builder_config()
    apply_plan(plan, trt, config, network)
    if spec.wants_profile():
        profile = builder.create_optimization_profile()
        for k in range(network.num_inputs):
            name = network.get_input(k).name
            prof = spec.profile_for(name)
            if prof is not None:
                profile.set_shape(name, *prof)
        config.add_optimization_profile(profile)
    if bundle is not None and (bundle / "timing.cache").is_file():
        # the original build's timings make the debug build much faster
        tc = config.create_timing_cache((bundle / "timing.cache").read_bytes())
        config.set_timing_cache(tc, True)
    if "INT8" in plan.builder_flags:
        if spec.calib_cache:
            config.int8_calibrator = _cache_calibrator(trt, Path(spec.calib_cache).read_bytes())
        else:
            notes.append("INT8 build without a calibration cache in the bundle: the debug engine uses "
                         "TensorRT's placeholder ranges unless the ONNX has Q/DQ nodes")
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise TrtlogError(f"--per-layer debug build failed: {logger.last_error() or 'no message'}")
    return bytes(serialized), producers, marked


def _enum(v) -> str:
    n = getattr(v, "name", None)
    return n if isinstance(n, str) else str(v).rsplit(".", 1)[-1]


def run_per_layer(model: str, bundle: Optional[Path], feeds: Dict[str, np.ndarray],
                  ort_values: Dict[str, np.ndarray], order: Sequence[str], atol: float, rtol: float,
                  cuda_ctx=None, precisions: Sequence[str] = (), top: int = 10) -> Dict[str, object]:
    from .trt_runner import EngineRunner
    notes: List[str] = []
    keep = [n for n in order if n in ort_values]
    data, producers, marked = build_debug_engine(model, bundle, keep, precisions, notes)
    with EngineRunner(data, cuda_ctx=cuda_ctx) as runner:
        trt_values = runner.infer(feeds)
    rows = compare_tensors(trt_values, ort_values, order, atol, rtol, producers)
    out = summarize(rows, top)
    out["marked"] = len(marked)
    out["notes"] = notes
    return out
