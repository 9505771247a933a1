"""TRT3xx: performance — reformats, build time, timing cache, trtexec perf hints, DLA, tactic sources."""
from __future__ import annotations

from ..vocab import REFORMAT_TYPES
from .engine import Evidence, Fix, iter_runs, rule
from .kinds import Present, present
from .util import at_lines, by_id, names, plural, rows, timing_cache_read_errors

LONG_BUILD_S = 60.0
CACHE_WORTH_S = 30.0


@rule("TRT301", "excessive-reformats", severity="warning", category="performance",
      summary="Many Reformat layers in the engine (format/precision conversions between layers).",
      tables=("layers", "profile"),
      fix=Fix(python="Keep neighbouring layers in one precision/format: set I/O formats "
                     "(tensor.allowed_formats, tensor.dtype) to what the first/last layers use; avoid "
                     "mixing per-layer precisions that force conversions.",
              trtexec="--inputIOFormats=fp16:chw --outputIOFormats=fp16:chw (match the network's internal "
                      "format); look at which layers the reformats sit between in --dumpLayerInfo.",
              trt11="Put casts where you want them in the ONNX graph; strong typing removes implicit "
                    "precision reformats."),
      rationale="Each Reformat is a full read+write of a tensor with no compute; many of them usually "
                "mean precision or layout changes at I/O or between mixed-precision layers.",
      confidence="medium")
def excessive_reformats(bl, check):
    layers = bl.tables["layers"]
    if layers.empty:
        return
    prof = bl.tables["profile"]
    for run, g in iter_runs(layers):
        # the plain Reformat layers only: Myelin's (REFORMAT_TYPES) also carry ONNX Identity nodes (39 of the 190
        # layers of the 8.6 GPU bundle cnn-fp32-trt8.6.0 would count), which are copies, not format conversions
        ref = g[g["type"].astype(str).str.lower() == "reformat"]
        n, total = len(ref), len(g)
        if n < 3 or n * 100 < 20 * total:
            continue
        share = ""
        if len(prof):
            pr = prof[prof["run"] == run]
            if len(pr):
                t_all = pr["time_ms"].sum()
                t_ref = pr[pr["layer"].isin(set(ref["name"]))]["time_ms"].sum()
                if t_all > 0 and t_ref > 0:
                    share = f" They take {100 * t_ref / t_all:.1f}% of the profiled time."
        yield check.finding(f"{n} of {total} engine layers are Reformats",
                            f"{n} of {total} engine layers ({100 * n / total:.0f}%) only convert formats/precision: "
                            f"{names(ref['name'].tolist(), 4)}.{share}",
                            check.evidence(ref, "layers"), run=run, total=n)


@rule("TRT302", "long-build", severity="info", category="performance",
      summary=f"The build took longer than {LONG_BUILD_S:.0f} s; shows what dominated it.",
      tables=("phases", "tactics", "timing_cache", "facts"),
      fix=Fix(python="Reuse a timing cache: config.set_timing_cache(config.create_timing_cache(blob), False) "
                     "and save cache.serialize(); lower config.builder_optimization_level (8.6+).",
              trtexec="--timingCacheFile=model.cache (reused across builds); --builderOptimizationLevel=2 "
                      "for faster, less tuned builds.",
              trt11="Same timing cache / optimization level; build once per GPU model and ship the engine."),
      rationale="Tactic timing dominates most builds; a timing cache makes rebuilds of the same layers "
                "on the same GPU nearly free.")
