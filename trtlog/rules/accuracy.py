"""TRT2xx: accuracy — INT8 scales, realised precision, weight conversions."""
from __future__ import annotations

import fnmatch
from typing import Optional

import pandas as pd

from ..tensors import LayerTensors
from ..vocab import precision_of
from .engine import Evidence, Fix, iter_runs, rule
from .kinds import Present, present
from .util import layer_tensors, names, plural, requested_precisions, rows, tensor_volume

# layer types that only move or view data: their dtype follows their neighbours
_DATA_MOVEMENT = {"reformat", "noop", "shuffle", "constant", "slice", "copy", "concatenation", "identity",
                  "gather", "shape", "cast", "assertion", "condition"}


@rule("TRT201", "int8-without-calibrator", severity="warning", category="accuracy",
      summary="INT8 was enabled without a calibrator (and without explicit Q/DQ): scales are placeholders.",
      tables=("precision", "facts", "errors"),
      fix=Fix(python="config.int8_calibrator = MyEntropyCalibrator2(batches, cache_file) or call "
                     "tensor.set_dynamic_range(lo, hi) for every tensor; prefer a Q/DQ ONNX from "
                     "TensorRT Model Optimizer (explicit quantization).",
              trtexec="--int8 --calib=calibration.cache (a cache written by a calibrator run), or build a Q/DQ "
                      "ONNX; trtexec --int8 without --calib uses placeholder ranges — fine for timing only.",
              trt11="Calibrators and --int8 are removed: quantize offline (TensorRT Model Optimizer Q/DQ), "
                    "build strongly typed."),
      rationale="Implicit INT8 needs a dynamic range per tensor. Without a calibrator trtexec invents "
                "ranges so the engine runs, but its INT8 outputs are not meaningful; a Python build "
                "must set every range by hand.")
def int8_without_calibrator(bl, check):
    p = bl.tables["precision"]
    if p.empty:
        return
    unused = p[p["kind"] == "calibrator_unused"]
    if unused.empty:
        return
    err = bl.tables["errors"]
    if len(err) and (err["kind"] == "calibration_failure").any():
        return      # the build stopped for it: TRT111 tells that, with this line as its cause
    # ranges set through the API by the user's script; trtexec --int8 without --calib sets its own placeholders
    # (the same 'User overriding scale' lines: 107 in the shared corpus's 8.6.1 MobileNetV2 INT8 log)
    trtexec = bl.producer == "trtexec" or bool(bl.facts.command)
    ranged = set() if trtexec else set(p.loc[p["kind"] == "user_range", "run"].astype(int))
    explicit = set(p.loc[p["kind"] == "explicit_precision", "run"].astype(int))
    for run, g in iter_runs(unused):
        if run in explicit or run in ranged:     # ranges set through the API: what this rule asks for (TRT202
            continue                             # names any tensor still without one)
        if bl.producer == "onnxruntime-trt-ep":
            msg = ("INT8 is on in ONNX Runtime's TensorRT execution provider (trt_int8_enable), which gives "
                   "TensorRT no calibrator: the dynamic ranges come from ORT's calibration table "
                   "(trt_int8_calibration_table_name; trt_int8_use_native_calibration_table=1 for a cache "
                   "TensorRT wrote). Tensors the table lacks get no range and their layers fall back to "
                   "higher precision: regenerate the table on representative inputs of this model.")
        elif trtexec:
            msg = ("INT8 is enabled with no calibrator: trtexec filled in placeholder dynamic ranges. "
                   "Latency numbers are representative; the engine's INT8 accuracy is not.")
        else:
            msg = ("INT8 is enabled with no calibrator; every tensor that is not Int32/Bool needs a "
                   "dynamic range set through the API, otherwise its layers fall back to higher precision.")
        yield check.finding("INT8 enabled without a calibrator", msg, check.evidence(g, "precision"),
                            run=run, total=len(g), confidence="high" if trtexec else "medium")


@rule("TRT202", "int8-missing-scales", severity="warning", category="accuracy",
      summary="Tensors have no INT8 scale; layers that consume or produce them fall back to FP16/FP32.",
      tables=("precision", "fallbacks"),
      fix=Fix(python="Set a dynamic range for each listed tensor (tensor.set_dynamic_range) or calibrate; "
                     "for Q/DQ models insert Q/DQ pairs around the listed tensors.",
              trtexec="Provide a calibration cache (--calib) covering these tensors, or re-export the Q/DQ model.",
              trt11="Insert explicit Q/DQ nodes for the tensors that must be INT8 (TensorRT Model Optimizer)."),
      rationale="TensorRT prints one warning per tensor without scale and zero-point; every layer touching "
                "such a tensor is not run in INT8, which costs the speed INT8 was enabled for.",
      confidence="high")
