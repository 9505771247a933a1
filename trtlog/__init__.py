"""trtlog: make TensorRT engine builds explainable. The public API (docs/api.md): load, run_rules,
diff_builds, render_report, BuildLog, Facts, Finding, DiffResult, TrtlogError."""
from __future__ import annotations

__version__ = "0.1.0"

from .api import diff_builds, load, render_report, run_rules  # noqa: E402
from .errors import TrtlogError  # noqa: E402

# importing these pulls in pandas (~0.5 s): only when asked, so `trtlog build` starts fast
_LAZY = {"BuildLog": ("buildlog", "BuildLog"), "Facts": ("facts", "Facts"), "Finding": ("rules.engine", "Finding"),
         "DiffResult": ("diff", "DiffResult")}


def scan(paths, output, **kwargs):
    """Scan logs, bundles and folders into a Parquet dataset; returns its path (trtlog.fleet.scan)."""
    from .fleet import scan as _scan
    return _scan(paths, output, **kwargs)


def open_dataset(path):
    """A DuckDB connection with a view per table of a dataset written by scan (trtlog.fleet.open_dataset)."""
    from .fleet import open_dataset as _open
    return _open(path)


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(name)


__all__ = ["BuildLog", "DiffResult", "Facts", "Finding", "TrtlogError", "diff_builds", "load", "open_dataset",
           "render_report", "run_rules", "scan", "__version__"]
