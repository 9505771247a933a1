"""The strongly typed world (TensorRT-RTX, TensorRT 11, --stronglyTyped): precision comes from the
graph, profiles are checked before the build, builds run ahead of time on machines without a GPU.
Codes follow the themes: TRT11x build, TRT21x accuracy, TRT5xx compatibility."""
from __future__ import annotations

from typing import List, Optional

import pandas as pd

from ..facts import ProfileRequest
from .engine import Fix, rule
from .util import names, plural

_RUNTIME_APIS = ("IRuntime::", "ICudaEngine::", "IExecutionContext::", "IRuntimeCache", "IRuntimeConfig")
_INDEX_TYPES = {"INT32", "INT64", "BOOL", "UINT8", ""}
_DRIVERLESS = 35      # cudaErrorInsufficientDriver: "CUDA driver version is insufficient for CUDA runtime version"


def _dims(text: str) -> List[int]:
    try:
        return [int(d) for d in str(text).split("x") if d != ""]
    except ValueError:
        return []


def _profile_problem(p: ProfileRequest) -> str:
    """Which of MIN <= OPT <= MAX a requested profile breaks, dimension by dimension."""
    lo, opt, hi = _dims(p.min), _dims(p.opt), _dims(p.max)
    if not (lo and opt and hi) or not (len(lo) == len(opt) == len(hi)):
        return "ranks differ" if lo and opt and hi else ""
    bad = []
    for i, (a, b, c) in enumerate(zip(lo, opt, hi)):
        if a > c:
            bad.append(f"dim {i}: min {a} > max {c}")
        elif b < a:
            bad.append(f"dim {i}: opt {b} < min {a}")
        elif b > c:
            bad.append(f"dim {i}: opt {b} > max {c}")
    return "; ".join(bad)


@rule("TRT115", "invalid-optimization-profile", severity="error", category="build",
      summary="TensorRT rejected an optimisation profile (MIN <= OPT <= MAX violated); the build then "
              "fails as if no profile had been given.",
      tables=("errors", "facts"),
      fix=Fix(python="profile.set_shape(name, min, opt, max) with min <= opt <= max in every dimension; "
                     "check the index config.add_optimization_profile(profile) returns (-1 = rejected) "
                     "before building.",
              trtexec="--minShapes/--optShapes/--maxShapes with min <= opt <= max for every input.",
              trt11="Same optimisation-profile API; TensorRT-RTX and TensorRT 11 check it when the profile "
                    "is added."),
      rationale="IOptimizationProfile::isValid names the inputs whose shapes are inconsistent; the profile is "
                "then not added, so the build reports 'no optimization profile has been defined' — a "
                "consequence, not the cause. The shapes themselves are not printed: they come from the "
                "bundle's config.json where there is one.")
def invalid_optimization_profile(bl, check):
    err = bl.tables["errors"]
    if err.empty:
        return
    bad = err[err["kind"].isin(["profile_invalid", "profile_rejected"])]
    for run, g in bad.groupby("run"):
        run = int(run)
        inputs: List[str] = []
        for node in g.loc[g["kind"] == "profile_invalid", "node"]:
            inputs += [n.strip() for n in str(node).split(",") if n.strip()]
        after = err[(err["run"] == run) & (err["kind"] == "no_profile")]
        requested = [p for p in bl.facts.requested_profiles
                     if p.added is not True and (not inputs or p.input in inputs)]
        shapes = []
        for p in requested:
            why = _profile_problem(p)
            shapes.append(f"profile {p.profile} input {p.input}: min {p.min}, opt {p.opt}, max {p.max}"
                          + (f" ({why})" if why else ""))
        root = g.sort_values("line").iloc[0]
        msg = (f"{root['api'] or 'TensorRT'} rejected the optimisation profile"
               + (f" for input {names(inputs)}" if inputs else "") + f" (line {int(root['line'])}): "
               "MIN <= OPT <= MAX does not hold.")
        if shapes:
            msg += " Requested (config.json): " + "; ".join(shapes) + "."
        else:
            msg += " The log does not print the shapes."
        if len(after):
            msg += (f" The build's 'no optimization profile has been defined' (line {int(after['line'].iat[0])}) "
                    "is a consequence of the rejection: a profile was given, and it was invalid.")
        yield check.finding("Optimisation profile rejected" + (f" for {names(inputs, 2)}" if inputs else ""),
                            msg, check.evidence(pd.concat([g, after]), "errors"), run=run,
                            total=len(g) + len(after))


