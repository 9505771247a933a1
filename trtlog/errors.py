"""User-facing errors and the documented exit codes.

Exit codes (README, `trtlog --help`):
  0  ok
  1  a fail condition the user asked about was met (--fail-on, validation FAIL, build failed)
  2  bad input or usage: missing/empty/binary/non-TensorRT file, bad option, missing extra
  3  internal error (a bug in trtlog: one line on stderr; TRTLOG_DEBUG=1 shows the traceback)
  130 interrupted (Ctrl-C)
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class TrtlogError(Exception):
    """An error shown to the user as one line, with an exit code (2 unless said otherwise)."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code
