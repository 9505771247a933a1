"""What a scan reads: log files and bundle directories found under the given paths, and their sha256."""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Set

from ..errors import TrtlogError
from ..parse.loader import BUNDLE_LOGS
from . import MARKER

# what a folder walk picks up; a file named on the command line is always taken
LOG_SUFFIXES = (".log", ".txt", ".gz", ".xz")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Input:
    path: str
    kind: str          # "log" or "bundle"


def is_bundle(path: Path) -> bool:
    return path.is_dir() and any((path / n).is_file() for n in BUNDLE_LOGS)


def discover(paths: Iterable[str], since: Optional[float] = None, exclude: Optional[str] = None) -> List[Input]:
    """Inputs under `paths` in a stable order (sorted walk), each once. Folders are walked recursively,
    skipping hidden entries, trtlog datasets and `exclude`; a bundle directory is one input."""
    found: List[Input] = []
    seen: Set[str] = set()
    skip = os.path.realpath(exclude) if exclude else None

    def add(p: Path, kind: str) -> None:
        real = os.path.realpath(p)
        if real in seen:
            return
        if since is not None and _mtime(p, kind) < since:
            return
        seen.add(real)
        found.append(Input(str(p), kind))

    for arg in paths:
        p = Path(arg)
        if not p.exists():
            raise TrtlogError(f"{arg}: no such file or directory")
        if p.is_file():
            add(p, "log")
        elif is_bundle(p):
            add(p, "bundle")
        else:
            _walk(p, add, skip)
    return found


def _walk(folder: Path, add, skip: Optional[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise TrtlogError(f"{folder}: cannot list: {exc.strerror or exc}") from None
    for e in entries:
        if e.name.startswith("."):
            continue
        p = Path(e.path)
        if e.is_dir():
            if (skip and os.path.realpath(p) == skip) or (p / MARKER).is_file():
                continue
            if is_bundle(p):
                add(p, "bundle")
            else:
                _walk(p, add, skip)
        elif e.is_file() and e.name.lower().endswith(LOG_SUFFIXES):
            add(p, "log")


def bundle_files(path: Path) -> List[Path]:
    return sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))


def _mtime(p: Path, kind: str) -> float:
    if kind == "bundle":
        return max((f.stat().st_mtime for f in bundle_files(p)), default=p.stat().st_mtime)
    return p.stat().st_mtime


def digest(inp: Input) -> tuple:
    """(sha256 hex, bytes read). A bundle hashes its relative file names and contents in name order,
    so the same bundle copied elsewhere has the same digest."""
    h = hashlib.sha256()
    size = 0
    if inp.kind == "bundle":
        root = Path(inp.path)
        for f in bundle_files(root):
            rel = f.relative_to(root).as_posix().encode("utf-8")
            h.update(len(rel).to_bytes(4, "little") + rel)
            size += _feed(h, f)
    else:
        size = _feed(h, Path(inp.path))
    return h.hexdigest(), size


def _feed(h, path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while True:
            b = fh.read(_CHUNK)
            if not b:
                return n
            h.update(b)
            n += len(b)


_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: Optional[float] = None) -> float:
    """'2026-12-01', '2026-12-01T08:00', '36h', '7d' -> a POSIX timestamp (local time for dates)."""
    s = str(text).strip()
    m = _AGO.match(s)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNIT[m.group(2)]
    try:
        return _dt.datetime.fromisoformat(s).timestamp()
    except ValueError:
        raise TrtlogError(f"--since {text!r}: use a date (2026-12-01), a date and time "
                          f"(2026-12-01T08:00) or an age (36h, 7d)") from None
