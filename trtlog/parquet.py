"""BuildLog.to_parquet(dir): one Parquet file per table plus meta.json (schema trtlog.parquet-meta/1): the
table row counts, the build facts (`facts`, as `trtlog parse --facts` writes them) and the parser's `meta`."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Union

from .errors import TrtlogError
from .schemas import PARQUET_META


def to_parquet(bl, directory: Union[str, Path], overwrite: bool = False) -> Path:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise TrtlogError("BuildLog.to_parquet needs pyarrow: pip install 'trtlog[parquet]'") from None
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise TrtlogError(f"{out} exists and is not a directory")
    names = [f"{n}.parquet" for n in bl.tables] + ["meta.json"]
    if not overwrite:
        taken = [n for n in names if (out / n).exists()]
        if taken:
            raise TrtlogError(f"{out / taken[0]} exists; not overwriting (overwrite=True or another directory)")
    out.mkdir(parents=True, exist_ok=True)
    for name, df in bl.tables.items():
        tmp = out / f".{name}.parquet.tmp"
        arrow_ready(df).to_parquet(tmp, index=False, engine="pyarrow")
        os.replace(tmp, out / f"{name}.parquet")
    doc = {"schema": PARQUET_META, "path": str(bl.path), "lines": bl.lines, "recognized": bl.recognized,
           "tables": {n: int(len(df)) for n, df in bl.tables.items()}, "facts": bl.facts.to_dict(), "meta": bl.meta}
    tmp = out / ".meta.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, out / "meta.json")
    return out


def arrow_ready(df):
    """Parquet columns have one type: an object column that mixes types (the device table's `key` holds
    ints and strings) is written as strings, missing values kept."""
    mixed = [c for c in df.columns if df[c].dtype == object
             and len({type(v) for v in df[c] if v is not None and v == v}) > 1]
    if not mixed:
        return df
    df = df.copy()
    for c in mixed:
        df[c] = [None if v is None or v != v else str(v) for v in df[c]]
    return df