def long_build(bl, check):
    ph = bl.tables["phases"]
    total = bl.facts.build_seconds
    total_line = None
    if len(ph):
        built = ph[ph["phase"].astype(str).str.contains("Engine built|build engine|Engine generation",
                                                         regex=True, case=False) & ph["seconds"].notna()]
        if len(built):
            best = built.loc[built["seconds"].idxmax()]
            if total is None or float(best["seconds"]) >= float(total) - 0.01:
                total_line = int(best["line"])
                if total is None:
                    total = float(best["seconds"])
    if total is None or float(total) < LONG_BUILD_S:
        return
    parts = []
    ev_rows = ph[ph["seconds"].notna()] if len(ph) else ph
    if len(ev_rows):  # builder phases only: not the total itself, not engine loading
        ev_rows = ev_rows[~ev_rows["phase"].astype(str).str.contains("built|deserializ|build engine", case=False)]
    if len(ev_rows):
        top = ev_rows.sort_values("seconds", ascending=False).head(4)
        parts.append("Phases: " + "; ".join(f"{r.phase} {r.seconds:.1f} s" for r in top.itertuples()))
        rest = float(total) - float(ev_rows["seconds"].max())
        if rest > 0.5 * float(total):
            parts.append(f"{rest:.1f} s are outside the timed builder phases (parsing, plugin/library "
                         "loading, kernel library init)")
    tac = bl.tables["tactics"]
    if len(tac):
        per = tac.groupby("layer").size().sort_values(ascending=False).head(3)
        parts.append("most tactics timed: " + ", ".join(f"{k} ({v})" for k, v in per.items()))
    tc = bl.tables["timing_cache"]
    if len(tc) and (tc["event"] == "local").any() and not (tc["event"] == "global").any():
        parts.append("No persistent timing cache was used")
    msg = f"The build took {float(total):.1f} s." + (" " + ". ".join(parts) + "." if parts else "")
    lines = [total_line] if total_line else []
    yield check.finding(f"Long build: {float(total):.0f} s", msg,
                        check.evidence(ev_rows.sort_values("seconds", ascending=False).head(4)
                                       if len(ev_rows) else None, "phases", lines=lines))


@rule("TRT303", "timing-cache-unused", severity="info", category="performance",
      summary=f"A build over {CACHE_WORTH_S:.0f} s used only a local (discarded) timing cache.",
      tables=("timing_cache", "phases", "facts"),
      fix=Fix(python="cache = config.create_timing_cache(open(p,'rb').read() if exists else b''); "
                     "config.set_timing_cache(cache, ignore_mismatch=False); after the build write "
                     "config.get_timing_cache().serialize() to p.",
              trtexec="--timingCacheFile=model.cache", trt11="--timingCacheFile / the same timing-cache API."),
      rationale="'Local timing cache in use' means profiling results are thrown away after this build; "
                "the next build of the same model times every tactic again.")
def timing_cache_unused(bl, check):
    tc = bl.tables["timing_cache"]
    if tc.empty:
        return
    local = tc[tc["event"] == "local"]
    if local.empty or (tc["event"] == "global").any():
        return
    total = bl.facts.build_seconds
    if total is None:
        ph = bl.tables["phases"]
        if len(ph) and ph["seconds"].notna().any():
            total = float(ph["seconds"].max())
    if total is None or float(total) < CACHE_WORTH_S:
        return
    yield check.finding("Timing cache not persisted",
                        f"The build took {float(total):.1f} s with a local timing cache only; its profiling "
                        "results were discarded.", check.evidence(local.head(1), "timing_cache"),
                        total=len(local))


@rule("TRT304", "timing-cache-invalid", severity="warning", category="performance",
      summary="The supplied timing cache was invalid and was ignored.",
      tables=("timing_cache", "errors"),
      fix=Fix(python="Delete the cache file and let the next build write a new one; a cache is only valid "
                     "for the same TensorRT version and GPU. TensorRT-RTX: drop the timing-cache calls (no-ops "
                     "since 1.2) and keep a runtime cache (IRuntimeConfig.set_runtime_cache) instead.",
              trtexec="Remove the --timingCacheFile file (or point to a fresh path) and rebuild once.",
              trt11="Same; caches do not carry across TensorRT versions."),
      rationale="An invalid cache (other TensorRT version/GPU, or corrupted) is dropped silently and "
                "the build falls back to full tactic timing.")
