"""Short text and notebook (HTML) views of a BuildLog: facts already in the tables and meta, nothing
computed (the rules do not run)."""
from __future__ import annotations

import html
from typing import List, Tuple


def _status(meta) -> str:
    ok = meta.get("build_ok")
    return "built" if ok is True else "build failed" if ok is False else "no build"


def _short(path: str, room: int = 60) -> str:
    return path if len(path) <= room else "…" + path[-(room - 1):]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def facts(bl) -> List[Tuple[str, str]]:
    m = bl.meta
    out = [("file", str(bl.path)), ("producer", bl.producer), ("TensorRT", bl.trt_version or "unknown")]
    if m.get("gpu"):
        out.append(("GPU", str(m["gpu"])))
    out += [("build", _status(m) + (f" in {float(m['build_seconds']):.1f} s" if m.get("build_seconds") else "")),
            ("lines", f"{bl.lines} ({bl.recognized} recognised)"),
            ("runs", str(len(bl.tables["runs"]))), ("engine layers", str(len(bl.tables["layers"])))]
    return out


def text(bl) -> str:
    version = f"TensorRT {bl.trt_version}" if bl.trt_version else "TensorRT ?"
    return (f"<BuildLog {_short(str(bl.path))!r}: {bl.producer}, {version}, {_plural(bl.lines, 'line')}, "
            f"{_plural(len(bl.tables['runs']), 'run')}, {_plural(len(bl.tables['layers']), 'layer')}, "
            f"{_status(bl.meta)}>")


def html_table(bl) -> str:
    e = html.escape
    rows = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>{e(v)}</td></tr>"
                   for k, v in facts(bl))
    sizes = ", ".join(f"{e(n)} {len(df)}" for n, df in bl.tables.items() if len(df))
    return (f"<div><b>BuildLog</b><table>{rows}"
            f"<tr><th style='text-align:left'>tables (rows)</th><td style='text-align:left'>{sizes}</td></tr>"
            f"</table></div>")