def int8_missing_scales(bl, check):
    p = rows(bl, "precision", "kind", ("missing_scale",))
    if p is None or p.empty:
        fb = rows(bl, "fallbacks", "kind", ("int8_fallback",))
        if fb is None or fb.empty:
            return
        p, table = fb, "fallbacks"
    else:
        table = "precision"
    for run, g in iter_runs(p):
        ts = [t for t in (g["tensor"] if table == "precision" else g["layer"]).tolist() if t]
        yield check.finding(f"{plural(len(g), 'tensor')} without INT8 scale",
                            f"{plural(len(g), 'tensor')} ha{'s' if len(g) == 1 else 've'} no scale/zero-point "
                            f"({names(ts)}); layers consuming or producing them fall back to non-INT8 kernels.",
                            check.evidence(g, table), run=run, total=len(g))


@rule("TRT203", "int8-default-quantization", severity="warning", category="accuracy",
      summary="The builder set default quantization parameters because quantization data was missing.",
      tables=("precision",),
      fix=Fix(python="Calibrate (IInt8EntropyCalibrator2) or set dynamic ranges for the named layers' tensors.",
              trtexec="--calib=<cache> or a Q/DQ ONNX instead of bare --int8/--best.",
              trt11="Quantize offline with explicit Q/DQ; there are no default INT8 parameters in strong typing."),
      rationale="Default quantization parameters are placeholders: INT8 kernels timed with them are "
                "chosen for speed only and their numerical result is unvalidated.",
      confidence="medium")
def int8_default_quantization(bl, check):
    p = rows(bl, "precision", "kind", ("default_quant_params",))
    if p is None or p.empty:
        return
    for run, g in iter_runs(p):
        layers = [t for t in g["tensor"].tolist() if t]
        named = sorted(set(layers))
        msg = f"{plural(len(g), 'time')} the builder fell back to default quantization parameters"
        msg += f" (named layers: {names(named)})." if named else " (the log does not name the layers)."
        yield check.finding("Default INT8 quantization parameters used", msg,
                            check.evidence(g, "precision"), run=run, total=len(g))


_REDUCED = frozenset({"FP16", "BF16", "INT8", "FP8", "INT4", "FP4"})
_FLOAT = frozenset({"FP32", "TF32"})


def realised(ts: LayerTensors) -> Optional[str]:
    """'reduced' when any input/output tensor is Half/Int8/BF16/FP8..., 'fp32' when the tensors are Float and
    none is reduced, None when the tensors are not known or hold no floating-point data (Int32/Bool layers)."""
    if not ts.inputs or not ts.outputs:
        return None
    io = {precision_of(t.dtype) for t in ts.inputs + ts.outputs}
    if io & _REDUCED:
        return "reduced"
    if io & _FLOAT:
        return "fp32"
    return None


def _feeds_compute(g, tens) -> set:
    """Tensors that (through any chain of data-movement layers) reach a compute layer's input."""
    recs = [tens(r) for r in g.to_dict("records")]
    types = g["type"].astype(str).str.lower().tolist()
    # data movement, and integer-only layers (casts of indices), pass their consumers on to their inputs
    is_dm = [typ in _DATA_MOVEMENT or (ts.inputs and ts.outputs and realised(ts) is None)
             for typ, ts in zip(types, recs)]
    feeds = {t for ts, dm in zip(recs, is_dm) if not dm for t in ts.names("input")}
    changed = True
    while changed:
        changed = False
        for ts, dm in zip(recs, is_dm):
            if dm and any(t in feeds for t in ts.names("output")):
                new = set(ts.names("input")) - feeds
                if new:
                    feeds |= new
                    changed = True
    return feeds


def one_origin(g):
    """A run can list its layers twice (Engine Layer Information and --dumpLayerInfo): keep one listing."""
    origins = g["origin"].astype(str)
    for pref in ("log", "json", "dumpLayerInfo"):
        if (origins == pref).any():
            return g[origins == pref]
    return g


