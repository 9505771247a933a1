"""The catalog of change kinds: what `trtlog diff` can report, how it is scored, when and in which words.

Every change the diff emits names a kind declared here (`Change` refuses any other). A kind holds:
- `score`: how much such a change can explain a difference between two builds (0-100, used for ranking):
  a number, or a `Scale` that grows with the size of the change (`x`), capped;
- `variants`: other scores and/or wordings of the same kind (None: the kind's), picked by the delta code;
- `thresholds`: the named limits below which the delta code reports nothing;
- `template`: the wording, `str.format` over the change's typed fields (`a`, `b`, `layer` and the
  kind's own fields). Format specs beyond Python's: `bytes` (1.5 MiB), `names` ('x', 'y' (+2 more)),
  `counts` ({key: n} as 'n key', largest first), `|TEXT` (TEXT when the value is empty);
- `names`: per variant, the flag / option names that pick it;
- `clauses`: optional parts, each rendered when the field of the same name is not None, joined by
  `clause_sep` into the template's `{clauses}`.

`python -m trtlog.diff.catalog > docs/diff-kinds.md` writes the catalog page (a test keeps it current).
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple, Union

from ..vocab import format_bytes

GROUPS = ("problems", "environment", "build", "layers", "memory", "calibration", "performance")

# the ranked summary: at most SUMMARY_LIMIT lines, of changes scoring at least SUMMARY_MIN_SCORE; a detail
# kind heads it only when one change scores at least SUMMARY_DETAIL_MIN_SCORE
SUMMARY_LIMIT = 6
SUMMARY_MIN_SCORE = 10
SUMMARY_DETAIL_MIN_SCORE = 30


@dataclass(frozen=True)
class Scale:
    """min(cap, base + x * num / den): a score that grows with the size `x` of the change."""
    base: float
    num: float
    den: float
    cap: float
    x: str   # what x measures (docs)

    def __call__(self, x: float) -> float:
        return min(self.cap, self.base + (x * self.num if self.den == 1 else x * self.num / self.den))

    def describe(self) -> str:
        slope = ("x" if self.num == self.den == 1 else f"{self.num:g}·x" if self.den == 1
                 else f"x/{self.den:g}" if self.num == 1 else f"{self.num:g}·x/{self.den:g}")
        return f"min({self.cap:g}, {f'{self.base:g} + ' if self.base else ''}{slope}), x = {self.x}"


Score = Union[int, float, Scale]


@dataclass(frozen=True)
class Kind:
    id: str
    group: str
    meaning: str
    template: str
    score: Score
    variants: Mapping[str, Tuple[Optional[Score], Optional[str]]] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    names: Mapping[str, FrozenSet[str]] = field(default_factory=dict)
    clauses: Mapping[str, str] = field(default_factory=dict)
    clause_sep: str = ""
    detail: bool = False            # one per layer/option/figure, usually rolled up into an aggregate kind:
    #                                 heads the summary only when it scores SUMMARY_DETAIL_MIN_SCORE
    summary_by_layer: bool = False  # the summary keeps one line per (kind, layer) instead of per text
    unverified: bool = False        # no real pair of logs the project holds shows it yet

    def score_of(self, variant: str = "", x: Optional[float] = None) -> float:
        s = self.variants[variant][0] if variant else None
        s = self.score if s is None else s
        if isinstance(s, Scale):
            if x is None:
                raise ValueError(f"change kind {self.id}: its score scales with x, and none was given")
            return s(x)
        return s

    def wording(self, variant: str, fields: Mapping[str, Any]) -> str:
        template = (self.variants[variant][1] if variant else None) or self.template
        present = [c for name, c in self.clauses.items() if fields.get(name) is not None]
        clauses = self.clause_sep.join(_WORDING.format(c, **fields) for c in present)
        return _WORDING.format(template, clauses=clauses, **fields)


class _Wording(string.Formatter):
    def format_field(self, value: Any, spec: str) -> str:
        if spec.startswith("|"):
            return str(value) if value else spec[1:]
        if spec == "bytes":
            return format_bytes(value, ".4g")
        if spec == "names":
            return short_names(value)
        if spec == "counts":
            return ", ".join(f"{n} {k}" for k, n in sorted(value.items(), key=lambda kv: -kv[1]))
        return super().format_field(value, spec)


_WORDING = _Wording()


def short_names(names: List[str], n: int = 3) -> str:
    s = ", ".join(f"'{x}'" for x in names[:n])
    return s + (f" (+{len(names) - n} more)" if len(names) > n else "")


# trtexec flags and printed options that change what is built (or how it is measured): their changes rank higher
IMPORTANT_FLAGS = frozenset({
    "--fp16", "--int8", "--best", "--bf16", "--fp8", "--int4", "--noTF32", "--stronglyTyped", "--memPoolSize",
    "--workspace", "--builderOptimizationLevel", "--sparsity", "--useCudaGraph", "--useSpinWait", "--tacticSources",
    "--maxAuxStreams", "--precisionConstraints", "--layerPrecisions", "--layerOutputTypes", "--directIO",
    "--allowGPUFallback", "--useDLACore", "--hardwareCompatibilityLevel", "--noDataTransfers", "--threads",
    "--streams", "--separateProfileRun", "--profilingVerbosity", "--inputIOFormats", "--outputIOFormats", "--calib",
    "--refit", "--versionCompatible", "--weightStreaming"})
# the precision flags, which precision_flags already reports as "Requested precision differs"
PRECISION_FLAGS = frozenset({"--fp16", "--int8", "--best", "--bf16", "--fp8", "--int4"})
IMPORTANT_OPTIONS = frozenset({
    "Precision", "Memory Pools", "Workspace", "Sparsity", "Tactic sources", "timingCacheMode", "Optimization level",
    "Builder optimization level", "Max aux streams", "maxAuxStreams", "Spin-wait", "CUDA Graph",
    "Input build shape", "Input inference shape", "Streams", "Data transfers", "Separate profiling",
    "Input(s)s format", "Output(s)s format", "Calibration", "LayerPrecisions", "Layer Precisions", "Strongly Typed",
    "Direct IO mode", "DirectIO mode", "Refit", "Profiling verbosity", "Hardware Compatibility Level",
    "Runtime Platform", "Weight Streaming", "Strip weights", "Batch", "Max batch"})


def _pct(cap: float, base: float = 0, den: float = 1, num: float = 1) -> Scale:
    return Scale(base, num, den, cap, "size of the change in %")


_K = [
    # -- problems ---------------------------------------------------------------------------------
    Kind("build_status", "problems", "One build succeeded and the other failed (facts build_ok).",
         "Build fails in B{clauses}.", 100, variants={"succeeds": (60, "Build succeeds in B{clauses}.")},
         clauses={"failure": ": {failure}"}),
    Kind("error_new", "problems", "An error (E/F message or errors table row) only B prints; the message id, "
         "else the text with numbers masked, identifies it.", "New error in B ({n}x): {b:.200}", 85),
    Kind("warning_new", "problems", "A warning only B prints.", "New warning in B ({n}x): {b:.200}", 25),
    Kind("error_gone", "problems", "An error only A prints.", "Error gone in B ({n}x in A): {a:.200}", 30),
    Kind("warning_gone", "problems", "A warning only A prints.", "Warning gone in B ({n}x in A): {a:.200}", 8),
    Kind("error_count", "problems", "The same error printed a very different number of times.",
         "Error printed {a}x -> {b}x: {text:.200}", 6, thresholds={"min_ratio": 2, "min_delta": 3}),
    Kind("warning_count", "problems", "The same warning printed a very different number of times.",
         "Warning printed {a}x -> {b}x: {text:.200}", 6, thresholds={"min_ratio": 2, "min_delta": 3}),
    # -- environment --------------------------------------------------------------------------------
    Kind("trt_version", "environment", "A different TensorRT version.", "TensorRT {a} -> {b}.", 70),
    Kind("gpu", "environment", "A different GPU (Selected Device, else facts gpu).",
         "Different GPU: {a} -> {b}; kernels, tactics and timings are not comparable one to one.", 75),
    Kind("compute_capability", "environment", "A different compute capability; ranked low when the GPU "
         "name differs too (variant gpu_changed).", "Compute capability {a} -> {b}.", 30,
         variants={"gpu_changed": (8, None)}),
    Kind("precision_flags", "environment", "A different requested precision (facts precision_requested); "
         "variant unrealised when no matched layer changed its realised precision although layers or "
         "tactics changed.", "Requested precision differs: {a} -> {b}.", 80,
         variants={"unrealised": (50, "Requested precision differs: {a} -> {b}, but no matched layer changed "
                                      "its realised precision.")}),
    Kind("strongly_typed", "environment", "Strongly typed network on one side only.",
         "Strongly typed network: {a} -> {b}.", 60, unverified=True),
    Kind("builder_flag", "environment", "A trtexec flag added, removed or changed (path-valued flags are "
         "ignored); variants by importance, and repeats_precision when precision_flags already says it.",
         "trtexec flag {layer} {what}: {a:|-} -> {b:|-}.", 12,
         variants={"important": (45, None), "repeats_precision": (10, None)},
         names={"important": IMPORTANT_FLAGS, "repeats_precision": PRECISION_FLAGS}),
    Kind("option", "environment", "A printed build/inference option (trtexec `=== ... ===` sections) "
         "with another value; variant important for the options that change what is built.",
         "Option '{layer}': {a!r} -> {b!r}.", 5, variants={"important": (25, None)},
         names={"important": IMPORTANT_OPTIONS}, detail=True),
    # -- build ----------------------------------------------------------------------------------------
    Kind("build_time", "build", "Total build time moved.", "Build time {a:.3g} s -> {b:.3g} s ({pct:+.0f} %).",
         _pct(60, base=10, den=3), thresholds={"min_pct": 10}),
    Kind("build_phase", "build", "A build phase present on both sides took a different time.",
         "Build phase '{layer}': {a:.3g} s -> {b:.3g} s ({pct:+.0f} %).",
         Scale(0, 2, 1, 40, "size of the change in s"), thresholds={"min_pct": 20, "min_seconds": 0.5},
         summary_by_layer=True),
    Kind("tactic_search", "build", "A different number of tactics timed during the build.",
         "Tactics timed during the build: {a} -> {b} ({pct:+.0f} %).", _pct(45, den=5),
         thresholds={"min_pct": 20}),
    Kind("tactic_search_layer", "build", "One layer had many more or fewer tactics timed (the largest "
         "moves only).", "Layer '{layer}': {a} -> {b} tactics timed.", 15,
         thresholds={"min_count": 10, "min_share": 0.05, "top": 5}, detail=True),
    # -- layers ---------------------------------------------------------------------------------------
    Kind("layer_count", "layers", "A different number of engine layers.",
         "Engine layers: {a} -> {b} ({pct:+.0f} %).", _pct(55, base=20, den=2)),
    Kind("fusion_gained", "layers", "Several A layers matched one B layer.",
         "{n_a} layers fused into 1: {a:names} -> {b:names}.", Scale(20, 3, 1, 40, "difference in layer count")),
    Kind("fusion_lost", "layers", "One A layer matched several B layers.",
         "1 layer split into {n_b}: {a:names} -> {b:names}.", Scale(20, 3, 1, 40, "difference in layer count")),
    Kind("regrouped", "layers", "Several A layers matched several B layers.",
         "{n_a} layers regrouped into {n_b}: {a:names} -> {b:names}.",
         Scale(20, 3, 1, 40, "difference in layer count")),
    Kind("precision", "layers", "A matched compute layer runs in another precision (a fused layer only when "
         "it uses one its parts did not).", "Layer '{layer}' runs in {b} instead of {a}.", 10, detail=True),
    Kind("precision_shift", "layers", "All realised precision changes, counted by transition; a headline when "
         "enough layers moved.", "Realised precision changed on {b} of {compute_layers} matched compute layers: "
         "{a:counts}.", 40, variants={"headline": (90, None)},
         thresholds={"headline_min_layers": 2, "headline_share": 0.3}),
    Kind("renamed", "layers", "A 1:1 match found by something other than the name.",
         "Layer '{a}' is named '{b}' (matched by {how}).", 1, detail=True),
    Kind("layer_type", "layers", "A matched layer with another implementation type.",
         "Layer '{layer}' implementation {a} -> {b}.", 12, detail=True),
    Kind("tactic", "layers", "A matched layer with another tactic.", "Layer '{layer}' tactic {a} -> {b}.", 4,
         detail=True),
    Kind("tactic_summary", "layers", "How many matched layers use another tactic.",
         "{b} matched layers use a different tactic.", Scale(5, 1, 1, 30, "layers with another tactic")),
    Kind("kernel", "layers", "A matched layer with another kernel.", "Layer '{layer}' kernel {a} -> {b}.", 6,
         detail=True),
    Kind("tactic_time", "layers", "The chosen tactic of a matched layer timed differently while building.",
         "Layer '{layer}' chosen tactic timed {a:.4g} ms -> {b:.4g} ms ({pct:+.0f} %).", _pct(25, den=10),
         thresholds={"min_pct": 10, "min_ms": 0.001}, detail=True),
    Kind("layer_runtime", "layers", "A matched layer (group) takes another time in the per-layer profile.",
         "Layer '{layer}' runtime {a:.4g} ms -> {b:.4g} ms ({pct:+.0f} %, profile).",
         Scale(0, 1, 1, 60, "size of the change as % of the larger profiled total"),
         thresholds={"min_pct": 10, "min_share": 0.01}, unverified=True),
    Kind("reformat_added", "layers", "A reformat layer only B has.", "Reformat added: '{layer}' ({b}).", 3,
         detail=True),
    Kind("reformat_removed", "layers", "A reformat layer only A has.", "Reformat removed: '{layer}'.", 3,
         detail=True),
    Kind("reformat_count", "layers", "A different number of reformat layers.", "Reformat layers: {a} -> {b}.",
         Scale(15, 5, 1, 45, "difference in reformat count")),
    Kind("unmatched", "layers", "Compute layers without a counterpart on the other side.",
         "Layers without a counterpart: {a} only in A, {b} only in B.", 15),
    # -- memory ---------------------------------------------------------------------------------------
    Kind("memory", "memory", "A final engine memory total (activation, persistent, scratch, weights) moved.",
         "{layer} memory {a:bytes} -> {b:bytes} ({pct:+.0f} %).",
         Scale(0, 1, 10, 30, "size of the change in % (100 from 0)"),
         variants={"from_zero": (None, "{layer} memory {a:bytes} -> {b:bytes} (new).")},
         thresholds={"min_pct": 5}, summary_by_layer=True),
    Kind("peak_memory", "memory", "Peak CPU/GPU allocator use during the build moved.",
         "Peak {layer} allocator use during the build {a:.0f} MiB -> {b:.0f} MiB ({pct:+.0f} %).", _pct(35, den=5),
         thresholds={"min_pct": 10, "min_mib": 2}),
    Kind("engine_size", "memory", "The engine file size moved.",
         "Engine size {a:.4g} MiB -> {b:.4g} MiB ({pct:+.0f} %).",
         _pct(30, den=5), thresholds={"min_pct": 5}),
    # -- calibration ----------------------------------------------------------------------------------
    Kind("calibration", "calibration", "INT8 calibration on one side only (variant one_side), or what both "
         "calibrations share (variant same).", "Only {side} ran INT8 calibration ({algorithm:|algorithm not "
         "printed}, {batches} batches).", 40,
         variants={"same": (5, "Both builds ran INT8 calibration; the same: {clauses}.")},
         clauses={"same_algorithm": "algorithm {same_algorithm}", "same_batches": "{same_batches} batches",
                  "same_cache": "cache {same_cache}",
                  "tensors": "{equal_scales} of {tensors} printed tensor scales equal"}, clause_sep=", "),
    Kind("calibration_algorithm", "calibration", "Another calibration algorithm (from the cache file name).",
         "Calibration algorithm {a:|?} -> {b:|?}: scales are computed differently.", 55, unverified=True),
    Kind("calibration_batches", "calibration", "A different number of calibration batches.",
         "Calibration batches {a} -> {b}.", 40, unverified=True),
    Kind("calibration_cache", "calibration", "The calibration cache written on one side and read on the other.",
         "Calibration cache {cache_a:|not used} -> {cache_b:|not used} (a cache read skips calibration: its "
         "scales come from the earlier run).", 30, unverified=True),
    Kind("calibration_time", "calibration", "Calibration took another time.",
         "Calibration time {a:.3g} s -> {b:.3g} s ({pct:+.0f} %).", _pct(30, base=5, den=4),
         thresholds={"min_pct": 10}),
    Kind("calibration_scales", "calibration", "INT8 scales that differ (as printed, 6 significant digits).",
         "INT8 scales as the log prints them (6 significant digits): {n_differ} of {n_both} tensors "
         "differ{clauses}.", Scale(15, 1, 1, 45, "tensors whose scale differs"),
         thresholds={"rel_tol": 1e-6},
         clauses={"differ": " (e.g. {differ:names})", "only": "; {only} tensors have a scale on one side only"}),
    # -- performance ----------------------------------------------------------------------------------
    Kind("perf", "performance", "A trtexec performance figure moved (every metric and statistic).",
         "{layer} {a:.4g} -> {b:.4g} {unit} ({pct:+.1f} %, {verdict}).", _pct(15, den=2),
         thresholds={"min_pct": 2}, detail=True, summary_by_layer=True),
    Kind("perf_summary", "performance", "One sentence for the headline figures (throughput, mean latency, "
         "mean GPU compute time), ranked by the largest move.", "Performance: {clauses}.", _pct(95, base=40, num=4),
         thresholds={"min_pct": 2}, clause_sep="; ",
         clauses={label: f"{label.replace('_', ' ')} {{{label}[0]:.4g}} -> {{{label}[1]:.4g}} {{{label}[2]}} "
                         f"({{{label}[3]:+.1f}} %)"
                  for label in ("throughput", "mean_latency", "mean_GPU_compute_time")}),
]

KINDS: Dict[str, Kind] = {k.id: k for k in _K}
assert len(KINDS) == len(_K), "duplicate change kind"


# what limits the comparison of performance figures (DiffResult.caveats; the summary repeats them after a
# perf_summary): id -> wording over typed fields
CAVEATS: Dict[str, str] = {
    "inference_option": "Inference option '{name}' differs ({a} vs {b}, lines {line_a}/{line_b}): performance "
                        "figures were measured differently.",
    "trtexec_defaults": "trtexec inference defaults (CUDA graphs, spin-wait) changed in TensorRT {major}.x; check the "
                        "Inference options of both runs before reading throughput as an engine change.",
    "different_gpu": "Measured on different GPUs ({a} vs {b}).",
}


UNVERIFIED_CAVEATS = frozenset({"trtexec_defaults"})   # no real pair of logs the project holds shows it yet


def caveat(kind: str, **fields: Any) -> str:
    return _WORDING.format(CAVEATS[kind], **fields)


def ids(*names: str) -> Tuple[str, ...]:
    """Kind ids referenced by code outside the delta builders, checked against the catalog at import."""
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise KeyError(f"undeclared change kinds: {unknown}")
    return names
