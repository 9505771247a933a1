"""`trtlog explain LOG_OR_BUNDLE...`: run the rules and print the findings (text, JSON or a CI format);
CI gate via --fail-on."""
from __future__ import annotations

import json

import click

from ..errors import EXIT_FAIL, EXIT_OK
from .color import color_option, terminal_console, use_color
from .defaults import selection_options, with_config
from .progress import Progress, progress_option

_SEV = click.Choice(["error", "warning", "info"], case_sensitive=False)
FORMATS = ["text", "json", "sarif", "junit", "github"]


@click.command("explain")
@click.argument("sources", nargs=-1, required=True, metavar="LOG_OR_BUNDLE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for a terminal, json for tools (one object; a list of them for several inputs), "
                   "sarif (SARIF 2.1.0, one run per input), junit (JUnit XML, one testsuite per input), "
                   "github (GitHub Actions annotations).")
@click.option("--min-severity", type=_SEV, default="info", show_default=True,
              help="Hide findings less severe than this (display only: --fail-on sees every finding).")
@click.option("--fail-on", type=_SEV, default=None,
              help="Exit 1 when a finding of this severity or worse exists in any input (CI gate).")
@selection_options
@color_option
@progress_option
@click.pass_context
def command(ctx, sources, fmt, min_severity, fail_on, select, ignore, color, no_color, progress):
    """Explain TensorRT build logs (or trtlog bundles): what went wrong, where, and how to fix it.

    On a colour terminal the text is styled and wrapped to the terminal width; piped it is plain text
    (--color always forces colour, NO_COLOR / --color never turn it off).

    Defaults for --select, --ignore, --min-severity, --fail-on and --color come from a [tool.trtlog]
    table in the nearest pyproject.toml (current directory upward); the command line overrides them.

    Exit codes: 0 ok; 1 --fail-on severity met; 2 bad input.
    """
    import trtlog

    from ..rules import at_least, run_rules
    from ..rules.render import explain_json, render_rich, render_text
    from ..rules.selection import resolve

    opts = with_config(ctx, {"select": select, "ignore": ignore, "min_severity": min_severity,
                             "fail_on": fail_on, "color": color})
    min_severity = opts["min_severity"].lower()
    fail_on = opts["fail_on"].lower() if opts["fail_on"] else None
    codes = resolve(opts["select"], opts["ignore"])     # bad codes fail before the (slow) parsing
    colored = use_color(opts["color"], no_color) and fmt == "text"
    console = terminal_console() if colored else None
    failed = 0
    done = []
    meter = Progress(progress)
    for i, source in enumerate(sources):
        try:
            bl = trtlog.load(source, progress=meter.start(source))
            meter.phase("running the rules")
            findings = run_rules(bl, select=codes) if codes is None or codes else []
        finally:
            meter.stop()
        failed += sum(1 for f in findings if fail_on and at_least(f.severity, fail_on))
        shown = [f for f in findings if at_least(f.severity, min_severity)]
        if console is not None:
            if i:
                console.print()
            render_rich(bl, shown, console, path=source)
        elif fmt == "text":
            click.echo(("\n" if i else "") + render_text(bl, shown, path=source), nl=False)
        else:
            done.append((bl, shown))
    if fmt == "json":
        docs = [explain_json(bl, shown) for bl, shown in done]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, default=str))
    elif fmt in ("sarif", "junit", "github"):
        from ..rules import ci
        if fmt == "sarif":
            click.echo(json.dumps(ci.sarif(done, codes), indent=2, default=str))
        elif fmt == "junit":
            click.echo(ci.junit(done, codes, threshold=fail_on), nl=False)
        else:
            click.echo(ci.github(done), nl=False)
    if failed:
        click.echo(f"trtlog: fail-on met: {failed} finding{'s' if failed != 1 else ''} at {fail_on} "
                   "or worse", err=True)
        return EXIT_FAIL
    return EXIT_OK