@rule("TRT204", "reduced-precision-not-realised", severity="warning", category="accuracy",
      summary="FP16/INT8 was requested but engine layers still run in FP32 (count, %, biggest layers).",
      tables=("layers", "profile", "facts", "tensors"),
      fix=Fix(python="Check why the listed layers stayed FP32: a faster FP32 tactic (weak typing lets TensorRT "
                     "choose), no FP16/INT8 kernel for that op, or no INT8 scale. To force: "
                     "layer.precision = trt.float16 + config.set_flag(trt.BuilderFlag.OBEY_PRECISION_CONSTRAINTS).",
              trtexec="--layerPrecisions=<layer>:fp16 --precisionConstraints=obey (8.6+); "
                      "compare with --dumpLayerInfo --profilingVerbosity=detailed.",
              trt11="Cast the tensors to FP16/insert Q/DQ in the ONNX graph; strongly typed engines run "
                    "exactly the types in the graph."),
      rationale="Builder precision flags only allow lower precision; TensorRT picks per layer whatever "
                "is fastest, and layers without a reduced-precision kernel stay FP32. The engine layer "
                "table shows what was realised.",
      confidence="medium")
def reduced_precision_not_realised(bl, check):
    wanted = requested_precisions(bl) & {"FP16", "INT8", "BF16", "FP8"}
    layers = bl.tables["layers"]
    if not wanted or layers.empty:
        return
    prof = bl.tables["profile"]
    tens = layer_tensors(bl)
    for run, g in iter_runs(layers):
        g = one_origin(g)
        compute = g[~g["type"].astype(str).str.lower().isin(_DATA_MOVEMENT)]
        recs = [r for r in compute.to_dict("records") if realised(tens(r)) is not None]
        unknown = len(compute) - len(recs)
        fp32 = [r for r in recs if realised(tens(r)) == "fp32"]
        if not fp32:
            continue
        # layers that only write network outputs stay FP32 by default (I/O is FP32 unless the I/O formats
        # are changed): alone they are expected, not a finding
        feeds = _feeds_compute(g, tens)
        # a layer with unparsed tensors could consume anything before it: only layers after the last such
        # layer can be shown to write network outputs only
        unparsed = [int(r["line"]) for r in g.to_dict("records") if not tens(r).inputs or not tens(r).outputs]
        last_unparsed = max(unparsed) if unparsed else -1
        tail = [r for r in fp32 if tens(r).outputs and int(r["line"]) > last_unparsed
                and not any(t in feeds for t in tens(r).names("output"))]
        if len(tail) == len(fp32):
            continue
        pct = 100.0 * len(fp32) / len(recs)
        times = {}
        if len(prof):
            pr = prof[prof["run"] == run] if (prof["run"] == run).any() else prof
            times = dict(zip(pr["layer"], pr["time_ms"]))
        if times and any(r["name"] in times for r in fp32):
            fp32.sort(key=lambda r: -float(times.get(r["name"], 0.0) or 0.0))
            how = "by profiled time"
        else:
            fp32.sort(key=lambda r: -max(tensor_volume(tens(r).outputs), tensor_volume(tens(r).inputs)))
            how = "by tensor size"
        top = [r["name"] for r in fp32[:5]]
        req = "/".join(sorted(wanted))
        msg = (f"{req} was requested, but {len(fp32)} of {len(recs)} compute layers ({pct:.0f}%) have only FP32 "
               f"inputs and outputs. Largest ({how}): {names(top)}.")
        if tail:
            msg += (" " + plural(len(tail), 'of them is a last layer', 'of them are last layers')
                    + " of the network (FP32 outputs are the default).")
        if unknown:
            msg += f" ({plural(unknown, 'layer')} with unknown tensor types not counted.)"
        title = f"{len(fp32)} of {len(recs)} layers stayed FP32 despite {req}"
        ev = check.evidence(pd.DataFrame(fp32[:12]), "layers")
        yield check.finding(title, msg, ev, run=run, total=len(fp32),
                            confidence="high" if pct == 100.0 and not unknown else "medium")


_FLOAT_PRECISIONS = ("INT8", "FP8", "FP16", "BF16", "TF32", "FP32")
INT8_BARELY = 0.25


