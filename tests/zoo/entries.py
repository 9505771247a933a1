"""The zoo: each entry = a model from tests/zoo/models.py, the `trtlog build --backend rtx` options
to use, and what is expected (exit code, and a piece of the error or of the log that says why).

Exit codes: 0 built; 1 the build failed (the bundle stays); 2 refused by trtlog before any build
(no bundle). `two_builds` is not a CLI build: tests/zoo/two_builds.py builds two models through one
TensorRT-RTX logger in one process (one log holding two builds).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List


@dataclass
class Entry:
    name: str
    model: str
    args: List[str] = field(default_factory=list)
    exit: int = 0
    why: str = ""                 # a substring of the status error (exit 1), stderr (exit 2) or the log (exit 0)
    what: str = ""                # what a user debugs with it


def _shapes(kind: str, *dims: str) -> List[str]:
    return [a for d in dims for a in (f"--{kind}-shapes", f"input:{d}")]


PROFILE = _shapes("min", "1x3x32x32") + _shapes("opt", "4x3x64x64") + _shapes("max", "8x3x128x128")

ZOO: List[Entry] = [
    Entry("cnn", "cnn", what="Conv+BN+ReLU, MaxPool, GAP, Gemm in FP32"),
    Entry("depthwise_relu6", "depthwise_relu6", what="MobileNet-style depthwise Conv + ReLU6 (Clip 0..6)"),
    Entry("fp16_casts", "fp16_casts", what="FP16 by graph: Cast to FP16, FP16 initializers, Cast back"),
    Entry("fp16_mlp", "fp16_mlp", what="FP16 inputs, outputs and weights"),
    Entry("bf16_mlp", "bf16_mlp", what="BF16 by graph: Casts to bfloat16 around MatMuls"),
    Entry("transformer", "transformer", what="pre-LN transformer block, MatMul-Softmax-MatMul attention, FP32"),
    Entry("transformer_fp16", "transformer_fp16", what="the same block in FP16"),
    Entry("transformer_dynamic", "transformer_dynamic",
          ["--min-shapes", "input:1x16x128", "--opt-shapes", "input:4x64x128", "--max-shapes", "input:8x128x128"],
          why="SYMBOLIC CHECKS", what="dynamic batch and sequence with one profile"),
    Entry("transformer_fp16_ln_decomposed", "transformer_fp16_ln_decomposed",
          why="Running layernorm after self-attention with FP16 Reduce or Pow may cause overflow.",
          what="FP16 transformer block with LayerNorm decomposed (the make demo model)"),
    Entry("layernorm_op_fp16", "layernorm_op_fp16", what="LayerNormalization (opset 17) in FP16"),
    Entry("layernorm_decomposed_fp16", "layernorm_decomposed_fp16", why="Detected layernorm nodes in FP16.",
          what="LayerNorm decomposed (ReduceMean/Pow/Sqrt) in FP16: the overflow warning"),
    Entry("layernorm_decomposed_fp32", "layernorm_decomposed_fp32",
          what="the decomposed LayerNorm in FP32 (no overflow warning)"),
    Entry("detection_head", "detection_head", what="BatchNorm, SiLU, Resize x2, Concat, INT64 Slice"),
    Entry("int8_qdq_per_tensor", "int8_qdq_per_tensor", what="INT8 Q/DQ, per-tensor weight scales"),
    Entry("int8_qdq_per_channel", "int8_qdq_per_channel", what="INT8 Q/DQ, per-channel weight scales"),
    Entry("fp8_qdq", "fp8_qdq", what="FP8 E4M3 Q/DQ around a GEMM"),
    Entry("fp8_qdq_sm86", "fp8_qdq", ["--compute-capability", "8.6"], exit=1,
          why="because the model contains HW-specific datatypes: fp8_e4m3",
          what="FP8 GEMM for an Ampere target (8.6 has no FP8 GEMM)"),
    Entry("int4_weight_only", "int4_weight_only", what="INT4 block-quantized weights (DequantizeLinear, block 32)"),
    Entry("fp4_weight_only_sm120", "fp4_weight_only", ["--compute-capability", "12.0"],
          what="FP4 E2M1 block-quantized weights (DequantizeLinear, block 16) for a Blackwell target"),
    Entry("fp4_weight_only_sm86", "fp4_weight_only", ["--compute-capability", "8.6"], exit=1,
          why="because the model contains HW-specific datatypes: fp4_e2m1",
          what="the same FP4 weights for an Ampere target (no FP4 compute before 12.x)"),
    Entry("lstm", "lstm", what="ONNX LSTM"),
    Entry("gru", "gru", what="ONNX GRU"),
    Entry("loop", "loop", what="ONNX Loop with a constant trip count"),
    Entry("if_cond", "if_cond", what="ONNX If on a runtime boolean"),
    Entry("custom_op", "custom_op", exit=1, why="Plugin not found",
          what="an op of a custom domain nobody implements"),
    Entry("plugin_op", "plugin_op", exit=1, why="Plugin not found",
          what="EfficientNMS_TRT, an op TensorRT has only as a plugin"),
    Entry("dynamic_noprofile", "dynamic_cnn", exit=2, why="has dynamic shape",
          what="dynamic input without a profile: trtlog refuses before building"),
    Entry("dynamic_profile", "dynamic_cnn", PROFILE, what="dynamic batch and image size, one profile"),
    Entry("profile_min_gt_max", "dynamic_cnn",
          _shapes("min", "8x3x64x64") + _shapes("opt", "4x3x64x64") + _shapes("max", "1x3x64x64"),
          exit=1, why="optimization profile 1 rejected", what="invalid profile: min > max"),
    Entry("profile_opt_outside", "dynamic_cnn",
          _shapes("min", "1x3x64x64") + _shapes("opt", "16x3x64x64") + _shapes("max", "8x3x64x64"),
          exit=1, why="optimization profile 1 rejected", what="invalid profile: opt outside min..max"),
    Entry("profile_shape_conflict", "add_two_dynamic",
          ["--min-shapes", "a:2x4", "--opt-shapes", "a:4x4", "--max-shapes", "a:8x4",
           "--min-shapes", "b:3x4", "--opt-shapes", "b:5x4", "--max-shapes", "b:16x4"],
          exit=1, why="violate shape constraints",
          what="a valid profile per input whose batches conflict (Add needs N == M): rejected by the build"),
    Entry("profiles_two", "dynamic_cnn",
          PROFILE + _shapes("min", "8x3x32x32") + _shapes("opt", "16x3x64x64") + _shapes("max", "32x3x64x64"),
          why="Constructing optimization profile number 1 [2/2].", what="two optimization profiles"),
    Entry("cc_several", "cnn", ["--compute-capability", "8.6,8.9,12.0"],
          why="Number of target compute capabilities: 3", what="three compute-capability targets"),
    Entry("cc_turing", "cnn", ["--compute-capability", "7.5"], exit=1, why="FP32 GEMM is not supported",
          what="a Turing-only engine of the FP32 CNN (its Gemm)"),
    Entry("cc_turing_fp16", "fp16_mlp", ["--compute-capability", "7.5"],
          what="FP16 GEMMs for a Turing target: they build where cc_turing's FP32 Gemm does not"),
    Entry("cc_current_no_gpu", "cnn", ["--compute-capability", "current"], exit=1, why="cudaError 35",
          what="'current' GPU target on a machine without a CUDA driver"),
    Entry("tiny_workspace", "transformer", ["--workspace", "1M"], exit=1, why="within workspace limit",
          what="1 MiB workspace: no tactic fits"),
    Entry("builder_opt_level0", "transformer", ["--builder-opt-level", "0"], what="builder optimization level 0"),
    Entry("large", "large", what="64 MiB of FP32 weights (4 MatMuls 2048x2048)"),
    Entry("large_weight_streaming", "large", ["--weight-streaming"], what="the large model with weight streaming"),
    Entry("refused_fp16", "cnn", ["--fp16"], exit=2, why="no weak typing in TensorRT-RTX",
          what="--fp16 on TensorRT-RTX: refused, with the strongly typed way"),
]

BY_NAME = {e.name: e for e in ZOO}
