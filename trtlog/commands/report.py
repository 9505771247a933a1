"""`trtlog report LOG_OR_BUNDLE -o report.html`: one self-contained HTML file for a build."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import click

from ..errors import TrtlogError
from ..fleet import is_dataset


def collect_findings(bl: Any) -> List[Any]:
    """Findings from the rule engine; none when the rules package is not available."""
    try:
        from ..rules import run_rules
    except ImportError:
        return []
    return list(run_rules(bl))


def read_validation(path: Optional[Path]) -> Optional[dict]:
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrtlogError(f"cannot read validation results {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TrtlogError(f"validation results {path} are not a JSON object")
    return data


def default_output(source: str) -> Path:
    name = Path(source.rstrip("/")).name or "build"
    for suffix in (".gz", ".xz", ".log", ".txt", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return Path(f"{name or 'build'}.report.html")


@click.command("report")
@click.argument("source", metavar="LOG_OR_BUNDLE")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: <log name>.report.html in the current directory).")
@click.option("--validation", "validation_path", type=click.Path(dir_okay=False, path_type=Path),
              help="validate.json to include (read from the bundle automatically when present).")
@click.option("--no-rules", is_flag=True, help="Leave the findings section empty (do not run the rules).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def command(source: str, output: Optional[Path], validation_path: Optional[Path], no_rules: bool,
            force: bool) -> int:
    """Write a self-contained HTML report (works offline, no external resources) for a log or bundle,
    or the fleet page for a dataset written by `trtlog scan` (needs the fleet extra)."""
    import trtlog
    from ..report import render_report

    if is_dataset(source):
        return _fleet_report(source, output, force)

    if validation_path is not None and not validation_path.is_file():
        raise TrtlogError(f"validation file not found: {validation_path}")
    out_path = output or default_output(source)
    if out_path.exists() and not force:
        raise TrtlogError(f"{out_path} exists; not overwriting (use --force or another -o)")
    bl = trtlog.load(source)
    # A bundle's validate.json is already in bl.meta["validation"] (the loader reads it).
    validation = read_validation(validation_path) if validation_path is not None else None
    findings = [] if no_rules else collect_findings(bl)
    out = render_report(bl, findings, out_path, validation=validation)
    click.echo(str(out))
    return 0


def _fleet_report(source: str, output: Optional[Path], force: bool) -> int:
    from ..fleet import require
    require("duckdb", "pyarrow")
    from ..fleet.render import render_fleet_report
    out_path = output or Path(f"{Path(source.rstrip('/')).name or 'fleet'}.fleet.html")
    if out_path.exists() and not force:
        raise TrtlogError(f"{out_path} exists; not overwriting (use --force or another -o)")
    click.echo(str(render_fleet_report(source, out_path)))
    return 0
