"""Numeric TensorRT version handling.

Versions are compared as tuples of ints, never as strings ("8.10" > "8.9"; "10.0" > "8.6").
Accepts dotted forms ("8.6.0", "8.5.3.1", "10.16.1"), trtexec's encoded form ("v8600", "8503",
"101601": major*1000+minor*100+patch before 10, major*10000+minor*100+patch from 10 on) and
prefixes such as "TensorRT v8600".
"""
from __future__ import annotations

import re
from functools import total_ordering
from typing import Tuple, Union

from ..errors import TrtlogError

_DOTTED = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_ENCODED = re.compile(r"v?(\d{4,6})\b")


@total_ordering
class Version:
    """A TensorRT version as a tuple (major, minor, patch, build); missing parts are 0."""

    __slots__ = ("parts", "text")

    def __init__(self, parts: Tuple[int, ...], text: str = ""):
        self.parts = tuple(parts) + (0,) * (4 - len(parts))
        self.text = text or ".".join(str(p) for p in parts)

    @property
    def major(self) -> int:
        return self.parts[0]

    @property
    def minor(self) -> int:
        return self.parts[1]

    def __eq__(self, other) -> bool:
        return self.parts == as_version(other).parts

    def __lt__(self, other) -> bool:
        return self.parts < as_version(other).parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def _decode(n: int) -> Tuple[int, int, int]:
    if n >= 100000:          # 10.x and later: MMmmpp
        return n // 10000, (n // 100) % 100, n % 100
    return n // 1000, (n // 100) % 10, n % 100   # 8.x: Mmpp


def parse_version(text: Union[str, int, "Version"]) -> Version:
    """Parse a TensorRT version string; raises TrtlogError when none is found."""
    if isinstance(text, Version):
        return text
    if isinstance(text, int):
        return Version(_decode(text))
    s = str(text).strip()
    m = _DOTTED.search(s)
    if m:
        parts = tuple(int(g) for g in m.groups() if g is not None)
        return Version(parts, m.group(0))
    m = _ENCODED.search(s)
    if m:
        return Version(_decode(int(m.group(1))))
    raise TrtlogError(f"not a TensorRT version: {text!r}")


def as_version(v) -> Version:
    return v if isinstance(v, Version) else parse_version(v)


def at_least(v, minimum) -> bool:
    return as_version(v) >= as_version(minimum)
