"""The one tolerant conversion of numbers read from logs and bundle JSON.

A log is text someone else printed: an integer may not fit int64 (a corrupted byte count, two
numbers glued together by interleaved stdout/stderr), a time may read `inf` or `nan`. Such a
value becomes None (a missing value in its table); the line's text stays in `messages.text`.
"""
from __future__ import annotations

import math
from typing import Any, Optional

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def to_int(value: Any) -> Optional[int]:
    """An int64, or None for anything else (text that is not an integer, beyond int64, a bool)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        value = int(value)
    elif not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            return None
    return value if INT64_MIN <= value <= INT64_MAX else None


def to_float(value: Any) -> Optional[float]:
    """A finite float, or None (not a number, inf, nan, a bool): a measurement of inf or nan ms
    or seconds measures nothing."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None
