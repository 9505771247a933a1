"""The text of every line as one Arrow string array, kept out of the process's memory for big logs.

The message text is most of a verbose log (83.5 MiB of a 103 MB log). Its UTF-8 bytes are appended
block by block; past `TRTLOG_SPILL_MB` (default 16 MiB) they go to an unnamed temporary file in the
temporary folder (TMPDIR), which the finished column reads through a read-only memory map: the
operating system keeps it in its file cache and can drop it under memory pressure, and only the
pages of rows a rule or the report reads count in the process's resident memory. The file has no
name once created and goes when the column does. Where no temporary file can be made or written
(a full disk), the text stays in memory. One chunk, not one per block: Arrow's take on a chunked
array first concatenates the chunks, a copy of the whole column each time a rule selects a few rows.
"""
from __future__ import annotations

import mmap
import os
import tempfile
from typing import List, Optional, Tuple

import numpy as np

DEFAULT_SPILL_MB = 16


def spill_bytes() -> Optional[int]:
    """Bytes of text kept in memory before the rest goes to a temporary file; None: never spill
    (TRTLOG_SPILL_MB=0). A value that is not a number is the default."""
    raw = os.environ.get("TRTLOG_SPILL_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_SPILL_MB
    except ValueError:
        mb = DEFAULT_SPILL_MB
    return None if mb <= 0 else int(mb * 2 ** 20)


class TextBuffer:
    def __init__(self, spill_at: Optional[int] = None) -> None:
        # a bytearray grows in place (a large one is remapped, not copied); Arrow then wraps it as is
        self.data = bytearray()
        self.fd: Optional[int] = None    # the temporary file, once the text went there
        self.size = 0                    # bytes of text so far (in data or in the file)
        self.spill_at = spill_at
        self.ends: List[Tuple[int, np.ndarray]] = []   # per block: (start, ends relative to it)

    def add(self, texts: List[str]) -> None:
        joined = "".join(texts)
        if joined.isascii():
            encoded = joined.encode("ascii")
            lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        else:                   # character and byte lengths differ
            parts = [t.encode("utf-8") for t in texts]
            lengths = np.fromiter(map(len, parts), np.int64, len(texts))
            encoded = b"".join(parts)
        # where this block's text starts, and the ends inside it (int32 unless one block is 2 GiB)
        ends = np.cumsum(lengths)
        self.ends.append((self.size, ends.astype(np.int32) if len(encoded) < 2 ** 31 else ends))
        self._append(encoded)

    def _append(self, encoded: bytes) -> None:
        if self.fd is not None:
            try:
                _write_all(self.fd, encoded)
                self.size += len(encoded)
                return
            except OSError:     # a full disk: the text so far back into memory, and on from there
                self._unspill()
        self.data += encoded
        self.size += len(encoded)
        if self.spill_at is not None and self.size > self.spill_at:
            self._spill()

    def _spill(self) -> None:
        try:
            f = tempfile.TemporaryFile()    # no name on Linux (O_TMPFILE), else unlinked at once
        except OSError:
            self.spill_at = None
            return
        fd = os.dup(f.fileno())
        f.close()
        try:
            _write_all(fd, self.data)
        except OSError:
            os.close(fd)
            self.spill_at = None
            return
        self.fd = fd
        self.data = bytearray()

    def _unspill(self) -> None:
        fd, self.fd = self.fd, None
        assert fd is not None
        try:
            self.data = bytearray(os.pread(fd, self.size, 0))
        finally:
            os.close(fd)
        self.spill_at = None

    @property
    def spilled(self) -> bool:
        return self.fd is not None

    def finish(self):
        """The pyarrow string array (large_string from 2 GiB of text); the buffer is emptied."""
        import pyarrow as pa
        large = self.size >= 2 ** 31 - 1
        n = sum(len(e) for _, e in self.ends)
        offsets = np.empty(n + 1, np.int64 if large else np.int32)    # made in place: no int64 copy
        offsets[0] = 0
        at = 1
        for start, ends in self.ends:
            seg = offsets[at:at + len(ends)]
            seg[:] = ends
            seg += start
            at += len(ends)
        self.ends = []
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                # the map keeps the file: it goes when Arrow lets go of the buffer
                data = pa.py_buffer(mmap.mmap(fd, self.size, access=mmap.ACCESS_READ))
            finally:
                os.close(fd)
        else:
            data, self.data = pa.py_buffer(self.data), bytearray()
        if large:
            return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), data)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), data)


# Written in pieces of this size: Linux 6.x caches a file written in big pieces in folios of up to 2 MiB,
# and reading one line through the map then maps its whole folio (measured: 2 MiB of resident memory per
# line read after 4 MiB writes, 64 KiB after 64 KiB writes)
WRITE_PIECE = 64 * 1024


def _write_all(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:WRITE_PIECE]):]
