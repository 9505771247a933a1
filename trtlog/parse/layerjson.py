"""Engine-inspector / trtexec --exportLayerInfo JSON and --exportProfile JSON -> table rows.

Layer info schemas: 8.2-10.x `{"Layers": [...], "Bindings": [...]}`, 11.x `{"Layers": [...],
"I/O Tensors": [...]}`; with ProfilingVerbosity DETAILED each layer is an object, otherwise only
names (strings). Profile: `[{"count": N}, {"name", "timeMs", "averageMs", "medianMs", "percentage"}]`.
"""
from __future__ import annotations

import json
from typing import Dict, List, Tuple

from ..errors import TrtlogError
from ..vocab import precision_of, realised_precision
from .structured import join_tensors


def _tensors(items) -> List[Tuple[str, str, str]]:
    out = []
    for t in items or []:
        if isinstance(t, dict):
            dims = t.get("Dimensions", [])
            dims_s = ",".join(str(d) for d in dims) if isinstance(dims, list) else str(dims)
            out.append((str(t.get("Name", "")), str(t.get("Format/Datatype", t.get("Datatype", ""))), dims_s))
        else:
            out.append((str(t), "", ""))
    return out


def layer_rows(doc) -> Tuple[List[dict], List[str]]:
    """Return (layer rows, I/O tensor names) from a parsed layer-info JSON document."""
    if isinstance(doc, list):
        layers, io = doc, []
    elif isinstance(doc, dict) and "Layers" in doc:
        layers = doc["Layers"]
        io = doc.get("I/O Tensors", doc.get("Bindings", []))
    else:
        raise TrtlogError("JSON is neither a layer-info export (no 'Layers') nor a profile export")
    rows = []
    for i, layer in enumerate(layers, 1):
        if isinstance(layer, str):
            rows.append({"run": 0, "line": i, "name": layer, "type": "", "origin": "json"})
            continue
        ins, outs = _tensors(layer.get("Inputs")), _tensors(layer.get("Outputs"))
        meta = layer.get("Metadata", "")
        rows.append({
            "run": 0, "line": i, "name": str(layer.get("Name", "")), "type": str(layer.get("LayerType", "")),
            "tactic": str(layer.get("TacticValue", layer.get("Tactic", ""))),
            "kernel": str(layer.get("TacticName", "")),
            "inputs": join_tensors(ins), "outputs": join_tensors(outs),
            "in_dtype": precision_of(ins[0][1]) if ins else "",
            "out_dtype": precision_of(outs[0][1]) if outs else "",
            "in_formats": "; ".join(d for _, d, _ in ins), "out_formats": "; ".join(d for _, d, _ in outs),
            "precision": realised_precision([d for _, d, _ in ins + outs]),
            "origin": "json", "metadata": meta if isinstance(meta, str) else json.dumps(meta)})
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
