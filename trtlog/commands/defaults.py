"""Options shared by the commands that run rules (--select / --ignore), and the [tool.trtlog] defaults of
pyproject.toml applied to the options the command line left at their default."""
from __future__ import annotations

from typing import Any, Callable, Dict

import click
from click.core import ParameterSource

# command parameter -> [tool.trtlog] key
CONFIG_KEYS = {"select": "select", "ignore": "ignore", "min_severity": "min-severity", "fail_on": "fail-on",
               "color": "color"}


def selection_options(f: Callable) -> Callable:
    f = click.option("--ignore", multiple=True, metavar="CODES",
                     help="Skip these rules: codes, code prefixes (TRT3) or names; comma list or repeated.")(f)
    return click.option("--select", multiple=True, metavar="CODES",
                        help="Run only these rules: codes, code prefixes (TRT2) or names; comma list or "
                             "repeated. --ignore applies after it.")(f)


def with_config(ctx: click.Context, values: Dict[str, Any]) -> Dict[str, Any]:
    """`values` (parameter -> value) with [tool.trtlog] defaults for those not given on the command line."""
    from ..config import load
    config = load()
    out = dict(values)
    for param in values:
        key = CONFIG_KEYS.get(param)
        if key in config and ctx.get_parameter_source(param) in (ParameterSource.DEFAULT, None):
            out[param] = config[key]
    return out
