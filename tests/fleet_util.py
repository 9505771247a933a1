"""Shared helpers of the fleet tests: the real inputs (shared corpus + GPU fixture bundles) and the CLI."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus import CORPUS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gpu"
BUNDLE_LOGS = ("build.log", "build.log.xz", "build.log.gz", "trtexec.log")


def fleet_deps():
    for m in ("duckdb", "pyarrow"):
        pytest.importorskip(m)


def corpus_inputs():
    """The inputs the done-when scan reads: every corpus log and every fixture bundle."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not available: {CORPUS} (needs ../shared)")
    logs = sorted(p for p in CORPUS.iterdir() if p.is_file())
    bundles = sorted(d for d in FIXTURES.iterdir() if d.is_dir() and any((d / n).is_file() for n in BUNDLE_LOGS))
    return logs, bundles


def make_folder(tmp: Path, garbage: bool = True) -> Path:
    """A folder as a fleet would have it: corpus logs and bundles side by side, plus one garbage file
    (256 distinct bytes repeated: not text, not a log)."""
    logs, bundles = corpus_inputs()
    root = tmp / "fleet-in"
    (root / "logs").mkdir(parents=True)
    for p in logs:
        (root / "logs" / p.name).symlink_to(p)
    for d in bundles:
        shutil.copytree(d, root / "bundles" / d.name)
    if garbage:
        (root / "logs" / "garbage.log").write_bytes(bytes(range(256)) * 64)
    return root


def run_main(args, capsys):
    from trtlog.cli import main
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err