@rule("TRT116", "internal-error", severity="error", category="build",
      summary="TensorRT reported an internal error (Error Code …: Internal Error, or an INTERNAL_ERROR message).",
      tables=("errors", "messages"),
      fix=Fix(python="Isolate the failing layer (polygraphy debug reduce model.onnx --check ...), try another "
                     "builder_optimization_level or a newer TensorRT; report it with the ONNX model.",
              trtexec="Retry with --builderOptimizationLevel=<other>, a newer trtexec; polygraphy debug reduce "
                      "to isolate the node named in the message.",
              trt11="Same; in a strongly typed graph also try casting the named tensor explicitly."),
      rationale="An internal error is a check inside TensorRT that failed, not a diagnosis of the model; the "
                "text names the layer and the operation, which is where to start reducing the graph.")
def internal_error(bl, check):
    err = bl.tables["errors"]
    msgs = bl.tables["messages"]
    rows = err[err["category"].astype(str).str.contains("Internal Error", regex=False)] if len(err) else err
    # Internal Errors the grammar already diagnoses, each told by its own rule: a profile breaking a shape constraint
    # (TRT106), INT8 without scales (TRT111), a precision constraint no kernel meets (TRT215), no DLA on this GPU
    # (TRT101 quotes it), no type/format a node supports (TRT120)
    rows = rows[~rows["kind"].isin(["profile_shape_conflict", "calibration_failure", "precision_constraint",
                                    "dla_unavailable", "no_supported_formats"])]
    fatal = msgs[msgs["severity"] == "F"] if len(msgs) else msgs
    lines = sorted(set(rows["line"].astype(int).tolist()) | set(fatal["line"].astype(int).tolist()))
    if not lines:
        return
    first = bl.line_text(lines[0]).strip()
    yield check.finding("TensorRT internal error",
                        f"TensorRT reported {plural(len(lines), 'internal error')} (first at line {lines[0]}): "
                        f"{first[:240]}",
                        check.evidence(rows, "errors", lines=fatal["line"].astype(int).tolist()),
                        total=len(lines))


@rule("TRT117", "engine-load-failed", severity="error", category="build",
      summary="Deserialising or running the engine failed — a runtime failure, not a build failure.",
      tables=("errors", "phases"),
      fix=Fix(python="Deserialize with the runtime (and TensorRT version) the engine was built for, on a GPU "
                     "it was built for and with a CUDA driver; TensorRT-RTX engines run on RTX-class GPUs "
                     "(compute capability 7.5-12.x) of the targets set with config.set_compute_capability.",
              trtexec="trtexec --loadEngine=... on the GPU the engine was built for.",
              trt11="Same; TensorRT-RTX: build for the target compute capabilities you deploy on."),
      rationale="A log may hold a successful build followed by a failed deserialisation or inference; "
                "blaming the build would send the user to the wrong place.")
def engine_load_failed(bl, check):
    err = bl.tables["errors"]
    if err.empty:
        return
    rt = err[err["api"].astype(str).str.startswith(_RUNTIME_APIS)]
    for run, g in rt.groupby("run"):
        built = bl.tables["phases"]
        built = built[(built["run"] == run) & built["phase"].isin(["Engine generation", "Engine built"])]
        first = g.sort_values("line").iloc[0]
        text = str(first["text"])
        if text.startswith(str(first["api"]) + ":"):
            text = text[len(str(first["api"])) + 1:].strip()
        if len(text) > 200:
            text = text[:200].rsplit(" ", 1)[0] + " …"
        msg = f"{first['api']} failed (line {int(first['line'])}): {text}."
        if len(built):
            msg += f" The engine itself was built (line {int(built['line'].iat[0])}); this is not a build failure."
        yield check.finding("Engine could not be loaded or run", msg,
                            check.evidence(g, "errors", lines=built["line"].astype(int).tolist()[:1]),
                            run=int(run), total=len(g))


