"""Run `python -m trtlog ARGS` with its standard output on a pseudo-terminal (what a user's terminal is)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]


def terminal_env(**extra: str) -> Dict[str, str]:
    """This environment without NO_COLOR / FORCE_COLOR, trtlog importable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run_on_tty(args: Sequence[str], env: Dict[str, str]) -> Tuple[int, str, str]:
    """(exit code, what the terminal received, stderr) of `python -m trtlog ARGS`."""
    master, slave = os.openpty()
    p = subprocess.run([sys.executable, "-m", "trtlog", *map(str, args)], stdout=slave, stderr=subprocess.PIPE,
                       cwd=ROOT, env=env, timeout=120)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:     # EIO once the writer is gone (Linux)
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.returncode, b"".join(chunks).decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