@rule("TRT212", "int8-precision-audit", severity="info", category="accuracy",
      summary="INT8 was requested: how many layers (and how much profiled time) really run INT8, FP16 and FP32; "
              "a warning \"INT8 barely applied\" when under a quarter of the layers are INT8.",
      tables=("layers", "profile", "precision", "calibration", "facts", "tensors"),
      fix=Fix(python="For the layers that stayed FP16/FP32: give their tensors INT8 scales (calibrate with "
                     "data that reaches them, or set_dynamic_range), or quantize the model explicitly with "
                     "Q/DQ (TensorRT Model Optimizer); compare the INT8 engine's time with the FP16 one.",
              trtexec="--int8 --fp16 with a calibration cache (--calib=) that covers every tensor, or a Q/DQ "
                      "ONNX; --dumpLayerInfo --profilingVerbosity=detailed and --dumpProfile to see per-layer "
                      "precision and time.",
              trt11="No implicit INT8 in TensorRT 11: put Q/DQ where INT8 is wanted; the engine runs exactly "
                    "the graph's types."),
      rationale="With weak typing INT8 is a permission, not an order: TensorRT keeps a layer in FP16/FP32 when "
                "that tactic is faster, when the layer has no INT8 kernel, or when a tensor has no scale. "
                "An INT8 build can end up almost all FP16 and slower than the FP16 engine.",
      confidence="medium")
def int8_precision_audit(bl, check):
    wanted = requested_precisions(bl)
    layers = bl.tables["layers"]
    if "INT8" not in wanted or layers.empty:
        return
    prec = bl.tables["precision"]
    calib = bl.tables["calibration"]
    prof = bl.tables["profile"]
    tens = layer_tensors(bl)
    if len(calib):
        how = f"calibrated ({plural(int((calib['event'] == 'batch').sum()), 'batch', 'batches')})"
    elif len(prec) and (prec["kind"] == "explicit_precision").any():
        how = "explicit Q/DQ"
    elif len(prec) and (prec["kind"] == "calibrator_unused").any():
        how = "no calibrator"
    else:
        how = "calibration not shown in the log"
    req = "+".join(p for p in ("INT8", "FP16", "BF16", "FP8") if p in wanted)
    for run, g in iter_runs(layers):
        g = one_origin(g)
        types = g["type"].astype(str).str.lower()
        compute = g[~types.isin(_DATA_MOVEMENT) & ~types.str.contains("reformat", regex=False)]
        myelin = compute[compute["type"].astype(str) == "Myelin"]
        known = compute[compute["precision"].astype(str).isin(_FLOAT_PRECISIONS)
                        & (compute["type"].astype(str) != "Myelin")]
        if known.empty:
            continue
        counts = known["precision"].astype(str).value_counts()
        n = len(known)
        parts = [f"{p} {int(counts[p])} ({counts[p] / n:.0%})" for p in _FLOAT_PRECISIONS if p in counts]
        msg = f"Requested {req} ({how}). Realised over {n} compute layers: {', '.join(parts)}."
        times = {}
        if len(prof):
            pr = prof[prof["run"] == run] if (prof["run"] == run).any() else prof
            times = {k: float(v) for k, v in zip(pr["layer"], pr["time_ms"]) if v == v}
        timed = known[known["name"].isin(times)]
        if len(timed):
            t = timed.assign(ms=timed["name"].map(times)).groupby("precision")["ms"].sum()
            total = float(t.sum())
            if total > 0:
                msg += " By profiled time: " + ", ".join(
                    f"{p} {t[p] / total:.0%}" for p in _FLOAT_PRECISIONS if p in t) + "."
        if len(myelin):
            msg += f" ({plural(len(myelin), 'Myelin ForeignNode')} not counted: precision hidden inside.)"
        int8_share = counts.get("INT8", 0) / n
        if int8_share >= INT8_BARELY:
            yield check.finding(f"INT8 audit: {int8_share:.0%} of {n} layers run INT8", msg,
                                check.evidence(known[known["precision"] == "INT8"].head(3), "layers"),
                                run=run, total=int(counts.get("INT8", 0)))
            continue
        stayed = known[known["precision"].astype(str) != "INT8"].to_dict("records")
        stayed.sort(key=lambda r: (-float(times.get(r["name"], 0.0)),
                                   -max(tensor_volume(tens(r).outputs), tensor_volume(tens(r).inputs))))
        msg += (f" Stayed higher precision (largest first): "
                f"{names([str(r['name']) + ' (' + str(r['precision']) + ')' for r in stayed], 5)}. "
                f"Why: {_why_not_int8(prec, stayed, tens)}")
        yield check.finding(f"INT8 barely applied: {int(counts.get('INT8', 0))} of {n} layers run INT8",
                            msg, check.evidence(pd.DataFrame(stayed[:12]), "layers"), run=run,
                            total=len(stayed), severity="warning")


