"""Display formatting shared by the report, diff and fleet view models: missing values become '', numbers
compact text (what the templates show) or sort keys (what the tables sort by)."""
from __future__ import annotations

import json
import math
from typing import Any, Optional

import pandas as pd

from ..numbers import to_float, to_int


def na(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def as_int(v: Any) -> Optional[int]:
    return None if na(v) else to_int(v)


def as_float(v: Any) -> Optional[float]:
    return None if na(v) else to_float(v)


def as_str(v: Any) -> str:
    return "" if na(v) else str(v)


def fmt_num(v: Any, digits: int = 3) -> str:
    """Compact number for display: '' for missing, no trailing zeros."""
    f = as_float(v)
    if f is None:
        return ""
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    s = f"{f:.{digits}f}".rstrip("0").rstrip(".")
    return s if s not in ("", "0", "-0") else f"{f:.2g}"


def fmt_ms(v: Any) -> str:
    """Milliseconds as printed by TensorRT (up to 4 decimals, no padding)."""
    f = as_float(v)
    return "" if f is None else fmt_num(f, 4 if abs(f) < 1000 else 1)


def fmt_seconds(v: Any) -> str:
    f = as_float(v)
    if f is None:
        return ""
    if f >= 120:
        return f"{f / 60:.1f} min ({f:.0f} s)"
    return f"{f:.3g} s" if f < 10 else f"{f:.1f} s"


def sort_key(v: Any) -> str:
    """Value for a table cell's data-sort attribute: numbers as numbers, missing as ''."""
    f = as_float(v) if not isinstance(v, str) else None
    return "" if f is None else repr(f)


def display(v: Any) -> str:
    """Any JSON-ish value as one display string (lists of scalars '; '-joined, structures as JSON)."""
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else fmt_num(v, 4)
    if isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in v):
        return "; ".join(display(x) for x in v)
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, default=str, sort_keys=True, ensure_ascii=False)
    return str(v)
