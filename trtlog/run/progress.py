"""Live build progress from the TensorRT messages as they stream.

Simple substring checks on each message (the full parse into tables happens later, in
trtlog.load): the phase, "layer k of N" while tactics are timed (N = the layer count the optimizer
reported last), the optimization profile, calibration batches, elapsed time. The display is one
line redrawn in place on a terminal, at most every `interval` seconds; nothing when not a terminal.
"""
from __future__ import annotations

import re
import sys
import time
from typing import Optional, TextIO

_LAYERS = re.compile(r"After [^:]*: (\d+) layers")
_PROFILE = re.compile(r"Constructing optimization profile number \d+ \[(\d+/\d+)\]")


class Progress:
    def __init__(self, stream: Optional[TextIO] = None, enabled: Optional[bool] = None,
                 interval: float = 0.1, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self.phase = "starting"
        self.layer_k = 0
        self.layer_n = 0
        self.profile = ""
        self.calib_k = 0
        self.calib_n = 0
        self.messages = 0
        self.engine_built_seconds: Optional[float] = None
        self._last_draw = 0.0
        self._drawn = False

    # -- feeding --------------------------------------------------------------------------------
    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.draw(force=True)

    def feed(self, letter: str, msg: str) -> None:
        """One TensorRT message (severity letter, text without envelope)."""
        self.messages += 1
        if "Computing costs for" in msg:
            self.layer_k += 1
            if self.phase != "timing tactics":
                self.phase = "timing tactics"
        elif msg.startswith("After ") and msg.endswith(" layers"):
            m = _LAYERS.match(msg)
            if m:
                self.layer_n = int(m.group(1))
                if self.phase in ("starting", "parsing ONNX", "initializing"):
                    self.phase = "optimizing graph"
        elif "Constructing optimization profile number" in msg:
            m = _PROFILE.search(msg)
            self.profile = m.group(1) if m else ""
            self.layer_k = 0
            self.phase = "timing tactics"
        elif "Calibrated batch" in msg:
            self.calib_k += 1
            self.phase = "calibrating"
        elif "Starting Calibration" in msg:
            self.phase = "calibrating"
        elif "Formats and tactics selection completed" in msg:
            self.phase = "generating engine"
        elif "Engine generation completed" in msg:
            self.phase = "serializing"
        elif "Init builder kernel library" in msg:
            self.phase = "initializing"
        elif "Engine built in" in msg:      # trtexec: "Engine built in 37.5 sec."
            m = re.search(r"Engine built in ([0-9.]+) sec", msg)
            if m:
                self.engine_built_seconds = float(m.group(1))
        elif "Starting inference" in msg:   # trtexec
            self.phase = "running inference"
        if self.enabled:
            self.draw()

    # -- display ------------------------------------------------------------------------------
    def render(self) -> str:
        secs = int(self.clock() - self.start)
        parts = [f"[trtlog] {self.phase}"]
        if self.phase == "timing tactics" and self.layer_k:
            parts.append(f"layer {self.layer_k}/{self.layer_n}" if self.layer_n >= self.layer_k
                         else f"layer {self.layer_k}")
            if self.profile and self.profile != "1/1":
                parts.append(f"profile {self.profile}")
        if self.phase == "calibrating" and self.calib_k:
            parts.append(f"batch {self.calib_k}/{self.calib_n}" if self.calib_n else f"batch {self.calib_k}")
        parts.append(f"{secs // 60}:{secs % 60:02d}")
        return "  ".join(parts)

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if not force and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        self.stream.write("\r" + self.render() + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the progress line (before printing other text)."""
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def finish(self) -> None:
        self.clear()