def _why_not_int8(prec, stayed, tens) -> str:
    """The reasons the precision table gives for layers not running INT8, most specific first."""
    reasons = []
    kinds = set(prec["kind"]) if len(prec) else set()
    if "calibrator_unused" in kinds:
        reasons.append("INT8 without a calibrator or dynamic ranges (placeholder scales; see TRT201)")
    missing = set(prec.loc[prec["kind"] == "missing_scale", "tensor"].astype(str)) if len(prec) else set()
    hit = [str(r["name"]) for r in stayed
           if missing & set(tens(r).names())]
    if hit:
        reasons.append(f"no INT8 scale for a tensor of {names(hit, 3)} (see TRT202)")
    if "default_quant_params" in kinds:
        reasons.append("default quantization parameters set for tensors without data (see TRT203)")
    reasons.append("otherwise TensorRT found the FP16/FP32 tactic faster or has no INT8 kernel for the "
                   "layer (weak typing lets it choose)")
    return "; ".join(reasons) + "."


@rule("TRT205", "fp16-subnormal-weights", severity="warning", category="accuracy",
      summary="Weights were converted to FP16 subnormals (or flushed to the smallest subnormal).",
      tables=("precision",),
      fix=Fix(python="Retrain/finetune with weight regularization, or keep the affected layers in FP32: "
                     "layer.precision = trt.float32 with OBEY_PRECISION_CONSTRAINTS.",
              trtexec="--layerPrecisions=<layer>:fp32 --precisionConstraints=obey for the affected layers "
                      "(find them in the --verbose list).",
              trt11="Keep those weights FP32 in the ONNX graph (strong typing follows the graph)."),
      rationale="FP16 subnormals lose precision and values below the smallest subnormal are clamped; "
                "TensorRT counts the affected weights because they can change results.")
def fp16_subnormal_weights(bl, check):
    p = rows(bl, "precision", "kind", ("subnormal_fp16", "below_subnormal_fp16", "clamped_fp16",
                                       "fp16_issue_weight"))
    if p is None or p.empty or not p["kind"].isin(["subnormal_fp16", "below_subnormal_fp16"]).any():
        return
    for run, g in iter_runs(p):
        parts = []
        for kind, label in (("subnormal_fp16", "subnormal FP16 values"),
                            ("below_subnormal_fp16", "values below the smallest FP16 subnormal (clamped)"),
                            ("clamped_fp16", "FP32 values that overflow FP16 (clamped to the largest finite)")):
            k = g[g["kind"] == kind]
            if len(k):
                n = int(k["count"].fillna(0).sum())
                parts.append(f"{plural(n, 'weight')} with {label}")
        if not parts:
            continue
        # TensorRT 8.4 names each affected weight (one "Weights [name=...]" line per weight)
        named = g[g["kind"] == "fp16_issue_weight"]
        msg = "; ".join(parts) + "."
        if len(named):
            msg += (f" {plural(len(named), 'weight')} named by TensorRT, e.g. "
                    f"{names(named['tensor'].tolist(), 4)}.")
        ev_rows = named if len(named) else g
        yield check.finding("FP16 weight conversion issues", msg, check.evidence(ev_rows, "precision"),
                            run=run, total=len(named) or len(g))


@rule("TRT206", "int64-weights-cast", severity="info", category="accuracy",
      summary="The ONNX model has INT64 weights; the parser cast them down to INT32.",
      tables=("precision",), max_version=(10, 0),
      fix=Fix(python="Usually harmless (shapes/indices). If values exceed INT32, export with int32 "
                     "indices or fold the constants (polygraphy surgeon sanitize --fold-constants).",
              trtexec="Same; the warning disappears in TensorRT 10, which supports INT64 natively.",
              trt11="INT64 is supported natively; nothing to do."),
      rationale="TensorRT 8.x has no INT64; values outside INT32 would be clamped (see TRT207).")
