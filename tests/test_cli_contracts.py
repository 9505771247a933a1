"""CLI contracts, in-process with click's CliRunner: --fail-on sees every finding whatever --min-severity
hides, several inputs per explain, --color auto|always|never with NO_COLOR / FORCE_COLOR (a pseudo-terminal
checks the 'on a terminal' case for real)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import corpus_log
from terminal import run_on_tty, terminal_env

from trtlog.cli import cli
from trtlog.commands.color import use_color
from trtlog.errors import TrtlogError

ROOT = Path(__file__).resolve().parents[1]
H100_FP16 = "trt10.16-trtexec-mnist-fp16-verbose-h100.log"          # README: 4 warnings (TRT204/401/402/503)
PAD_ERROR = "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"       # TRT101 + TRT102 errors, build failed
ESC = "\x1b["


def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)     # click 8.1 (the newest on Python 3.9)
    except TypeError:
        return CliRunner()                     # click >= 8.2 keeps stderr apart always


def explain(*args, env=None):
    """(exit code, stdout, stderr) of `trtlog explain ...` run in this process."""
    res = runner().invoke(cli, ["explain", *map(str, args)], env=env or {}, standalone_mode=False)
    if res.exception is not None:
        raise res.exception
    return res.return_value, res.stdout, res.stderr


def test_fail_on_is_independent_of_the_display_filter():
    log = corpus_log(H100_FP16)
    code, out, err = explain(log, "--min-severity", "error", "--fail-on", "warning")
    assert code == 1
    assert "0 findings: 0 errors, 0 warnings, 0 info" in out          # nothing shown ...
    assert err == "trtlog: fail-on met: 4 findings at warning or worse\n"   # ... but the gate saw all 4
    assert explain(log, "--min-severity", "error")[0] == 0
    assert explain(log, "--fail-on", "error")[0] == 0                 # no error in this log


def test_explain_several_inputs():
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)
    code, out, _ = explain(a, b, "--color", "never")
    assert code == 0
    assert out.index(str(a)) < out.index(str(b))
    # A: TRT204/401/402/503 warnings; TRT311 (line 2 multi-stream) and TRT314 (ForeignNodes) info
    assert "6 findings: 0 errors, 4 warnings, 2 info" in out and "TRT101" in out
    code, out, _ = explain(a, b, "--format", "json", "--fail-on", "error")
    docs = json.loads(out)
    assert code == 1                                                 # the gate trips on B's errors
    assert [d["build_ok"] for d in docs] == [True, False]
    # the parse error (TRT101/TRT102) and the 'Error Code 4: Internal Error' of its line 1 (TRT116)
    assert {"TRT101", "TRT102", "TRT116"} <= {f["code"] for f in docs[1]["findings"]}
    single = json.loads(explain(b, "--format", "json")[1])
    assert isinstance(single, dict) and single == docs[1]           # one input: one object, as before


def test_color_choices_and_environment():
    log = corpus_log(PAD_ERROR)
    assert ESC not in explain(log)[1]                                # auto, not a terminal
    assert ESC in explain(log, env={"FORCE_COLOR": "1"})[1]
    assert ESC not in explain(log, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1]
    assert ESC in explain(log, "--color", "always", env={"NO_COLOR": "1"})[1]    # the flag wins
    assert ESC not in explain(log, "--color", "never", env={"FORCE_COLOR": "1"})[1]
    assert ESC not in explain(log, "--no-color", env={"FORCE_COLOR": "1"})[1]
    assert ESC in explain(log, "--color", "always")[1]               # kept when piped


def test_use_color_on_a_real_terminal(monkeypatch):
    master, slave = os.openpty()
    try:
        with os.fdopen(slave, "w") as tty:
            monkeypatch.delenv("NO_COLOR", raising=False)
            monkeypatch.delenv("FORCE_COLOR", raising=False)
            assert use_color("auto", stream=tty)
            monkeypatch.setenv("NO_COLOR", "1")
            assert not use_color("auto", stream=tty)
            assert use_color("always", stream=tty)
    finally:
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal_end_to_end():
    log = corpus_log(PAD_ERROR)
    env = terminal_env()
    code, out, _ = run_on_tty(["explain", log], env)
    assert code == 0 and ESC in out and "TRT101" in out
    code, out, _ = run_on_tty(["explain", log], dict(env, NO_COLOR="1"))
    assert code == 0 and ESC not in out and "TRT101" in out


def invoke(*args):
    """(exit code, stdout, stderr) of `trtlog ARGS` run in this process."""
    res = runner().invoke(cli, [*map(str, args)], standalone_mode=False)
    if res.exception is not None:
        raise res.exception
    return res.return_value, res.stdout, res.stderr


def test_parse_several_inputs(tmp_path):
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)       # 4713 and 25 lines (wc -l)
    code, out, _ = invoke("parse", a, b, "--stats")
    stats = [json.loads(line) for line in out.splitlines()]   # one JSON object per line, in input order
    assert code == 0 and [(s["file"], s["lines"]) for s in stats] == [(str(a), 4713), (str(b), 25)]
    code, out, _ = invoke("parse", a, b)                      # the summary of each, a blank line between
    assert out.index(f"{a}: TensorRT 10.16.1") < out.index("\n\n") < out.index(f"{b}: TensorRT 8.2.4")
    code, out, _ = invoke("parse", a, b, "--table", "errors", "--format", "csv", "-o", tmp_path / "t")
    assert code == 0
    # the pad log's errors table: 8 rows (lines 1, 2, 17, 18, 20, 22, 23, 24); the H100 build has none
    assert len((tmp_path / "t" / "trt8.2-trtexec-onnx-pad-parse-error-excerpt" / "errors.csv")
               .read_text().splitlines()) == 1 + 8
    assert (tmp_path / "t" / "trt10.16-trtexec-mnist-fp16-verbose-h100" / "errors.csv").read_text().count("\n") == 1
    with pytest.raises(TrtlogError, match="--table with several inputs needs -o DIR"):
        invoke("parse", a, b, "--table", "errors")
    with pytest.raises(TrtlogError, match="same name"):
        invoke("parse", a, a, "-o", tmp_path / "u")


def test_report_several_inputs(tmp_path):
    a, b = corpus_log(H100_FP16), corpus_log(PAD_ERROR)
    code, out, _ = invoke("report", a, b, "-o", tmp_path / "reports")
    written = [tmp_path / "reports" / "trt10.16-trtexec-mnist-fp16-verbose-h100.report.html",
               tmp_path / "reports" / "trt8.2-trtexec-onnx-pad-parse-error-excerpt.report.html"]
    assert code == 0 and out.split() == [str(p) for p in written]
    assert "TRT101" in written[1].read_text(encoding="utf-8")      # the pad log's failed build
    with pytest.raises(TrtlogError, match="would both be reported"):
        invoke("report", a, a, "-o", tmp_path / "again")
    with pytest.raises(TrtlogError, match="exists"):              # nothing is overwritten without --force
        invoke("report", a, b, "-o", tmp_path / "reports")
    assert invoke("report", a, b, "-o", tmp_path / "reports", "--force")[0] == 0
