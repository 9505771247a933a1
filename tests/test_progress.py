"""The progress line of parse/explain/report/diff, and the parser's progress callback, on real logs."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from corpus import corpus_log

import trtlog
from trtlog.cli import cli
from trtlog.commands import progress as P
from trtlog.parse import reader

BIG = "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"     # the corpus' largest: 3325778 bytes
T82 = "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def invoke(*args):
    try:
        r = CliRunner(mix_stderr=False)
    except TypeError:
        r = CliRunner()
    res = r.invoke(cli, list(map(str, args)), standalone_mode=False)
    if res.exception is not None:
        raise res.exception
    return res.return_value, res.stdout, res.stderr


def test_load_reports_bytes_read(monkeypatch):
    log = corpus_log(BIG)
    size = os.path.getsize(log)
    assert size == 3325778
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 20)
    calls = []
    bl = trtlog.load(log, progress=lambda done, total: calls.append((done, total)))
    assert {t for _, t in calls} == {size}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == size and len(calls) == 5     # 4 reads of 1 MiB, then EOF
    assert bl.lines == trtlog.load(log).lines                                 # the callback changes nothing


def test_compressed_bundle_reports_file_position():
    bundle = os.path.join(ROOT, "tests", "fixtures", "rtx", "cnn")
    size = os.path.getsize(os.path.join(bundle, "build.log.xz"))
    calls = []
    trtlog.load(bundle, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (size, size)                                 # compressed bytes of build.log.xz
    assert P._input_size(bundle) == size


def test_meter_line_and_throttle(monkeypatch):
    t = [100.0]
    m = P.Progress(True, clock=lambda: t[0])
    out = []
    monkeypatch.setattr(P.click, "echo", lambda s="", **kw: out.append(s))
    cb = m.start("/logs/big.log")
    t[0] = 102.0
    cb(40 * 2**20, 100 * 2**20)
    t[0] = 102.1
    cb(41 * 2**20, 100 * 2**20)                                                # within 0.25 s: not redrawn
    t[0] = 104.0
    cb(100 * 2**20, 100 * 2**20)
    cb(100 * 2**20, 100 * 2**20)                                               # EOF read: same count, no redraw
    m.phase("running the rules")
    m.stop()
    m.phase("writing the report")                                              # stopped: nothing drawn
    assert out[0] == "\rtrtlog: reading big.log  40.0/100.0 MB (40%)  20.0 MB/s"
    assert out[1] == "\rtrtlog: read big.log  100.0 MB  25.0 MB/s; building tables"
    assert out[2].startswith("\rtrtlog: big.log: running the rules ")         # padded over the longer line
    assert len(out) == 4 and out[3].strip() == "" and out[3].endswith("\r")   # cleared


def test_default_needs_a_terminal_and_a_large_input(monkeypatch):
    log = str(corpus_log(BIG))
    master, slave = os.openpty()
    try:
        with os.fdopen(slave, "w") as tty, monkeypatch.context() as mp:
            mp.setattr("sys.stderr", tty)
            assert not P.Progress(None).wanted(log)                       # 3.2 MB < 20 MB
            assert P.Progress(None, min_bytes=1 << 20).wanted(log)
            assert not P.Progress(False, min_bytes=1 << 20).wanted(log)   # --no-progress
    finally:
        os.close(master)
    assert not P.Progress(None, min_bytes=0).wanted(log)                  # pytest's stderr is no terminal
    assert P.Progress(True).wanted(log)                                   # --progress


@pytest.mark.parametrize("cmd", ["explain", "parse", "report", "diff"])
def test_commands_show_and_clear_the_line(cmd, tmp_path):
    log = corpus_log(BIG)
    args = {"explain": ["explain", log], "parse": ["parse", log, "--stats"],
            "report": ["report", log, "-o", tmp_path / "r.html"],
            "diff": ["diff", corpus_log(T82), log, "--format", "json"]}[cmd]
    code, out, err = invoke(*args, "--progress")
    assert code == 0
    # one 4 MiB block holds the whole 3.2 MB log: read, then the command's own phases
    assert f"\rtrtlog: read {BIG}  3.2 MB  " in err and "MB/s; building tables" in err
    phases = {"explain": ["running the rules"], "report": ["running the rules", "writing the report"],
              "diff": ["comparing the builds"], "parse": []}[cmd]
    assert [p for p in ("running the rules", "writing the report", "comparing the builds") if p in err] == phases
    assert err.endswith("\r") and err.rstrip("\r ").count("\r") >= 1
    if cmd == "report":
        os.remove(tmp_path / "r.html")
    code2, out2, err2 = invoke(*args)                                     # not a terminal: no line
    assert "reading" not in err2
    if cmd != "report":
        assert out == out2                                                # stdout is untouched
