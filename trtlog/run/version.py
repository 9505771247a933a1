"""TensorRT versions for the run side: re-exported from trtlog.vocab (one definition)."""
from __future__ import annotations

from ..vocab import Version, as_version, at_least, parse_version, version_from_code

__all__ = ["Version", "as_version", "at_least", "parse_version", "version_from_code"]
