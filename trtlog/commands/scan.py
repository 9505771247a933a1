"""`trtlog scan PATH... -o DATASET`: many logs and bundles into one Parquet dataset (fleet extra)."""
from __future__ import annotations

import click

from ..errors import EXIT_FAIL, EXIT_OK


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", required=True, metavar="DATASET",
              help="Dataset directory (created; an existing dataset is scanned into incrementally).")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: the cores of this machine).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local:N",
              help="Run the per-input tasks on Dask distributed: tcp://scheduler:8786, or local:N for a "
                   "LocalCluster of N workers. The dataset must be on a folder every worker sees.")
@click.option("--since", default=None, metavar="WHEN",
              help="Only inputs modified since WHEN: 2026-12-01, 2026-12-01T08:00, 36h, 7d.")
@click.option("--retry-errors", is_flag=True, help="Parse again inputs that failed in an earlier scan.")
@click.option("--force", is_flag=True, help="Start the dataset afresh (or replace a file at that path).")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line (and failures).")
def command(paths, output, jobs, dask_address, since, retry_errors, force, quiet):
    """Scan logs (.log/.gz/.xz), bundles and folders (recursively) into one Parquet dataset.

    Inputs already in the dataset (same sha256) are skipped; an input that fails gets a `logs` row
    with its error and the scan goes on. Exit codes: 0 ok; 1 some input failed; 2 bad input or the
    fleet extra is missing; 130 interrupted (the dataset stays valid; scan again to resume).
    """
    from ..fleet import require
    require("pyarrow", "duckdb", *(["distributed"] if dask_address else []))
    from ..fleet.runner import run_scan

    def progress(r):
        if r["status"] == "error":
            click.echo(f"trtlog: {r['path']}: {r['error']}", err=True)
        elif not quiet and r["status"] == "ok":
            click.echo(f"{r['log_id']}  {r['path']}", err=True)

    res = run_scan(paths, output, jobs=jobs, dask=dask_address, since=since, force=force,
                   retry_errors=retry_errors, progress=progress)
    click.echo(res.summary())
    return EXIT_FAIL if res.failed else EXIT_OK
