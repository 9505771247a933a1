"""Diff two BuildLogs: layer alignment (align), deltas with evidence (deltas), ranking and CI
conditions (summary). The public entry point is `trtlog.diff.diff_builds`."""
