"""trtlog: make TensorRT engine builds explainable."""
from __future__ import annotations

__version__ = "0.1.0"

from .buildlog import BuildLog  # noqa: E402
from .errors import TrtlogError  # noqa: E402


def load(path, **kwargs) -> BuildLog:
    """Parse a TensorRT log, a layer-info/profile JSON, or a trtlog bundle directory into a BuildLog."""
    from .parse.loader import load as _load
    return _load(path, **kwargs)


__all__ = ["BuildLog", "TrtlogError", "load", "__version__"]
