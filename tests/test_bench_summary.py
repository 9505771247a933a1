"""bench.json statistics and the trtexec-style summary, from timing samples (no GPU needed)."""
from __future__ import annotations

import re

import numpy as np

from trtlog.validate.bench import METRICS, UNITS, format_summary, performance_warnings
from trtlog.validate.metrics import timing_stats


def _result(gpu, enqueue):
    m = {"Throughput": {"value": 1000.0 / float(np.mean(gpu))}}
    for name, v in (("Latency", gpu + 0.02), ("Enqueue Time", enqueue), ("H2D Latency", np.full_like(gpu, 0.01)),
                    ("GPU Compute Time", gpu), ("D2H Latency", np.full_like(gpu, 0.01))):
        m[name] = timing_stats(v)
    return {"metrics": m, "totals": {"Total Host Walltime": 1.25, "Total GPU Compute Time": float(gpu.sum()) / 1e3},
            "warnings": performance_warnings(m, gpu)}


def test_summary_uses_trtexec_names_and_layout():
    gpu = np.linspace(1.0, 2.0, 101)
    res = _result(gpu, gpu * 0.1)
    text = format_summary(res)
    lines = text.splitlines()
    assert lines[0] == "=== Performance summary ==="
    assert re.fullmatch(r"Throughput: [\d.]+ qps", lines[1])
    for name, line in zip(METRICS[1:], lines[2:7]):
        assert line.startswith(f"{name}: min = ")
        assert "percentile(90%) = " in line and "percentile(99%) = " in line and line.endswith(" ms")
    gpu_line = lines[5]
    assert "median = 1.5 ms" in gpu_line and "min = 1 ms" in gpu_line and "max = 2 ms" in gpu_line
    assert lines[7] == "Total Host Walltime: 1.25 s"
    assert set(UNITS) >= set(METRICS)


def test_enqueue_bound_and_unstable_warnings():
    steady = np.full(200, 0.40)
    assert performance_warnings(_result(steady, steady * 0.2)["metrics"], steady) == []
    bound = performance_warnings(_result(steady, steady * 0.95)["metrics"], steady)
    assert len(bound) == 1 and bound[0].startswith("Throughput may be bound by Enqueue Time")
    assert performance_warnings(_result(steady, steady * 0.95)["metrics"], steady, cuda_graph=True) == []
    noisy = np.random.default_rng(0).normal(0.4, 0.02, 500)
    w = performance_warnings(_result(noisy, noisy * 0.1)["metrics"], noisy)
    cv = 100 * noisy.std() / noisy.mean()
    assert len(w) == 1 and f"coefficient of variance = {cv:.3g}%" in w[0]
