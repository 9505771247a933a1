"""Project defaults from a `[tool.trtlog]` table in pyproject.toml, looked up from the current directory
upward (the nearest pyproject.toml that has the table wins). Options given on the command line override
them. Keys: select, ignore (a list of codes/prefixes/names, or one comma string), min-severity, fail-on
(error | warning | info) and color (auto | always | never)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from .errors import TrtlogError

SEVERITIES = ("error", "warning", "info")
KEYS = {"select": None, "ignore": None, "min-severity": SEVERITIES, "fail-on": SEVERITIES,
        "color": ("auto", "always", "never")}


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    try:
        import tomli  # declared for Python < 3.11 in pyproject.toml
    except ImportError:
        raise TrtlogError("reading [tool.trtlog] from pyproject.toml on Python < 3.11 needs tomli: "
                          "pip install tomli") from None
    return tomli


def find(start: Optional[Path] = None) -> Optional[Tuple[Path, Dict[str, Any]]]:
    """(pyproject path, its [tool.trtlog] table) of the nearest pyproject.toml that has the table."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        p = d / "pyproject.toml"
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TrtlogError(f"cannot read {p}: {exc}") from None
        if "trtlog" not in text:      # most pyproject files: skip the TOML parse
            continue
        try:
            doc = _toml().loads(text)
        except ValueError as exc:     # tomllib.TOMLDecodeError is a ValueError
            raise TrtlogError(f"{p}: not valid TOML ({exc})") from None
        table = doc.get("tool", {}).get("trtlog")
        if table is not None:
            return p, _checked(p, table)
    return None


def _checked(path: Path, table: Any) -> Dict[str, Any]:
    where = f"{path} [tool.trtlog]"
    if not isinstance(table, dict):
        raise TrtlogError(f"{where}: not a table")
    out: Dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise TrtlogError(f"{where}: unknown key {key!r}; known: {', '.join(KEYS)}")
        choices = KEYS[key]
        if choices is None:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise TrtlogError(f"{where}: {key} must be a list of rule codes, prefixes or names")
            out[key] = items
        else:
            if not isinstance(value, str) or value.lower() not in choices:
                raise TrtlogError(f"{where}: {key} = {value!r}; choose one of {', '.join(choices)}")
            out[key] = value.lower()
    return out


def load(start: Optional[Path] = None) -> Dict[str, Any]:
    """The [tool.trtlog] defaults ({} when no pyproject.toml up the tree has the table)."""
    found = find(start)
    return found[1] if found else {}
