"""`trtlog diff` command: formats, --fail-on exit codes, bad input, HTML."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from terminal import run_on_tty, terminal_env

from trtlog.cli import main

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
T82 = CORPUS / "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
T84 = CORPUS / "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"


@pytest.fixture(autouse=True)
def _corpus():
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_json_shape(capsys):
    code, out, err = run_main(["diff", str(T82), str(T84), "--format", "json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"a", "b", "summary", "changes", "unmatched"}
    assert set(d["unmatched"]) == {"a", "b"}
    assert d["a"]["trt_version"].startswith("8.2") and d["b"]["trt_version"].startswith("8.4")
    for c in d["changes"]:
        assert set(c) >= {"kind", "layer", "a", "b", "evidence"}
    # 8.2:2869 `Throughput: 6531.92 qps` -> 8.4:3015 `Throughput: 6106.55 qps`, evidence quotes both
    tp = [c for c in d["changes"] if c["kind"] == "perf" and c["layer"] == "Throughput"][0]
    assert tp["evidence"]["a"][0]["line"] == 2869 and "6531.92" in tp["evidence"]["a"][0]["text"]
    assert tp["evidence"]["b"][0]["line"] == 3015 and "6106.55" in tp["evidence"]["b"][0]["text"]


def test_text_output(capsys):
    code, out, _ = run_main(["diff", str(T82), str(T84)], capsys)
    assert code == 0
    assert "Summary:" in out and "throughput 6532 -> 6107 qps (-6.5 %)" in out.split("Changes")[0]


def test_fail_on_met_exits_1(capsys):
    code, _, err = run_main(["diff", str(T82), str(T84), "--fail-on", "throughput-drop=5,new-errors"], capsys)
    assert code == 1
    assert "fail-on met: throughput-drop" in err and "fail-on met: new-errors" not in err


def test_fail_on_not_met_exits_0(capsys):
    code, _, err = run_main(["diff", str(T82), str(T84), "--fail-on", "throughput-drop=10,new-errors"], capsys)
    assert code == 0, err


@pytest.mark.parametrize("spec", ["throughput-drop", "no-such-thing", "new-errors=3", "throughput-drop=abc"])
def test_bad_fail_on_exits_2(spec, capsys):
    code, _, err = run_main(["diff", str(T82), str(T84), "--fail-on", spec], capsys)
    assert code == 2
    assert err.startswith("trtlog: error:") and "Traceback" not in err


def test_missing_file_exits_2(tmp_path, capsys):
    code, _, err = run_main(["diff", str(T82), str(tmp_path / "nope.log")], capsys)
    assert code == 2 and "Traceback" not in err


def test_bad_run_index_exits_2(capsys):
    code, _, err = run_main(["diff", str(T82), str(T84), "--run-b", "7"], capsys)
    assert code == 2 and "--run-b 7" in err


def test_html(tmp_path, capsys):
    out = tmp_path / "d.html"
    code, _, err = run_main(["diff", str(T82), str(T84), "--format", "html", "-o", str(out)], capsys)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "6106.55" in html


MULTI = CORPUS / "trt8.4-trtexec-multirun-verbose-gtx1070.log"


def test_runs_of_a_multirun_log(capsys):
    # three trtexec runs in one file (banners at lines 1, 275, 567): model-0 is one Reduce layer
    # (line 226, Tactic 0x7, 53164.4 qps at 252); model-2 is Transpose-0 / Identity-0 / ReduceSum
    # (Tactic 0x2) / Transpose-1 (lines 1059-1062, 48791.2 qps at 1088)
    code, out, err = run_main(["diff", str(MULTI), str(MULTI), "--run-a", "0", "--run-b", "2", "--format", "json",
                               "--fail-on", "throughput-drop=5,layer-count-increase"], capsys)
    assert code == 1
    assert "fail-on met: throughput-drop" in err and "fail-on met: layer-count-increase: 1 -> 4" in err
    d = json.loads(out)
    assert (d["a"]["run"], d["b"]["run"], d["a"]["layers"], d["b"]["layers"]) == (0, 2, 1, 4)
    tac = [c for c in d["changes"] if c["kind"] == "tactic"]
    assert [(c["layer"], c["a"], c["b"]) for c in tac] == [("ReduceSum", "0x0000000000000007", "0x0000000000000002")]
    assert (tac[0]["evidence"]["a"][0]["line"], tac[0]["evidence"]["b"][0]["line"]) == (226, 1061)
    assert sorted((u["name"], u["line"]) for u in d["unmatched"]["b"]) == [
        ("Identity-0", 1060), ("Transpose-0", 1059), ("Transpose-1", 1062)]


def test_same_log_has_no_differences(capsys):
    code, out, _ = run_main(["diff", str(MULTI), str(MULTI), "--format", "json",
                             "--fail-on", "throughput-drop=0,new-warnings,new-errors,precision-change"], capsys)
    d = json.loads(out)
    assert code == 0 and d["changes"] == [] and d["unmatched"] == {"a": [], "b": []}
    assert d["summary"] == ["No significant difference found between the two builds."]
    assert d["a"]["run"] == 2   # the last run that printed engine layers


# -- terminal output (rich) -------------------------------------------------------------------------
ESC = "\x1b["


def diff_out(*args, env=None):
    from click.testing import CliRunner

    from trtlog.cli import cli
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "72", **(env or {})}
    try:
        runner = CliRunner(mix_stderr=False)     # click 8.1 (the newest on Python 3.9)
    except TypeError:
        runner = CliRunner()                     # click >= 8.2 keeps stderr apart always
    res = runner.invoke(cli, ["diff", str(T82), str(T84), *args], env=env)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_piped_text_is_the_plain_rendering():
    import trtlog
    from trtlog.diff import diff_builds, render_text
    expected = render_text(diff_builds(trtlog.load(str(T82)), trtlog.load(str(T84))))
    assert diff_out() == expected and ESC not in expected
    assert diff_out("--color", "never", env={"FORCE_COLOR": "1"}) == expected
    assert diff_out(env={"NO_COLOR": "1", "FORCE_COLOR": "1"}) == expected


def test_colour_terminal_output_is_width_aware():
    import re
    out = diff_out("--color", "always", env={"NO_COLOR": "1"})        # the flag wins over NO_COLOR
    assert ESC in out and out == diff_out(env={"FORCE_COLOR": "1"})
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert max(len(line) for line in plain.splitlines()) <= 72       # COLUMNS=72
    # side-by-side facts: TensorRT 8.2.3 (8.2 log line 1) and 8.4.1 (8.4 log line 1), 12 engine layers each
    rows = {line.split()[0]: line.split() for line in plain.splitlines() if line.startswith(("TensorRT", "engine"))}
    assert rows["TensorRT"][1:] == ["8.2.3", "8.4.1"]
    assert rows["engine"][2:] == ["12", "(2", "reformat)", "12", "(2", "reformat)"]
    # every change of the plain output is there, wrapped under its bullet
    words = " ".join(plain.split())
    assert "Requested precision differs: FP32 -> FP32+FP16, but no matched layer changed its realised precision." \
        in words


def test_output_file_is_always_plain(tmp_path):
    out = tmp_path / "d.txt"
    diff_out("-o", str(out), "--color", "always")
    assert ESC not in out.read_text(encoding="utf-8") and out.read_text(encoding="utf-8").startswith("A: ")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal_end_to_end():
    env = terminal_env()
    code, out, _ = run_on_tty(["diff", T82, T84], env)
    assert code == 0 and ESC in out and "A (before)" in out
    code, out, _ = run_on_tty(["diff", T82, T84], dict(env, NO_COLOR="1"))
    assert code == 0 and ESC not in out and "Summary:" in out and "A (before)" not in out
