"""`trtlog explain` text on a colour terminal goes through rich (styled, wrapped to the terminal width);
piped, NO_COLOR or --color never it is the plain rendering byte for byte. One real log: the TensorRT 8.2.4
ONNX Pad parse failure of the shared corpus (errors at lines 1, 2, 17, 18; '&&&& FAILED' at line 25)."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import corpus_log
from terminal import run_on_tty, terminal_env

ROOT = Path(__file__).resolve().parents[1]
PAD_ERROR = "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"
ESC = "\x1b["
SGR = re.compile(r"\x1b\[[0-9;]*m")


def short_log() -> str:
    """The log's path as short as it gets from here: the styled output folds a path wider than COLUMNS (72),
    and an absolute one (a CI checkout under /tmp/...) can be."""
    return os.path.relpath(corpus_log(PAD_ERROR))


def explain_out(*args, env=None) -> str:
    from trtlog.cli import cli
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "72", **(env or {})}
    try:
        runner = CliRunner(mix_stderr=False)     # click 8.1 (the newest on Python 3.9)
    except TypeError:
        runner = CliRunner()                     # click >= 8.2 keeps stderr apart always
    res = runner.invoke(cli, ["explain", short_log(), *args], env=env)
    assert res.exit_code == 0, res.output
    return res.stdout


def plain_rendering(log: str = "") -> str:
    import trtlog
    from trtlog.rules import run_rules
    from trtlog.rules.render import render_text
    log = log or short_log()
    bl = trtlog.load(log)
    return render_text(bl, run_rules(bl), path=log)


def test_piped_no_color_and_never_are_the_plain_rendering():
    expected = plain_rendering()
    assert ESC not in expected and "ERROR   TRT101 build-failed [build] — Engine build failed\n" in expected
    assert explain_out() == expected
    assert explain_out("--color", "never", env={"FORCE_COLOR": "1"}) == expected
    assert explain_out(env={"NO_COLOR": "1", "FORCE_COLOR": "1"}) == expected
    assert explain_out("--no-color", env={"FORCE_COLOR": "1"}) == expected


def test_colour_output_is_styled_and_wrapped_to_the_width():
    out = explain_out("--color", "always", env={"NO_COLOR": "1"})      # the flag wins over NO_COLOR
    assert out == explain_out(env={"FORCE_COLOR": "1"})
    plain = SGR.sub("", out)
    assert ESC not in plain
    lines = plain.splitlines()
    # rich pads wrapped and table lines with blanks: none reaches the terminal (commands/color.TrimmedLines)
    assert not [line for line in lines if line.endswith(" ")]
    assert max(len(line) for line in lines) <= 72                       # COLUMNS=72
    assert max(len(line) for line in SGR.sub("", explain_out(env={"FORCE_COLOR": "1", "COLUMNS": "120"}))
               .splitlines()) > 72                                      # the width follows the terminal
    # severity colours: the ERROR labels red, the failed build bold red
    assert out.count("\x1b[1;31mERROR") == 3                           # TRT101, TRT102, TRT116
    assert "\x1b[1;31mBUILD FAILED" in out
    # headline, group and findings in the order of the plain text
    assert lines[:3] == [short_log(), "TensorRT 8.2.4 · trtexec · BUILD FAILED",
                         "3 findings: 3 errors, 0 warnings, 0 info"]
    assert lines[4].startswith("Errors (3) ──")
    order = [next(i for i, line in enumerate(lines) if code in line) for code in ("TRT101", "TRT102", "TRT116")]
    assert order == sorted(order)
    # evidence: log lines 2, 17, 18 (TRT102) and 25 (the trtexec FAILED line), cut to the width
    assert any(re.match(r"^ {6}line 25: &&&& FAILED TensorRT\.trtexec \[TensorRT v8204\].*…$", ln) for ln in lines)
    assert "      line 18: [6] Invalid Node - Pad_13" in lines
    # every word of the message and of the fixes is there, wrapped (joined back, they read as in plain text)
    words = " ".join(plain.split())
    expected = " ".join(plain_rendering().split())
    for phrase in ("The build did not produce an engine. First cause: Error[4]:",
                   "must have 0 or 1 reshape dimensions: dimensions were [-1,2]) (8 error lines in total.)",
                   "... 6 more", "confidence: high"):
        assert phrase in words and phrase in expected
    fix_rows = [ln for ln in lines if ln.startswith("      python :")]
    assert len(fix_rows) == 3 and all(len(ln) <= 72 for ln in fix_rows)


def test_several_inputs_on_a_colour_terminal():
    log = short_log()
    out = SGR.sub("", explain_out(log, env={"FORCE_COLOR": "1"}))
    assert out.count(log + "\n") == 2 and "\n\n" + log + "\n" in out   # a blank line between the two


def test_json_and_ci_formats_ignore_the_colour():
    for fmt in ("json", "sarif", "junit", "github"):
        assert explain_out("--format", fmt, "--color", "always") == explain_out("--format", fmt)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_on_a_real_terminal():
    log = corpus_log(PAD_ERROR)

    def on_tty(env):
        code, out, err = run_on_tty(["explain", log], env)
        assert code == 0, err
        return out.replace("\r\n", "\n")   # the terminal's onlcr

    env = terminal_env(COLUMNS="64")
    out = on_tty(env)
    assert ESC in out and max(len(line) for line in SGR.sub("", out).splitlines()) <= 64
    assert on_tty(dict(env, NO_COLOR="1")) == plain_rendering(str(log))  # byte for byte, no escape codes
