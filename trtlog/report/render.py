"""Render view models into one self-contained HTML file (jinja2, autoescape on).

Everything the page needs is inline: CSS, the vendored plotly.js basic bundle, the page script and
the chart data. The Content-Security-Policy meta tag allows exactly those inline scripts and styles
by their sha256 hashes and nothing else (`default-src 'none'`), so the file never fetches anything.
"""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import jinja2
from markupsafe import Markup

from ..buildlog import BuildLog
from ..errors import TrtlogError
from . import charts, views

# plotly.js adds its few CSS rules by creating an empty <style> element and calling insertRule on
# it (CSSOM, which CSP allows); the empty element itself needs the hash of the empty string.
_EMPTY_STYLE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
PLOTLY_ASSET = "vendor/plotly-basic.min.js"


def templates_dir() -> Path:
    """reports/templates in a source checkout, else the installed trtlog.templates package data."""
    src = Path(__file__).resolve().parents[2] / "reports" / "templates"
    if (src / "base.html").is_file():
        return src
    try:
        import trtlog.templates as pkg  # installed layout: package-dir maps reports/templates here
        return Path(pkg.__file__).resolve().parent if getattr(pkg, "__file__", None) \
            else Path(list(pkg.__path__)[0])
    except ImportError as exc:  # pragma: no cover - broken install
        raise TrtlogError("report templates not found (reports/templates or trtlog.templates)") from exc


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    path = templates_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TrtlogError(f"report asset missing: {path}") from exc
    if "</script" in text.lower() or "</style" in text.lower():
        raise TrtlogError(f"report asset {name} contains a closing tag and cannot be inlined")
    return text


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _assets() -> Dict[str, Any]:
    guard, app, plotly_js, css = (_asset("guard.js"), _asset("report.js"), _asset(PLOTLY_ASSET),
                                  _asset("report.css"))
    csp = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(f"'{_sha256(s)}'" for s in (guard, plotly_js, app)),
        f"style-src '{_sha256(css)}' '{_EMPTY_STYLE_HASH}'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    # Trusted, vendored text: marked safe so autoescape leaves it byte-identical to what was hashed.
    return {"guard_js": Markup(guard), "app_js": Markup(app), "plotly_js": Markup(plotly_js),
            "css": Markup(css), "csp": csp}


def _write(html: str, out_path: Any, force: bool, inputs: Sequence[Any]) -> Path:
    from ..output import write
    return write(out_path, html, force=force, inputs=inputs)


def render_report_html(bl: BuildLog, findings: Sequence[Any] = (), validation: Optional[dict] = None) -> str:
    view = views.report_view(bl, findings, validation)
    figs = charts.report_charts(view)
    return _env().get_template("report.html").render(
        v=view, charts=figs, chart_ids=list(figs), assets=_assets(), page_title=view.header.title)


def render_report(bl: BuildLog, findings: Sequence[Any], out_path: Any, validation: Optional[dict] = None,
                  *, force: bool = False, inputs: Sequence[Any] = ()) -> Path:
    """Write one self-contained HTML report for `bl` and its findings (trtlog.output.write: an
    existing file only with `force`, never over one of `inputs`, atomically); returns the path."""
    return _write(render_report_html(bl, findings, validation), out_path, force, inputs)
