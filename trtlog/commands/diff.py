"""`trtlog diff A B`: why did the same model get slower / less accurate between two builds?"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..diff.summary import CONDITIONS, parse_fail_on
from ..errors import EXIT_FAIL, TrtlogError
from .color import color_option, terminal_console, use_color
from .defaults import with_config
from .progress import Progress, progress_option

_FAIL_HELP = ("Comma list of CI conditions; exit 1 when one is met: "
              + "; ".join(f"{k}{'=X' if v[0] else ''}: {v[1]}" for k, v in CONDITIONS.items()))


@click.command("diff", epilog="Exit codes: 0 ok; 1 a --fail-on condition was met; 2 bad input.")
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the diff here (html default: trtlog-diff.html).")
@click.option("--fail-on", "fail_on", default="", metavar="CONDITIONS", help=_FAIL_HELP)
@click.option("--run-a", type=int, default=None,
              help="Run index inside A (multi-run logs; default: last with engine layers).")
@click.option("--run-b", type=int, default=None, help="Run index inside B.")
@progress_option
@color_option
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.pass_context
def command(ctx, a, b, fmt, output, fail_on, run_a, run_b, progress, color, no_color, force):
    """Diff two TensorRT logs or bundles of the same model (A = before, B = after).

    On a colour terminal the text output is a side-by-side table of the two builds and the changes
    wrapped to the terminal width; piped or written with -o it is plain text (--color always forces
    colour, NO_COLOR / --color never turn it off; [tool.trtlog] color sets the default)."""
    conditions = parse_fail_on(fail_on)   # bad conditions fail before the (slow) parsing
    colored = use_color(with_config(ctx, {"color": color})["color"], no_color) and fmt == "text" and not output
    from .. import load
    from ..diff import diff_builds, render_text
    from ..output import check_target

    if a == "-" and b == "-":
        raise TrtlogError("A and B cannot both be '-' (stdin can be read once)")
    if fmt == "html" and not output:
        output = "trtlog-diff.html"
    if output:
        check_target(output, force=force, inputs=(a, b))   # before the (slow) parsing
    meter = Progress(progress)
    loaded = []
    try:
        for src in (a, b):
            loaded.append(load(src, progress=meter.start(src)))
        bl_a, bl_b = loaded
        for tag, bl, run in (("A", bl_a, run_a), ("B", bl_b, run_b)):
            if run is not None and run not in set(bl.tables["runs"]["run"].dropna().astype(int).tolist() or [0]):
                raise TrtlogError(f"--run-{tag.lower()} {run}: {bl.path} has runs {bl.run_ids()}")
        meter.phase("comparing the builds")
        result = diff_builds(bl_a, bl_b, run_a=run_a, run_b=run_b)
    finally:
        meter.stop()
    inputs = [a, b, *bl_a.facts.sources, *bl_b.facts.sources]

    if colored:
        from ..diff.text import render_rich
        render_rich(result, terminal_console())
    elif fmt == "text":
        _emit(render_text(result), output, force, inputs)
    elif fmt == "json":
        from ..schemas import DIFF
        _emit(json.dumps({"schema": DIFF, **result.to_dict()}, indent=2, default=str) + "\n", output, force, inputs)
    else:
        from ..diff.html import write_html
        path = write_html(result, Path(output), force=force, inputs=inputs)
        click.echo(f"wrote {path}", err=True)

    met, notes = result.check(fail_on) if conditions else ([], [])
    for n in notes:
        click.echo(f"trtlog: note: {n}", err=True)
    if met:
        for m in met:
            click.echo(f"trtlog: fail-on met: {m}", err=True)
        return EXIT_FAIL
    return 0


def _emit(text: str, output, force: bool, inputs) -> None:
    if output:
        from ..output import write
        write(output, text, force=force, inputs=inputs)
    else:
        sys.stdout.write(text)
