"""DuckDB over a fleet dataset: one view per table, reading the Parquet parts where they lie."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pyarrow as pa

from .dataset import check_dataset, parts
from .schema import PARTITION, schema, table_names

_SQL_TYPES = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
              pa.list_(pa.int64()): "BIGINT[]", pa.list_(pa.string()): "VARCHAR[]"}


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def view_sql(root: Path, table: str) -> str:
    """The SELECT behind a table's view. Parts of an input without a `logs` row (a scan killed
    between two renames, removed by the next scan) are hidden."""
    if next(iter(parts(root, table)), None) is None:
        cols = [f"CAST(NULL AS {_SQL_TYPES[f.type]}) AS {f.name}" for f in schema(table)]
        return f"SELECT {', '.join(cols)}, CAST(NULL AS VARCHAR) AS {PARTITION} WHERE false"
    glob = str(root.resolve() / table / f"{PARTITION}=*" / "*.parquet")
    sql = (f"SELECT * FROM read_parquet({_lit(glob)}, hive_partitioning = true, "
           f"hive_types = {{'{PARTITION}': VARCHAR}}, union_by_name = true)")
    if table != "logs":
        sql += " WHERE log_id IN (SELECT log_id FROM logs)"
    return sql


def connect(path, tables: List[str] = None):
    import duckdb
    root = check_dataset(path)
    con = duckdb.connect(":memory:")
    for t in tables or table_names():
        con.execute(f'CREATE VIEW "{t}" AS {view_sql(root, t)}')
    return con


def run_query(path, sql: str):
    """A query's result as a pandas DataFrame."""
    import duckdb

    from ..errors import TrtlogError
    con = connect(path)
    try:
        rel = con.sql(sql)
        if rel is None:          # a statement without a result (SET, CREATE VIEW ...)
            import pandas as pd
            return pd.DataFrame()
        return rel.df()
    except duckdb.Error as exc:
        raise TrtlogError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
