"""`trtlog parse FILE`: the BuildLog tables, unknown lines, or coverage statistics."""
from __future__ import annotations

import json
import os
import sys

import click

from .. import tables as T
from ..errors import TrtlogError


@click.command("parse")
@click.argument("file")
@click.option("--table", "table_name", default=None, help="Table to print (default: a summary of all tables).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]), default="table",
              show_default=True)
@click.option("-o", "--output", "outdir", default=None, help="Write one file per table into this directory.")
@click.option("--unknown", is_flag=True, help="List the lines no grammar recognised, with line numbers.")
@click.option("--stats", is_flag=True, help="Print one JSON object with line coverage and table sizes.")
@click.option("--force", is_flag=True, help="Overwrite existing table files in the -o directory.")
def command(file, table_name, fmt, outdir, unknown, stats, force):
    """Parse a TensorRT log (or bundle / layer-info JSON; '-' for stdin) into tables."""
    from .. import load
    if table_name and table_name not in T.TABLES:
        raise TrtlogError(f"unknown table {table_name!r}; choose from: {', '.join(T.TABLES)}")
    names = [table_name] if table_name else list(T.TABLES)
    if outdir:
        _check_outdir(file, names, fmt, outdir, force)    # before the (slow) parsing
    bl = load(file)
    if stats:
        click.echo(json.dumps(bl.stats()))
        return 0
    if unknown:
        m = bl.tables["messages"]
        for line, text in zip(m.loc[m["msg_id"] == "unknown", "line"], m.loc[m["msg_id"] == "unknown", "text"]):
            click.echo(f"{line}: {text}")
        return 0
    if outdir:
        _write_tables(bl, names, fmt, outdir, force)
        return 0
    if not table_name:
        click.echo(f"{bl.path}: TensorRT {bl.trt_version or '?'} ({bl.meta.get('trt_version_source', '')}), "
                   f"producer {bl.producer}, {bl.lines} lines, {bl.recognized} recognised")
        for name in names:
            click.echo(f"  {name:<13} {len(bl.tables[name]):>8} rows")
        return 0
    df = bl.tables[table_name]
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        click.echo(df.to_json(orient="records"))
    elif fmt == "parquet":
        raise TrtlogError("--format parquet needs -o DIR (binary output)")
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            click.echo(df.to_string(index=False))
    return 0


_EXT = {"table": "txt", "csv": "csv", "json": "json", "parquet": "parquet"}


def _check_outdir(file, names, fmt, outdir, force):
    from ..output import check_target
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise TrtlogError(f"{outdir} exists and is not a directory")
    if os.path.isdir(outdir):
        for name in names:
            check_target(os.path.join(outdir, f"{name}.{_EXT[fmt]}"), force=force, inputs=[file])


def _write_tables(bl, names, fmt, outdir, force):
    from ..output import os_error, write
    _check_outdir(bl.path, names, fmt, outdir, force)
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as exc:
        raise os_error(outdir, exc, "create") from None
    inputs = [bl.path] + list(bl.meta.get("sources", []))
    for name in names:
        df = bl.tables[name]
        path = os.path.join(outdir, f"{name}.{_EXT[fmt]}")
        if fmt == "csv":
            write(path, lambda tmp: df.to_csv(tmp, index=False), force=force, inputs=inputs)
        elif fmt == "json":
            write(path, lambda tmp: df.to_json(tmp, orient="records"), force=force, inputs=inputs)
        elif fmt == "parquet":
            try:
                write(path, lambda tmp: df.to_parquet(tmp, index=False), force=force, inputs=inputs)
            except ImportError:
                raise TrtlogError("--format parquet needs pyarrow: pip install pyarrow") from None
        else:
            write(path, df.to_string(index=False), force=force, inputs=inputs)
    click.echo(f"wrote {len(names)} tables to {outdir}")
