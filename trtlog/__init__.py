"""trtlog: make TensorRT engine builds explainable."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import TrtlogError  # noqa: E402


def load(path, **kwargs):
    """Parse a TensorRT log, a layer-info/profile JSON, or a trtlog bundle directory into a BuildLog."""
    from .parse.loader import load as _load
    return _load(path, **kwargs)


def scan(paths, output, **kwargs):
    """Scan logs, bundles and folders into a Parquet dataset; returns its path (trtlog.fleet.scan)."""
    from .fleet import scan as _scan
    return _scan(paths, output, **kwargs)


def open_dataset(path):
    """A DuckDB connection with a view per table of a dataset written by scan (trtlog.fleet.open_dataset)."""
    from .fleet import open_dataset as _open
    return _open(path)


def __getattr__(name):
    # BuildLog pulls in pandas (~0.5 s); import it only when asked, so `trtlog build` starts fast
    if name == "BuildLog":
        from .buildlog import BuildLog
        return BuildLog
    raise AttributeError(name)


__all__ = ["BuildLog", "TrtlogError", "load", "scan", "open_dataset", "__version__"]
