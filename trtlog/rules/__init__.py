"""Rules over BuildLog tables: `run_rules(bl) -> list[Finding]`, the registry `RULES`, and renderers.

Codes: TRT1xx build, TRT2xx accuracy, TRT3xx performance, TRT4xx memory, TRT5xx compatibility.
"""
from __future__ import annotations

from .engine import (
                     CATEGORIES,
                     RULES,
                     SEVERITIES,
                     Evidence,
                     Finding,
                     Fix,
                     Rule,
                     all_rules,
                     at_least,
                     run_rules,
                     severity_rank,
)

all_rules()  # register the theme modules so RULES is complete on import

__all__ = ["RULES", "Finding", "Evidence", "Fix", "Rule", "SEVERITIES", "CATEGORIES", "run_rules",
           "all_rules", "at_least", "severity_rank"]
