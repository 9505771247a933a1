"""Parsing: log text, bundles and layer-info JSON -> tables (trtlog.parse.loader.load)."""
from __future__ import annotations

import os

# Processes that scan a log's blocks when a parse does not say (trtlog.load(path) without jobs=):
# 1, i.e. no worker process, in a library call; the CLI sets it from --jobs / TRTLOG_JOBS.
DEFAULT_JOBS = 1


def auto_jobs() -> int:
    """The CLI's default: one scanning process per core from 4 cores on; with fewer, the workers and
    the main process would only take turns on them."""
    cores = os.cpu_count() or 1
    return cores if cores >= 4 else 1
