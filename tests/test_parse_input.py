"""Input handling: encodings, compression, line endings, colours, stdin, and bad input.

Inputs are real corpus logs re-encoded / compressed / given CRLF or ANSI colour codes in a temp
dir (the text itself is untouched); the parse must equal the original's. Bad input must give one
line on stderr and exit 2.
"""
from __future__ import annotations

import gzip
import json
import lzma
import os
import subprocess
import sys

import pytest
from corpus import corpus_log

import trtlog
from trtlog.errors import TrtlogError

LOG = "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, stdin=None):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "trtlog", *args], input=stdin, capture_output=True, env=env)


@pytest.fixture(scope="module")
def original():
    path = corpus_log(LOG)
    return path, trtlog.load(path)


def same(a, b):
    assert a.lines == b.lines and a.recognized == b.recognized
    assert list(a.messages["text"]) == list(b.messages["text"])
    assert a.tactics.equals(b.tactics) and a.layers.equals(b.layers)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "gbk", "latin-1", "utf-8-sig"])
def test_encodings(tmp_path, original, encoding):
    path, ref = original
    out = tmp_path / f"log.{encoding}"
    out.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    bl = trtlog.load(out)
    same(bl, ref)


@pytest.mark.parametrize("kind", ["gz", "xz", "crlf", "ansi"])
def test_compression_line_endings_colours(tmp_path, original, kind):
    path, ref = original
    data = path.read_bytes()
    out = tmp_path / f"log.{kind}"
    if kind == "gz":
        out.write_bytes(gzip.compress(data))
    elif kind == "xz":
        out.write_bytes(lzma.compress(data))
    elif kind == "crlf":
        out.write_bytes(data.replace(b"\n", b"\r\n"))
    else:  # what a colouring terminal capture adds around each severity tag
        out.write_bytes(data.replace(b"[V]", b"\x1b[36m[V]\x1b[0m").replace(b"[I]", b"\x1b[32m[I]\x1b[0m"))
    same(trtlog.load(out), ref)


def test_stdin(original):
    path, ref = original
    r = cli("parse", "-", "--stats", stdin=path.read_bytes())
    assert r.returncode == 0
    stats = json.loads(r.stdout)
    assert stats["file"] == "<stdin>" and stats["lines"] == ref.lines and stats["recognized"] == ref.recognized


def test_stats_is_one_json_object(original):
    path, ref = original
    r = cli("parse", str(path), "--stats")
    assert r.returncode == 0
    stats = json.loads(r.stdout)          # exactly one object, nothing else on stdout
    assert set(stats) == {"schema", "file", "trt_version", "producer", "lines", "recognized", "unknown", "tables"}
    assert stats["trt_version"] == "8.4.1" and stats["lines"] == 3035
    assert stats["unknown"] == stats["lines"] - stats["recognized"]
    assert stats["tables"]["tactics"] == len(ref.tactics)


def test_unknown_lists_line_numbers():
    path = corpus_log("trt10.16-python-onnxparser-unknown-op-parse-error.log")
    r = cli("parse", str(path), "--unknown")
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    # line 148 is the bare tensor name "z" printed by the cookbook program (not followed by an array)
    assert "148: z" in lines
    assert all(l.split(":", 1)[0].isdigit() for l in lines)


def test_table_formats_and_output_dir(tmp_path, original):
    path, ref = original
    r = cli("parse", str(path), "--table", "layers", "--format", "csv")
    assert r.returncode == 0 and r.stdout.decode().splitlines()[0].startswith("run,line,name,type,tactic")
    r = cli("parse", str(path), "--table", "perf", "--format", "json")
    rows = json.loads(r.stdout)
    assert any(row["metric"] == "Throughput" for row in rows)
    out = tmp_path / "tables"
    assert cli("parse", str(path), "--format", "csv", "-o", str(out)).returncode == 0
    assert (out / "tactics.csv").exists() and (out / "messages.csv").exists()
    before = (out / "tactics.csv").read_bytes()
    r = cli("parse", str(path), "--format", "csv", "-o", str(out))    # never overwrite
    assert r.returncode == 2 and b"not overwriting" in r.stderr
    assert (out / "tactics.csv").read_bytes() == before


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b""), b"empty file"),
    (lambda p: p.write_bytes(bytes(range(256)) * 64), b"binary file"),
    (lambda p: p.write_text("hello\nworld\n"), b"not a TensorRT log"),
    (lambda p: None, b"no such file"),
])
def test_bad_input_one_line_exit_2(tmp_path, make, message):
    p = tmp_path / "input.log"
    make(p)
    r = cli("parse", str(p), "--stats")
    assert r.returncode == 2
    assert message in r.stderr and r.stderr.count(b"\n") == 1 and b"Traceback" not in r.stderr
    assert r.stdout == b""


def test_truncated_gzip(tmp_path, original):
    path, _ = original
    p = tmp_path / "cut.log.gz"
    p.write_bytes(gzip.compress(path.read_bytes())[:20000])
    r = cli("parse", str(p), "--stats")
    assert r.returncode == 2 and b"truncated or damaged gzip" in r.stderr and b"Traceback" not in r.stderr


def test_truncated_plain_log_still_parses(tmp_path, original):
    """A capture that stops mid-build (mid-line, even) is still a log: parse what is there."""
    path, ref = original
    p = tmp_path / "cut.log"
    p.write_bytes(path.read_bytes()[:100_000])
    bl = trtlog.load(p)
    assert 0 < bl.lines < ref.lines and bl.meta["build_ok"] is None


def test_directory_without_build_log(tmp_path):
    with pytest.raises(TrtlogError, match="without build.log"):
        trtlog.load(tmp_path)
    r = cli("parse", str(tmp_path), "--stats")
    assert r.returncode == 2


def test_unknown_table_is_usage_error(original):
    path, _ = original
    r = cli("parse", str(path), "--table", "nope")
    assert r.returncode == 2 and b"unknown table" in r.stderr
