"""`trtlog parse FILE`: the BuildLog tables, unknown lines, or coverage statistics."""
from __future__ import annotations

import json
import os
import sys

import click

from .. import tables as T
from ..errors import TrtlogError
from .progress import Progress, progress_option


@click.command("parse")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--table", "table_name", default=None, help="Table to print (default: a summary of all tables).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]), default="table",
              show_default=True)
@click.option("-o", "--output", "outdir", default=None,
              help="Write one file per table into this directory (several inputs: one sub-directory each, "
                   "named after the input).")
@click.option("--unknown", is_flag=True, help="List the lines no grammar recognised, with line numbers.")
@click.option("--group", "group_", is_flag=True,
              help="With --unknown: cluster the unknown lines into candidate templates (numbers, names, hex "
                   "abstracted) with counts and first line numbers.")
@click.option("--stats", is_flag=True, help="Print one JSON object with line coverage and table sizes.")
@click.option("--facts", "facts", is_flag=True,
              help="Print one JSON object with the build facts (version, GPU, build ok, ...) and their evidence.")
@progress_option
@click.option("--force", is_flag=True, help="Overwrite existing table files in the -o directory.")
def command(files, table_name, fmt, outdir, unknown, group_, stats, facts, progress, force):
    """Parse TensorRT logs (or bundles / layer-info JSON; '-' for stdin) into tables.

    Several inputs: --stats and --facts print one JSON object per line (each with its "file"), the
    summary and --unknown print one block per input, -o DIR writes DIR/<input name>/<table> files."""
    if table_name and table_name not in T.TABLES:
        raise TrtlogError(f"unknown table {table_name!r}; choose from: {', '.join(T.TABLES)}")
    if fmt == "parquet":
        _need_pyarrow()   # before the (slow) parse and before any file is written
    if group_ and not unknown:
        raise click.UsageError("--group needs --unknown")
    several = len(files) > 1
    if several and table_name and not outdir and not (stats or facts or unknown):
        raise TrtlogError("--table with several inputs needs -o DIR (one sub-directory per input)")
    names = [table_name] if table_name else list(T.TABLES)
    dirs = _output_dirs(files, outdir) if outdir else {}
    for file in files:
        if outdir:
            _check_outdir(file, names, fmt, dirs[file], force)    # every target before the (slow) parsing
    for i, file in enumerate(files):
        if several and not (stats or facts) and i:
            click.echo("")
        _one(file, several, table_name, names, fmt, dirs.get(file), unknown, group_, stats, facts, progress,
             force)
    return 0


def _output_dirs(files, outdir):
    """-o DIR: the directory itself for one input; DIR/<input name> for each of several."""
    if len(files) == 1:
        return {files[0]: outdir}
    from ..output import input_name
    dirs = {f: os.path.join(outdir, input_name(f)) for f in files}
    if len(set(dirs.values())) < len(files):     # the same input twice, or two inputs of the same name
        raise TrtlogError("two inputs have the same name: their tables would share one sub-directory of "
                          f"{outdir}; parse them in separate calls")
    return dirs


def _one(file, several, table_name, names, fmt, outdir, unknown, group_, stats, facts, progress, force):
    from .. import load
    meter = Progress(progress)
    try:
        bl = load(file, progress=meter.start(file))
    finally:
        meter.stop()
    if stats:
        from ..schemas import PARSE_STATS
        click.echo(json.dumps({"schema": PARSE_STATS, **bl.stats()}))      # stats name their "file"
        return
    if facts:
        from ..schemas import FACTS
        click.echo(json.dumps({"schema": FACTS, "file": bl.path, **bl.facts.to_dict()}))
        return
    if unknown:
        if several:
            click.echo(f"== {bl.path}")
        m = bl.tables["messages"]
        u = m[m["msg_id"] == "unknown"]
        if group_:
            _echo_groups(u, fmt)
            return
        for line, text in zip(u["line"], u["text"]):
            click.echo(f"{line}: {text}")
        return
    if outdir:
        _write_tables(bl, names, fmt, outdir, force)
        return
    if not table_name:
        f = bl.facts
        built = f.product if f.rtx else f"TensorRT {f.trt_version_label}"
        click.echo(f"{bl.path}: {built} ({f.version_source}), "
                   f"producer {bl.producer}, {bl.lines} lines, {bl.recognized} recognised")
        for name in names:
            click.echo(f"  {name:<13} {len(bl.tables[name]):>8} rows")
        return
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


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise TrtlogError("--format parquet needs pyarrow: pip install 'trtlog[parquet]'") from None


def _echo_groups(unknown_rows, fmt):
    """--unknown --group: one row per candidate template, biggest first."""
    from ..parse.cluster import group
    groups = group(zip(unknown_rows["line"].tolist(), unknown_rows["severity"].tolist(),
                       unknown_rows["text"].tolist()))
    if fmt == "json":
        click.echo(json.dumps([{"count": g.count, "first_line": g.first_line, "lines": g.lines,
                                "severity": g.severity, "template": g.template, "example": g.example}
                               for g in groups]))
        return
    for g in groups:
        sev = f"[{g.severity}] " if g.severity else ""
        click.echo(f"{g.count:>7}  line {g.first_line:<8} {sev}{g.template}")
        if g.example != g.template:
            click.echo(f"{'':>7}  {'e.g.':<13} {g.example}")
    click.echo(f"{sum(g.count for g in groups)} unknown lines in {len(groups)} groups")


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
    inputs = [bl.path] + list(bl.facts.sources)
    for name in names:
        df = bl.tables[name]
        path = os.path.join(outdir, f"{name}.{_EXT[fmt]}")
        if fmt == "csv":
            write(path, lambda tmp, df=df: df.to_csv(tmp, index=False), force=force, inputs=inputs)
        elif fmt == "json":
            write(path, lambda tmp, df=df: df.to_json(tmp, orient="records"), force=force, inputs=inputs)
        elif fmt == "parquet":
            from ..parquet import arrow_ready  # one type per column (device.key mixes ints and strings)
            table = arrow_ready(df)
            write(path, lambda tmp, t=table: t.to_parquet(tmp, index=False, engine="pyarrow"), force=force,
                  inputs=inputs)
        else:
            write(path, df.to_string(index=False), force=force, inputs=inputs)
    click.echo(f"wrote {len(names)} tables to {outdir}")
