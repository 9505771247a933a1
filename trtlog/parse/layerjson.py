"""Engine-inspector / trtexec --exportLayerInfo JSON and --exportProfile JSON -> table rows.

Layer info schemas: 8.2-10.x `{"Layers": [...], "Bindings": [...]}`, 11.x `{"Layers": [...],
"I/O Tensors": [...]}`; with ProfilingVerbosity DETAILED each layer is an object, otherwise only
names (strings). Profile: `[{"count": N}, {"name", "timeMs", "averageMs", "medianMs", "percentage"}]`.
"""
from __future__ import annotations

import json
from typing import Dict, List, Tuple

from ..errors import TrtlogError
from .handlers import engine_layer


def _tensors(items) -> List[Dict[str, str]]:
    """A layer's Inputs/Outputs -> tensor dicts (name, dtype, dims, format, location). The 8.2-10.x
    schema prints one 'Format/Datatype' ('Row major linear FP32'): it is both the dtype and the format."""
    out = []
    for t in items or []:
        if isinstance(t, dict):
            dims = t.get("Dimensions", [])
            dims_s = ",".join(str(d) for d in dims) if isinstance(dims, list) else str(dims)
            dtype = str(t.get("Format/Datatype", t.get("Datatype", "")))
            out.append({"name": str(t.get("Name", "")), "dtype": dtype, "dims": dims_s,
                        "format": str(t.get("Format", t.get("Format/Datatype", ""))),
                        "location": str(t.get("Location", ""))})
        else:                           # a name only
            out.append({"name": str(t), "dtype": "", "dims": "", "format": "", "location": ""})
    return out


def layer_rows(doc) -> Tuple[Dict[str, List[dict]], List[str]]:
    """Return ({'layers': rows, 'tensors': rows}, I/O tensor names) from a parsed layer-info JSON
    document (any schema: 'Bindings' or 'I/O Tensors', detailed or names only)."""
    if isinstance(doc, list):
        layers, io = doc, []
    elif isinstance(doc, dict) and "Layers" in doc:
        layers = doc["Layers"]
        io = doc.get("I/O Tensors", doc.get("Bindings", []))
    else:
        raise TrtlogError("JSON is neither a layer-info export (no 'Layers') nor a profile export")
    rows: Dict[str, List[dict]] = {"layers": [], "tensors": []}
    for i, layer in enumerate(layers, 1):
        def add(table: str, fields: dict, i: int = i) -> None:
            rows[table].append({"run": 0, "line": i, **fields})
        if isinstance(layer, str):
            add("layers", {"name": layer, "type": "", "origin": "json"})
            continue
        meta = layer.get("Metadata", "")
        lists = {"Inputs": _tensors(layer.get("Inputs")), "Outputs": _tensors(layer.get("Outputs"))}
        engine_layer(add, str(layer.get("Name", "")), str(layer.get("LayerType", "")),
                     str(layer.get("TacticValue", layer.get("Tactic", ""))), lists, "json",
                     kernel=str(layer.get("TacticName", "")),
                     metadata=meta if isinstance(meta, str) else json.dumps(meta))
    names = [t if isinstance(t, str) else str(t.get("Name", t)) for t in io]
    return rows, names


def is_profile(doc) -> bool:
    return isinstance(doc, list) and any(isinstance(x, dict) and "timeMs" in x for x in doc)


def profile_rows(doc) -> List[dict]:
    rows = []
    for i, item in enumerate(doc, 1):
        if not isinstance(item, dict) or "name" not in item:
            continue
        rows.append({"run": 0, "line": i, "layer": str(item["name"]), "time_ms": item.get("timeMs"),
                     "avg_ms": item.get("averageMs"), "median_ms": item.get("medianMs"),
                     "percent": item.get("percentage")})
    return rows


def read_json(path: str):
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if data[:6] == b"\xfd7zXZ\x00":
            import lzma
            data = lzma.decompress(data)
        elif data[:2] == b"\x1f\x8b":
            import gzip
            data = gzip.decompress(data)
        # strict=False: TensorRT 8.6.0 writes raw control bytes (0x1E) inside Metadata strings
        return json.loads(data.decode("utf-8-sig"), strict=False)
    except OSError as exc:
        raise TrtlogError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, EOFError) as exc:
        raise TrtlogError(f"{path}: not readable JSON ({(str(exc).splitlines() or [''])[0][:120]})") from None
    except RecursionError:
        raise TrtlogError(f"{path}: not readable JSON (nested too deeply)") from None


def bench_rows(doc: Dict) -> List[dict]:
    """trtlog bench.json -> perf rows (names as in trtexec's performance summary)."""
    rows = []
    units = doc.get("units", {})
    for metric, stats in (doc.get("metrics") or {}).items():
        for stat, value in stats.items():
            rows.append({"run": 0, "line": 0, "metric": metric, "stat": stat, "value": value,
                         "unit": units.get(metric, "qps" if metric == "Throughput" else "ms")})
    return rows
