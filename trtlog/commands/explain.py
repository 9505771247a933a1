"""`trtlog explain LOG_OR_BUNDLE...`: run the rules and print the findings (text or JSON); CI gate via --fail-on."""
from __future__ import annotations

import json

import click

from ..errors import EXIT_FAIL, EXIT_OK, TrtlogError
from .color import color_option, use_color

_SEV = click.Choice(["error", "warning", "info"], case_sensitive=False)


@click.command("explain")
@click.argument("sources", nargs=-1, required=True, metavar="LOG_OR_BUNDLE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a terminal, json for tools (one object; a list of them for several inputs).")
@click.option("--min-severity", type=_SEV, default="info", show_default=True,
              help="Hide findings less severe than this (display only: --fail-on sees every finding).")
@click.option("--fail-on", type=_SEV, default=None,
              help="Exit 1 when a finding of this severity or worse exists in any input (CI gate).")
@click.option("--select", multiple=True, metavar="CODE",
              help="Run only these rules (code or name); repeatable.")
@color_option
def command(sources, fmt, min_severity, fail_on, select, color, no_color):
    """Explain TensorRT build logs (or trtlog bundles): what went wrong, where, and how to fix it.

    Exit codes: 0 ok; 1 --fail-on severity met; 2 bad input.
    """
    import trtlog

    from ..rules import RULES, at_least, run_rules
    from ..rules.render import explain_json, render_text

    for code in select:
        if code not in RULES and not any(r.name == code for r in RULES.values()):
            raise TrtlogError(f"unknown rule {code!r}; see `trtlog rules`")
    colored = use_color(color, no_color)
    failed = 0
    docs = []
    for i, source in enumerate(sources):
        bl = trtlog.load(source)
        findings = run_rules(bl, select=select or None)
        failed += sum(1 for f in findings if fail_on and at_least(f.severity, fail_on.lower()))
        shown = [f for f in findings if at_least(f.severity, min_severity.lower())]
        if fmt == "json":
            docs.append(explain_json(bl, shown))
        else:
            click.echo(("\n" if i else "") + render_text(bl, shown, color=colored, path=source), nl=False,
                       color=colored)
    if fmt == "json":
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, default=str))
    if failed:
        click.echo(f"trtlog: fail-on met: {failed} finding{'s' if failed != 1 else ''} at {fail_on.lower()} "
                   "or worse", err=True)
        return EXIT_FAIL
    return EXIT_OK
