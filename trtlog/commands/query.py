"""`trtlog query DATASET "SQL"`: DuckDB over a fleet dataset, each table a view (fleet extra)."""
from __future__ import annotations

import json
import sys

import click


@click.command("query")
@click.argument("dataset")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def command(dataset, sql, fmt):
    """Run SQL on a dataset written by `trtlog scan` (views: logs, findings, layers, tactics, ...).

    Example: trtlog query fleet "select model, max(build_seconds) from logs group by model"
    """
    from ..fleet import require
    require("duckdb", "pyarrow")
    from ..fleet.query import run_query

    df = run_query(dataset, sql)
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        click.echo(json.dumps(json.loads(df.to_json(orient="records", date_format="iso")), ensure_ascii=False))
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 80):
            click.echo(df.to_string(index=False) if len(df.columns) else "(no result)")
    return 0
