"""Engine timing with CUDA events, reported with trtexec's names and statistics.

Per iteration, like trtexec, copies and compute on two streams ordered by events:
  copy stream:     e0 · H2D copies · e_in ·················· wait e2 · D2H copies · e3
  compute stream:                         wait e_in · e1 · enqueue · e2
  H2D Latency = e0→e_in, GPU Compute Time = e1→e2, D2H Latency = e2→e3,
  Latency = H2D + GPU Compute + D2H (trtexec's definition), Enqueue Time = host wall time of the
  enqueue call (execute_async_v3 / v2), Throughput = timed iterations / host wall time (qps).
e1 is recorded on the compute stream after the wait on the copies, so GPU Compute Time starts when
the engine can start (recorded straight behind the H2D copy on one stream, e1 also caught the
copy-to-compute hand-over: 2-3 µs per iteration on the H100, 4 % of a 55 µs engine).
The host keeps up to DEPTH iterations in flight (it waits only when an event slot comes round again),
so the GPU does not idle while Python prepares the next iteration — the events then time GPU work,
not Python. Inputs rotate over >= 2 pinned host sets of different non-zero data, copied into the
engine's input buffers each iteration, so no iteration computes on what the previous one read and
nothing is timed on zeros. The device addresses are bound once, before timing, as any serving loop
does (an earlier version re-bound a rotated device set before every enqueue; on the H100 its GPU
Compute Time median for launch-bound engines was 1.3-1.4x that of a plain bind-once loop).
"""
from __future__ import annotations

import time
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..errors import TrtlogError
from . import inputs as I
from .metrics import timing_stats
from .trt_runner import EngineRunner, IOTensor, _cast_input

METRICS = ("Throughput", "Latency", "Enqueue Time", "H2D Latency", "GPU Compute Time", "D2H Latency")
UNITS = {"Throughput": "qps", "Latency": "ms", "Enqueue Time": "ms", "H2D Latency": "ms",
         "GPU Compute Time": "ms", "D2H Latency": "ms", "Total Host Walltime": "s", "Total GPU Compute Time": "s"}
DEPTH = 3


def make_input_sets(runner: EngineRunner, shapes: Dict[str, tuple], count: int, seed: int,
                    specs: Optional[Sequence[I.InputSpec]] = None,
                    given: Optional[List[Dict[str, np.ndarray]]] = None) -> List[Dict[str, np.ndarray]]:
    """`count` host input sets: the given ones (cycled) or random ones (ONNX specs give index ranges)."""
    if given:
        sets = [given[i % len(given)] for i in range(count)]
        for s in sets:
            for t in runner.inputs:
                if t.name not in s:
                    raise TrtlogError(f"inputs file lacks engine input {t.name!r}")
                if tuple(np.asarray(s[t.name]).shape) != tuple(shapes[t.name]):
                    raise TrtlogError(f"inputs file gives {t.name!r} shape {np.asarray(s[t.name]).shape}; "
                                      f"the run uses {list(shapes[t.name])}")
        return sets
    by_name = {s.name: s for s in (specs or [])}
    out = []
    for k in range(count):
        s = {}
        for j, t in enumerate(runner.inputs):
            dtype = t.dtype if t.trt_dtype != "BF16" else np.dtype(np.float32)
            spec = by_name.get(t.name) or I.InputSpec(t.name, dtype, list(t.shape))
            rng = np.random.default_rng([seed + k, j])
            s[t.name] = I.random_array(rng, spec, tuple(shapes[t.name]))
        out.append(s)
    return out


class _Slot:
    def __init__(self, cuda):
        self.events = [cuda.Event() for _ in range(5)]   # e0, e_in, e1, e2, e3
        self.enqueue_ms = 0.0
        self.pending = False
        self.keep = False


class CudaGraph:
    """The engine's enqueue captured once in a CUDA graph (driver API through ctypes: pycuda has no
    graph capture). Launching the graph replaces dozens of kernel launches with one, which is what
    trtexec --useCudaGraph does. The I/O addresses must be bound before capture and stay put."""

    CAPTURE_THREAD_LOCAL = 1

    def __init__(self, runner: EngineRunner):
        import ctypes
        try:
            self.lib = ctypes.CDLL("libcuda.so.1")
        except OSError as exc:
            raise TrtlogError(f"--cuda-graph needs the CUDA driver library: {exc}") from None
        self.ct = ctypes
        self.graph, self.exe = ctypes.c_void_p(), ctypes.c_void_p()
        stream = ctypes.c_void_p(runner.stream.handle)
        runner.enqueue()              # one plain run first: TensorRT finishes lazy setup outside the capture
        runner.stream.synchronize()
        self._check(self.lib.cuStreamBeginCapture_v2(stream, self.CAPTURE_THREAD_LOCAL), "cuStreamBeginCapture")
        try:
            runner.enqueue()
        finally:
            rc = self.lib.cuStreamEndCapture(stream, ctypes.byref(self.graph))
        self._check(rc, "cuStreamEndCapture")
        self._check(self.lib.cuGraphInstantiateWithFlags(ctypes.byref(self.exe), self.graph, ctypes.c_ulonglong(0)),
                    "cuGraphInstantiate")

    def _check(self, rc: int, what: str) -> None:
        if rc != 0:
            raise TrtlogError(f"--cuda-graph: {what} failed with CUDA error {rc} (this engine may not be capturable)")

    def launch(self, stream) -> None:
        self._check(self.lib.cuGraphLaunch(self.exe, self.ct.c_void_p(stream.handle)), "cuGraphLaunch")

    def close(self) -> None:
        if self.exe:
            self.lib.cuGraphExecDestroy(self.exe)
        if self.graph:
            self.lib.cuGraphDestroy(self.graph)
        self.exe, self.graph = self.ct.c_void_p(), self.ct.c_void_p()


