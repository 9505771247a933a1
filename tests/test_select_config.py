"""--select / --ignore (codes, code prefixes, names) and the [tool.trtlog] defaults of pyproject.toml, in-process."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from corpus import corpus_log
from test_cli_contracts import H100_FP16, explain, runner

from trtlog import config
from trtlog.cli import cli
from trtlog.errors import TrtlogError
from trtlog.rules import all_rules
from trtlog.rules.selection import resolve


def codes_of(out: str):
    return [f["code"] for f in json.loads(out)["findings"]]


def test_resolve_codes_prefixes_names():
    assert resolve() is None
    mem = [r.code for r in all_rules() if r.code.startswith("TRT4")]
    assert resolve(["TRT4"]) == mem and len(mem) >= 2
    assert resolve(["trt401,tactics-skipped-for-memory"]) == ["TRT401", "TRT402"]
    assert resolve(["TRT4"], ["TRT401"]) == [c for c in mem if c != "TRT401"]
    everything_but = resolve((), ["TRT1", "TRT2", "TRT3", "TRT5"])
    assert everything_but == mem
    assert resolve(["TRT401"], ["TRT4"]) == []
    for bad in (["TRT9"], ["no-such-rule"]):
        with pytest.raises(TrtlogError, match="no rule has this code"):
            resolve(bad)


def test_explain_select_ignore():
    log = corpus_log(H100_FP16)       # README: TRT204, TRT401, TRT402, TRT503 warnings; TRT311 info
    assert codes_of(explain(log, "--format", "json", "--select", "TRT4")[1]) == ["TRT401", "TRT402"]
    out = explain(log, "--format", "json", "--select", "TRT4", "--ignore", "insufficient-workspace")[1]
    assert codes_of(out) == ["TRT402"]
    out = explain(log, "--format", "json", "--ignore", "TRT2,TRT3", "--ignore", "TRT503")[1]
    assert codes_of(out) == ["TRT401", "TRT402"]
    code, out, _ = explain(log, "--format", "json", "--select", "TRT401", "--ignore", "TRT4", "--fail-on", "info")
    assert code == 0 and codes_of(out) == []       # nothing left to run: nothing found
    with pytest.raises(TrtlogError, match="--select TRT999"):
        explain(log, "--select", "TRT999")


def test_pyproject_defaults_and_command_line_overrides(tmp_path, monkeypatch):
    log = corpus_log(H100_FP16)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.trtlog]\nselect = ["TRT4", "TRT5"]\nignore = "TRT402"\n'
        'min-severity = "warning"\nfail-on = "warning"\ncolor = "always"\n', encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)                         # found from the current directory upward
    assert config.load() == {"select": ["TRT4", "TRT5"], "ignore": ["TRT402"], "min-severity": "warning",
                             "fail-on": "warning", "color": "always"}
    code, out, err = explain(log, "--format", "json")
    assert code == 1 and codes_of(out) == ["TRT401", "TRT503"]
    assert err == "trtlog: fail-on met: 2 findings at warning or worse\n"
    assert "\x1b[" in explain(log)[1]                                   # color = "always"
    assert "\x1b[" not in explain(log, "--color", "never")[1]
    code, out, _ = explain(log, "--format", "json", "--select", "TRT2", "--fail-on", "error")
    assert code == 0 and codes_of(out) == ["TRT204"]                    # the command line wins
    code, out, _ = explain(log, "--format", "json", "--ignore", "TRT503", "--min-severity", "info")
    assert codes_of(out) == ["TRT401", "TRT402"]                        # select from the file, ignore replaced


def test_nearest_pyproject_with_the_table_wins(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.trtlog]\nfail-on = "error"\n', encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "trtlog-user"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path / "pkg")
    assert config.load() == {"fail-on": "error"}


@pytest.mark.parametrize("body, message", [
    ('[tool.trtlog]\nselekt = ["TRT4"]\n', "unknown key 'selekt'"),
    ('[tool.trtlog]\nfail-on = "fatal"\n', "fail-on = 'fatal'; choose one of error, warning, info"),
    ('[tool.trtlog]\nselect = [4]\n', "select must be a list"),
    ('[tool.trtlog\n', "not valid TOML"),
])
def test_bad_config_is_one_line_exit_2(tmp_path, monkeypatch, body, message):
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    log = corpus_log(H100_FP16)
    res = runner().invoke(cli, ["explain", str(log)])
    assert res.exit_code != 0
    with pytest.raises(TrtlogError, match=message.replace("[", r"\[")):
        explain(log)
    from trtlog.cli import main
    with pytest.raises(SystemExit) as exc:
        main(["explain", str(log)])
    assert exc.value.code == 2


def test_report_select(tmp_path):
    log = corpus_log(H100_FP16)
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["report", str(log), "-o", str(out), "--select", "TRT503"],
                             standalone_mode=False)
    assert res.exception is None, res.output
    # the full report names TRT204, TRT311, TRT401, TRT402 and TRT503 (README); this one only TRT503
    assert set(re.findall(r"TRT\d{3}", out.read_text(encoding="utf-8"))) == {"TRT503"}