@rule("TRT213", "fp16-layernorm-overflow", severity="warning", category="accuracy",
      summary="A layer norm built from FP16 Reduce/Pow ops: TensorRT-RTX warns that its variance may overflow.",
      tables=("precision", "patterns"),
      fix=Fix(python="Export the LayerNormalization op (ONNX opset >= 17, e.g. torch.onnx.export(..., "
                     "opset_version=17)) so TensorRT builds an INormalizationLayer, or keep the decomposition's "
                     "ReduceMean/Pow/Sqrt in FP32 (Cast to float32 before them and back to float16 after) in "
                     "the ONNX graph.",
              trtexec="Same change in the ONNX model; with --stronglyTyped the engine runs exactly the graph's types.",
              trt11="Same: precision comes from the graph, so the FP32 island or the opset-17 op goes into the ONNX."),
      rationale="x - mean squared and summed in FP16 exceeds 65504 for activations of a few hundred; after "
                "self-attention such values are common, and the overflow turns the normalised output into "
                "inf/NaN.")
def fp16_layernorm_overflow(bl, check):
    prec = bl.tables["precision"]
    warn = prec[prec["kind"] == "fp16_layernorm_overflow"] if len(prec) else prec
    if warn.empty:
        return
    pat = bl.tables["patterns"]
    for run, g in warn.groupby("run"):
        p = pat[(pat["run"] == run) & (pat["pattern"] == "layer-norm")] if len(pat) else pat
        nodes = p.loc[p["event"] == "fp16_node", "node"].tolist() if len(p) else []
        members = p.loc[p["event"] == "member", "node"].tolist() if len(p) else []
        msg = ("TensorRT-RTX found a layer norm decomposed into elementwise/Reduce ops"
               + (f" ({plural(len(members), 'node')})" if members else "")
               + " running in FP16" + (f"; its FP16 Reduce/Pow nodes: {names(nodes, 8)}" if nodes else "")
               + ". It warns that the variance may overflow in FP16.")
        ev = p[p["event"].isin(["fp16", "fp16_node"])] if len(p) else p
        rows = pd.concat([g, ev]) if len(ev) else g
        yield check.finding("FP16 layer norm may overflow" + (f" ({names(nodes, 3)})" if nodes else ""), msg,
                            check.evidence(rows, "precision"), run=int(run), total=rows["line"].nunique())


@rule("TRT214", "strongly-typed-fp32-engine", severity="info", category="accuracy",
      summary="A strongly typed engine whose layers all run FP32: the precision came from an FP32 graph.",
      tables=("layers", "facts"),
      fix=Fix(python="If FP16/BF16/INT8 was expected: put it into the ONNX graph (FP16 weights and Casts, e.g. "
                     "with TensorRT Model Optimizer AutoCast, or Q/DQ nodes for INT8/FP8); builder precision flags "
                     "do not exist for strongly typed networks.",
              trtexec="--stronglyTyped with an FP16 / Q-DQ ONNX instead of --fp16/--int8/--best.",
              trt11="The TensorRT 11 way: no weak typing; the graph's types are the engine's types."),
      rationale="Moving from TensorRT 10 --fp16 to a strongly typed build (TensorRT-RTX, TensorRT 11, "
                "--stronglyTyped) silently keeps an FP32 model in FP32: nothing warns, the engine is just "
                "slower and larger than the FP16 one it replaced.",
      confidence="medium")
