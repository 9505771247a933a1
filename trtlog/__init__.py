"""trtlog: make TensorRT engine builds explainable."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import TrtlogError  # noqa: E402


def load(path, **kwargs):
    """Parse a TensorRT log, a layer-info/profile JSON, or a trtlog bundle directory into a BuildLog."""
    from .parse.loader import load as _load
    return _load(path, **kwargs)


def __getattr__(name):
    # BuildLog pulls in pandas (~0.5 s); import it only when asked, so `trtlog build` starts fast
    if name == "BuildLog":
        from .buildlog import BuildLog
        return BuildLog
    raise AttributeError(name)


__all__ = ["BuildLog", "TrtlogError", "load", "__version__"]
