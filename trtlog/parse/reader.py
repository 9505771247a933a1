"""Open a log the way users hand them to us: any encoding, compressed, CRLF, ANSI colours, stdin.

`LogSource(path).blocks()` yields the text in blocks of whole lines (`lines()` line by line), with
line terminators normalised to "\n" and ANSI escape sequences removed. Bad input raises TrtlogError
with a one-line message.
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import re
import sys
import zlib
from typing import IO, Callable, Iterator, Optional, Tuple

from ..errors import TrtlogError

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
SNIFF = 64 * 1024
BLOCK_BYTES = 1 << 22     # bytes per read; the comparison script lowers it to test block edges


def _decompressor(head: bytes):
    if head.startswith(b"\x1f\x8b"):
        return lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile, "xz"
    if head.startswith(b"BZh9") or head.startswith(b"BZh"):
        return bz2.BZ2File, "bz2"
    return None, ""


def _open_binary(path: str) -> Tuple[IO[bytes], str, IO[bytes]]:
    """(stream of the log's bytes, compression, the file itself: its position is the progress)"""
    if path == "-":
        raw: IO[bytes] = (sys.stdin.buffer if isinstance(sys.stdin.buffer, io.BufferedReader)
                          else io.BufferedReader(sys.stdin.buffer))
    else:
        if not os.path.exists(path):
            raise TrtlogError(f"no such file: {path}")
        if os.path.isdir(path):
            raise TrtlogError(f"{path} is a directory, not a log (bundle directories need a build.log)")
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise TrtlogError(f"cannot read {path}: {exc.strerror}") from None
    head = raw.peek(8)[:8] if hasattr(raw, "peek") else b""
    opener, kind = _decompressor(head)
    file = raw
    if opener is not None:
        raw = io.BufferedReader(opener(raw))  # type: ignore[arg-type]
    return raw, kind, file


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(sample) >= 4:
        # UTF-16 without BOM: every other byte NUL in ASCII-heavy text
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    if b"\x00" in sample:
        raise TrtlogError("binary file, not a text log (contains NUL bytes)")
    for enc in ("utf-8", "gbk"):
        try:
            _decode_prefix(sample, enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _decode_prefix(sample: bytes, enc: str) -> None:
    """Decode `sample`, tolerating a multi-byte character cut at the end of the sniffed block."""
    dec = codecs.getincrementaldecoder(enc)()
    dec.decode(sample, final=False)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b") or ch == "\ufffd")
    return bad > 0.02 * len(text)


class LogSource:
    """An opened log: iterate `lines()`; `encoding`, `compression` describe what was found.
    `progress(done_bytes, total_bytes)`, when given, is called after each block is read: bytes of the file
    (compressed bytes for a compressed log); total 0 when unknown (stdin)."""

    def __init__(self, path: str, progress: Optional[Callable[[int, int], None]] = None):
        self.path = path
        self._raw, self.compression, self._file = _open_binary(path)
        self._progress = progress
        try:
            self.size = os.fstat(self._file.fileno()).st_size if path != "-" else 0
        except (OSError, AttributeError, io.UnsupportedOperation):
            self.size = 0
        try:
            sample = self._raw.peek(SNIFF)[:SNIFF]
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise TrtlogError(f"{path}: damaged {self.compression or 'compressed'} data ({exc})") from None
        if not sample:
            raise TrtlogError(f"{path}: empty file")
        self.encoding = _detect_encoding(sample)
        head_text = sample.decode(self.encoding, errors="replace")
        if _looks_binary(head_text):
            raise TrtlogError(f"{path}: binary file, not a text log")
        self.has_ansi = "\x1b" in head_text

    def lines(self) -> Iterator[str]:
        for block in self.blocks():
            yield from block[1:].split("\n")

    def blocks(self) -> Iterator[str]:
        """Blocks of whole lines, each line *preceded* by "\\n": "\\nline 1\\nline 2...\\nline k".
        A "\\n" that ends the file starts no line."""
        # what io.TextIOWrapper(newline=None) does, without its per-read overhead; errors="replace":
        # a stray byte in a 500 MB log must not lose the other lines
        decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder(self.encoding)(errors="replace"),
                                               translate=True)
        try:
            yield from self._blocks(decoder)
        except (EOFError, lzma.LZMAError, OSError, zlib.error) as exc:
            what = f"{self.compression} data" if self.compression else "file"
            raise TrtlogError(f"{self.path}: truncated or damaged {what} ({exc})") from None
        finally:
            self._raw.close()

    def _blocks(self, decoder) -> Iterator[str]:
        carry = "\n"              # the start of the line the previous read cut off
        done = 0
        while True:
            raw = self._raw.read(BLOCK_BYTES)
            if self._progress is not None:
                done += len(raw)
                self._progress(self._position(done), self.size)
            data = carry + decoder.decode(raw, final=not raw)
            cut = data.rfind("\n")
            if cut > 0:
                block, carry = data[:cut], data[cut:]
                # no escape sequence spans a line break, so cleaning a block equals cleaning its lines
                yield ANSI.sub("", block) if "\x1b" in block else block
            else:                  # no complete line yet
                carry = data
            if not raw:
                break
        if carry != "\n":
            yield ANSI.sub("", carry) if "\x1b" in carry else carry

    def _position(self, decoded: int) -> int:
        """Bytes of the file consumed so far (the compressed file's position for a compressed log)."""
        if not self.compression or not self.size:
            return min(decoded, self.size) if self.size else decoded
        try:
            return min(self._file.tell(), self.size)
        except (OSError, ValueError):
            return 0
