"""`trtlog build --backend rtx`: real TensorRT-RTX builds on this machine's CPU (skipped only where
`tensorrt_rtx` cannot be imported), and the committed zoo bundles in tests/fixtures/rtx/.

The facts asserted on the committed logs were read in them by eye (`xzcat .../build.log.xz`);
parsing-level facts (layer tables, precisions) are tested with the parser.
"""
import importlib.util
import json
import lzma
import os
from pathlib import Path

import pytest
from zoo.entries import BY_NAME, ZOO
from zoo.models import write

from trtlog.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "rtx"
HAVE_RTX = importlib.util.find_spec("tensorrt_rtx") is not None
needs_rtx = pytest.mark.skipif(not HAVE_RTX, reason="tensorrt_rtx cannot be imported: pip install 'trtlog[rtx]'")


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build"] + [str(a) for a in args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def read_json(path):
    return json.loads(Path(path).read_text())


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoo-models")
    return lambda name: Path(write(name, folder))


# -- refused before anything is built -------------------------------------------------------------
REFUSED = [
    (["--fp16"], "--fp16: no weak typing in TensorRT-RTX; TensorRT-RTX networks are strongly typed: precision "
                 "comes from the ONNX graph"),
    (["--bf16", "--int8"], "--bf16 --int8: no weak typing in TensorRT-RTX"),
    (["--best"], "--best: no weak typing in TensorRT-RTX"),
    (["--calib-cache", "x.cache"], "--calib-cache: TensorRT-RTX has no INT8 calibration; put "
                                   "QuantizeLinear/DequantizeLinear with the scales into the ONNX graph"),
    (["--calib-data", "d", "--calib-batches", "4"],
     "--calib-data --calib-batches: TensorRT-RTX has no INT8 calibration"),
    (["--layer-precision", "/head/*=fp32"], "--layer-precision: TensorRT-RTX has no layer precision constraints"),
    (["--precision-constraints", "prefer"], "--precision-constraints: TensorRT-RTX has no layer precision constraints"),
    (["--tactic-sources", "-CUDNN"], "--tactic-sources: TensorRT-RTX compiles its own kernels"),
    (["--timing-cache", "t.cache"], "--timing-cache: timing-cache calls are no-ops in TensorRT-RTX"),
]


