"""Where the shared real-log corpus lives; tests that need it skip cleanly without ../shared."""
from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"


def corpus_log(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus log not available: {path} (needs ../shared)")
    return path