def int64_weights_cast(bl, check):
    p = rows(bl, "precision", "kind", ("int64_cast",))
    if p is None or p.empty:
        return
    clamped = rows(bl, "precision", "kind", ("int32_clamped",))
    tail = " Some values were clamped (see TRT207)." if clamped is not None and len(clamped) else \
        " No clamping was reported."
    yield check.finding("INT64 weights cast to INT32",
                        f"The parser cast INT64 weights to INT32 ({plural(len(p), 'warning')}).{tail}",
                        check.evidence(p, "precision"), total=len(p))


present(Present(table="precision", kinds=("int32_clamped",),
                title="INT64 weights clamped to INT32",
                message="One or more INT64 weights were outside the INT32 range and were clamped."),
        "TRT207", "int32-weights-clamped",
        severity="warning",
        category="accuracy",
        summary="INT64 weights outside the INT32 range were clamped during the cast.",
        fix=Fix(python="Find the constant (often a Slice end of INT64_MAX or a large index) and replace it: "
                       "polygraphy surgeon sanitize --fold-constants, or export with opset >= 13 and int32 indices.",
                trtexec="Same model fix; clamping of 'slice to end' sentinels is harmless, of real data is not.",
                trt11="INT64 is native in 10.x+: rebuild with a newer TensorRT to avoid the clamp."),
        rationale="Clamped values change the computation unless they were 'infinity' sentinels (Slice ends).",
        confidence="medium")


present(Present(table="precision", kinds=("double_cast",),
                title="Double weights cast to float",
                message="FP64 weights were cast down to FP32."),
        "TRT208", "double-weights-cast",
        severity="info",
        category="accuracy",
        summary="The ONNX model has double (FP64) weights; the parser cast them to FP32.",
        fix=Fix(python="Export the model in float32 (model.float() before torch.onnx.export).",
                trtexec="Same; the cast is usually harmless.", trt11="Same."),
        rationale="FP64 is not supported; values beyond FP32 range would overflow.")


present(Present(table="precision", kinds=("tf32_default",),
                title="TF32 enabled by default",
                message="The build allowed TF32 for FP32 layers; comparisons with FP32 references can differ "
                        "around 1e-3 relative."),
        "TRT209", "tf32-enabled-by-default",
        severity="info",
        category="accuracy",
        summary="FP32 layers may use TF32 tensor cores (enabled by default); results differ from strict FP32.",
        fix=Fix(python="config.clear_flag(trt.BuilderFlag.TF32) for bit-closer FP32 results.",
                trtexec="--noTF32", trt11="config.clear_flag(trt.BuilderFlag.TF32) / --noTF32 (unchanged)."),
        rationale="TF32 keeps 10 mantissa bits in matmul/conv inputs; usually fine, but it explains small "
                  "mismatches against ONNX Runtime FP32.")


FP16_MIN_SUBNORMAL = 2.0 ** -24   # 5.96e-8: smaller magnitudes round to zero in FP16
FP16_MIN_NORMAL = 2.0 ** -14      # 6.10e-5: below this FP16 keeps fewer than 11 significant bits
FP16_MAX = 65504.0


@rule("TRT210", "validation-failed", severity="error", category="accuracy",
      summary="`trtlog validate` found engine outputs that disagree with ONNX Runtime (with a diagnosis "
              "where the numbers show one: FP16 underflow or overflow, NaN/Inf, the first diverging layer).",
      tables=("meta", "facts"),
      fix=Fix(python="Keep the named layers (usually the last ones, or the one --per-layer names) in FP32: "
                     "layer.precision = trt.float32 + OBEY_PRECISION_CONSTRAINTS (trtlog build "
                     "--layer-precision 'NAME=fp32'); for underflow/overflow rescale the model instead.",
              trtexec="--layerPrecisions=NAME:fp32 --precisionConstraints=obey",
              trt11="Strongly typed: cast the sensitive tensors to FP32 in the ONNX graph."),
      rationale="validate.json in a bundle is a measured comparison with ONNX Runtime on the same inputs; a "
                "failing output is the accuracy loss itself, not a hint of it. FP16 represents magnitudes "
                "between 6e-8 and 65504 only: smaller values flush to zero, larger ones become Inf.",
      confidence="high")
