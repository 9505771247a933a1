"""`trtlog build --trtexec PATH` with a stand-in trtexec: a script that records its arguments and
replays a real corpus trtexec log on stdout, then exits with the status that run had. Only the
subprocess is stood in; flag translation, capture, progress parsing and the bundle are real."""
import json
import sys
from pathlib import Path

import pytest

from trtlog.cli import main
from trtlog.run.options import BuildSpec
from trtlog.run.trtexec import envelope_split, probe_version, trtexec_args
from trtlog.run.version import parse_version

LOGS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
MNIST_86 = LOGS / "trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"
PAD_82 = LOGS / "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"


def standin(tmp_path, log: Path, code: int, engine: bool = True) -> Path:
    if not log.is_file():
        pytest.skip("corpus not present")
    exe = tmp_path / "trtexec"
    exe.write_text(f"""#!{sys.executable}
import sys
with open({str(tmp_path / 'calls.jsonl')!r}, "a") as f:
    f.write(__import__("json").dumps(sys.argv[1:]) + "\\n")
sys.stdout.buffer.write(open({str(log)!r}, "rb").read())
for a in sys.argv[1:]:
    if {engine!r} and a.startswith("--saveEngine="):
        open(a.split("=", 1)[1], "wb").write(b"stand-in engine")
sys.exit({code})
""")
    exe.chmod(0o755)
    return exe


def run_cli(args):
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code


def calls(tmp_path):
    return [json.loads(l) for l in (tmp_path / "calls.jsonl").read_text().splitlines()]


def test_successful_trtexec_build_is_captured(tmp_path):
    exe = standin(tmp_path, MNIST_86, 0)
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx")
    out = tmp_path / "bundle"
    code = run_cli(["build", str(model), "-o", str(out), "--fp16", "--workspace", "1024",
                    "--min-shapes", "tensor-0:1x1x28x28", "--opt-shapes", "tensor-0:4x1x28x28",
                    "--max-shapes", "tensor-0:16x1x28x28", "--builder-opt-level", "3", "--trtexec", str(exe)])
    assert code == 0
    # the log is kept byte for byte
    assert (out / "build.log").read_bytes() == MNIST_86.read_bytes()
    status = json.loads((out / "status.json").read_text())
    assert status["ok"] is True and status["exit_code"] == 0 and status["producer"] == "trtexec"
    assert status["build_seconds"] == 9.552      # "[I] Engine built in 9.55249 sec." (line 3433)
    assert status["warnings"] == 6 and status["errors"] == 0    # six [W] lines in that log
    env = json.loads((out / "env.json").read_text())
    assert env["tensorrt"] == "8.6.0"                           # from the banner "[TensorRT v8600]"
    probe, build = calls(tmp_path)
    assert probe == ["--help"]
    assert f"--onnx={model}" in build and "--fp16" in build
    assert "--memPoolSize=workspace:1024M" in build
    assert "--minShapes=tensor-0:1x1x28x28" in build and "--maxShapes=tensor-0:16x1x28x28" in build
    assert "--builderOptimizationLevel=3" in build
    for flag in ("--verbose", "--profilingVerbosity=detailed", f"--exportLayerInfo={out / 'layers.json'}",
                 f"--exportProfile={out / 'profile.json'}", f"--exportTimes={out / 'times.json'}",
                 f"--saveEngine={out / 'engine.plan'}"):
        assert flag in build
    config = json.loads((out / "config.json").read_text())
    assert config["command"][0] == str(exe) and config["trtexec_version"] == "8.6.0"


def test_failed_trtexec_build_still_writes_bundle(tmp_path, capsys):
    exe = standin(tmp_path, PAD_82, 1)
    model = tmp_path / "unit.onnx"
    model.write_bytes(b"onnx")
    out = tmp_path / "failed"
    code = run_cli(["build", str(model), "-o", str(out), "--shapes", "input:1x3x64x64", "--trtexec", str(exe)])
    assert code == 1
    status = json.loads((out / "status.json").read_text())
    assert status["ok"] is False and status["exit_code"] == 1 and status["trtexec_exit"] == 1
    assert status["error"] == "Engine set up failed"            # the last [E] line of that run
    assert status["errors"] == 10                               # ten [E]-enveloped lines
    assert (out / "build.log").read_bytes() == PAD_82.read_bytes()
    assert "build failed: Engine set up failed" in capsys.readouterr().err
    assert "--shapes=input:1x3x64x64" in calls(tmp_path)[1]


def test_exit_0_without_an_engine_file_is_a_failed_build(tmp_path, capsys):
    # the run of a real successful log, but no engine.plan written: not a success (issue 17)
    exe = standin(tmp_path, MNIST_86, 0, engine=False)
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx")
    out = tmp_path / "noengine"
    code = run_cli(["build", str(model), "-o", str(out), "--trtexec", str(exe)])
    assert code == 1
    status = json.loads((out / "status.json").read_text())
    assert status["ok"] is False and status["trtexec_exit"] == 0 and status["engine_bytes"] == 0
    assert "wrote no engine (engine.plan)" in status["error"]


def test_bin_true_as_trtexec_is_not_a_success(tmp_path, capsys):
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx")
    code = run_cli(["build", str(model), "-o", str(tmp_path / "b"), "--trtexec", "/bin/true"])
    assert code in (1, 2)
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "built" not in err[-1] and "internal error" not in err[-1]


def test_version_gates_use_the_probed_banner(tmp_path):
    exe = standin(tmp_path, PAD_82, 1)           # banner: [TensorRT v8204]
    assert probe_version(str(exe)) == parse_version("8.2.4")
    model = tmp_path / "m.onnx"
    model.write_bytes(b"x")
    code = run_cli(["build", str(model), "-o", str(tmp_path / "b"), "--builder-opt-level", "2",
                    "--trtexec", str(exe)])
    assert code == 2 and not (tmp_path / "b").exists()


def test_flag_translation_tables():
    s = BuildSpec(model="m.onnx", precisions=["int8"], workspace=256 * 1024,
                  tactic_sources="EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS",
                  layer_precisions={"/head/Gemm": "fp32"}, precision_constraints="prefer",
                  calib_cache="c.cache", timing_cache="tc.cache", verbose=False)
    args, notes = trtexec_args(s, "B", parse_version("8.6.0"), {"compute_capability": "9.0"})
    assert "--int8" in args and "--calib=c.cache" in args
    assert "--memPoolSize=workspace:256K" in args
    assert "--tacticSources=-CUBLAS,-CUBLAS_LT,-CUDNN,+EDGE_MASK_CONVOLUTIONS,+JIT_CONVOLUTIONS" in args
    assert "--layerPrecisions=/head/Gemm:fp32" in args and "--precisionConstraints=prefer" in args
    assert "--timingCacheFile=tc.trt8.6.0-sm90.cache" in args
    assert "--verbose" not in args and "--profilingVerbosity=detailed" in args
    # TensorRT 11: no weak typing flags at all, and it says so
    args, notes = trtexec_args(BuildSpec(model="m.onnx", precisions=["fp16"], best=True), "B", parse_version("11.0"))
    assert not {"--fp16", "--best"} & set(args) and "removed weak typing" in notes[0]


def test_envelope_split_on_real_lines():
    if not MNIST_86.is_file():
        pytest.skip("corpus not present")
    lines = MNIST_86.read_text().splitlines()
    assert envelope_split(lines[3432]) == ("I", "Engine built in 9.55249 sec.")
    assert envelope_split(lines[3407]) == ("V", "Engine generation completed in 5.7269 seconds.")
    assert envelope_split(lines[0])[0] == ""    # the &&&& RUNNING banner has no envelope
