"""Where the real logs live: the shared corpus (tests that need it skip cleanly without ../shared) and
the project's own public logs in tests/corpus/logs (committed, provenance in tests/corpus/MANIFEST.md)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from trtlog import load
from trtlog.rules import run_rules

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
PROJECT_LOGS = Path(__file__).resolve().parent / "corpus" / "logs"


def corpus_log(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus log not available: {path} (needs ../shared)")
    return path


def manifest_block(block: str, row_prefix: str) -> list:
    """The log names of one block of tests/corpus/MANIFEST.md (`<!-- BLOCK ...`), rows `| PREFIXn | `name` |`."""
    text = (PROJECT_LOGS.parent / "MANIFEST.md").read_text(encoding="utf-8")
    return re.findall(r"^\| %s\d+ \| `([^`]+)`" % re.escape(row_prefix), text.split("<!-- " + block, 1)[1], re.M)


@lru_cache(maxsize=None)
def project_log(name: str):
    """A log of tests/corpus/logs, parsed once per test session."""
    return load(str(PROJECT_LOGS / name))


@lru_cache(maxsize=None)
def project_findings(name: str) -> tuple:
    return tuple(run_rules(project_log(name)))