def validation_failed(bl, check):
    v = bl.bundle.validation
    if v is None:
        return
    outputs = v.outputs
    failed = [o for o in outputs if o.passed is False]
    if not failed:
        return
    reduced = requested_precisions(bl) & {"FP16", "BF16", "INT8", "FP8"}
    notes, evidence = [], []
    for o in failed:
        name = o.name
        ref_max = _num(o.max_abs_ref)
        eng_bad = sum(int(o.engine_nonfinite.get(k) or 0) for k in ("nan", "inf"))
        ref_bad = sum(int(o.reference_nonfinite.get(k) or 0) for k in ("nan", "inf"))
        engine_zero = _num(o.rel_l2) >= 0.999 and _num(o.cosine) <= 1e-6
        evidence.append(Evidence(0, f"validate.json output {name!r}: max |reference| {ref_max:.3g}, max abs error "
                                    f"{_num(o.max_abs_err):.3g}, rel L2 {_num(o.rel_l2):.3g}, "
                                    f"cosine {_num(o.cosine):.6f}, NaN/Inf {eng_bad}; "
                                    + "; ".join(o.reasons), "validation", dict(o.raw)))
        if eng_bad > ref_bad:
            notes.append(f"{name!r} has {eng_bad} NaN/Inf values the reference does not have"
                         + (f" (FP16 overflows above {FP16_MAX:g}; max |reference| is {ref_max:.3g})"
                            if "FP16" in reduced and ref_max > FP16_MAX / 4 else ""))
        elif engine_zero and "FP16" in reduced and 0 < ref_max < FP16_MIN_NORMAL:
            where = "below FP16's smallest subnormal (5.96e-8), so they flush to zero" \
                if ref_max < FP16_MIN_SUBNORMAL else "below FP16's normal range (6.1e-5)"
            notes.append(f"the engine's {name!r} is all zeros while the reference values are tiny (max "
                         f"|value| {ref_max:.3g}), {where}: FP16 underflow in the layers that produce it")
        elif engine_zero:
            notes.append(f"the engine's {name!r} is all zeros")
    jump = v.first_jump
    if jump:
        notes.append(f"the per-layer comparison first diverges at {jump.get('name')!r} "
                     f"(rel L2 {_num(jump.get('rel_l2')):.3g})")
    msg = (f"{plural(len(failed), 'of ' + str(len(outputs)) + ' engine output')} failed validation against "
           f"ONNX Runtime ({names([str(o.name) for o in failed])}).")
    if notes:
        text = "; ".join(notes)
        msg += " " + text[0].upper() + text[1:] + "."
    if reduced:
        msg += f" The build allowed {'/'.join(sorted(reduced))}."
    yield check.finding(f"Validation failed: {plural(len(failed), 'output')}", msg, evidence, total=len(failed))


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


@rule("TRT211", "layer-precision-unverified", severity="warning", category="accuracy",
      summary="A `--layer-precision` constraint (trtlog build) was not honoured by the engine layer, or cannot be "
              "checked because the layer disappeared into a Myelin ForeignNode.",
      tables=("layers", "meta", "tensors"),
      fix=Fix(python="Use OBEY_PRECISION_CONSTRAINTS (PREFER lets TensorRT ignore the constraint); for layers inside "
                     "a ForeignNode check the effect with `trtlog validate --per-layer` (marking outputs splits the "
                     "node) or keep the layer out of the fused region (mark its input as a network output).",
              trtexec="--layerPrecisions=NAME:fp32 --precisionConstraints=obey; inspect with --dumpLayerInfo "
                      "--profilingVerbosity=detailed.",
              trt11="Strongly typed: put a Cast to FP32 around the layer in the ONNX graph."),
      rationale="Per-layer precision is a request: with PREFER the builder may ignore it, and a layer fused "
                "into a Myelin ForeignNode has no engine layer of its own, so the engine inspector shows only "
                "the node's input/output types (seen with TensorRT 8.6.0: a transformer's '/head/Gemm' "
                "constrained to FP32 — the engine changed, its only layer was one ForeignNode).")
