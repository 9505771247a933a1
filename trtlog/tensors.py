"""The engine layers' tensors, typed: the `tensors` table grouped by layer. Align, rules and the report
read tensors through this module; nothing re-parses the layers table's display strings."""
from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import pandas as pd


class Tensor(NamedTuple):
    name: str
    dtype: str = ""          # as printed (Float, Half, 'Row major linear FP32', ...)
    precision: str = ""      # in the precision vocabulary (FP32, FP16, INT8, ...)
    dims: str = ""           # comma-joined as printed ('1,3,224,224'; '32:8' is vectorised; -1 dynamic)
    format: str = ""

    @property
    def shape(self) -> Tuple[str, ...]:
        return tuple(d.strip() for d in self.dims.split(",") if d.strip())

    def volume(self) -> Optional[int]:
        """Element count, dynamic (-1/-2) dimensions counted as 1; None without integer dims
        (no dims, or vectorised '32:8')."""
        if not self.shape:
            return None
        vol = 1
        for d in self.shape:
            try:
                vol *= max(int(d), 1)
            except ValueError:
                return None
        return vol


class LayerTensors(NamedTuple):
    inputs: Tuple[Tensor, ...] = ()
    outputs: Tuple[Tensor, ...] = ()
    constants: Tuple[Tensor, ...] = ()

    def names(self, direction: str = "") -> List[str]:
        ts = {"input": self.inputs, "output": self.outputs}.get(direction, self.inputs + self.outputs)
        return [t.name for t in ts]


NONE = LayerTensors()


def display(ts: Sequence[Tensor]) -> str:
    """The layers table's display string of a tensor list: 'name (Dtype[dims]); name2 (...)'."""
    return "; ".join(f"{t.name} ({t.dtype}[{t.dims}])" for t in ts)


def formats(ts: Sequence[Tensor]) -> str:
    """The tensors' formats '; '-joined; their dtypes where no format is printed (log lines)."""
    return "; ".join(t.format if any(u.format for u in ts) else t.dtype for t in ts)
_SLOT = {"input": 0, "output": 1, "constant": 2}


def by_layer(tensors: Optional[pd.DataFrame]) -> Dict[Tuple[int, int, str], LayerTensors]:
    """(run, line, layer name) -> the layer's tensors in index order."""
    if tensors is None or tensors.empty:
        return {}
    lists: Dict[Tuple[int, int, str], Tuple[list, list, list]] = {}
    df = tensors.sort_values(["run", "line", "direction", "index"], kind="stable")
    cols = ["run", "line", "layer", "direction", "name", "dtype", "precision", "dims", "format"]
    for run, line, layer, direction, name, dtype, prec, dims, fmt in df[cols].itertuples(index=False):
        slot = _SLOT.get(direction)
        if slot is None:
            continue
        key = (int(run), int(line), str(layer))
        if key not in lists:
            lists[key] = ([], [], [])
        lists[key][slot].append(Tensor(_s(name), _s(dtype), _s(prec), _s(dims), _s(fmt)))
    return {k: LayerTensors(tuple(a), tuple(b), tuple(c)) for k, (a, b, c) in lists.items()}


def of(index: Dict[Tuple[int, int, str], LayerTensors], row) -> LayerTensors:
    """The tensors of a layers-table row (a dict or a namedtuple with run, line, name)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    run, line = get("run"), get("line")
    if run is None or line is None or pd.isna(run) or pd.isna(line):
        return NONE
    return index.get((int(run), int(line), str(get("name"))), NONE)


def _s(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
