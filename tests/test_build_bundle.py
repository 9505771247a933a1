"""Bundle writing / refusal, the capturing log sink, live progress, and the no-TensorRT path."""
import importlib.util
import io
import json
import time
from pathlib import Path

import pytest

from trtlog.cli import main
from trtlog.errors import TrtlogError
from trtlog.run.bundle import BUNDLE_FILES, Bundle, collect_env, timing_cache_path
from trtlog.run.logger import LogSink
from trtlog.run.progress import Progress
from trtlog.run.trtexec import envelope_split

LOGS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"


def corpus(name):
    p = LOGS / name
    if not p.is_file():
        pytest.skip("corpus not present")
    return p


# -- bundle -----------------------------------------------------------------------------------------
def test_bundle_refuses_existing_then_force_replaces_only_its_files(tmp_path):
    d = tmp_path / "b"
    b = Bundle(d).create()
    (d / "build.log").write_text("old log\n")
    b.write_status(True, 0, "", 12.34567, 1000)
    (d / "notes.txt").write_text("mine")
    with pytest.raises(TrtlogError, match="already holds a bundle .*--force"):
        Bundle(d).check()
    assert (d / "build.log").read_text() == "old log\n"
    Bundle(d, force=True).create()
    assert not (d / "build.log").exists() and not (d / "status.json").exists()
    assert (d / "notes.txt").read_text() == "mine"          # not a bundle file: left alone