def timing_cache_invalid(bl, check):
    tc = bl.tables["timing_cache"]
    if tc.empty:
        return
    bad = tc[tc["event"].isin(["invalid", "rejected"])]
    if bad.empty:
        return
    cause = timing_cache_read_errors(bl)
    if bl.backend == "tensorrt-rtx":
        text = ("The timing cache given to the build did not deserialize and was dropped. TensorRT-RTX compiles "
                "its kernels just in time and keeps timing-cache calls only as no-ops: an application ported "
                "from TensorRT gains nothing from them; a runtime cache is what it should keep instead.")
    elif len(cause):
        first = cause.iloc[0]
        text = (f"TensorRT could not read the timing cache given to the build and dropped it "
                f"({plural(len(bad), 'time')}): the line before says why — line {int(first['line'])}: "
                f"«{str(first['text']).strip()}». A timing cache is only valid whole, and for the TensorRT version "
                "(and GPU) that wrote it; without it every tactic was timed again.")
    else:
        text = ("The timing cache could not be used; a local cache was set up instead, so every tactic was "
                "timed again.")
    ev = check.evidence(bad, "timing_cache", lines=cause["line"] if len(cause) else ())
    yield check.finding("Timing cache invalid", text, ev, total=len(bad) + len(cause))


present(Present(ids=("trtexec.hint_enqueue",),
                title="Throughput bound by enqueue time",
                message="trtexec reports the GPU may be under-utilized: enqueue time exceeds GPU compute time."),
        "TRT305", "enqueue-bound",
        severity="warning",
        category="performance",
        summary="trtexec: throughput is bound by enqueue (CPU launch) time, not GPU compute.",
        fix=Fix(python="Capture the inference in a CUDA graph (cudaStreamBeginCapture around "
                       "context.execute_async_v3) and use several streams/contexts.",
                trtexec="--useCudaGraph; also --infStreams=2 or larger batches.",
                trt11="Same (--useCudaGraph)."),
        rationale="When enqueue takes longer than the GPU work, the GPU idles between inferences.")


_TRANSFER = {"trtexec.hint_h2d": "host-to-device", "trtexec.hint_d2h": "device-to-host"}


@rule("TRT306", "transfer-bound", severity="info", category="performance",
      summary="trtexec: throughput is bound by host<->device transfers, not GPU compute.",
      tables=("messages",),
      fix=Fix(python="Keep inputs/outputs on the GPU between stages; use pinned host memory and async copies "
                     "overlapped with compute on another stream.",
              trtexec="--noDataTransfers to measure compute only; --useSpinWait; pinned memory is default.",
              trt11="Same."),
      rationale="For small networks the H2D/D2H copies can take longer than the network itself; then "
                "end-to-end throughput reflects PCIe, not the engine.")
def transfer_bound(bl, check):
    m = by_id(bl, _TRANSFER)
    if m.empty:
        return
    kinds = sorted({_TRANSFER[i] for i in m["msg_id"]})
    yield check.finding("Throughput bound by data transfers",
                        f"trtexec reports throughput bound by {' and '.join(kinds)} transfers.",
                        check.evidence(m, "messages"), total=len(m))


@rule("TRT307", "unstable-gpu-timings", severity="info", category="performance",
      summary="trtexec: GPU compute time is unstable (high coefficient of variance).",
      tables=("messages", "perf"),
      fix=Fix(python="Lock GPU clocks (nvidia-smi -lgc) and keep other work off the GPU while benchmarking.",
              trtexec="--useSpinWait, lock clocks (sudo nvidia-smi -lgc <f>), longer --duration, --warmUp.",
              trt11="Same."),
      rationale="Latency figures with a high variance are not comparable between builds; fix the "
                "measurement before drawing conclusions.")
