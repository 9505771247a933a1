"""`trtlog report LOG_OR_BUNDLE -o report.html`: one self-contained HTML file for a build."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import click

from ..errors import TrtlogError
from ..fleet import is_dataset
from .defaults import selection_options, with_config
from .progress import Progress, progress_option


def collect_findings(bl: Any, codes: Optional[List[str]] = None) -> List[Any]:
    """Findings from the rule engine (only the rules `codes` when given); none when the rules package is
    not available."""
    try:
        from ..rules import run_rules
    except ImportError:
        return []
    if codes is not None and not codes:     # --select/--ignore left no rule
        return []
    return list(run_rules(bl, select=codes))


def read_validation(path: Optional[Path]) -> Optional[dict]:
    if path is None or not path.is_file():
        return None
    from ..parse import bundlejson as J
    return J.read_model(str(path), J.VALIDATE)


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
@selection_options
@progress_option
@click.pass_context
def command(ctx: click.Context, source: str, output: Optional[Path], validation_path: Optional[Path],
            no_rules: bool, force: bool, select: tuple, ignore: tuple, progress: Optional[bool]) -> int:
    """Write a self-contained HTML report (works offline, no external resources) for a log or bundle,
    or the fleet page for a dataset written by `trtlog scan` (needs the fleet extra).

    --select/--ignore default to the [tool.trtlog] table of the nearest pyproject.toml."""
    import trtlog

    from ..report import render_report
    from ..rules.selection import resolve

    if is_dataset(source):
        return _fleet_report(source, output, force)

    if validation_path is not None and not validation_path.is_file():
        raise TrtlogError(f"validation file not found: {validation_path}")
    from ..output import check_target
    opts = with_config(ctx, {"select": select, "ignore": ignore})
    codes = None if no_rules else resolve(opts["select"], opts["ignore"])
    out_path = output or default_output(source)
    inputs = [source] + ([validation_path] if validation_path else [])
    check_target(out_path, force=force, inputs=inputs)      # before the (slow) parsing
    # A bundle's validate.json is read by the loader (bl.meta["validation"]).
    validation = read_validation(validation_path) if validation_path is not None else None
    meter = Progress(progress)
    try:
        bl = trtlog.load(source, progress=meter.start(source))
        if not no_rules:
            meter.phase("running the rules")
        findings = [] if no_rules else collect_findings(bl, codes)
        meter.phase("writing the report")
        out = render_report(bl, findings, out_path, validation=validation, force=force,
                            inputs=inputs + list(bl.facts.sources))
    finally:
        meter.stop()
    click.echo(str(out))
    return 0


def _fleet_report(source: str, output: Optional[Path], force: bool) -> int:
    from ..fleet import require
    require("duckdb", "pyarrow")
    from ..fleet.render import render_fleet_report
    from ..output import check_target
    out_path = output or Path(f"{Path(source.rstrip('/')).name or 'fleet'}.fleet.html")
    check_target(out_path, force=force, inputs=[source])
    click.echo(str(render_fleet_report(source, out_path, force=force)))
    return 0
