"""A capturing ILogger: every TensorRT message goes to the bundle's build.log in the standard
Python-logger form `[MM/DD/YYYY-HH:MM:SS] [TRT] [X] msg` and to the live progress display.

`LogSink` holds the logic and needs no TensorRT; `make_logger(trt, sink)` wraps it in a
`trt.ILogger` subclass. Messages that arrive before the bundle exists (while the ONNX file is
parsed) are buffered and written when `attach` is called.
"""
from __future__ import annotations

import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Deque, Dict, List, Optional, TextIO

from .progress import Progress

# trt.ILogger.Severity member -> the letter the stock loggers print
LETTERS = (("INTERNAL_ERROR", "F"), ("ERROR", "E"), ("WARNING", "W"), ("INFO", "I"), ("VERBOSE", "V"))
RANK = {"F": 0, "E": 1, "W": 2, "I": 3, "V": 4}


class LogSink:
    def __init__(self, min_letter: str = "V", progress: Optional[Progress] = None,
                 echo: Optional[TextIO] = None, flush_every: float = 0.5, clock=time.time):
        self.max_rank = RANK[min_letter]
        self.progress = progress
        self.echo = echo                 # errors are also shown here (stderr), as they happen
        self.flush_every = flush_every
        self.clock = clock
        self.counts: Dict[str, int] = {k: 0 for k in RANK}
        self.last_errors: Deque[str] = deque(maxlen=5)
        self.first_errors: List[str] = []      # the first 20: a root cause comes early
        self._file: Optional[IO[str]] = None
        self._buffer: List[str] = []
        self._lock = threading.Lock()
        self._stamp_sec = -1
        self._stamp = ""
        self._last_flush = 0.0

    def _timestamp(self, now: float) -> str:
        sec = int(now)
        if sec != self._stamp_sec:
            self._stamp_sec = sec
            self._stamp = time.strftime("[%m/%d/%Y-%H:%M:%S]", time.localtime(sec))
        return self._stamp

    def write(self, letter: str, msg: str) -> None:
        if RANK.get(letter, 3) > self.max_rank:
            return
        now = self.clock()
        with self._lock:
            line = f"{self._timestamp(now)} [TRT] [{letter}] {msg}\n"
            self.counts[letter] = self.counts.get(letter, 0) + 1
            if letter in ("E", "F"):
                self.last_errors.append(msg)
                if len(self.first_errors) < 20:
                    self.first_errors.append(msg)
            if self._file is None:
                self._buffer.append(line)
            else:
                self._file.write(line)
                if now - self._last_flush > self.flush_every:
                    self._file.flush()
                    self._last_flush = now
        if self.progress is not None:
            self.progress.feed(letter, msg)
        if self.echo is not None and letter in ("E", "F"):
            if self.progress is not None:
                self.progress.clear()
            self.echo.write(line)
            self.echo.flush()

    def attach(self, path: Path) -> None:
        with self._lock:
            self._file = open(path, "w", encoding="utf-8", newline="\n")
            self._file.writelines(self._buffer)
            self._buffer = []
            self._file.flush()

    def flush(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def first_error_with(self, text: str) -> str:
        return next((m for m in self.first_errors if text in m), "")

    @property
    def last_error(self) -> str:
        return self.last_errors[-1] if self.last_errors else ""


def make_logger(trt, sink: LogSink):
    """A trt.ILogger that forwards every message to `sink` (TensorRT calls it for all severities;
    filtering is the sink's job)."""
    severity = trt.ILogger.Severity
    letters = {getattr(severity, name): letter for name, letter in LETTERS if hasattr(severity, name)}

    class CapturingLogger(trt.ILogger):
        def __init__(self):
            trt.ILogger.__init__(self)

        def log(self, sev, msg):
            sink.write(letters.get(sev, "I"), msg)

    return CapturingLogger()


def stderr_sink(progress: Optional[Progress], verbose: bool) -> LogSink:
    return LogSink("V" if verbose else "I", progress, echo=sys.stderr)
