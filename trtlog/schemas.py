"""Names and versions of trtlog's JSON documents (docs/json.md lists their fields). The number after the
slash is the major version: it changes only when a field is removed or changes meaning; new fields may
appear within a version."""
from __future__ import annotations

EXPLAIN = "trtlog.explain/1"          # trtlog explain --format json (one per input)
PARSE_STATS = "trtlog.parse-stats/1"  # trtlog parse --stats
FACTS = "trtlog.facts/1"              # trtlog parse --facts (BuildLog.facts.to_dict())
DIFF = "trtlog.diff/1"                # trtlog diff --format json
RULES = "trtlog.rules/1"              # trtlog rules --format json
# validate.json ("trtlog.validate/1") and bench.json ("trtlog.bench/1") are named where they are written
# (trtlog/validate/accuracy.py, trtlog/commands/bench.py)
PARQUET_META = "trtlog.parquet-meta/1"  # meta.json beside the tables of BuildLog.to_parquet(dir)
