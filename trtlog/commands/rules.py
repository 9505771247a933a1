"""`trtlog rules`: list the rule catalog (generated from the rules themselves)."""
from __future__ import annotations

import json

import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--category", type=click.Choice(["build", "accuracy", "performance", "memory", "compatibility"]),
              default=None, help="Only this category.")
@click.argument("code", required=False)
def command(fmt, category, code):
    """List the rules (code, severity, category, versions, summary), or show one rule in full."""
    from ..errors import TrtlogError
    from ..rules import all_rules
    from ..rules.catalog import markdown

    rules = [r for r in all_rules() if category is None or r.category == category]
    if code:
        rules = [r for r in rules if code in (r.code, r.name)]
        if not rules:
            raise TrtlogError(f"unknown rule {code!r}; run `trtlog rules` for the list")
    if fmt == "markdown":
        click.echo(markdown(), nl=False)
        return 0
    if fmt == "json":
        from ..schemas import RULES
        click.echo(json.dumps({"schema": RULES, "rules": [r.catalog_entry() for r in rules]}, indent=2))
        return 0
    if code:
        r = rules[0]
        click.echo(f"{r.code} {r.name}  [{r.severity}, {r.category}, TensorRT {r.versions}]"
                   + ("  UNVERIFIED (no real log shows it yet)" if r.unverified else ""))
        click.echo(f"  {r.summary}")
        click.echo(f"  reads: {', '.join(r.tables)}")
        click.echo(f"  why: {r.rationale}")
        for label, text in (("python ", r.fix.python), ("trtexec", r.fix.trtexec), ("TRT 11 ", r.fix.trt11)):
            if text:
                click.echo(f"  fix {label}: {text}")
        return 0
    for r in rules:
        mark = "unverified " if r.unverified else ""
        click.echo(f"{r.code}  {r.name:<32} {r.severity:<8} {r.category:<14} {r.versions:<14} {mark}{r.summary}")
    return 0