def run_bench(runner: EngineRunner, shapes: Dict[str, tuple], iterations: int = 500, warmup: int = 20,
              warmup_ms: float = 200.0, duration_s: float = 0.0, rotate: int = 2, seed: int = 0,
              specs: Optional[Sequence[I.InputSpec]] = None,
              given: Optional[List[Dict[str, np.ndarray]]] = None, cuda_graph: bool = False) -> Dict[str, object]:
    if iterations < 1:
        raise TrtlogError("--iterations must be at least 1")
    if rotate < 2:
        raise TrtlogError("--rotate must be at least 2 (input buffers rotate between sets)")
    out_shapes = runner.set_input_shapes(shapes)
    host_sets = make_input_sets(runner, shapes, rotate, seed, specs, given)

    # pinned host input sets (rotated); one device buffer per I/O tensor, bound once
    pinned_in = []
    for s in host_sets:
        p = {}
        for t in runner.inputs:
            arr = runner.pinned(shapes[t.name], t.dtype)
            arr[...] = _cast_input(s[t.name], t)
            if arr.size and not np.any(arr):
                raise TrtlogError(f"input {t.name!r} would be all zeros; the benchmark refuses to time on zeros")
            p[t.name] = arr
        pinned_in.append(p)
    dev_in = {t.name: runner.alloc(pinned_in[0][t.name].nbytes) for t in runner.inputs}
    pinned_out, dev_out = {}, {}
    for t in runner.outputs:
        pinned_out[t.name] = runner.pinned(out_shapes[t.name], t.dtype)
        dev_out[t.name] = runner.alloc(pinned_out[t.name].nbytes)
    addresses = {n: int(v) for n, v in dev_in.items()}
    addresses.update({n: int(v) for n, v in dev_out.items()})
    runner.bind(addresses)

    graph = CudaGraph(runner) if cuda_graph else None
    try:
        return _timed(runner, graph, shapes, out_shapes, dev_in, pinned_in, dev_out, pinned_out,
                      iterations, warmup, warmup_ms, duration_s, rotate)
    finally:
        if graph is not None:
            graph.close()


