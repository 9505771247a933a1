"""Input sets for validation and benchmarking: read from an .npz, or generated from the ONNX model's
input specifications (seeded, never all zeros).

Generated values: floats from a standard normal; integer inputs that index an embedding table
(Gather on an initializer) uniform over that table's rows; integer inputs named like a mask all ones;
other integers uniform in [1, 16); booleans random. Symbolic dimensions come from --shapes, else the
engine's optimization-profile opt shape, else --batch for the leading one.

A reference file (`write_sets` / `read_sets`) holds N input sets and, optionally, the expected outputs
of each set, under index keys plus a JSON `__meta__` entry, so any tensor name survives the round trip.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import TrtlogError
from ..vocab import parse_shapes  # noqa: F401  (re-exported: validate/bench option parsing)

InputSet = Dict[str, np.ndarray]

# ONNX TensorProto.DataType -> numpy dtype (the subset that can be fed to ONNX Runtime)
_ONNX_TO_NP = {
    1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
    9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64,
}

_MASK_NAME = re.compile(r"mask", re.IGNORECASE)


@dataclass
class InputSpec:
    name: str
    dtype: np.dtype
    dims: List[object]            # int, or str / None for a symbolic dimension
    index_range: Optional[int] = None   # rows of the embedding table this input indexes

    @property
    def is_dynamic(self) -> bool:
        return any(not isinstance(d, int) or d < 0 for d in self.dims)


def load_onnx(path):
    try:
        import onnx
    except ImportError:
        raise TrtlogError("onnx is not installed: pip install 'trtlog[trt]'") from None
    p = Path(path)
    if not p.is_file():
        raise TrtlogError(f"ONNX model not found: {path}")
    try:
        # external data stays on disk: only the graph structure is needed here
        return onnx.load(str(p), load_external_data=False)
    except Exception as exc:  # onnx raises DecodeError and friends
        raise TrtlogError(f"not a readable ONNX model: {path} ({exc.__class__.__name__})") from None


def input_specs(model) -> List[InputSpec]:
    """The graph inputs that are not initializers, with dtype, dims and embedding-index ranges."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    specs = []
    for vi in graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        if tt.elem_type not in _ONNX_TO_NP:
            raise TrtlogError(f"input {vi.name!r} has ONNX element type {tt.elem_type}, which cannot be generated")
        dims: List[object] = []
        for d in tt.shape.dim:
            if d.HasField("dim_value") and d.dim_value > 0:
                dims.append(int(d.dim_value))
            else:
                dims.append(d.dim_param or None)
        specs.append(InputSpec(vi.name, np.dtype(_ONNX_TO_NP[tt.elem_type]), dims))
    for spec in specs:
        if spec.dtype.kind in "iu":
            spec.index_range = _embedding_rows(graph, inits, spec.name)
    return specs


def _embedding_rows(graph, inits, name: str) -> Optional[int]:
    for node in graph.node:
        if node.op_type == "Gather" and len(node.input) >= 2 and node.input[1] == name:
            table = inits.get(node.input[0])
            if table is not None and len(table.dims) >= 1:
                return int(table.dims[0])
    return None


def resolve_shape(spec: InputSpec, shapes: Dict[str, Tuple[int, ...]],
                  profile_opt: Optional[Sequence[int]] = None, batch: Optional[int] = None) -> Tuple[int, ...]:
    if spec.name in shapes:
        shape = tuple(shapes[spec.name])
        if len(shape) != len(spec.dims):
            raise TrtlogError(f"--shapes gives {spec.name!r} {len(shape)} dims; the model has {len(spec.dims)}")
        for want, got in zip(spec.dims, shape):
            if isinstance(want, int) and want > 0 and want != got:
                raise TrtlogError(f"--shapes {spec.name}:{'x'.join(map(str, shape))} does not match "
                                  f"the model's fixed shape {spec.dims}")
        return shape
    out = []
    for i, d in enumerate(spec.dims):
        if isinstance(d, int) and d > 0:
            out.append(d)
        elif i == 0 and batch is not None:
            out.append(int(batch))
        elif profile_opt is not None and len(profile_opt) == len(spec.dims) and int(profile_opt[i]) > 0:
            out.append(int(profile_opt[i]))
        elif i == 0:
            out.append(1)
        else:
            raise TrtlogError(f"input {spec.name!r} has a dynamic dimension {d or '?'} at axis {i}: "
                              f"pass --shapes {spec.name}:" + "x".join(str(x) if isinstance(x, int) else "N"
                                                                      for x in spec.dims))
    return tuple(out)