@pytest.mark.parametrize("args,message", REFUSED, ids=[a[0] for a, _ in REFUSED])
def test_refused_options_one_line_exit_2_no_bundle(tmp_path, capsys, args, message):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"not looked at: the option is refused first")
    code, out, err = run([model, "--backend", "rtx", "-o", tmp_path / "b"] + args, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trtlog: error: " + message.split(":")[0])
    assert message in lines[0]
    assert not (tmp_path / "b").exists()


def test_input_errors_before_any_build(tmp_path, capsys):
    code, _, err = run([tmp_path / "missing.onnx", "--backend", "rtx", "-o", tmp_path / "b"], capsys)
    assert (code, err.strip()) == (2, f"trtlog: error: model {tmp_path / 'missing.onnx'}: no such file")
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    code, _, err = run([empty, "--backend", "rtx", "-o", tmp_path / "b"], capsys)
    assert (code, err.strip()) == (2, f"trtlog: error: model {empty}: empty file")
    code, _, err = run([tmp_path, "--backend", "rtx", "-o", tmp_path / "b"], capsys)
    assert code == 2 and "is a directory" in err
    model = tmp_path / "m.onnx"
    model.write_bytes(b"x")
    for args, msg in ((["--compute-capability", "8.x"], "bad compute capability '8.x'"),
                      (["--compute-capability", "current,8.6"], "--compute-capability current stands alone"),
                      (["--shapes", "input:1xAx3"], "bad shape"),
                      (["--workspace", "lots"], "bad size 'lots'"),
                      (["--builder-opt-level", "7"], "--builder-opt-level must be 0..5")):
        code, _, err = run([model, "--backend", "rtx", "-o", tmp_path / "b"] + args, capsys)
        assert code == 2 and msg in err and len(err.strip().splitlines()) == 1, err
    for args in (["--compute-capability", "8.6"], ["--weight-streaming"], ["--runtime-cache", "r.cache"]):
        code, _, err = run([model, "--backend", "tensorrt", "-o", tmp_path / "b"] + args, capsys)
        assert code == 2 and f"{args[0]} is a TensorRT-RTX option: add --backend rtx" in err
    code, _, err = run([model, "--backend", "rtx", "--trtexec", "-o", tmp_path / "b"], capsys)
    assert code == 2 and "contradict" in err
    assert not (tmp_path / "b").exists()


@needs_rtx
def test_unknown_target_lists_the_real_ones(tmp_path, capsys, models):
    code, _, err = run([models("cnn"), "--backend", "rtx", "-o", tmp_path / "b", "--compute-capability", "9.0"], capsys)
    import tensorrt_rtx
    assert code == 2
    assert err.strip() == (f"trtlog: error: compute capability 9.0 is not a TensorRT-RTX {tensorrt_rtx.__version__} "
                           "target (targets: 7.5, 8.0, 8.6, 8.9, 12.0, 12.1)")
    assert not (tmp_path / "b").exists()


# -- real builds ----------------------------------------------------------------------------------
@needs_rtx
def test_cnn_builds_on_the_cpu_into_a_bundle(tmp_path, capsys, models):
    import tensorrt_rtx

    bundle = tmp_path / "cnn.trtlog"
    code, out, err = run([models("cnn"), "--backend", "rtx", "-o", bundle, "--no-progress"], capsys)
    assert code == 0, err
    assert out.startswith(f"built cnn.onnx with TensorRT-RTX {tensorrt_rtx.__version__} in ")
    env, status, config = (read_json(bundle / n) for n in ("env.json", "status.json", "config.json"))
    assert env["backend"] == "rtx" and env["tensorrt_rtx"] == tensorrt_rtx.__version__ and "tensorrt" not in env
    assert status["backend"] == "rtx" and status["ok"] and status["exit_code"] == 0 and status["phase"] == "done"
    assert status["engine_bytes"] == (bundle / "engine.plan").stat().st_size > 0
    assert config["backend"] == "rtx" and config["plan"]["profiling_verbosity"] == "DETAILED"
    assert config["plan"]["tensorrt_rtx"] == tensorrt_rtx.__version__
    assert config["inputs"] == [{"name": "input", "shape": [1, 3, 64, 64], "dtype": "FLOAT"}]
    log = (bundle / "build.log").read_text().splitlines()
    assert log[1].endswith(f"[TRT] [I] Input filename:   {models('cnn')}")
    # DETAILED verbosity: the builder prints the engine's layers and I/O tensors itself
    layers = [i for i, line in enumerate(log) if line.endswith("[TRT] [V] Layers:")]
    assert len(layers) == 1 and log[layers[0] + 1].startswith("Name: ")
    assert "I/O Tensors:" in log and " Name: input, IOMode: Input, DataType: Float, Dimensions: [1,3,64,64]" in \
        "\n".join(log)
    if status.get("inspector") == "skipped: no CUDA driver":
        assert not (bundle / "layers.json").exists()
        assert "no CUDA driver here" in err
    # the bundle is never overwritten without --force
    code, _, err = run([models("cnn"), "--backend", "rtx", "-o", bundle], capsys)
    assert code == 2 and "already holds a bundle" in err


@needs_rtx
def test_auto_backend_takes_rtx_without_tensorrt(tmp_path, capsys, models):
    if importlib.util.find_spec("tensorrt") is not None:
        pytest.skip("TensorRT is installed here: auto takes it")
    code, _, _ = run([models("fp16_casts"), "-o", tmp_path / "b"], capsys)
    assert code == 0 and read_json(tmp_path / "b" / "env.json")["backend"] == "rtx"


@needs_rtx
def test_invalid_profile_fails_with_the_root_cause(tmp_path, capsys, models):
    bundle = tmp_path / "b"
    code, _, err = run([models("dynamic_cnn"), "--backend", "rtx", "-o", bundle, "--min-shapes", "input:8x3x64x64",
                        "--opt-shapes", "input:4x3x64x64", "--max-shapes", "input:1x3x64x64"], capsys)
    assert code == 1
    status = read_json(bundle / "status.json")
    assert not status["ok"] and status["exit_code"] == 1 and status["phase"] == "build"
    assert status["error"].startswith(
        "optimization profile 1 rejected by TensorRT-RTX: IOptimizationProfile::isValid: "
        "Error Code 4: API Usage Error (Invalid optimization profiles for input tensors input")
    assert read_json(bundle / "config.json")["profiles_added"] == [-1]
    log = (bundle / "build.log").read_text()
    # TensorRT-RTX goes on to say no profile was defined: the status keeps the rejection instead
    assert "Network has dynamic or shape inputs, but no optimization profile has been defined" in log
    assert not (bundle / "engine.plan").exists()


@needs_rtx
def test_dynamic_input_without_profile_is_a_usage_error(tmp_path, capsys, models):
    code, _, err = run([models("dynamic_cnn"), "--backend", "rtx", "-o", tmp_path / "b"], capsys)
    assert code == 2
    assert err.strip() == ("trtlog: error: input 'input' has dynamic shape ?x3x?x?: give an optimization profile, "
                           "e.g. --shapes input:1x3x1x1 or --min-shapes/--opt-shapes/--max-shapes")
    assert not (tmp_path / "b").exists()


@needs_rtx
def test_two_profiles_and_three_targets(tmp_path, capsys, models):
    bundle = tmp_path / "b"
    code, _, err = run([models("dynamic_cnn"), "--backend", "rtx", "-o", bundle, "--compute-capability", "8.6,sm89",
                        "--compute-capability", "120", "--min-shapes", "input:1x3x32x32", "--opt-shapes",
                        "input:4x3x64x64", "--max-shapes", "input:8x3x64x64", "--min-shapes", "input:16x3x64x64",
                        "--opt-shapes", "input:16x3x64x64", "--max-shapes", "input:32x3x64x64"], capsys)
    assert code == 0, err
    config = read_json(bundle / "config.json")
    assert config["plan"]["compute_capabilities"] == ["SM86", "SM89", "SM120"]
    assert config["spec"]["compute_capabilities"] == ["8.6", "8.9", "12.0"]
    assert config["profiles_added"] == [0, 1]
    assert config["spec"]["extra_profiles"][0]["max_shapes"] == {"input": [32, 3, 64, 64]}
    log = (bundle / "build.log").read_text()
    assert "[TRT] [V] Number of target compute capabilities: 3\n" in log
    assert "[TRT] [V] Constructing optimization profile number 1 [2/2].\n" in log


@needs_rtx
def test_failures_keep_the_bundle(tmp_path, capsys, models):
    code, _, err = run([models("custom_op"), "--backend", "rtx", "-o", tmp_path / "op"], capsys)
    status = read_json(tmp_path / "op" / "status.json")
    assert code == 1 and status["phase"] == "parse" and status["backend"] == "rtx"
    assert status["error"] == ('ONNX parse failed: creator && "Plugin not found, are the plugin name, version, and '
                               'namespace correct?"')
    assert "trtlog: build failed: ONNX parse failed" in err
    # a build that returns no engine is a failure: 1 MiB of workspace leaves no tactic
    code, _, _ = run([models("transformer"), "--backend", "rtx", "-o", tmp_path / "ws", "--workspace", "1M"], capsys)
    status = read_json(tmp_path / "ws" / "status.json")
    assert code == 1 and not status["ok"] and status["engine_bytes"] == 0
    assert "Tactic Selection: no tactics to implement the operation within workspace limit" in status["error"]
    assert not (tmp_path / "ws" / "engine.plan").exists()


@needs_rtx
def test_current_target_without_driver_fails(tmp_path, capsys, models):
    from trtlog.run.bundle import gpu_info
    if gpu_info().get("compute_capability"):
        pytest.skip("a CUDA driver is present here")
    code, _, _ = run([models("cnn"), "--backend", "rtx", "-o", tmp_path / "b", "--compute-capability", "current"],
                     capsys)
    status = read_json(tmp_path / "b" / "status.json")
    assert code == 1 and "cudaError 35: CUDA driver version is insufficient for CUDA runtime version" in status["error"]


@needs_rtx
def test_weight_streaming_flag_and_runtime_cache_without_gpu(tmp_path, capsys, models):
    from trtlog.run.bundle import gpu_info
    cache = tmp_path / "rt.cache"
    code, _, err = run([models("fp16_mlp"), "--backend", "rtx", "-o", tmp_path / "b", "--weight-streaming",
                        "--runtime-cache", cache, "--builder-opt-level", "2", "--workspace", "256M"], capsys)
    assert code == 0, err
    plan = read_json(tmp_path / "b" / "config.json")["plan"]
    assert plan["weight_streaming"] and plan["builder_opt_level"] == 2 and plan["workspace"] == 256 * 2 ** 20
    status = read_json(tmp_path / "b" / "status.json")
    if not gpu_info().get("compute_capability"):
        assert status["runtime_cache"] == "skipped: no CUDA driver" and not cache.exists()
        assert f"--runtime-cache {cache}: filled when the engine first runs on a GPU" in err


# -- the committed zoo bundles --------------------------------------------------------------------
def committed(name):
    return FIXTURES / name


def log_lines(name):
    """The log's lines split at newlines only: TensorRT-RTX separates the `[ONNX Layer: ...]` entries
    of a ForeignNode's metadata with \x1e, which str.splitlines() would also split at."""
    return lzma.open(committed(name) / "build.log.xz", "rt", encoding="utf-8", newline="").read().split("\n")[:-1]


def test_every_zoo_entry_has_its_outcome_committed():
    rows = {r["name"]: r for r in read_json(FIXTURES / "zoo.json")}
    assert len(ZOO) >= 25 and set(rows) == {e.name for e in ZOO} | {"two_builds", "build_then_load", "bad_timing_cache"}
    for entry in ZOO:
        row = rows[entry.name]
        assert row["exit"] == entry.exit and row["as_expected"], entry.name
        bundle = committed(entry.name)
        if entry.exit == 2:               # refused by trtlog: no bundle
            assert not bundle.exists()
            continue
        assert sorted(os.listdir(bundle)) == ["build.log.xz", "config.json", "env.json", "status.json"], entry.name
        env, status = read_json(bundle / "env.json"), read_json(bundle / "status.json")
        assert env["backend"] == status["backend"] == "rtx" and env["tensorrt_rtx"] == "1.7.1.116"
        assert "tensorrt" not in env
        assert status["exit_code"] == entry.exit and status["ok"] == (entry.exit == 0)
        assert len(log_lines(entry.name)) == row["log_lines"]


def test_committed_fixtures_stay_small():
    total = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert total < 1_000_000
    assert not list(FIXTURES.rglob("engine.plan"))


def test_layernorm_fp16_overflow_warning_lines():
    log = log_lines("layernorm_decomposed_fp16")
    assert len(log) == 357
    warnings = [(i + 1, line.split("] [W] ", 1)[1]) for i, line in enumerate(log) if "] [W] " in line]
    assert [n for n, _ in warnings] == [294, 296]
    assert warnings[0][1] == "Detected layernorm nodes in FP16."
    assert warnings[1][1].startswith("Running layernorm after self-attention with FP16 Reduce or Pow may cause "
                                     "overflow. Forcing Reduce or Pow Layers in FP32 precision")
    assert log[294].endswith("[TRT] [V] //ln/mean,//ln/pow,//ln/var")   # the layers it means, line 295
    assert not [line for line in log_lines("layernorm_decomposed_fp32") if "] [W] " in line]
    assert not [line for line in log_lines("layernorm_op_fp16") if "] [W] " in line]


def test_rejected_profile_lines():
    log = log_lines("profile_min_gt_max")
    errors = {i + 1: line.split("] [E] ", 1)[1] for i, line in enumerate(log) if "] [E] " in line}
    expected = {165: "IOptimizationProfile::isValid: Error Code 4: API Usage Error (Invalid optimization profiles "
                     "for input tensors input, please ensure that the optimization profiles satisfy MIN<=OPT<=MAX.",
                166: "[checkMacros.cpp::catchCudaError::250] Error Code 1: Cuda Runtime",
                167: "IBuilderConfig::addOptimizationProfile: Error Code 3: API Usage Error (Parameter check failed, "
                     "condition: profile->isValid().",
                168: "[checkMacros.cpp::catchCudaError::250] Error Code 1: Cuda Runtime",
                170: "IBuilder::buildSerializedNetwork: Error Code 4: API Usage Error (Network has dynamic or shape "
                     "inputs, but no optimization profile has been defined."}
    assert sorted(errors) == sorted(expected)
    for n, start in expected.items():
        assert errors[n].startswith(start), n
    assert "(cudaError 35: CUDA driver version is insufficient for CUDA runtime version))" in errors[166]
    assert "no optimization profile has been defined" in log[169]
    assert read_json(committed("profile_min_gt_max") / "status.json")["error"].startswith(
        "optimization profile 1 rejected by TensorRT-RTX: IOptimizationProfile::isValid")


def test_two_builds_in_one_log():
    log = log_lines("two_builds")
    assert len(log) == 1143
    starts = [i + 1 for i, line in enumerate(log) if "[TRT] [I] Input filename:" in line]
    done = [i + 1 for i, line in enumerate(log) if "[TRT] [I] Engine generation completed in" in line]
    layers = [i + 1 for i, line in enumerate(log) if line.endswith("[TRT] [V] Layers:")]
    assert starts == [2, 397] and done == [376, 1122] and layers == [377, 1123]
    assert log[1].endswith("cnn.onnx") and log[396].endswith("transformer.onnx")
    status = read_json(committed("two_builds") / "status.json")
    assert [b["ok"] for b in status["builds"]] == [True, True]


def test_build_then_load_without_driver():
    log = log_lines("build_then_load")
    assert len(log) == 399
    assert log[395].endswith("[TRT] [I] Loaded engine size: 0 MiB")      # line 396, after the build
    assert "[TRT] [V] Skipping the engine compute capability check: In getCurrentCC" in log[396]
    assert "[TRT] [E] IRuntime::deserializeCudaEngine: Error Code 1: Cuda Runtime (In ScopedCudaStream" in log[397]
    assert all("(cudaError 35: CUDA driver version is insufficient for CUDA runtime version)" in line
               for line in log[396:399])
    status = read_json(committed("build_then_load") / "status.json")
    assert status["builds"][0]["ok"] and status["builds"][0]["deserialized"] is False
    assert status["exit_code"] == 1 and status["error"] == "engine of tests/zoo/models/cnn.onnx did not deserialize"


def test_target_failures_name_the_target():
    (line,) = [line for line in log_lines("fp8_qdq_sm86") if "] [E] " in line]
    assert "Cannot compile for target(s) sm86, because the model contains HW-specific datatypes: fp8_e4m3" in line
    (line,) = [line for line in log_lines("cc_turing") if "] [E] " in line]
    assert "Cannot compile operation '/fc' for Turing (SM75): FP32 GEMM is not supported" in line
    assert "[TRT] [V] Number of target compute capabilities: 3" in "\n".join(log_lines("cc_several"))
    assert BY_NAME["cc_several"].args == ["--compute-capability", "8.6,8.9,12.0"]


@needs_rtx
def test_live_progress_follows_the_build(tmp_path, models):
    import io
    import re

    from trtlog.run.options import BuildSpec
    from trtlog.run.progress import Progress
    from trtlog.run.rtx import rtx_build

    stream = io.StringIO()
    result = rtx_build(BuildSpec(model=str(models("transformer"))), tmp_path / "b",
                       progress=Progress(stream=stream, enabled=True, interval=0))
    assert result.ok and result.exit_code == 0
    seen = []
    for frame in stream.getvalue().split("\r"):
        text = re.sub(r"\s+\d+:\d\d$", "", frame.replace("\x1b[K", ""))
        if text and (not seen or seen[-1] != text):
            seen.append(text)
    # the line may show 'starting' before the first phase when the machine is slow to get there
    if seen[:1] == ["[trtlog] starting"]:
        seen = seen[1:]
    # the whole transformer block becomes one Myelin ForeignNode: one layer to cost
    assert seen == ["[trtlog] parsing ONNX", "[trtlog] building", "[trtlog] timing tactics",
                    "[trtlog] timing tactics  layer 1/1", "[trtlog] generating engine", "[trtlog] serializing",
                    "[trtlog] writing bundle"]


# the Datatype words of the Layers: blocks (input, constant and output tensors of every engine
# layer), counted in the committed logs: the precision the graph asked for reached the engine
DATATYPES = {
    "cnn": {"Float": 29},
    "fp16_casts": {"Float": 6, "Half": 11},
    "fp16_mlp": {"Half": 12},
    "bf16_mlp": {"BFloat16": 6, "Float": 4},
    "int8_qdq_per_tensor": {"Float": 12, "Int8": 7},
    "int8_qdq_per_channel": {"Float": 14, "Int8": 7},
    "fp8_qdq": {"FP8": 3, "Float": 5},
    "int4_weight_only": {"Half": 3, "Int4": 1},
    "transformer_fp16": {"Float": 4, "Half": 26},
}


@pytest.mark.parametrize("name", sorted(DATATYPES))
def test_layer_datatypes_in_committed_logs(name):
    import collections
    import re

    words = re.findall(r"Datatype: (\w+)", "\n".join(log_lines(name)))
    assert dict(collections.Counter(words)) == DATATYPES[name]


def test_zoo_models_are_deterministic():
    from zoo.models import MODELS

    for name, make in MODELS.items():
        assert make().SerializeToString() == make().SerializeToString(), name


def test_attention_fused_only_in_fp16():
    """Both blocks are found as self-attention (lines 676-678); in FP16 the MatMul-Softmax-MatMul
    becomes one `_gemm_mha_v2` kernel (line 731), in FP32 it stays two GEMMs around a softmax."""
    fp16, fp32 = log_lines("transformer_fp16"), log_lines("transformer")
    for log in (fp16, fp32):
        assert sorted(line.split("] [V] ")[1] for line in log[675:678]) == [
            f"Found /attn/{n} to be part of self-attention pattern." for n in ("pv", "qk", "softmax")]
    names = [line.split(",")[0] for line in fp16 if line.startswith("Name: ")]
    assert names[2] == "Name: _gemm_mha_v2_myl0_2" and fp16[730].startswith(names[2])
    names = [line.split(",")[0] for line in fp32 if line.startswith("Name: ")]
    assert names[1:5] == ["Name: /attn/v+/attn/k+/attn/q_myl0_1", "Name: /attn/qk_myl0_2",
                          "Name: __myl_MulMaxrSubExpSumDivMul_myl0_3", "Name: /attn/pv_myl0_4"]


INTERRUPT_SCRIPT = """
import os, signal, sys
from trtlog.run.options import BuildSpec
from trtlog.run.progress import Progress
from trtlog.run.rtx import rtx_build

class CtrlC(Progress):      # presses Ctrl-C when TensorRT-RTX logs the given message
    def feed(self, letter, msg):
        super().feed(letter, msg)
        if sys.argv[3] in msg:
            os.kill(os.getpid(), signal.SIGINT)

rtx_build(BuildSpec(model=sys.argv[1]), sys.argv[2], progress=CtrlC(enabled=False))
"""


@needs_rtx
@pytest.mark.parametrize("at,bundle_kept", [("Parsing node", False), ("Computing costs for", True)])
def test_ctrl_c_exits_130(tmp_path, models, at, bundle_kept):
    """Ctrl-C arrives while TensorRT-RTX is inside a logger callback: during the ONNX parse (no
    bundle yet) and while costing layers (the partial log and the status stay)."""
    import subprocess
    import sys

    script = tmp_path / "ctrl_c.py"
    script.write_text(INTERRUPT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.run([sys.executable, str(script), str(models("cnn")), str(tmp_path / "b"), at],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 130, proc.stderr
    if not bundle_kept:
        assert proc.stderr.strip().splitlines()[-1] == "trtlog: interrupted" and not (tmp_path / "b").exists()
        return
    status = read_json(tmp_path / "b" / "status.json")
    assert status["exit_code"] == 130 and status["interrupted"] and status["backend"] == "rtx"
    assert status["error"] == "interrupted (Ctrl-C) while timing tactics"
    log = (tmp_path / "b" / "build.log").read_text().splitlines()
    assert "Computing costs for" in log[-1] and not (tmp_path / "b" / "engine.plan").exists()


def test_env_names_the_backend_and_its_version():
    from trtlog.run.bundle import collect_env

    trt = collect_env("10.16.1", "python", gpu={}, backend="tensorrt")
    assert (trt["backend"], trt["tensorrt"]) == ("tensorrt", "10.16.1") and "tensorrt_rtx" not in trt
    rtx = collect_env("1.7.1.116", "python", gpu={}, backend="rtx")
    assert (rtx["backend"], rtx["tensorrt_rtx"]) == ("rtx", "1.7.1.116") and "tensorrt" not in rtx
    exe = collect_env("10.16.1", "trtexec", gpu={}, backend="trtexec")
    assert (exe["backend"], exe["tensorrt"], exe["producer"]) == ("trtexec", "10.16.1", "trtexec")


def test_naming_an_input_again_starts_the_next_profile():
    from trtlog.errors import TrtlogError
    from trtlog.run.options import BuildSpec, parse_shape_sets
    from trtlog.run.trtexec import trtexec_args
    from trtlog.run.version import parse_version

    assert parse_shape_sets(["x:1x3,mask:1x8", "x:8x3"]) == [{"x": (1, 3), "mask": (1, 8)}, {"x": (8, 3)}]
    spec = BuildSpec(model="m.onnx", min_shapes={"x": (1, 3)}, opt_shapes={"x": (2, 3)}, max_shapes={"x": (4, 3)},
                     extra_profiles=[{"shapes": {"x": (16, 3)}}])
    assert spec.profile_count() == 2
    assert spec.profile_for("x", 0) == ((1, 3), (2, 3), (4, 3))
    assert spec.profile_for("x", 1) == ((16, 3), (16, 3), (16, 3))
    with pytest.raises(TrtlogError, match="several optimization profiles"):
        trtexec_args(spec, "b", parse_version("10.16.1"))