def _timed(runner, graph, shapes, out_shapes, dev_in, pinned_in, dev_out, pinned_out,
           iterations, warmup, warmup_ms, duration_s, rotate) -> Dict[str, object]:
    cuda, stream = runner.cuda, runner.stream
    copy_stream = cuda.Stream()
    htod, dtoh = cuda.memcpy_htod_async, cuda.memcpy_dtoh_async
    copies_in = [[(dev_in[t.name], p[t.name]) for t in runner.inputs] for p in pinned_in]
    copies_out = [(pinned_out[t.name], dev_out[t.name]) for t in runner.outputs]
    enqueue = runner.enqueue if graph is None else graph.launch
    slots = [_Slot(cuda) for _ in range(DEPTH)]
    samples: Dict[str, List[float]] = {m: [] for m in METRICS if m != "Throughput"}

    def harvest(slot: _Slot, keep: bool) -> None:
        e0, e_in, e1, e2, e3 = slot.events
        e3.synchronize()
        if keep:
            h2d, gpu, d2h = e_in.time_since(e0), e2.time_since(e1), e3.time_since(e2)
            samples["H2D Latency"].append(h2d)
            samples["GPU Compute Time"].append(gpu)
            samples["D2H Latency"].append(d2h)
            samples["Latency"].append(h2d + gpu + d2h)
            samples["Enqueue Time"].append(slot.enqueue_ms)
        slot.pending = False

    def one(i: int, keep: bool) -> None:
        slot = slots[i % DEPTH]
        if slot.pending:
            harvest(slot, slot.keep)
        e0, e_in, e1, e2, e3 = slot.events
        # the copy stream's H2D of this iteration follows the D2H of the previous one (stream order),
        # which waited for its compute: the shared input/output buffers are never overwritten in use
        e0.record(copy_stream)
        for dev, host in copies_in[i % rotate]:
            htod(dev, host, copy_stream)
        e_in.record(copy_stream)
        stream.wait_for_event(e_in)
        e1.record(stream)
        t0 = time.perf_counter()
        enqueue(stream)
        slot.enqueue_ms = (time.perf_counter() - t0) * 1e3
        e2.record(stream)
        copy_stream.wait_for_event(e2)
        for host, dev in copies_out:
            dtoh(host, dev, copy_stream)
        e3.record(copy_stream)
        slot.pending, slot.keep = True, keep

    def drain() -> None:
        for slot in slots:
            if slot.pending:
                harvest(slot, slot.keep)

    # warm-up: at least `warmup` iterations and `warmup_ms` of wall time (trtexec --warmUp is 200 ms)
    start, i = time.perf_counter(), 0
    while i < warmup or (time.perf_counter() - start) * 1e3 < warmup_ms:
        one(i, keep=False)
        i += 1
    drain()
    warm_iters = i

    start, n = time.perf_counter(), 0
    while n < iterations or time.perf_counter() - start < duration_s:
        one(warm_iters + n, keep=True)
        n += 1
    drain()
    wall = time.perf_counter() - start

    metrics: Dict[str, object] = {"Throughput": {"value": n / wall}}
    for m in METRICS[1:]:
        metrics[m] = timing_stats(samples[m])
    gpu_total_s = float(np.sum(samples["GPU Compute Time"])) / 1e3
    warnings = performance_warnings(metrics, samples["GPU Compute Time"], graph is not None)
    batch = _batch_of(runner.inputs, shapes)
    return {
        "metrics": metrics,
        "units": dict(UNITS),
        "totals": {"Total Host Walltime": wall, "Total GPU Compute Time": gpu_total_s},
        "iterations": n,
        "warmup_iterations": warm_iters,
        "rotation": rotate,
        "in_flight": DEPTH,
        "batch": batch,
        "samples_per_s": (n * batch / wall) if batch else None,
        "shapes": {k: list(v) for k, v in shapes.items()},
        "output_shapes": {k: list(v) for k, v in out_shapes.items()},
        "warnings": warnings,
        "cuda_graph": graph is not None,
    }


ENQUEUE_BOUND = 0.8   # median enqueue >= 80% of median GPU compute: the host barely keeps the GPU fed
UNSTABLE_CV = 1.0     # percent, the coefficient of variation above which trtexec calls compute time unstable


def performance_warnings(metrics: Dict[str, object], gpu_samples: Sequence[float],
                         cuda_graph: bool = False) -> List[str]:
    """The two caveats trtexec prints under its summary, with the numbers that triggered them."""
    out = []
    enq, gpu = metrics["Enqueue Time"]["median"], metrics["GPU Compute Time"]["median"]
    if gpu > 0 and enq >= ENQUEUE_BOUND * gpu and not cuda_graph:
        out.append(f"Throughput may be bound by Enqueue Time rather than GPU Compute (median enqueue {enq:.4g} ms "
                   f"vs GPU compute {gpu:.4g} ms): the GPU waits for kernel launches, and GPU Compute Time then "
                   "includes launch gaps; CUDA graph (trtexec --useCudaGraph) would remove them")
    v = np.asarray(gpu_samples, dtype=np.float64)
    if v.size > 1 and v.mean() > 0:
        cv = 100.0 * float(v.std()) / float(v.mean())
        if cv > UNSTABLE_CV:
            out.append(f"GPU compute time is unstable, with coefficient of variance = {cv:.3g}% "
                       "(locking the GPU clock may improve the stability)")
    return out


def _batch_of(inputs: Sequence[IOTensor], shapes: Dict[str, tuple]) -> Optional[int]:
    leading = {tuple(shapes[t.name])[0] for t in inputs if len(shapes[t.name])}
    return leading.pop() if len(leading) == 1 else None


def format_summary(result: Dict[str, object]) -> str:
    """trtexec's '=== Performance summary ===' layout, so the same grammar reads both."""
    m = result["metrics"]
    lines = ["=== Performance summary ===", f"Throughput: {m['Throughput']['value']:.5g} qps"]
    for name in METRICS[1:]:
        s = m[name]
        lines.append(f"{name}: min = {s['min']:.5g} ms, max = {s['max']:.5g} ms, mean = {s['mean']:.5g} ms, "
                     f"median = {s['median']:.5g} ms, percentile(90%) = {s['p90']:.5g} ms, "
                     f"percentile(95%) = {s['p95']:.5g} ms, percentile(99%) = {s['p99']:.5g} ms")
    tot = result["totals"]
    lines.append(f"Total Host Walltime: {tot['Total Host Walltime']:.5g} s")
    lines.append(f"Total GPU Compute Time: {tot['Total GPU Compute Time']:.5g} s")
    for w in result.get("warnings", []):
        lines.append(f"* {w}")
    return "\n".join(lines)