def unstable_timings(bl, check):
    m = by_id(bl, ("trtexec.hint_unstable",))
    if m.empty:
        return
    perf = at_lines(bl, "perf", m["line"])
    perf = perf[perf["stat"] == "unstable_cov"]
    cov_at = dict(zip(perf["line"], perf["value"]))
    for run, g in iter_runs(m):
        cov = [float(cov_at[ln]) for ln in g["line"]]
        yield check.finding(f"Unstable GPU timings (CoV {max(cov):.1f}%)",
                            f"GPU compute time varies with a coefficient of variance of {max(cov):.2f}%; "
                            "latency comparisons need a stable clock.",
                            check.evidence(g, "messages"), run=run, total=len(g))


@rule("TRT308", "tactic-sources-disabled", severity="warning", category="performance",
      summary="cuDNN / cuBLAS / cuBLASLt tactic sources were disabled for the build.",
      tables=("options", "messages", "facts"),
      fix=Fix(python="config.set_tactic_sources(default) — only remove sources on purpose (e.g. to save "
                     "memory / library load time), and re-time.",
              trtexec="Drop --tacticSources=-CUDNN,-CUBLAS... unless needed (e.g. to avoid loading cuDNN).",
              trt11="cuDNN/cuBLAS tactic sources are deprecated/removed in 10.x+; nothing to re-enable."),
      rationale="Fewer tactic sources mean fewer candidate kernels; some layers (e.g. large GEMMs, "
                "grouped/deconvolutions on older versions) may get slower kernels.",
      max_version=(10, 0), confidence="medium")
def tactic_sources_disabled(bl, check):
    disabled = list(bl.facts.tactic_sources_off)
    if disabled:
        line = bl.facts.where("tactic_sources_off").line
        off = at_lines(bl, "options", [line])
        yield check.finding("Tactic sources disabled: " + ", ".join(disabled),
                            f"The build ran with tactic sources {str(off['value'].iat[0]).strip()}.",
                            check.evidence(off, "options"), total=len(off))
        return
    # a bundle's builder config lists the sources it enabled; the library sources missing from it are off
    used = bl.facts.tactic_sources
    if not used:
        return
    disabled = [s for s in _LIBRARY_SOURCES if s not in used]
    if not disabled:
        return
    shown = check.evidence(lines=[ln for ln in [_first_line(bl, "tactic.disabling_source")] if ln])
    ev = [Evidence(0, f"config.json plan.tactic_sources = {', '.join(used)}")] + shown
    yield check.finding("Tactic sources disabled: " + ", ".join(disabled),
                        f"The build enabled only {', '.join(used)} (bundle config); {', '.join(disabled)} "
                        "kernels were never timed.", ev, total=len(ev))


_LIBRARY_SOURCES = ("CUBLAS", "CUBLAS_LT", "CUDNN")


def _first_line(bl, msg_id: str):
    m = by_id(bl, (msg_id,))
    return int(m["line"].iat[0]) if len(m) else None


@rule("TRT309", "dla-fallback", severity="warning", category="performance",
      summary="Layers requested on DLA fell back to the GPU.",
      tables=("fallbacks", "messages"),
      fix=Fix(python="Check the DLA support matrix for the listed layers (types, precision FP16/INT8, static "
                     "shapes); replace unsupported ops or accept GPU fallback (BuilderFlag.GPU_FALLBACK).",
              trtexec="--useDLACore=0 --allowGPUFallback; polygraphy/`--verbose` lists why each layer fell back.",
              trt11="Same DLA rules (Orin); strongly typed graphs must already be FP16/INT8 for DLA."),
      rationale="Each DLA<->GPU transition costs a reformat and a synchronisation; many fallbacks can make "
                "a DLA build slower than pure GPU.")
