"""How trtlog starts worker processes (block scanning in parse, the local pool of fleet scans).

Never by forking the calling process: a fork of a multi-threaded host (Jupyter, PyTorch, a web server,
a Dask client) can deadlock in the child, Python 3.12+ warns about it and 3.14 no longer forks by
default. Workers come from a fork server that imports `preload` once (trtlog, the compiled grammar), so
each worker forked from it starts with them at no cost; where there is no fork server, from spawn.
"""
from __future__ import annotations

import multiprocessing
from typing import Sequence

from .errors import TrtlogError


def context(preload: Sequence[str]):
    """The multiprocessing context for workers that need the modules `preload`."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


def failed(what: str, instead: str) -> TrtlogError:
    """The one-line error for workers that did not start or died: most often a script without a main guard."""
    return TrtlogError(f"{what}: the worker processes did not start or died (a script that starts processes needs "
                       f"`if __name__ == '__main__':` around its code; or use {instead})")


def refuse_nested(what: str, instead: str) -> None:
    """A worker starting up imports its caller's __main__; one without a main guard would start workers
    again from inside a worker (Python 3.9 then hangs instead of failing): refuse with a clear error."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise failed(what, instead)
