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
import stat
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


def _open_binary(path: str) -> Tuple[io.BufferedReader, str, IO[bytes]]:
    """(stream of the log's bytes, compression, the file itself: its position is the progress)"""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None or stdin.closed:
            raise TrtlogError("cannot read standard input: it is closed")
        raw: io.BufferedReader = stdin if isinstance(stdin, io.BufferedReader) else io.BufferedReader(stdin)
    else:
        if not os.path.exists(path):
            raise TrtlogError(f"no such file: {path}")
        if os.path.isdir(path):
            raise TrtlogError(f"{path} is a directory, not a log (bundle directories need a build.log)")
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            raise TrtlogError(f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):      # /dev/zero would be NULs for ever
            raise TrtlogError(f"{path} is a device, not a log file")
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise TrtlogError(f"cannot read {path}: {exc.strerror}") from None
    try:
        head = raw.peek(8)[:8] if hasattr(raw, "peek") else b""
    except (OSError, ValueError) as exc:
        raise TrtlogError(f"cannot read {'standard input' if path == '-' else path}: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    opener, kind = _decompressor(head)
    file: IO[bytes] = raw
    if opener is not None:
        raw = io.BufferedReader(opener(raw))  # type: ignore[arg-type]
    return raw, kind, file


def _detect_encoding(sample: bytes, name: str) -> str:
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
    # a log cut short by a crash or power loss ends in NUL blocks; binary has them everywhere
    body = sample.rstrip(b"\x00")
    if body.count(0) > 0.02 * len(body):
        raise TrtlogError(f"{name}: binary file, not a text log (NUL bytes)")
    try:
        _decode_prefix(sample, "utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return _legacy_encoding(sample)


# 8-bit encodings a log can be in when it is not UTF-8, with the Unicode blocks whose characters are
# evidence for each (what a user's path, locale message or model name would hold)
_LEGACY = ("cp932", "gbk", "cp1252")
_HIGH = re.compile(rb"[\x80-\xff]")


def _char_score(ch: str, enc: str) -> float:
    o = ord(ch)
    if 0x3040 <= o <= 0x30FF:                      # hiragana, katakana
        return 2.0 if enc == "cp932" else 0.0
    if 0x4E00 <= o <= 0x9FFF:                      # CJK ideographs: common ones only
        common = {"cp932": "shift_jis", "gbk": "gb2312"}.get(enc)
        if common is None:
            return -1.0
        try:
            b = ch.encode(common)
        except UnicodeEncodeError:
            return -0.5
        if enc == "cp932":      # JIS level 1 (lead bytes 0x88-0x9F) is the everyday kanji
            return 1.0 if 0x88 <= b[0] <= 0x9F else 0.2
        return 1.0
    if 0xFF61 <= o <= 0xFF9F:                      # half-width katakana: mojibake, nearly always
        return -1.0
    if 0xC0 <= o <= 0xFF and o not in (0xD7, 0xF7):  # accented Latin letters
        return 1.0 if enc == "cp1252" else -0.5
    if 0x80 <= o <= 0x9F or ch == "\ufffd":
        return -3.0
    return -0.3


def _legacy_encoding(sample: bytes) -> str:
    """The legacy encoding the non-ASCII runs of `sample` read best in: an encoding must decode
    every run, and then scores the characters it gives (kana for Shift-JIS, common hanzi for GBK,
    accented letters for CP1252/Latin-1; C1 controls and half-width katakana,
    the usual mojibake, count against it)."""
    whole = sample if len(sample) < SNIFF else sample[:sample.rfind(b"\n") + 1]
    runs = [ln for ln in whole.split(b"\n") if _HIGH.search(ln)][:2000]
    best, best_score = "cp1252", float("-inf")
    for enc in _LEGACY:
        try:
            texts = [r.decode(enc) for r in runs]
        except UnicodeDecodeError:
            continue
        chars = [c for t in texts for c in t if ord(c) > 0x7F]
        score = sum(_char_score(c, enc) for c in chars) / max(1, len(chars))
        if score > best_score:
            best, best_score = enc, score
    # cp1252 leaves 5 bytes undefined; Latin-1 reads them all
    if best == "cp1252":
        try:
            _decode_prefix(sample, "cp1252")
        except UnicodeDecodeError:
            return "latin-1"
    return best


def _utf16(sample: bytes) -> bool:
    even, odd = sample[0::2], sample[1::2]
    return len(sample) >= 4 and ((odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even)) or
                                 (even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd)))


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
        name = "<stdin>" if path == "-" else path
        if not sample:
            raise TrtlogError(f"{name}: empty file")
        self.leading_nuls = 0
        if sample[:1] == b"\x00" and not _utf16(sample):
            sample = self._skip_nuls(name)
        self.encoding = _detect_encoding(sample, name)
        head_text = (sample if self.encoding.startswith("utf-16") else sample.rstrip(b"\x00")).decode(
            self.encoding, errors="replace")
        if _looks_binary(head_text):
            raise TrtlogError(f"{name}: binary file, not a text log")
        self.has_ansi = "\x1b" in head_text

    def _skip_nuls(self, name: str) -> bytes:
        """Drop the NUL bytes a file starts with (logrotate copytruncate leaves the old size as
        NULs before the new text) and return the sniff sample after them."""
        while True:
            sample = self._raw.peek(SNIFF)[:SNIFF]
            if not sample:
                raise TrtlogError(f"{name}: only NUL bytes, no text")
            n = len(sample) - len(sample.lstrip(b"\x00"))
            if n == 0:
                return sample
            self._raw.read(n)
            self.leading_nuls += n

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