def strongly_typed_fp32_engine(bl, check):
    if not bl.facts.strongly_typed:
        return
    layers = bl.tables["layers"]
    if layers.empty:
        return
    for run, g in layers.groupby("run"):
        precs = set(g["precision"].astype(str))
        if "FP32" not in precs or not precs <= _INDEX_TYPES | {"FP32"}:
            continue
        requested = {p.upper() for p in bl.facts.precision_requested} - {"FP32", "TF32"}
        severity: Optional[str] = "warning" if requested else None
        what = "TensorRT-RTX" if bl.backend == "tensorrt-rtx" else "This strongly typed build"
        every = "the engine layer has" if len(g) == 1 else f"all {len(g)} engine layers have"
        yield check.finding(f"All {plural(len(g), 'engine layer')} run FP32",
                            f"{what} took the precision from the graph: {every} only FP32 (Float) tensors"
                            + (f" although {names(sorted(requested))} was requested" if requested else "")
                            + ". If a reduced precision was expected (as TensorRT 10 --fp16 gave), it has to be "
                            "in the ONNX graph.",
                            check.evidence(g.sort_values("line"), "layers", limit=5), run=int(run),
                            total=len(g), severity=severity)


@rule("TRT508", "no-cuda-driver", severity="warning", category="compatibility",
      summary="cudaError 35 (no usable CUDA driver): a consequence of an ahead-of-time build on a host "
              "without a GPU driver, or the cause where the step needs a GPU.",
      tables=("errors", "facts"),
      fix=Fix(python="Ahead-of-time TensorRT-RTX builds need no driver: target explicit compute capabilities "
                     "(config.set_compute_capability(trt.ComputeCapability.SM89, 0)) instead of CURRENT; "
                     "deserialise and run the engine on a machine with an RTX-class GPU and its driver.",
              trtexec="Build ahead of time with explicit targets; run --loadEngine on the GPU machine.",
              trt11="Same split: build anywhere for named targets, run where the GPU is."),
      rationale="TensorRT-RTX prints 'cudaError 35: CUDA driver version is insufficient for CUDA runtime "
                "version' from its CUDA checks when no driver is installed. After an API error these lines "
                "are noise — the API error is the cause; only a step that needs the GPU itself (compute "
                "capability CURRENT, deserialisation) fails because of it.")
def no_cuda_driver(bl, check):
    err = bl.tables["errors"]
    if err.empty:
        return
    cuda = err["cuda_error"].fillna(-1).astype(int)
    rows = err[cuda == _DRIVERLESS]
    if rows.empty:
        return
    for run, g in rows.groupby("run"):
        g = g.sort_values("line")
        every = err[err["run"] == run]
        causes = g[g["api"].astype(str).str.startswith(("IBuilder::build",) + _RUNTIME_APIS)]
        host = "; env.json names no NVIDIA driver" if bl.facts.driver == "" else ""
        if len(causes):
            first = causes.iloc[0]
            yield check.finding(f"{first['api']} needs a CUDA driver",
                                f"{first['api']} failed with cudaError 35 (line {int(first['line'])}): this host "
                                f"has no usable CUDA driver{host}. Building ahead of time needs none, but this "
                                "step does (a 'current GPU' target, or deserialising the engine).",
                                check.evidence(g, "errors"), run=int(run), total=len(g), severity="error")
            continue
        before = every[(cuda[every.index] != _DRIVERLESS) & (every["line"] < int(g["line"].iat[0]))
                       & ~every["kind"].isin(["cc_check_skipped"])]
        follows = before.iloc[0] if len(before) else None
        msg = f"{plural(len(g), 'line')} report cudaError 35 (no usable CUDA driver{host})"
        if follows is not None:
            msg += (f" after the API error at line {int(follows['line'])}: a consequence of the driverless host "
                    "TensorRT-RTX built on, not the cause of the failure.")
        else:
            msg += ": TensorRT-RTX skipped a check that needs the GPU."
        yield check.finding("cudaError 35: no CUDA driver on this host", msg,
                            check.evidence(g, "errors"), run=int(run), total=len(g), severity="info")
