"""`trtlog explain LOG_OR_BUNDLE`: run the rules and print the findings (text or JSON); CI gate via --fail-on."""
from __future__ import annotations

import json
import sys

import click

from ..errors import EXIT_FAIL, EXIT_OK, TrtlogError

_SEV = click.Choice(["error", "warning", "info"], case_sensitive=False)


@click.command("explain")
@click.argument("source", metavar="LOG_OR_BUNDLE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for a terminal, json for tools.")
@click.option("--min-severity", type=_SEV, default="info", show_default=True,
              help="Hide findings less severe than this.")
@click.option("--fail-on", type=_SEV, default=None,
              help="Exit 1 when a finding of this severity or worse exists (CI gate).")
@click.option("--select", multiple=True, metavar="CODE",
              help="Run only these rules (code or name); repeatable.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
def command(source, fmt, min_severity, fail_on, select, color):
    """Explain a TensorRT build log (or trtlog bundle): what went wrong, where, and how to fix it.

    Exit codes: 0 ok; 1 --fail-on severity met; 2 bad input.
    """
    import trtlog

    from ..rules import RULES, at_least, run_rules
    from ..rules.render import explain_json, render_text

    for code in select:
        if code not in RULES and not any(r.name == code for r in RULES.values()):
            raise TrtlogError(f"unknown rule {code!r}; see `trtlog rules`")
    bl = trtlog.load(source)
    findings = run_rules(bl, select=select or None, min_severity=min_severity.lower())
    if fmt == "json":
        click.echo(json.dumps(explain_json(bl, findings), indent=2, default=str))
    else:
        use_color = sys.stdout.isatty() if color is None else color
        click.echo(render_text(bl, findings, color=use_color, path=source), nl=False)
    if fail_on and any(at_least(f.severity, fail_on.lower()) for f in findings):
        return EXIT_FAIL
    return EXIT_OK
