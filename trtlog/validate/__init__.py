"""Accuracy against ONNX Runtime (`trtlog validate`) and engine timing (`trtlog bench`).

Modules: metrics (pure numpy), inputs (npz / seeded random input sets), ort_runner (ONNX Runtime CPU),
trt_runner (engine + pycuda, TensorRT 8.x bindings or tensor-name API), bench (CUDA events),
per_layer (debug build with intermediate outputs), accuracy (the validate pipeline and result files).
Only metrics, inputs and ort_runner run without a GPU; TensorRT and pycuda are imported lazily.

validate.json (schema "trtlog.validate/1"):
  status "PASS"|"FAIL", passed bool, model, engine, bundle,
  criteria {atol, rtol, max_outside, min_argmax, min_cosine},
  inputs {source "random"|"npz"|"reference", sets, seed, file, shapes {input: [dims]}},
  outputs [{name, shape, engine_dtype, reference_dtype, count, compared, max_abs_err, mean_abs_err,
            max_abs_ref, rel_l2, cosine, outside_count, outside_tol (share 0..1),
            engine_nonfinite {nan, inf}, reference_nonfinite {nan, inf}, argmax_agreement (0..1 or null),
            passed, reasons [str]}],
  per_layer null | {error} | {warning, compared, marked, notes, first_jump {index, name, layer, rel_l2,
            previous_max_rel_l2, ratio} | null, ranked [rows], graph_order [rows]}
            (row: name, shape, layer, layer_type, rel_l2, max_abs_err, mean_abs_err, cosine, outside_tol),
  runtime {tensorrt, onnxruntime, api, gpu, pycuda}, created (UTC ISO 8601).

bench.json (schema "trtlog.bench/1"):
  metrics {"Throughput": {value}, "Latency"|"Enqueue Time"|"H2D Latency"|"GPU Compute Time"|"D2H Latency":
           {min, max, mean, median, p90, p95, p99}}, units {metric: "ms"|"qps"|"s"},
  totals {"Total Host Walltime": s, "Total GPU Compute Time": s}, iterations, warmup_iterations, rotation,
  in_flight, batch, samples_per_s, shapes, output_shapes, engine, bundle,
  runtime {tensorrt, api, gpu, timer}, created.
"""
