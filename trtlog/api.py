"""The documented library API (re-exported by `trtlog`, see docs/api.md). Heavy modules (pandas, the rules,
the report templates) are imported on first use so `import trtlog` stays cheap."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Union

if TYPE_CHECKING:  # pragma: no cover
    from .buildlog import BuildLog
    from .diff import DiffResult
    from .rules import Finding

Source = Union[str, Path, "BuildLog"]


def load(path, **kwargs) -> "BuildLog":
    """Parse a TensorRT log (.gz/.xz/.bz2 too; '-' = stdin), a layer-info/profile JSON, or a trtlog bundle
    directory into a BuildLog. `progress=callable(done_bytes, total_bytes)` is called as a log is read."""
    from .parse.loader import load as _load
    return _load(path, **kwargs)


def _buildlog(source: Source) -> "BuildLog":
    from .buildlog import BuildLog
    return source if isinstance(source, BuildLog) else load(source)


def run_rules(source: Source, select: Iterable[str] = (), ignore: Iterable[str] = (),
              min_severity: str = "info") -> List["Finding"]:
    """Findings of the rules on a BuildLog (or a path, loaded first), worst first. `select` / `ignore` take
    codes, code prefixes ("TRT4") or rule names, as on the command line."""
    from .rules import run_rules as _run
    from .rules.selection import resolve
    codes = resolve(select, ignore)
    if codes is not None and not codes:
        return []
    return _run(_buildlog(source), select=codes, min_severity=min_severity)


def diff_builds(a: Source, b: Source, run_a: Optional[int] = None, run_b: Optional[int] = None) -> "DiffResult":
    """What changed between build A (before) and build B (after); `.to_dict()`, `.check("new-errors")`."""
    from .diff import diff_builds as _diff
    return _diff(_buildlog(a), _buildlog(b), run_a=run_a, run_b=run_b)


def render_report(source: Source, output: Union[str, Path], findings: Optional[Sequence[Any]] = None,
                  validation: Optional[dict] = None) -> Path:
    """Write the self-contained HTML report of a build to `output` (findings: run_rules() when None)."""
    from .report import render_report as _render
    bl = _buildlog(source)
    return _render(bl, run_rules(bl) if findings is None else findings, output, validation=validation)
