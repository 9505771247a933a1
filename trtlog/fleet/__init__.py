"""Fleet scale: many logs and bundles into one Parquet dataset (process pool or Dask), DuckDB queries,
one HTML page for the fleet. Needs the `fleet` extra (pyarrow, duckdb, dask[distributed])."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union

from ..errors import TrtlogError

EXTRA_HINT = "pip install 'trtlog[fleet]'"
MARKER = "_trtlog_dataset.json"   # marks a dataset directory; '_' prefix: Spark, pyarrow and hive readers skip it


def is_dataset(path) -> bool:
    return (Path(path) / MARKER).is_file()


def require(*modules: str) -> None:
    """One-line error (exit 2) when a module of the fleet extra is missing."""
    import importlib
    for m in modules:
        try:
            importlib.import_module(m)
        except ImportError:
            raise TrtlogError(f"this command needs the fleet extra ({m} is missing): {EXTRA_HINT}") from None


def scan(paths: Union[str, Sequence[str]], output, *, jobs: Optional[int] = None, dask: Optional[str] = None,
         since: Optional[str] = None, force: bool = False, retry_errors: bool = False,
         strict: bool = False) -> Path:
    """Scan logs, bundles and folders into the Parquet dataset `output`; returns its path. An input
    that fails to parse gets a `logs` row with status 'error'; `strict=True` raises TrtlogError
    (code 1) after the scan when that happened."""
    require("pyarrow", "pandas")
    from .runner import run_scan
    res = run_scan([paths] if isinstance(paths, (str, Path)) else list(paths), output, jobs=jobs,
                   dask=dask, since=since, force=force, retry_errors=retry_errors)
    if strict and res.failed:
        first = res.errors[0]
        raise TrtlogError(f"{res.failed} input(s) failed, first {first['path']}: {first['error']}", code=1)
    return res.path


def open_dataset(path):
    """A DuckDB connection with one view per table (`logs`, `findings`, `layers`, ...):
    `con = open_dataset(p); con.sql("select * from logs").df()` gives pandas (keep `con`: older duckdb
    closes a connection that is garbage-collected while a relation of it is still in use)."""
    require("duckdb", "pyarrow")
    from .query import connect
    return connect(path)


__all__ = ["scan", "open_dataset", "require", "is_dataset", "MARKER"]