def layer_precision_unverified(bl, check):
    cfg = bl.bundle.config
    if cfg is None:
        return
    applied = list(cfg.layer_precisions_applied)
    patterns = {p: precision_of(t) for p, t in cfg.layer_precisions.items()}   # 'FLOAT' -> 'FP32'
    layers = bl.tables["layers"]
    if not applied or layers.empty:
        return
    mode = next((f.split("_")[0].lower() for f in cfg.builder_flags
                 if f in ("OBEY_PRECISION_CONSTRAINTS", "PREFER_PRECISION_CONSTRAINTS")), "no constraint flag")
    g = one_origin(layers[layers["run"] == layers["run"].min()])
    recs = g.to_dict("records")
    tens = layer_tensors(bl)
    hidden, ignored, ignored_rows = [], [], []
    for name in applied:
        want = next((t for p, t in patterns.items() if fnmatch.fnmatchcase(name, p)), "")
        mine = [r for r in recs if name in str(r["name"]).split(" + ") or name in str(r.get("metadata") or "")]
        if not mine:
            hidden.append(name)
        elif want == "FP32" and any(realised(tens(r)) == "reduced" for r in mine):
            ignored.append(name)
            ignored_rows += mine
    config_ev = Evidence(0, f"config.json: layer_precisions_applied {applied}; patterns {patterns}; {mode}", "config")
    if ignored:
        yield check.finding(
            f"{plural(len(ignored), 'layer')} constrained to FP32 ran in reduced precision",
            f"{names(ignored)} {'was' if len(ignored) == 1 else 'were'} constrained to FP32 ({mode}), but the engine "
            "layer has FP16/INT8 tensors: the constraint was not honoured.",
            [config_ev] + check.evidence(pd.DataFrame(ignored_rows), "layers"), total=len(ignored))
    foreign = [r for r in recs if str(r["type"]) == "Myelin" or str(r["name"]).startswith("{ForeignNode[")]
    if hidden and foreign:
        yield check.finding(
            f"Precision constraint on {plural(len(hidden), 'layer')} cannot be checked in the engine",
            f"{names(hidden)} {'has' if len(hidden) == 1 else 'have'} no engine layer of its own; the engine has "
            f"{plural(len(foreign), 'Myelin ForeignNode')} whose members the engine inspector does not list, so "
            f"whether the constraint ({mode}) held cannot be read from the engine. Validate the outputs "
            "(`trtlog validate`) to see its effect.",
            [config_ev] + check.evidence(pd.DataFrame(foreign[:6]), "layers"), total=len(hidden), severity="info")


@rule("TRT215", "precision-constraint-unmet", severity="warning", category="accuracy",
      summary="A layer was held in a precision none of its implementations supports: ignored under "
              "PREFER_PRECISION_CONSTRAINTS, a failed build under OBEY_PRECISION_CONSTRAINTS.",
      tables=("precision", "errors"),
      fix=Fix(python="Drop the constraint on that layer (layer.precision / set_output_type) or hold it in a precision "
                     "it has kernels for (FP32/FP16 for Resize and other data-movement layers); keep its output in "
                     "floating point if its consumers need it.",
              trtexec="Remove the layer from --layerPrecisions/--layerOutputTypes or give it fp16/fp32; "
                      "--precisionConstraints=prefer lets the build go on without it.",
              trt11="Strongly typed networks have no precision constraints: the tensor types of the graph decide; "
                    "insert Casts instead."),
      rationale="Per-layer precision is a request to the builder. With PREFER, TensorRT profiles the other "
                "implementations and the layer silently runs in another precision; with OBEY it has no kernel to "
                "choose and stops (TensorRT 8.6: an 'Assertion !n->candidateRequirements.empty() failed' internal "
                "error, not a diagnosis).")
def precision_constraint_unmet(bl, check):
    err = bl.tables["errors"]
    failed = err[err["kind"] == "precision_constraint"] if len(err) else err
    if len(failed):
        layers = list(dict.fromkeys(n for n in failed["node"].astype(str) if n))
        yield check.finding(f"Precision constraint cannot be met: {names(layers, 2) or 'a layer'}",
                            f"{names(layers) or 'A layer'} was held in a precision whose output no implementation can "
                            "produce (TensorRT: 'requires output to be in floating point precision'); with "
                            "OBEY_PRECISION_CONSTRAINTS the build stops here.",
                            check.evidence(failed, "errors"), total=len(failed), severity="error")
    p = bl.tables["precision"]
    unmet = p[p["kind"].isin(["constraint_unmet", "constraint_ignored"])] if len(p) else p
    for run, g in iter_runs(unmet):
        layers = list(dict.fromkeys(t for t in g["tensor"].astype(str) if t))
        yield check.finding(f"Precision constraint ignored for {names(layers, 2)}",
                            f"No implementation of {names(layers)} runs in the precision it was held in; under "
                            "PREFER_PRECISION_CONSTRAINTS TensorRT profiled the others and used the fastest, so the "
                            f"{'layer runs' if len(layers) == 1 else 'layers run'} in another precision than asked.",
                            check.evidence(g, "precision"), run=run, total=len(layers))
