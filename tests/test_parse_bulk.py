"""Bulk scanning (scan.py, bulk.py) gives exactly what the line-by-line parser gives, block edges
and worker processes change nothing, and hot envelopes are checked when the grammar loads."""
from __future__ import annotations

import pandas as pd
import pytest
from corpus import corpus_log

import trtlog
from trtlog.errors import TrtlogError
from trtlog.parse import bulk, parser, reader
from trtlog.parse.grammar import Envelope, Grammar
from trtlog.parse.scan import Scanner

LOGS = ["trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", "trt8.4-trtexec-multirun-verbose-gtx1070.log",
        "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log", "trt10.16-python-profilingverbosity-verbose-h100.log",
        "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log", "trt10.16-python-onnxparser-unknown-op-parse-error.log",
        "trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log", "trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log"]


def assert_same(a, b):
    assert (a.lines, a.recognized, a.meta) == (b.lines, b.recognized, b.meta)
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)


@pytest.fixture
def line_by_line(monkeypatch):
    """trtlog.load with every line through parser.LineParser (no envelope split, no bulk lines)."""
    def scanner(g):
        sc = Scanner(g, lambda m: False, bulk.uses)
        sc.level1 = None
        return sc
    def load(path):
        with monkeypatch.context() as m:
            m.setattr(parser, "scanner_for", scanner)
            return trtlog.load(path)
    return load


@pytest.mark.parametrize("name", LOGS)
def test_bulk_equals_line_by_line(name, line_by_line, monkeypatch, tmp_path):
    path = corpus_log(name)
    # tabs, double spaces and a glued source location take the exact (not single-space) paths
    text = path.read_text(encoding="utf-8")
    variant = tmp_path / "variant.log"
    variant.write_text(text.replace("Tactic Name: ", "Tactic Name:  ", 40).replace("] Tactic: ", "]\tTactic: ", 40)
                       .replace("[TRT] Conv", "[TRT] a/b.cpp:1: Conv", 20), encoding="utf-8")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 16)
    for p in (path, variant):
        assert_same(trtlog.load(p), line_by_line(p))


def test_workers_equal_one_process(monkeypatch, tmp_path):
    path = tmp_path / "two.log"
    path.write_bytes(corpus_log(LOGS[0]).read_bytes() + corpus_log(LOGS[3]).read_bytes())
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 18)
    one = trtlog.load(path, jobs=1)
    methods = []
    pool = parser.concurrent.futures.ProcessPoolExecutor

    def recording(n, mp_context=None, **kw):
        methods.append(mp_context.get_start_method())
        return pool(n, mp_context=mp_context, **kw)
    monkeypatch.setattr(parser.concurrent.futures, "ProcessPoolExecutor", recording)
    assert_same(trtlog.load(path, jobs=2), one)
    assert methods and methods[0] in ("forkserver", "spawn")      # never a fork of this process


def test_workers_need_a_main_guard_and_say_so(tmp_path):
    """Workers start from a fork server, which imports the caller's __main__ script again: a script
    without `if __name__ == '__main__':` gets one clear TrtlogError, not a hang or a bare traceback."""
    import subprocess
    import sys
    from pathlib import Path
    log = tmp_path / "two.log"
    log.write_bytes(corpus_log(LOGS[0]).read_bytes() + corpus_log(LOGS[3]).read_bytes())
    script = tmp_path / "unguarded.py"
    script.write_text("import sys\nsys.path.insert(0, sys.argv[1])\nimport trtlog\nfrom trtlog.parse import reader\n"
                      "reader.BLOCK_BYTES = 1 << 18\n"
                      "try:\n    trtlog.load(sys.argv[2], jobs=2)\nexcept trtlog.TrtlogError as e:\n"
                      "    print('ERROR', e)\n")
    root = Path(trtlog.__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, str(script), str(root), str(log)], capture_output=True, text=True, timeout=300)
    assert "ERROR jobs=2: the worker processes did not start" in r.stdout, (r.stdout, r.stderr[-2000:])


def test_library_load_in_a_threaded_host_starts_no_process(monkeypatch, tmp_path):
    """trtlog.load(path) from a thread while another thread runs (a Jupyter kernel, a PyTorch data
    loader): no worker process, whatever TRTLOG_JOBS (the CLI's variable) says."""
    import os
    import threading

    path = tmp_path / "two.log"
    path.write_bytes(corpus_log(LOGS[0]).read_bytes() + corpus_log(LOGS[3]).read_bytes())
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 18)      # many blocks: workers would be used if asked
    monkeypatch.setenv("TRTLOG_JOBS", "4")
    started = []

    def refuse(*a, **kw):
        started.append(a)
        raise AssertionError("a process was started")
    monkeypatch.setattr(parser.concurrent.futures, "ProcessPoolExecutor", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    out = {}
    try:
        t = threading.Thread(target=lambda: out.setdefault("bl", trtlog.load(path)))
        t.start()
        t.join()
    finally:
        stop.set()
        busy.join()
    import multiprocessing
    assert not started and not multiprocessing.active_children()
    assert out["bl"].lines == len(path.read_bytes().splitlines())


@pytest.mark.parametrize("prefix", [r"\[(?P<sev>[VIWEF])\]\s", r"[^\]]*\[(?P<sev>[VIWEF])\] ",
                                    r"\[(?P<sev>VERBOSE|INFO)\] ", r"^\[(?P<sev>[VIWEF])\] "])
def test_hot_envelope_must_be_line_safe(prefix):
    with pytest.raises(TrtlogError, match="hot envelope"):
        Grammar([], envelopes=[Envelope("env.x", prefix, "trt", "", "", hot=True)])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interleaved_logs_bulk_equals_line_by_line(seed, line_by_line, monkeypatch, tmp_path):
    """Chunks of all corpus logs shuffled together: tactic context, runs, continuation blocks and
    look-back rows meet in every order."""
    import random

    from corpus import CORPUS
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared")
    rng = random.Random(seed)
    logs = [p.read_text(encoding="utf-8", errors="replace").splitlines() for p in sorted(CORPUS.iterdir())]
    pos = [0] * len(logs)
    out = []
    while len(out) < 40000 and any(p < len(l) for p, l in zip(pos, logs)):
        k = rng.randrange(len(logs))
        n = rng.randint(1, 120)
        out += logs[k][pos[k]:pos[k] + n]
        pos[k] += n
    path = tmp_path / "mixed.log"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 1 << 17)
    assert_same(trtlog.load(path), line_by_line(path))