def test_bundle_on_a_file_or_unrelated_dir(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(TrtlogError, match="not a directory"):
        Bundle(f).check()
    other = tmp_path / "other"
    other.mkdir()
    (other / "readme.md").write_text("x")
    Bundle(other).check()          # a folder without bundle files may hold the bundle


def test_status_json_shape(tmp_path):
    b = Bundle(tmp_path / "s").create()
    b.write_status(False, 1, "calibration failed: no batches", 3.14159, 0, producer="python", phase="build")
    st = json.loads((tmp_path / "s" / "status.json").read_text())
    assert st == {"ok": False, "exit_code": 1, "error": "calibration failed: no batches", "build_seconds": 3.142,
                  "engine_bytes": 0, "producer": "python", "phase": "build"}
    assert set(BUNDLE_FILES) >= {"build.log", "engine.plan", "layers.json", "config.json", "env.json",
                                 "timing.cache", "status.json", "profile.json", "times.json"}


def test_env_has_versions_without_gpu():
    env = collect_env("8.6.0", "python", gpu={})
    assert env["tensorrt"] == "8.6.0" and env["python"] and env["trtlog"]


def test_timing_cache_is_per_version_and_gpu(tmp_path):
    gpu = {"gpu": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0"}
    a = timing_cache_path(tmp_path / "tc.cache", "8.6.0", gpu)
    b = timing_cache_path(tmp_path / "tc.cache", "8.5.3.1", gpu)
    c = timing_cache_path(tmp_path / "tc.cache", "8.6.0", {"compute_capability": "8.6"})
    assert a.name == "tc.trt8.6.0-sm90.cache" and b.name == "tc.trt8.5.3.1-sm90.cache"
    assert len({a, b, c}) == 3
    assert timing_cache_path(a, "8.6.0", gpu) == a       # an already tagged name is kept
    assert timing_cache_path(tmp_path / "t", "10.3.0", {"gpu": "Orin"}).name == "t.trt10.3.0-orin.cache"


# -- log sink ------------------------------------------------------------------------------------------
def _python_logger_lines(log: Path, n: int):
    """The first n single-line messages of a real `trt.Logger` log (envelope + text)."""
    lines = log.read_text().splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        if line.startswith("[") and "] [TRT] [" in line and lines[i + 1].startswith("["):
            out.append(line)
        if len(out) == n:
            break
    return out


def test_sink_writes_the_standard_python_logger_form(tmp_path):
    real = _python_logger_lines(corpus("trt10.16-python-profilingverbosity-verbose-h100.log"), 40)
    stamp = real[0][1:20]
    assert all(l[1:20] == stamp for l in real[:3])
    clock = time.mktime(time.strptime(stamp, "%m/%d/%Y-%H:%M:%S"))
    sink = LogSink("V", clock=lambda: clock)
    sink.attach(tmp_path / "build.log")
    n = 0
    for line in real:
        if line[1:20] != stamp:
            break
        letter, msg = line[29], line[32:]       # "[date] [TRT] [X] msg"
        sink.write(letter, msg)
        n += 1
    sink.close()
    written = (tmp_path / "build.log").read_text().splitlines()
    assert written == real[:n] and n >= 3


def test_sink_buffers_until_attached_filters_and_counts(tmp_path):
    err = io.StringIO()
    sink = LogSink("I", echo=err)
    sink.write("V", "dropped at INFO level")
    sink.write("I", "parsed before the bundle existed")
    sink.write("E", "Error Code 2: OutOfMemory")
    path = tmp_path / "build.log"
    sink.attach(path)
    sink.write("W", "after attach")
    sink.close()
    text = path.read_text()
    assert "dropped" not in text
    assert [l.split("] ", 2)[2] for l in text.splitlines()] == [
        "[I] parsed before the bundle existed", "[E] Error Code 2: OutOfMemory", "[W] after attach"]
    assert sink.counts["E"] == 1 and sink.counts["V"] == 0 and sink.last_error == "Error Code 2: OutOfMemory"
    assert "[TRT] [E] Error Code 2: OutOfMemory" in err.getvalue()


# -- progress ------------------------------------------------------------------------------------------
def test_progress_over_a_real_verbose_build():
    prog = Progress(enabled=False)
    seen_timing = []
    for line in corpus("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log").read_text().splitlines():
        letter, msg = envelope_split(line)
        prog.feed(letter, msg)
        if prog.phase == "timing tactics" and not seen_timing:
            seen_timing.append(prog.layer_n)
    # "After concat removal: 10 layers" precedes tactic timing; 10 "Computing costs for" blocks follow
    assert seen_timing == [10]
    assert prog.layer_k == 10
    assert prog.layer_n == 15          # "After reformat layers: 15 layers" comes after the timing
    assert prog.phase == "serializing"
    assert prog.engine_built_seconds == 9.55249


def test_progress_line_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    t = [0.0]
    stream = Tty()
    prog = Progress(stream=stream, clock=lambda: t[0])
    assert prog.enabled
    prog.feed("V", "After concat removal: 57 layers")
    prog.feed("V", "Constructing optimization profile number 0 [1/2].")
    t[0] = 75.0
    for _ in range(12):
        prog.feed("V", "=============== Computing costs for ")
    assert prog.render() == "[trtlog] timing tactics  layer 12/57  profile 1/2  1:15"
    assert stream.getvalue().startswith("\r[trtlog]")
    prog.finish()
    assert stream.getvalue().endswith("\r\x1b[K")
    quiet = io.StringIO()
    Progress(stream=quiet).feed("V", "After concat removal: 57 layers")
    assert quiet.getvalue() == ""        # not a terminal: nothing drawn


# -- without TensorRT --------------------------------------------------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("tensorrt") is not None, reason="TensorRT is installed here")
def test_without_tensorrt_one_line_and_exit_2(tmp_path, capsys):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"x")
    with pytest.raises(SystemExit) as exc:
        main(["build", str(model), "-o", str(tmp_path / "b"), "--fp16", "--backend", "tensorrt"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'trtlog[trt]'" in err[0]
    assert not (tmp_path / "b").exists()


def test_bad_option_values_exit_2(tmp_path, capsys):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"x")
    for args in (["--shapes", "input:1xAx3"], ["--workspace", "lots"], ["--layer-precision", "head=fp64"]):
        with pytest.raises(SystemExit) as exc:
            main(["build", str(model), "-o", str(tmp_path / "b")] + args)
        assert exc.value.code == 2
    assert not (tmp_path / "b").exists()