def dla_fallback(bl, check):
    fb = rows(bl, "fallbacks", "kind", ("dla_fallback",))
    m = by_id(bl, ("fb.dla_not_supported", "fb.dla_unsupported_86", "fb.dla_precision",
                   "fb.dla_none", "fb.dla_no_fallback"))
    src, table = (fb, "fallbacks") if fb is not None and len(fb) else (m, "messages")
    if src is not None and len(src):
        layers = src["layer"].tolist() if "layer" in src else []
        # TensorRT 7-8 say why on the line before each fallback (fb.dla_reason rows): group the layers by reason
        why = rows(bl, "fallbacks", "kind", ("dla_reason",))
        reasons = ""
        if why is not None and len(why):
            by_reason = why.groupby("reason", sort=False)["layer"].apply(list)
            reasons = " Why, as TensorRT printed it: " + "; ".join(
                f"{reason}: {names(group, 4)}" for reason, group in by_reason.items()) + "."
        ev = check.evidence(src, table)
        if reasons:
            ev = sorted(check.evidence(why.head(2), "fallbacks") + ev[:3], key=lambda e: e.line)
        yield check.finding(f"{plural(len(src), 'layer')} fell back from DLA to GPU",
                            f"{plural(len(src), 'fallback')}" + (f": {names(layers)}" if any(layers) else "")
                            + "." + reasons, ev, total=len(src))
        return
    # the placement summary of a DLA build (--useDLACore --allowGPUFallback): layers listed under
    # "Layers Running on GPU" next to DLA subgraphs are the ones the DLA could not take
    place = rows(bl, "fallbacks", "kind", ("dla_layer", "gpu_layer"))
    if place is None or place.empty:
        return
    for run, g in iter_runs(place):
        dla, gpu = g[g["kind"] == "dla_layer"], g[g["kind"] == "gpu_layer"]
        if dla.empty or gpu.empty:
            continue
        yield check.finding(f"{plural(len(gpu), 'layer')} run on the GPU beside {plural(len(dla), 'DLA subgraph')}",
                            f"DLA was used ({plural(len(dla), 'DLA subgraph')}), but {plural(len(gpu), 'layer')} "
                            f"fell back to the GPU: {names(gpu['layer'].tolist())}. Each one splits the DLA graph "
                            "and adds DLA<->GPU transfers.", check.evidence(gpu, "fallbacks"), run=run,
                            total=len(gpu), confidence="medium")


present(Present(ids=("fb.dla_subgraphs",),
                title="DLA subgraph limit reached",
                message="{count:layer} moved to the GPU because the DLA subgraph limit was reached."),
        "TRT310", "dla-subgraph-limit",
        severity="warning",
        category="performance",
        summary="The DLA subgraph limit per core was reached; further layers moved to the GPU.",
        fix=Fix(python="Make DLA-capable layers contiguous (remove unsupported ops in the middle), or mark "
                       "selected layers for GPU so fewer DLA subgraphs are needed.",
                trtexec="Same model change; --useDLACore with --allowGPUFallback shows which layers split the graph.",
                trt11="Same."),
        rationale="A DLA core loads a limited number of subgraphs; every unsupported layer between DLA "
                  "layers creates a new subgraph.",
        unverified=True)


present(Present(ids=("opt.multistream_disabled",),
                title="Multi-stream disabled",
                message="The builder disabled auxiliary streams ({count:time}): the stream assignment failed."),
        "TRT311", "multi-stream-disabled",
        severity="info",
        category="performance",
        summary="Auxiliary streams were requested but the stream assignment failed (multi-stream disabled).",
        min_version=(8, 6),
        fix=Fix(python="config.max_aux_streams = 0 when the network has no parallel branches (it avoids the attempt).",
                trtexec="--maxAuxStreams=0 for sequential networks.", trt11="Same."),
        rationale="Aux streams only help networks with independent branches; for a chain of layers the "
                  "builder disables them and the setting has no effect.")