def generate(specs: Sequence[InputSpec], shapes: Dict[str, Tuple[int, ...]], seed: int) -> InputSet:
    """One input set; each input gets its own stream derived from (seed, position)."""
    out: InputSet = {}
    for k, spec in enumerate(specs):
        rng = np.random.default_rng([seed, k])
        shape = shapes[spec.name]
        out[spec.name] = random_array(rng, spec, shape)
    return out


def random_array(rng, spec: InputSpec, shape: Tuple[int, ...]) -> np.ndarray:
    dt = spec.dtype
    if dt.kind == "f":
        x = rng.standard_normal(shape).astype(dt)
        x[x == 0] = dt.type(0.5)   # the rule is "never zeros"; exact zeros are vanishingly rare anyway
        return x
    if dt.kind == "b":
        x = rng.integers(0, 2, size=shape).astype(np.bool_)
        if x.size:
            x.flat[0] = True
        return x
    if _MASK_NAME.search(spec.name):
        return np.ones(shape, dtype=dt)
    high = spec.index_range if spec.index_range else 16
    low = 0 if spec.index_range else 1
    if high - low > 1:
        x = rng.integers(low, high, size=shape)
        if x.size and not x.any():
            x.flat[0] = high - 1
        return x.astype(dt)
    return np.full(shape, low if low else 1, dtype=dt)


def random_sets(specs: Sequence[InputSpec], shapes: Dict[str, Tuple[int, ...]], n: int, seed: int) -> List[InputSet]:
    if n < 1:
        raise TrtlogError("--random needs at least 1 input set")
    return [generate(specs, shapes, seed + i) for i in range(n)]


# -- files ----------------------------------------------------------------------------------------

def write_sets(path, inputs: Sequence[InputSet], outputs: Optional[Sequence[Dict[str, np.ndarray]]] = None,
               extra_meta: Optional[dict] = None) -> Path:
    """Write input sets (and expected outputs) to one .npz with a JSON index."""
    arrays: Dict[str, np.ndarray] = {}
    meta = {"format": "trtlog.sets/1", "sets": []}
    for i, inp in enumerate(inputs):
        entry = {"inputs": {}, "outputs": {}}
        for name, arr in inp.items():
            key = f"s{i}_i{len(entry['inputs'])}"
            arrays[key] = np.asarray(arr)
            entry["inputs"][name] = key
        if outputs is not None:
            for name, arr in outputs[i].items():
                key = f"s{i}_o{len(entry['outputs'])}"
                arrays[key] = np.asarray(arr)
                entry["outputs"][name] = key
        meta["sets"].append(entry)
    if extra_meta:
        meta.update(extra_meta)
    arrays["__meta__"] = np.array(json.dumps(meta))
    p = Path(path)
    with open(p, "wb") as fh:
        np.savez(fh, **arrays)
    return p


def read_sets(path) -> Tuple[List[InputSet], Optional[List[Dict[str, np.ndarray]]], dict]:
    """Read an .npz: a trtlog sets file, or a plain {input name: array} file (one set)."""
    p = Path(path)
    if not p.is_file():
        raise TrtlogError(f"inputs file not found: {path}")
    try:
        with np.load(str(p), allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except Exception as exc:
        raise TrtlogError(f"not a readable .npz file: {path} ({exc.__class__.__name__})") from None
    if "__meta__" not in data:
        if not data:
            raise TrtlogError(f"{path} holds no arrays")
        return [data], None, {}
    meta = json.loads(str(data["__meta__"]))
    inputs, outputs = [], []
    for entry in meta.get("sets", []):
        inputs.append({n: data[k] for n, k in entry["inputs"].items()})
        outputs.append({n: data[k] for n, k in entry.get("outputs", {}).items()})
    have_outputs = any(outputs)
    return inputs, (outputs if have_outputs else None), meta


def check_inputs(sets: Sequence[InputSet], specs: Sequence[InputSpec]) -> None:
    """Every model input present with the model's rank and fixed dims; dtype cast to the model's."""
    for i, s in enumerate(sets):
        for spec in specs:
            if spec.name not in s:
                raise TrtlogError(f"input set {i} lacks model input {spec.name!r} (has: {', '.join(s) or 'none'})")
            arr = np.asarray(s[spec.name])
            if arr.ndim != len(spec.dims):
                raise TrtlogError(f"input {spec.name!r}: {arr.ndim} dims given, the model has {len(spec.dims)}")
            for want, got in zip(spec.dims, arr.shape):
                if isinstance(want, int) and want > 0 and want != got:
                    raise TrtlogError(f"input {spec.name!r}: shape {arr.shape} does not fit the model's {spec.dims}")
            s[spec.name] = arr.astype(spec.dtype, copy=False)
