"""A progress line on stderr while a large log is read (parse, explain, report, diff):
`trtlog: reading NAME  45.2/120.0 MB (38%)  23.1 MB/s`, redrawn in place; then `building tables` and the
command's later phases (`running the rules`, ...), cleared before the output.

--progress always shows it; --no-progress never; by default it shows when stderr is a terminal and the
input is larger than MIN_BYTES on disk. The parser only calls `meter(done, total)` once per block read."""
from __future__ import annotations

import os
import sys
import time
from typing import Callable, Optional

import click

MIN_BYTES = 20 * 2**20
REDRAW_S = 0.25


def progress_option(f: Callable) -> Callable:
    return click.option("--progress/--no-progress", "progress", default=None,
                        help="A progress line on stderr while a log is read (default: on a terminal, for "
                             "inputs over 20 MB).")(f)


def _input_size(source: str) -> int:
    if source == "-":
        return 0
    if os.path.isdir(source):
        from ..parse.loader import BUNDLE_LOGS
        source = next((os.path.join(source, n) for n in BUNDLE_LOGS if os.path.isfile(os.path.join(source, n))),
                      source)
    try:
        return os.path.getsize(source)
    except OSError:
        return 0


class Progress:
    """`meter = Progress(choice)`; `load(src, progress=meter.start(src))`; `meter.stop()` clears the line."""

    def __init__(self, choice: Optional[bool], min_bytes: int = MIN_BYTES, clock: Callable[[], float] = time.monotonic):
        self.choice = choice
        self.min_bytes = min_bytes
        self.clock = clock
        self._shown = 0
        self._name = ""
        self._t0 = 0.0
        self._last = -1.0
        self._drawn = -1
        self._active = False

    def wanted(self, source: str) -> bool:
        if self.choice is not None:
            return self.choice
        isatty = getattr(sys.stderr, "isatty", None)
        return bool(isatty and isatty()) and _input_size(source) > self.min_bytes

    def start(self, source: str) -> Optional[Callable[[int, int], None]]:
        self.stop()
        if not self.wanted(source):
            return None
        self._name = os.path.basename(source.rstrip("/\\")) or source
        self._t0 = self.clock()
        self._last = -1.0
        self._drawn = -1
        self._active = True
        return self.update

    def update(self, done: int, total: int) -> None:
        now = self.clock()
        end = bool(total) and done >= total
        if done == self._drawn or (self._last >= 0 and now - self._last < REDRAW_S and not end):
            return
        self._last, self._drawn = now, done
        mb = done / 2**20
        rate = mb / (now - self._t0) if now > self._t0 else 0.0
        if end:
            self._draw(f"trtlog: read {self._name}  {mb:.1f} MB  {rate:.1f} MB/s; building tables")
        else:
            size = f"{mb:.1f}/{total / 2**20:.1f} MB ({100 * done // total}%)" if total else f"{mb:.1f} MB"
            self._draw(f"trtlog: reading {self._name}  {size}  {rate:.1f} MB/s")

    def phase(self, what: str) -> None:
        """A later phase of the same input (`running the rules`), shown only where the reading was."""
        if self._active:
            self._draw(f"trtlog: {self._name}: {what}")

    def _draw(self, line: str) -> None:
        pad = max(0, self._shown - len(line))
        click.echo("\r" + line + " " * pad, nl=False, err=True)
        self._shown = len(line)

    def stop(self) -> None:
        self._active = False
        if self._shown:
            click.echo("\r" + " " * self._shown + "\r", nl=False, err=True)
            self._shown = 0
