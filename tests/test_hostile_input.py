"""Issue 17: hostile and unlucky input. Each case is a real log or bundle (mutated where the case is
about the mutation) with the exit code and the one-line message it must give; none gives exit 3."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import corpus_log

import trtlog
from trtlog.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "gpu"
# trtexec 8.6.0 FP16 build: banner "[TensorRT v8600]" (line 1), "Engine built in 9.55249 sec." (line 3433)
MNIST = "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exc.value.code, out, err.strip()


def one_line(err: str) -> str:
    assert "\n" not in err and "Traceback" not in err and "internal error" not in err, err
    return err


def mutated(tmp_path, old: bytes, new: bytes, name="mutated.log", count=1) -> Path:
    data = corpus_log(MNIST).read_bytes()
    assert old in data
    out = tmp_path / name
    out.write_bytes(data.replace(old, new, count))
    return out


@pytest.fixture
def bundle(tmp_path):
    src = FIX / "cnn-fp16-trt8.6.0"
    dst = tmp_path / "bundle"
    shutil.copytree(src, dst)
    return dst


# -- numbers ---------------------------------------------------------------------------------------
def test_line_of_22_digits_parses(tmp_path, capsys):
    log = mutated(tmp_path, b"\n", b"\n1234567890123456789012x\n")
    code, out, err = run(capsys, "parse", log, "--stats")
    assert code == 0, err


def test_integer_beyond_int64_is_missing_with_text_kept(tmp_path, capsys):
    # "Total Host Persistent Memory: 32960" (line 3387)
    log = mutated(tmp_path, b"Total Host Persistent Memory: 32960",
                  b"Total Host Persistent Memory: 99999999999999999999999")
    bl = trtlog.load(log)
    mem = bl.tables["memory"]
    row = mem[mem["name"].astype(str).str.contains("Host Persistent")].iloc[0]
    assert row["bytes"] is pd_na()
    assert bl.messages["text"].str.contains("99999999999999999999999").any()
    for cmd in ("explain", "report"):
        args = [cmd, log] + (["-o", tmp_path / "r.html"] if cmd == "report" else [])
        code, _, err = run(capsys, *args)
        assert code == 0, err


def pd_na():
    import pandas as pd
    return pd.NA


def test_one_digit_version_code(tmp_path, capsys):
    log = mutated(tmp_path, b"[TensorRT v8600]", b"[TensorRT v8]", count=-1)
    assert trtlog.load(log).trt_version == "8"
    code, _, err = run(capsys, "explain", log)
    assert code == 0, err


@pytest.mark.parametrize("value", [b"inf", b"nan"])
def test_inf_nan_build_time(tmp_path, capsys, value):
    log = mutated(tmp_path, b"Engine built in 9.55249 sec.", b"Engine built in " + value + b" sec.")
    secs = trtlog.load(log).meta.get("build_seconds")   # a time of inf/nan measures nothing
    assert secs is None or math.isfinite(secs)
    for cmd in ("explain", "report"):
        args = [cmd, log] + (["-o", tmp_path / f"r-{value.decode()}.html"] if cmd == "report" else [])
        code, _, err = run(capsys, *args)
        assert code == 0, err


# -- bundle JSON -------------------------------------------------------------------------------------
def _edit_json(path: Path, fn):
    doc = json.loads(path.read_text(), strict=False)   # TensorRT 8.6 writes raw control bytes
    path.write_text(json.dumps(fn(doc)))


@pytest.mark.parametrize("name,edit,message", [
    ("status.json", lambda d: {**d, "engine_bytes": "lots"},
     'status.json: "engine_bytes" must be an integer, not the string "lots"'),
    ("status.json", lambda d: {**d, "ok": "false"}, 'status.json: "ok" must be true or false, not the string "false"'),
    ("layers.json", lambda d: [1, 2, 3], "layers.json: [0] must be a layer name or a layer object, not integer 1"),
    ("config.json", lambda d: {**d, "spec": {**d["spec"], "precisions": "fp16"}},
     'config.json: "spec".precisions must be a list, not the string "fp16"'),
    # every key the loader reads is typed: several builds, the TensorRT-RTX version, profiles, the plan
    ("status.json", lambda d: {**d, "builds": [{"ok": "yes"}]},
     'status.json: "builds"[0].ok must be true or false, not the string "yes"'),
    ("env.json", lambda d: {**d, "tensorrt_rtx": ["1.7"]},
     'env.json: "tensorrt_rtx" must be a string or a number, not a list'),
    ("config.json", lambda d: {**d, "spec": {**d["spec"], "min_shapes": {"input": [1, 3.5]}}},
     'config.json: "spec".min_shapes.input[1] must be an integer, not number 3.5'),
    ("config.json", lambda d: {**d, "profiles_added": "0"},
     'config.json: "profiles_added" must be a list, not the string "0"'),
    ("config.json", lambda d: {**d, "plan": {"tactic_sources": "CUBLAS"}},
     'config.json: "plan".tactic_sources must be a list, not the string "CUBLAS"'),
])
def test_bundle_json_with_wrong_types(bundle, capsys, name, edit, message):
    path = bundle / name
    if name == "layers.json":
        import lzma
        path.write_bytes(lzma.decompress((bundle / "layers.json.xz").read_bytes()))
        (bundle / "layers.json.xz").unlink()
    _edit_json(path, edit)
    code, _, err = run(capsys, "explain", bundle)
    assert code == 2
    assert one_line(err).endswith(message), err


def test_profile_json_with_a_string_time(bundle, capsys):
    # the --exportProfile shape ([{"count"}, {"name", "timeMs", ...}]) over this bundle's real layer names
    import lzma
    layers = json.loads(lzma.decompress((bundle / "layers.json.xz").read_bytes()), strict=False)["Layers"]
    doc = [{"count": 10}] + [{"name": l["Name"], "timeMs": 1.0, "averageMs": 0.1, "medianMs": 0.1,
                              "percentage": 1.0} for l in layers]
    doc[1]["timeMs"] = "abc"
    (bundle / "profile.json").write_text(json.dumps(doc))
    code, _, err = run(capsys, "explain", bundle)
    assert code == 2
    assert one_line(err).endswith('profile.json: [1].timeMs must be a finite number, not the string "abc"')


def test_deeply_nested_json(bundle, capsys):
    (bundle / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = run(capsys, "explain", bundle)
    assert code == 2
    assert "config.json" in one_line(err) and "nested too deeply" in err


def test_bundle_log_linked_to_a_non_tensorrt_file(bundle, capsys):
    (bundle / "build.log.xz").unlink()
    (bundle / "build.log").symlink_to(ROOT / "README.md")
    code, _, err = run(capsys, "explain", bundle)
    assert code == 2 and "not a TensorRT log" in one_line(err)


# -- OS errors -------------------------------------------------------------------------------------
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_bundle_directory(bundle, capsys):
    bundle.chmod(0)
    try:
        code, _, err = run(capsys, "explain", bundle)
    finally:
        bundle.chmod(0o755)
    assert code == 2 and str(bundle) in one_line(err)


def test_parse_o_into_read_only_folder(tmp_path, capsys):
    if os.geteuid() == 0:       # root writes into any folder of a writable file system
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("needs a read-only folder")
        target = Path("/sys/kernel/trtlog-tables")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "tables"
    try:
        code, _, err = run(capsys, "parse", corpus_log(MNIST), "-o", target)
    finally:
        if os.geteuid() != 0:
            target.parent.chmod(0o755)
    assert code == 2 and one_line(err).startswith(f"trtlog: error: cannot create {target}: ")


def test_report_into_a_folder_it_cannot_write(capsys):
    if not os.path.isdir("/sys/kernel"):
        pytest.skip("needs /sys")
    code, _, err = run(capsys, "report", corpus_log(MNIST), "-o", "/sys/kernel/r.html")
    assert code == 2 and one_line(err).startswith("trtlog: error: cannot write /sys/kernel/r.html: ")


def test_diff_o_into_missing_folder(tmp_path, capsys):
    log = corpus_log(MNIST)
    code, _, err = run(capsys, "diff", log, log, "-o", tmp_path / "nope" / "d.txt")
    assert code == 2 and "does not exist" in one_line(err)


def test_diff_stdin_twice(capsys):
    code, _, err = run(capsys, "diff", "-", "-")
    assert code == 2 and "both be '-'" in one_line(err)


def _cli(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "trtlog", *map(str, args)], env=env, **kw)


def test_closed_stdin():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run(f"{sys.executable} -m trtlog parse - <&-", shell=True, capture_output=True, env=env)
    assert p.returncode == 2 and b"standard input" in p.stderr and b"Traceback" not in p.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_on_a_full_disk():
    with open("/dev/full", "w") as full:
        p = _cli("parse", corpus_log(MNIST), "--table", "messages", "--format", "csv", stdout=full,
                 stderr=subprocess.PIPE)
    err = p.stderr.decode().strip()
    assert p.returncode == 2 and err == "trtlog: error: cannot write standard output: no space left on the device"


def test_stdout_closed_by_its_reader():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run(f"{sys.executable} -m trtlog parse {corpus_log(MNIST)} --table messages --format csv | head -1",
                       shell=True, capture_output=True, env=env, executable="/bin/bash")
    assert p.stderr.decode().strip() == \
        "trtlog: error: cannot write standard output: broken pipe (its reader closed it)"
    assert p.stdout.decode().startswith("run,line,severity")


def test_interleaved_stdout_and_stderr(tmp_path, capsys):
    """stdout and stderr of one run in one file: lines cut by fragments of other lines."""
    fuzz = _fuzz_module()
    import random
    data = corpus_log(MNIST).read_bytes()
    for seed in range(8):
        path = tmp_path / f"interleaved-{seed}.log"
        path.write_bytes(fuzz.m_interleave(data, random.Random(seed)))
        code, _, err = run(capsys, "explain", path)
        assert code == 0, err


def _fuzz_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("fuzz_inputs", ROOT / "tools" / "fuzz_inputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- the output writer -------------------------------------------------------------------------------
def test_a_failed_write_leaves_the_previous_file(tmp_path):
    """A full disk half-way through `report --force`: the old report stays whole, no temp file."""
    import errno

    from trtlog.errors import TrtlogError
    from trtlog.output import write
    out = tmp_path / "r.html"
    out.write_text("the previous good report")

    def half_then_full(tmp):
        with open(tmp, "w") as fh:
            fh.write("<html>half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), tmp)
    with pytest.raises(TrtlogError, match=r"cannot write .*r\.html: no space left on the device"):
        write(out, half_then_full, force=True)
    assert out.read_text() == "the previous good report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_diff_o_refuses_to_overwrite_without_force(tmp_path, capsys):
    log = corpus_log(MNIST)
    out = tmp_path / "d.txt"
    out.write_text("keep me")
    code, _, err = run(capsys, "diff", log, log, "-o", out)
    assert code == 2 and "exists; not overwriting" in one_line(err) and out.read_text() == "keep me"
    code, _, err = run(capsys, "diff", log, log, "-o", out, "--force")
    assert code == 0 and out.read_text() != "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["d.txt"]     # no temporary file left behind


def test_diff_never_writes_over_an_input(tmp_path, capsys):
    a = tmp_path / "a.log"
    shutil.copy(corpus_log(MNIST), a)
    before = a.read_bytes()
    code, _, err = run(capsys, "diff", a, a, "-o", a, "--force")
    assert code == 2 and "is an input of this command" in one_line(err) and a.read_bytes() == before


def test_output_through_a_dangling_symlink_is_refused(tmp_path, capsys):
    link = tmp_path / "r.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    code, _, err = run(capsys, "report", corpus_log(MNIST), "-o", link, "--force")
    assert code == 2 and "symbolic link" in one_line(err) and not (tmp_path / "elsewhere.html").exists()


def test_parse_o_force(tmp_path, capsys):
    log = corpus_log(MNIST)
    code, _, err = run(capsys, "parse", log, "--table", "layers", "--format", "csv", "-o", tmp_path / "t")
    assert code == 0, err
    code, _, err = run(capsys, "parse", log, "--table", "layers", "--format", "csv", "-o", tmp_path / "t")
    assert code == 2 and "exists; not overwriting" in one_line(err)
    code, _, err = run(capsys, "parse", log, "--table", "layers", "--format", "csv", "-o", tmp_path / "t", "--force")
    assert code == 0, err


# -- encodings and NUL bytes ----------------------------------------------------------------------
@pytest.mark.parametrize("word,encoding,detected", [
    ("/home/josé/modèles", "latin-1", "cp1252"), ("/home/山田/モデル", "shift_jis", "cp932"),
    ("/home/张伟/模型", "gbk", "gbk"), ("/home/Zoë/naïve", "cp1252", "cp1252"), ("/data/模型", "utf-16", "utf-16")])
def test_encoding_is_detected_by_evidence(tmp_path, word, encoding, detected):
    # a user's non-ASCII folder in the model path of a real log ("--onnx=model.onnx"), saved in `encoding`
    text = corpus_log(MNIST).read_text(encoding="utf-8").replace("model.onnx", word + "/model.onnx")
    path = tmp_path / "enc.log"
    path.write_bytes(text.encode(encoding))
    bl = trtlog.load(path)
    assert bl.meta["encoding"] == detected
    assert word in bl.meta.get("command", "") or word in bl.messages["text"].iloc[0]


def test_leading_nuls_of_logrotate_copytruncate(tmp_path):
    data = corpus_log(MNIST).read_bytes()
    path = tmp_path / "rotated.log"
    path.write_bytes(b"\0" * 200_000 + data)
    bl = trtlog.load(path)
    assert bl.meta["leading_nul_bytes"] == 200_000 and bl.trt_version == "8.6.0"
    assert bl.lines == trtlog.load(corpus_log(MNIST)).lines


def test_isolated_nuls_are_tolerated(tmp_path):
    data = corpus_log(MNIST).read_bytes()
    path = tmp_path / "nul.log"
    path.write_bytes(data[:500] + b"\0" + data[500:40_000] + b"\0" + data[40_000:])
    assert trtlog.load(path).trt_version == "8.6.0"


def test_trailing_nul_blocks_of_a_crash_are_tolerated(tmp_path):
    # a small log cut by a crash: the file system filled the rest of its last block with NULs
    data = corpus_log("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log").read_bytes()
    path = tmp_path / "crashed.log"
    path.write_bytes(data[:2000] + b"\0" * 4096)
    bl = trtlog.load(path)
    errors = bl.tables["errors"]
    # line 1 "Error Code 4: Internal Error (Reshape_3 ...", line 2 "While parsing node number 13 [Pad ..."
    assert errors.loc[errors["line"] == 1, "code"].tolist() == [4]
    assert errors.loc[errors["line"] == 2, "kind"].tolist() == ["onnx_node"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_not_read_for_ever(capsys):
    code, _, err = run(capsys, "parse", "/dev/zero")
    assert code == 2 and one_line(err) == "trtlog: error: /dev/zero is a device, not a log file"


def test_binary_is_still_rejected_naming_the_file(tmp_path, capsys):
    path = tmp_path / "engine.plan"
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])   # an ELF binary
    code, _, err = run(capsys, "parse", path)
    assert code == 2 and str(path) in one_line(err) and "binary file" in err
