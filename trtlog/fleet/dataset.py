"""The dataset directory: create or reopen it, lock it for one scan, commit one input's parts, and
clean what an interrupted scan left behind.

Commit protocol: a worker writes an input's parts under `_staging/<log_id>.<pid>/`, then renames them
into place one by one, the `logs` part last. An input is in the dataset once its `logs` part exists;
a part without one (a scan killed between two renames) is removed by the next scan before it starts,
and `open_dataset` hides such parts meanwhile.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import Dict, Iterator, Set

from ..errors import TrtlogError
from . import MARKER, is_dataset
from .schema import FORMAT, PARTITION, table_names

STAGING = "_staging"
LOCK = "_scan.lock"


def check_dataset(path) -> Path:
    p = Path(path)
    if not p.exists():
        raise TrtlogError(f"{path}: no such dataset")
    if not is_dataset(p):
        raise TrtlogError(f"{path} is not a trtlog dataset (no {MARKER}; create one with `trtlog scan`)")
    return p


def prepare_output(path, force: bool = False) -> Path:
    """The one place that decides about the output path. An existing trtlog dataset is scanned into
    (incremental) unless `force` starts it afresh; a file is replaced only with `force`; a non-empty
    directory that is not a dataset is never touched."""
    p = Path(path)
    if is_dataset(p):
        if force:
            shutil.rmtree(p)
        else:
            return p
    elif p.is_dir():
        if any(p.iterdir()):
            raise TrtlogError(f"{p} is a non-empty directory and not a trtlog dataset; not writing into it")
    elif p.exists():
        if not force:
            raise TrtlogError(f"{p} exists and is not a dataset; not overwriting (use --force or another -o)")
        p.unlink()
    try:
        p.mkdir(parents=True, exist_ok=True)
        tmp = p / (MARKER + ".tmp")
        tmp.write_text(json.dumps({"format": FORMAT, "tables": table_names(),
                                   "partition": PARTITION}, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, p / MARKER)
    except OSError as exc:
        raise TrtlogError(f"cannot create dataset {p}: {exc.strerror or exc}") from None
    return p


class ScanLock:
    """One scan at a time per dataset (flock: released by the OS when the scanning process dies)."""

    def __init__(self, root: Path):
        self.path = root / LOCK
        self.fh = None

    def __enter__(self):
        self.fh = open(self.path, "w")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise TrtlogError(f"another scan is writing {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def parts(root: Path, table: str) -> Iterator[Path]:
    d = root / table
    return d.glob(f"{PARTITION}=*/*.parquet") if d.is_dir() else iter(())


def committed(root: Path) -> Dict[str, Path]:
    """log_id -> its logs part, for every input in the dataset."""
    return {p.stem: p for p in parts(root, "logs")}


def known_digests(root: Path, retry_errors: bool = False) -> Set[str]:
    """sha256 of every committed input (without the failed ones when they are to be retried)."""
    import pyarrow.parquet as pq
    files = [str(p) for p in parts(root, "logs")]
    if not files:
        return set()
    known = set()
    for f in files:
        t = pq.read_table(f, columns=["sha256", "status"])
        for sha, status in zip(t.column("sha256").to_pylist(), t.column("status").to_pylist()):
            if not (retry_errors and status == "error"):
                known.add(sha)
    return known


def recover(root: Path) -> int:
    """Remove the staging area and every part whose input has no `logs` part; returns parts removed."""
    shutil.rmtree(root / STAGING, ignore_errors=True)
    ids = set(committed(root))
    removed = 0
    for table in table_names():
        if table == "logs":
            continue
        for p in list(parts(root, table)):
            if p.stem not in ids:
                p.unlink()
                removed += 1
    return removed


def drop(root: Path, log_id: str) -> None:
    """Remove an input from the dataset (its logs part first, so it never looks half there)."""
    order = ["logs"] + [t for t in table_names() if t != "logs"]
    for table in order:
        for p in (root / table).glob(f"{PARTITION}=*/{log_id}.parquet") if (root / table).is_dir() else ():
            p.unlink()


def commit(root: Path, staged: Path, log_id: str, tables: Dict[str, str]) -> None:
    """Move the staged parts (table -> partition value) into place; `logs` last."""
    drop(root, log_id)
    order = [t for t in tables if t != "logs"] + ["logs"]
    for table in order:
        dest = root / table / f"{PARTITION}={tables[table]}"
        dest.mkdir(parents=True, exist_ok=True)
        os.replace(staged / f"{table}.parquet", dest / f"{log_id}.parquet")
    shutil.rmtree(staged, ignore_errors=True)
