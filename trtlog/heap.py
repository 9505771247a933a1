"""Hand freed memory back to the operating system between the phases of a big load.

glibc's malloc keeps memory that was freed: the parse loop's per-block arrays and strings, then the
tactics table's parts once concatenated, leave holes that the next phase (the messages columns) does
not reuse, so the peak is the sum of both. On a 502 MB log, 190 MiB of the parse's peak was such
freed memory (measured with malloc_trim at the end: 719 -> 532 MiB). Elsewhere (musl, macOS) this
does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Callable, Optional

_trim: Optional[Callable[[int], int]] = None
_looked = False


def _malloc_trim() -> Optional[Callable[[int], int]]:
    global _trim, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _trim = libc.malloc_trim
                _trim.argtypes = [ctypes.c_size_t]
                _trim.restype = ctypes.c_int
            except (OSError, AttributeError):     # not glibc
                _trim = None
    return _trim


# below this many rows (or lines) a phase frees too little to be worth a walk of the heap
BIG = 200_000


def release(rows: int) -> None:
    """Return freed heap memory to the OS after a phase over `rows` rows or lines (it walks the heap:
    a few milliseconds, skipped below BIG)."""
    if rows < BIG:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
