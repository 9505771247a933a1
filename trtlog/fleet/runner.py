"""Scan orchestration: find the inputs, open the dataset, run the per-input task in this process, a
local process pool, or on Dask distributed, and count what happened."""
from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence

from .. import workers
from ..errors import TrtlogError
from . import dataset
from .inputs import Input, discover, parse_since
from .task import run_task


@dataclass
class ScanResult:
    path: Path
    inputs: int = 0
    added: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    bytes: int = 0                       # bytes of the inputs parsed (not of the skipped ones)
    recovered: int = 0                   # parts of an interrupted scan removed before this one
    errors: List[Dict[str, Any]] = field(default_factory=list)
    tasks: List[Dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        s = (f"{self.path}: {self.inputs} inputs, {self.added} added, {self.failed} failed, "
             f"{self.skipped} already in the dataset ({self.seconds:.1f} s)")
        return s


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_scan(paths: Sequence[str], output, *, jobs: Optional[int] = None, dask: Optional[str] = None,
             since: Optional[str] = None, force: bool = False, retry_errors: bool = False,
             progress: Optional[Callable[[Dict[str, Any]], None]] = None) -> ScanResult:
    if not paths:
        raise TrtlogError("scan needs at least one PATH")
    if jobs is not None and jobs < 1:
        raise TrtlogError("--jobs must be at least 1")
    pool = not dask and (jobs or default_jobs()) > 1
    if pool:      # before the lock: a worker re-importing an unguarded script must not wait for it
        workers.refuse_nested(f"--jobs {jobs or default_jobs()}", "--jobs 1")
    cutoff = parse_since(since) if since else None
    inputs = discover(paths, since=cutoff, exclude=str(output))
    root = dataset.prepare_output(output, force=force)
    res = ScanResult(path=root, inputs=len(inputs))
    t0 = time.perf_counter()
    with dataset.ScanLock(root):
        res.recovered = dataset.recover(root)
        known = frozenset(dataset.known_digests(root, retry_errors=retry_errors))
        if dask:
            results = _dask_map(dask, inputs, str(root), known)
        elif not pool or len(inputs) <= 1:
            results = (run_task(i, str(root), known) for i in inputs)
        else:
            results = _pool_map(jobs or default_jobs(), inputs, str(root), known)
        for r in results:
            _count(res, r)
            if progress:
                progress(r)
        dataset.recover(root)
    res.seconds = time.perf_counter() - t0
    return res


def _count(res: ScanResult, r: Dict[str, Any]) -> None:
    res.tasks.append(r)
    if r["status"] == "skipped":
        res.skipped += 1
        return
    res.bytes += r.get("bytes") or 0
    if r["status"] == "error":
        res.failed += 1
        res.errors.append(r)
    else:
        res.added += 1


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's: it lets running tasks finish


def _pool_map(jobs: int, inputs: List[Input], root: str, known: FrozenSet[str]) -> Iterable[Dict[str, Any]]:
    # the fork server imports the task (trtlog, pandas, the grammar) once; each task is one input
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(inputs)), mp_context=workers.context(["trtlog.fleet.task"]),
                               initializer=_ignore_sigint)
    try:
        futures = [pool.submit(run_task, i, root, known) for i in inputs]
        for fut in as_completed(futures):
            yield fut.result()
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        raise workers.failed(f"--jobs {jobs}", "--jobs 1") from None
    except BaseException:
        # Ctrl-C or an error: drop what has not started; tasks already running commit or leave only
        # staged parts, which the next scan removes
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _dask_client(address: str):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise TrtlogError("--dask needs Dask distributed: pip install 'trtlog[fleet]'") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            raise TrtlogError(f"--dask {address!r}: use local:N (N workers) or tcp://host:port") from None
        if n < 1:
            raise TrtlogError("--dask local:N needs N >= 1")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise TrtlogError(f"--dask {address}: cannot reach the scheduler: {exc}") from None


def _dask_map(address: str, inputs: List[Input], root: str, known: FrozenSet[str]) -> Iterable[Dict[str, Any]]:
    """The same task on Dask workers; the dataset path must be the same shared folder on every worker."""
    client, cluster = _dask_client(address)
    try:
        from distributed import as_completed as dask_completed
        if not inputs:
            return
        # one copy per worker, not one per task (a list: scatter would spread a set's items)
        known_f = client.scatter([known], broadcast=True)[0] if known else frozenset()
        futures = client.map(run_task, inputs, root=root, known=known_f, pure=False)
        try:
            for fut in dask_completed(futures):
                yield fut.result()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
