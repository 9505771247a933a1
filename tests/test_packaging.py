"""Packaging contracts: the package list in pyproject.toml, figure dicts without plotly's Python package,
parquet behind the [parquet] extra."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import trtlog
from trtlog.cli import cli
from trtlog.report import charts, views

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "tests" / "fixtures" / "gpu" / "transformer-fp16-tinyws-trt8.6.0"   # the `make demo` bundle


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")   # Python >= 3.11
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_python_package_and_template_folder_is_listed():
    setup = _pyproject()["tool"]["setuptools"]
    listed = set(setup["packages"])
    on_disk = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "trtlog").rglob("__init__.py")}
    on_disk |= {"trtlog.templates." + d.name for d in (REPO / "reports" / "templates").iterdir() if d.is_dir()}
    assert on_disk - listed == set()
    assert setup["package-dir"]["trtlog.templates"] == "reports/templates"


def test_license_is_an_spdx_string_with_the_apache_text():
    project = _pyproject()["project"]
    assert project["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert text.rstrip().endswith("limitations under the License.")
    assert (REPO / "trtlog" / "py.typed").is_file()


def test_declared_dependencies_cover_the_core_imports():
    deps = {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in _pyproject()["project"]["dependencies"]}
    assert {"pandas", "numpy", "pyparsing", "jinja2", "click", "packaging"} <= deps
    assert "plotly" not in deps


def test_report_charts_do_not_import_plotly():
    code = ("import sys, trtlog; from trtlog.report.render import render_report_html; "
            f"render_report_html(trtlog.load({str(BUNDLE)!r})); print('plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def test_figure_dicts_are_what_plotly_would_build():
    """Each figure dict passes plotly's schema validation and equals plotly's own JSON of it
    (but for the empty `template` plotly adds, which draws nothing)."""
    go = pytest.importorskip("plotly.graph_objects")
    import json

    import plotly.io as pio
    bl = trtlog.load(str(BUNDLE))
    figs = charts.report_charts(views.report_view(bl, [], None))
    # The demo bundle draws these (its log has phases, MemUsageChange lines, fusions and Myelin tactics).
    assert {"chart-precision", "chart-phases", "chart-memory", "chart-fusions", "chart-tactics"} <= set(figs)
    for cid, fig in figs.items():
        built = json.loads(pio.to_json(go.Figure(fig), validate=False))   # go.Figure(...) validates
        built["layout"].pop("template", None)
        assert built == fig, cid


def test_parquet_without_pyarrow_is_one_line_exit_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)   # `import pyarrow` now raises ImportError
    from trtlog.cli import main
    with pytest.raises(SystemExit) as exc:
        main(["parse", str(BUNDLE), "--format", "parquet", "-o", str(tmp_path / "t")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == "trtlog: error: --format parquet needs pyarrow: pip install 'trtlog[parquet]'\n"
    assert not (tmp_path / "t").exists()


def test_parquet_tables_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    import pandas as pd
    res = CliRunner().invoke(cli, ["parse", str(BUNDLE), "--table", "layers", "--format", "parquet",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    back = pd.read_parquet(tmp_path / "layers.parquet")
    assert len(back) == len(trtlog.load(str(BUNDLE)).layers)