present(Present(ids=("err.default_stream",),
                title="Inference on the default stream",
                message="{count:enqueueV3 call} used the default stream."),
        "TRT312", "default-stream-enqueue",
        severity="info",
        category="performance",
        summary="enqueueV3() was called on the default CUDA stream (extra synchronisation).",
        min_version=(8, 5),
        fix=Fix(python="stream = torch.cuda.Stream() / cudart.cudaStreamCreate(); "
                       "context.execute_async_v3(stream_handle)",
                trtexec="(trtexec uses its own streams; this comes from application code.)",
                trt11="Same: pass a non-default stream to enqueueV3."),
        rationale="On the legacy default stream TensorRT adds cudaStreamSynchronize calls, which serialise "
                  "inference with other GPU work.")


present(Present(ids=("trtexec.e2e_not_reported", "li.profile_e2e_hint"),
                title="End-to-end timing not reported (profiler on)",
                message="The per-layer profiler was on during the timed run, so only layer times are reported."),
        "TRT313", "profiler-hides-e2e-timing",
        severity="info",
        category="performance",
        summary="--dumpProfile without --separateProfileRun: no end-to-end latency was reported.",
        fix=Fix(python="(trtexec option.)", trtexec="--dumpProfile --separateProfileRun",
                trt11="Same."),
        rationale="The layer profiler synchronises after every layer, so trtexec drops the end-to-end "
                  "numbers instead of reporting inflated ones.")


_NOT_COMPUTE = REFORMAT_TYPES | {"NoOp", "Constant", "shape_call", "Shuffle"}
MYELIN_SHARE = 0.5


@rule("TRT314", "myelin-opaque", severity="info", category="performance",
      summary="Most of the engine is Myelin {ForeignNode[...]} layers: per-layer analysis cannot see inside them.",
      tables=("layers", "profile"),
      fix=Fix(python="Build with config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED and read the "
                     "ForeignNode's Metadata (the ONNX nodes it holds) from "
                     "engine.create_engine_inspector().get_engine_information(trt.LayerInformationFormat.JSON); "
                     "10.x: network.mark_debug(tensor) exposes inner tensors at runtime.",
              trtexec="--profilingVerbosity=detailed --dumpLayerInfo --exportLayerInfo=layers.json (Metadata "
                      "lists the fused ONNX nodes; 10.x also shows the Myelin kgen/gemm sub-kernels) and "
                      "--dumpProfile --separateProfileRun for their times; --markDebug=<tensor> (10.x) for "
                      "debug tensors; polygraphy run --trt-outputs mark all to compare inner tensors.",
              trt11="Same tools: detailed profiling verbosity, layer-info Metadata, debug tensors."),
      rationale="Myelin compiles whole subgraphs (transformers, and everything under TensorRT-RTX) into one "
                "ForeignNode: the engine reports one layer, one tactic and one precision for it, so findings "
                "about per-layer precision, tactics or fusions say nothing about what runs inside.",
      confidence="high")
def myelin_opaque(bl, check):
    layers = bl.tables.get("layers")
    if layers is None or layers.empty:
        return
    for run, g in iter_runs(layers):
        compute = g[~g["type"].astype(str).isin(_NOT_COMPUTE)]
        if compute.empty:
            continue
        myelin = compute[(compute["type"].astype(str) == "Myelin")
                         | compute["name"].astype(str).str.startswith("{ForeignNode[")]
        share = len(myelin) / len(compute)
        if myelin.empty or share < MYELIN_SHARE:
            continue
        msg = (f"{len(myelin)} of {len(compute)} compute layers ({share:.0%}) are Myelin ForeignNodes "
               f"({names(myelin['name'].astype(str).tolist(), 2)}). Their precision, tactics and fusions are "
               "decided inside Myelin and not printed per layer, so the layer-level analysis is blind there.")
        meta = [m for m in myelin["metadata"].astype(str) if m] if "metadata" in myelin else []
        if meta:
            msg += f" Layer-info Metadata names the ONNX nodes inside: {names(meta, 3)}."
        else:
            msg += (" The log carries no Metadata for them: rebuild with detailed profiling verbosity to "
                    "see which ONNX nodes each one holds.")
        prof = bl.tables.get("profile")
        if prof is not None and len(prof):
            p = prof[prof["run"].fillna(0).astype(int) == run] if "run" in prof else prof
            total = p["time_ms"].sum()
            inside = p[p["layer"].astype(str).isin(set(myelin["name"].astype(str)))]["time_ms"].sum()
            if total > 0 and inside > 0:
                msg += f" They take {inside / total:.0%} of the profiled time."
        yield check.finding(f"{share:.0%} of the engine is opaque Myelin ForeignNodes", msg,
                            check.evidence(myelin, "layers"), run=run, total=len(myelin))


