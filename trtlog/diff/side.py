"""One build restricted to the compared run: the tables the deltas read, plus a few derived facts."""
from __future__ import annotations

import math
import re
from typing import Dict, List, Optional, Tuple

import pandas as pd

from ..buildlog import BuildLog
from ..vocab import precision_alias
from .align import Layer

# facts compared elsewhere (GPU, version) or that are paths / per-machine readings, not build options
_SKIP_OPTIONS = {"Selected Device", "Selected Device ID", "Selected Device UUID", "Compute Capability", "SMs",
                 "Compute Clock Rate", "Device Global Memory", "Shared Memory per SM", "Memory Bus Width",
                 "Memory Clock Rate", "Application Compute Clock Rate", "Application Memory Clock Rate",
                 "TensorRT version", "Model", "ONNX", "Save engine", "Load engine", "Export timing to JSON file",
                 "Export output to JSON file", "Export profile to JSON file", "Export layer info to JSON file",
                 "timingCacheFile", "Plugins", "Output", "Format", "Available Devices", "Device"}


def _int(v) -> Optional[int]:
    try:
        if v is None or pd.isna(v):
            return None
        return int(v)
    except (TypeError, ValueError):
        return None


def _float(v) -> Optional[float]:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def layer_precision(layer: Layer) -> str:
    if layer.precision:
        return layer.precision.upper()
    for t in layer.outputs + layer.inputs:
        p = precision_alias(t.dtype)
        if p:
            return p
    return ""


def pct(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or a == 0:
        return None
    return (b - a) / abs(a) * 100.0


class Side:
    """One build restricted to one run: the tables the deltas read, plus a few derived facts."""

    def __init__(self, bl: BuildLog, run: Optional[int] = None):
        self.bl = bl
        self.run = self._pick_run(bl) if run is None else run
        self._cache: Dict[str, pd.DataFrame] = {}

    @staticmethod
    def _pick_run(bl: BuildLog) -> Optional[int]:
        runs = bl.tables["runs"]
        if len(runs) <= 1:
            return None
        layers = bl.tables["layers"]
        if len(layers):
            return _int(layers["run"].iat[-1])
        return _int(runs["run"].iat[-1])

    def t(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            df = self.bl.tables[name]
            if self.run is not None and len(df):
                df = df[df["run"] == self.run]
            self._cache[name] = df
        return self._cache[name]

    def severity_at(self, line: int) -> str:
        m = self.bl.tables["messages"]
        if 0 < line <= len(m) and int(m["line"].iat[line - 1]) == line:
            return str(m["severity"].iat[line - 1])
        hit = m.loc[m["line"] == line, "severity"]
        return str(hit.iat[0]) if len(hit) else ""

    # -- facts --------------------------------------------------------------------------------
    def trt_version(self) -> str:
        runs = self.t("runs")
        if len(runs) and str(runs["trt_version"].iat[-1]):
            return str(runs["trt_version"].iat[-1])
        label = self.bl.trt_version_label
        return "" if label == "unknown" else label

    def device(self, key: str) -> Tuple[str, List[int]]:
        dev = self.t("device")
        hit = dev[dev["key"] == key]
        if len(hit):
            return str(hit["value"].iat[-1]), [int(hit["line"].iat[-1])]
        return "", []

    def _fact(self, key: str, fact: str) -> Tuple[str, List[int]]:
        """The compared run's own device line or option `key`, else the log's fact (bl.facts)."""
        for v, lines in (self.device(key), self.option(key)):
            if v:
                return v, lines
        return getattr(self.bl.facts, fact), []

    def gpu(self) -> Tuple[str, List[int]]:
        return self._fact("Selected Device", "gpu")

    def compute_capability(self) -> Tuple[str, List[int]]:
        return self._fact("Compute Capability", "compute_capability")

    def command(self) -> Tuple[str, List[int]]:
        runs = self.t("runs")
        if len(runs) and str(runs["command"].iat[-1]):
            return str(runs["command"].iat[-1]), [int(runs["line"].iat[-1])]
        return self.bl.facts.command, []

    def option(self, key: str) -> Tuple[str, List[int]]:
        o = self.t("options")
        hit = o[(o["key"] == key) & (o["section"] != "command")]
        if len(hit):
            return str(hit["value"].iat[-1]).strip(), [int(hit["line"].iat[-1])]
        return "", []

    def options(self) -> Dict[str, Tuple[str, int, str]]:
        """option name -> (value, line, section); TensorRT's own messages are not options."""
        out = {}
        for sec, key, val, line in self.t("options")[["section", "key", "value", "line"]].itertuples(index=False):
            key = str(key).strip()
            if sec == "command" or not key or key.startswith("[") or key in _SKIP_OPTIONS \
                    or re.match(r"Device \d+$", key):
                continue
            out[key] = (str(val).strip(), _int(line) or 0, str(sec))
        return out

    def perf(self) -> Dict[Tuple[str, str], Tuple[float, str, int]]:
        out = {}
        for m, s, v, u, line in self.t("perf")[["metric", "stat", "value", "unit", "line"]].itertuples(index=False):
            f = _float(v)
            if f is not None:
                out[(str(m), str(s))] = (f, str(u), _int(line) or 0)
        return out

    def throughput(self) -> Optional[float]:
        hit = self.perf().get(("Throughput", "value"))
        return hit[0] if hit else None
