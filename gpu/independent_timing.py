"""Independent engine timing, to cross-check `trtlog bench` (imports nothing from trtlog).

A plain loop: per iteration record a CUDA event, execute_async_v3, record another event; one
synchronize at the end. Inputs: the engine's fixed shapes or its profile-0 opt shapes (what `trtlog
bench` uses by default), filled once with random non-zero data. Prints the median and mean of the
event-timed compute and, with --json, writes them. TensorRT >= 8.5 (tensor-name API) only.

  python gpu/independent_timing.py ENGINE.plan [--iterations 1000] [--warmup 100] [--json OUT.json] [--cuda-graph]
With --cuda-graph the one execute_async_v3 is captured in a CUDA graph (driver API via ctypes) and the
loop times graph launches: kernel time without per-kernel launch gaps, to compare with
`trtlog bench --cuda-graph`.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import statistics
import sys

import numpy as np
import pycuda.driver as cuda  # noqa: E402

# TensorRT before pycuda, the primary context and an ILogger subclass: the arrangement trtlog uses.
# The first version (pycuda imported first, a pycuda-made context, trt.Logger) segfaulted inside
# deserialize_cuda_engine with TensorRT 8.6.0 on the H100 (driver 580); this one runs.
import tensorrt as trt

DTYPES = {"FLOAT": np.float32, "HALF": np.float16, "INT8": np.int8, "INT32": np.int32, "BOOL": np.bool_,
          "UINT8": np.uint8, "INT64": np.int64}


class QuietLogger(trt.ILogger):
    def __init__(self):
        trt.ILogger.__init__(self)

    def log(self, severity, msg):
        if int(severity) <= 1:
            print("[TRT] [E]", msg, file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("engine")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--json")
    ap.add_argument("--cuda-graph", action="store_true",
                    help="capture execute_async_v3 once in a CUDA graph and time graph launches")
    args = ap.parse_args()

    cuda.init()
    # the primary context: the one the CUDA runtime inside TensorRT uses
    ctx = cuda.Device(0).retain_primary_context()
    ctx.push()
    try:
        logger = QuietLogger()
        runtime = trt.Runtime(logger)
        with open(args.engine, "rb") as f:
            engine = runtime.deserialize_cuda_engine(f.read())
        if engine is None:
            print("could not deserialize", args.engine, file=sys.stderr)
            return 2
        context = engine.create_execution_context()
        rng = np.random.default_rng(1234)
        buffers = []
        names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
        inputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        for n in inputs:
            shape = tuple(engine.get_tensor_shape(n))
            if -1 in shape:
                shape = tuple(engine.get_tensor_profile_shape(n, 0)[1])
                context.set_input_shape(n, shape)
        for n in names:
            shape = tuple(context.get_tensor_shape(n))
            dtype = np.dtype(DTYPES[engine.get_tensor_dtype(n).name])
            nbytes = max(1, int(np.prod(shape)) * dtype.itemsize)
            dev = cuda.mem_alloc(nbytes)
            buffers.append(dev)
            if n in inputs:
                if dtype.kind == "f":
                    host = rng.standard_normal(shape).astype(dtype)
                else:
                    host = np.ones(shape, dtype=dtype)
                cuda.memcpy_htod(dev, np.ascontiguousarray(host))
            context.set_tensor_address(n, int(dev))
        stream = cuda.Stream()
        for _ in range(args.warmup):
            context.execute_async_v3(stream.handle)
        stream.synchronize()
        run = lambda c=context, s=stream.handle: c.execute_async_v3(s)  # noqa: E731
        if args.cuda_graph:
            libcuda = ctypes.CDLL("libcuda.so.1")
            h = ctypes.c_void_p(stream.handle)
            graph, exe = ctypes.c_void_p(), ctypes.c_void_p()
            assert libcuda.cuStreamBeginCapture_v2(h, 1) == 0
            context.execute_async_v3(stream.handle)
            assert libcuda.cuStreamEndCapture(h, ctypes.byref(graph)) == 0
            assert libcuda.cuGraphInstantiateWithFlags(ctypes.byref(exe), graph, ctypes.c_ulonglong(0)) == 0
            run = lambda: libcuda.cuGraphLaunch(exe, h)  # noqa: E731
            for _ in range(args.warmup):
                run()
            stream.synchronize()
        starts = [cuda.Event() for _ in range(args.iterations)]
        ends = [cuda.Event() for _ in range(args.iterations)]
        for i in range(args.iterations):
            starts[i].record(stream)
            run()
            ends[i].record(stream)
        stream.synchronize()
        times = [e.time_since(s) for s, e in zip(starts, ends)]
        res = {"engine": args.engine, "iterations": args.iterations, "warmup": args.warmup,
               "median_ms": statistics.median(times), "mean_ms": statistics.fmean(times),
               "min_ms": min(times), "max_ms": max(times), "tensorrt": trt.__version__,
               "gpu": cuda.Device(0).name(), "cuda_graph": args.cuda_graph}
        print(f"independent{' (CUDA graph)' if args.cuda_graph else ''}: median {res['median_ms']:.5f} ms, "
              f"mean {res['mean_ms']:.5f} ms "
              f"over {args.iterations} iterations ({args.engine})")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=2)
        for b in buffers:
            b.free()
        del context, engine, runtime
        return 0
    finally:
        ctx.pop()


if __name__ == "__main__":
    sys.exit(main())
