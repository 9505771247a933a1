"""trtlog: make TensorRT engine builds explainable. The public API (docs/api.md): load, run_rules,
diff_builds, render_report, BuildLog, Finding, DiffResult, TrtlogError."""
from __future__ import annotations

__version__ = "0.1.0"

from .api import diff_builds, load, render_report, run_rules  # noqa: E402
from .errors import TrtlogError  # noqa: E402

# importing these pulls in pandas (~0.5 s): only when asked, so `trtlog build` starts fast
_LAZY = {"BuildLog": ("buildlog", "BuildLog"), "Finding": ("rules.engine", "Finding"),
         "DiffResult": ("diff", "DiffResult")}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(name)


__all__ = ["BuildLog", "DiffResult", "Finding", "TrtlogError", "diff_builds", "load", "render_report",
           "run_rules", "__version__"]
