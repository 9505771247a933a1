"""`trtlog report LOG_OR_BUNDLE -o report.html`: one self-contained HTML file for a build."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Tuple

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
    from ..output import input_name
    return Path(f"{input_name(source)}.report.html")


@click.command("report")
@click.argument("sources", nargs=-1, required=True, metavar="LOG_OR_BUNDLE...")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="HTML file to write (default: <log name>.report.html in the current directory); with "
                   "several inputs, a directory that receives one <log name>.report.html per input.")
@click.option("--validation", "validation_path", type=click.Path(dir_okay=False, path_type=Path),
              help="validate.json to include (read from the bundle automatically when present).")
@click.option("--no-rules", is_flag=True, help="Leave the findings section empty (do not run the rules).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@selection_options
@progress_option
@click.pass_context
def command(ctx: click.Context, sources: Tuple[str, ...], output: Optional[Path], validation_path: Optional[Path],
            no_rules: bool, force: bool, select: tuple, ignore: tuple, progress: Optional[bool]) -> int:
    """Write a self-contained HTML report (works offline, no external resources) for each log or bundle,
    or the fleet page for a dataset written by `trtlog scan` (needs the fleet extra).

    --select/--ignore default to the [tool.trtlog] table of the nearest pyproject.toml."""
    import trtlog

    from ..report import render_report
    from ..rules.selection import resolve

    if len(sources) == 1 and is_dataset(sources[0]):
        return _fleet_report(sources[0], output, force)
    if len(sources) > 1 and any(is_dataset(s) for s in sources):
        raise TrtlogError("a fleet dataset is reported on its own: one dataset, no other input")
    if len(sources) > 1 and validation_path is not None:
        raise TrtlogError("--validation goes with one input (a bundle's own validate.json is read for each)")

    if validation_path is not None and not validation_path.is_file():
        raise TrtlogError(f"validation file not found: {validation_path}")
    from ..output import check_target, os_error
    opts = with_config(ctx, {"select": select, "ignore": ignore})
    codes = None if no_rules else resolve(opts["select"], opts["ignore"])
    targets = _targets(sources, output)
    extra = [validation_path] if validation_path else []
    if len(sources) > 1 and output is not None and not output.exists():   # the reports' folder (-o DIR)
        try:
            output.mkdir(parents=True)
        except OSError as exc:
            raise os_error(str(output), exc, "create") from None
    for _source, out_path in targets:       # every target before the (slow) parsing
        check_target(out_path, force=force, inputs=list(sources) + extra)
    # A bundle's validate.json is read by the loader (bl.bundle.validation).
    validation = read_validation(validation_path) if validation_path is not None else None
    for source, out_path in targets:
        meter = Progress(progress)
        try:
            bl = trtlog.load(source, progress=meter.start(source))
            if not no_rules:
                meter.phase("running the rules")
            findings = [] if no_rules else collect_findings(bl, codes)
            meter.phase("writing the report")
            out = render_report(bl, findings, out_path, validation=validation, force=force,
                                inputs=list(sources) + extra + list(bl.facts.sources))
        finally:
            meter.stop()
        click.echo(str(out))
    return 0


def _targets(sources: Tuple[str, ...], output: Optional[Path]) -> List[Tuple[str, Path]]:
    """(input, report file) per input: -o is the file for one input and the folder for several."""
    if len(sources) == 1:
        if output is not None and output.is_dir():
            raise TrtlogError(f"{output} is a directory: give the report's file name (a folder is for several inputs)")
        return [(sources[0], output or default_output(sources[0]))]
    if output is not None and output.exists() and not output.is_dir():
        raise TrtlogError(f"{output} is not a directory: with several inputs -o names the folder for the reports")
    folder = output or Path(".")
    targets = [(s, folder / default_output(s)) for s in sources]
    seen: dict = {}
    for source, path in targets:
        if path in seen:
            raise TrtlogError(f"{seen[path]} and {source} would both be reported to {path}: "
                              "report them in separate calls (or rename one)")
        seen[path] = source
    return targets


def _fleet_report(source: str, output: Optional[Path], force: bool) -> int:
    from ..fleet import require
    require("duckdb", "pyarrow")
    from ..fleet.render import render_fleet_report
    from ..output import check_target
    out_path = output or Path(f"{Path(source.rstrip('/')).name or 'fleet'}.fleet.html")
    check_target(out_path, force=force, inputs=[source])
    click.echo(str(render_fleet_report(source, out_path, force=force)))
    return 0
