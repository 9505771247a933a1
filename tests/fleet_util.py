"""Shared helpers of the fleet tests: the real inputs (shared corpus + GPU fixture bundles) and the CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import CORPUS

ROOT = Path(__file__).resolve().parents[1]
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


def cli(*args, **kw):
    """The real command line in a child process (exit codes, signals)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "trtlog", *map(str, args)], capture_output=True, text=True,
                          env=env, **kw)


@pytest.fixture(scope="session")
def scanned(tmp_path_factory):
    """(folder, dataset, CompletedProcess): corpus + bundles + one garbage file scanned with 2 jobs."""
    fleet_deps()
    tmp = tmp_path_factory.mktemp("fleet")
    folder = make_folder(tmp)
    ds = tmp / "ds"
    res = cli("scan", folder, "-o", ds, "--jobs", "2", "-q")
    return folder, ds, res