@rule("TRT315", "sparse-weights-unused", severity="info", category="performance",
      summary="Sparse weights were enabled and layers were eligible for 2:4 sparse math, but the engine runs "
              "dense kernels for some or all of them.",
      tables=("precision", "layers", "tactics"),
      fix=Fix(python="Time the engine with and without config.set_flag(trt.BuilderFlag.SPARSE_WEIGHTS) and keep "
                     "the flag only where it wins; sparsity pays off on large FP16/INT8 convolutions and GEMMs "
                     "(many channels, big batches) with the 2:4 pattern along each layer's input channels.",
              trtexec="Compare --sparsity=enable with a dense build (--sparsity=disable); --sparsity=force prunes "
                      "the weights itself, for timing only (it changes the results).",
              trt11="Same flag (SPARSE_WEIGHTS / --sparsity)."),
      rationale="TensorRT times sparse and dense kernels and keeps the faster chain of formats; where the "
                "sparse kernels lose (small layers, reformats around them) the 2:4 pruning cost accuracy and "
                "buys no speed.",
      confidence="high")
def sparse_weights_unused(bl, check):
    p = bl.tables["precision"]
    if p.empty:
        return
    eligible, picked = p[p["kind"] == "sparsity_eligible"], p[p["kind"] == "sparsity_picked"]
    for run, g in iter_runs(eligible):
        chosen = picked[picked["run"] == run]
        if chosen.empty:        # no 'picked' line (an excerpt): nothing to compare
            continue
        listed = [x for x in dict.fromkeys(g["tensor"].astype(str)) if x]
        sparse = set(chosen["tensor"].astype(str))
        dense = [x for x in listed if x not in sparse]
        if not dense:
            continue
        details = [_sparse_vs_engine(bl, run, layer) for layer in dense]
        msg = (f"{plural(len(dense), 'layer')} of {len(listed)} eligible for 2:4 sparse math "
               f"{'runs' if len(dense) == 1 else 'run'} dense kernels: " + "; ".join(details) + ".")
        yield check.finding("Sparse weights unused", msg,
                            check.evidence(lines=sorted(set(g["line"].astype(int)) | set(chosen["line"].astype(int)))),
                            run=run, total=len(dense))


def _sparse_vs_engine(bl, run: int, layer: str) -> str:
    """'layer (fastest sparse tactic 0.0108 ms, the engine's 0x05b6... 0.0111 ms)' from the timing rows."""
    tac = bl.tables["tactics"]
    rows_ = tac[(tac["run"] == run) & (tac["layer"] == layer)] if len(tac) else tac
    # sparse kernels carry it in their name (sm80_xmma_fprop_sparse_conv_..._sptensor16x8x32)
    sparse = rows_[rows_["kernel"].astype(str).str.contains("sparse", regex=False)]["time_ms"].dropna()
    parts = []
    if len(sparse):
        parts.append(f"fastest sparse tactic {sparse.min():.4g} ms")
    lay = bl.tables["layers"]
    mine = lay[(lay["run"] == run) & (lay["name"] == layer)] if len(lay) else lay
    if len(mine):
        tactic = str(mine["tactic"].iat[0])
        t = rows_[rows_["tactic"] == tactic]["time_ms"].dropna()
        parts.append(f"the engine's {tactic}" + (f" {t.min():.4g} ms" if len(t) else ""))
    return layer + (f" ({', '.join(parts)})" if parts else "")
