"""A fast seeded subset of tools/fuzz_inputs.py: 50 mutations of real corpus logs through load ->
rules -> explain -> report -> diff; each must work or stop with a one-line TrtlogError."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from corpus import corpus_log

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ["trt8.4-python-customlogger-verbose.log", "trt10.16-trtexec-dumplayerinfo-h100.log",
         "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "trt10.3-trtexec-yolov8s-fp16-orin.log"]


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_inputs", ROOT / "tools" / "fuzz_inputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fifty_seeded_mutations(tmp_path):
    fuzz = _fuzz()
    seeds = [(n, corpus_log(n)) for n in SEEDS]
    r = random.Random(17)
    results = []
    for i in range(50):
        name, path = seeds[i % len(seeds)]
        data, how = fuzz.mutate(path.read_bytes(), r)
        variant = tmp_path / f"v{i}.log"
        variant.write_bytes(data)
        res = fuzz.pipeline(str(variant), name, str(path))     # raises on anything undocumented
        assert res == "ok" or res.startswith("error: "), (i, how, res)
        results.append(res)
    assert results.count("ok") >= 25    # most mutations leave a readable TensorRT log
