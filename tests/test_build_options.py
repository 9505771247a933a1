"""`trtlog build` options -> BuildSpec -> builder-config plan, per TensorRT version.

The plan is a translation table: it only reads which enum members / attributes the installed
tensorrt module has. The module objects below describe the member sets of the real releases
(from the TensorRT Python API docs of 8.5, 8.6, 10.x and 11.0); the real builds run on the GPU
(tests/fixtures/gpu/)."""
import enum
from types import SimpleNamespace

import pytest

from trtlog.errors import TrtlogError
from trtlog.run.options import (
    BuildSpec,
    match_layers,
    parse_layer_precisions,
    parse_shapes,
    parse_size,
    parse_tactic_sources,
    plan_config,
)


def _enum(name, members):
    return enum.IntEnum(name, {m: i for i, m in enumerate(members)})


def api(version):
    """The members a tensorrt module of `version` exposes (only the ones the plan looks at)."""
    major, minor = (int(x) for x in version.split(".")[:2])
    v = (major, minor)
    flags = ["FP16", "INT8", "OBEY_PRECISION_CONSTRAINTS", "PREFER_PRECISION_CONSTRAINTS", "DIRECT_IO"]
    if v >= (9, 0):
        flags += ["BF16", "FP8"]
    if v >= (11, 0):
        flags = [f for f in flags if f not in ("FP16", "INT8", "BF16", "FP8", "OBEY_PRECISION_CONSTRAINTS",
                                               "PREFER_PRECISION_CONSTRAINTS", "DIRECT_IO")] + ["REFIT"]
    net_flags = ["EXPLICIT_BATCH"] if v < (11, 0) else []
    if v >= (10, 0):
        net_flags.append("STRONGLY_TYPED")
    sources = ["CUBLAS", "CUBLAS_LT", "CUDNN", "EDGE_MASK_CONVOLUTIONS", "JIT_CONVOLUTIONS"]
    config = SimpleNamespace(set_memory_pool_limit=object(), max_workspace_size=0 if v < (10, 0) else None)
    if v >= (8, 6):
        config.builder_optimization_level = 3
    if config.max_workspace_size is None:
        del config.max_workspace_size
    mod = SimpleNamespace(
        __version__=version,
        BuilderFlag=_enum("BuilderFlag", flags),
        NetworkDefinitionCreationFlag=_enum("NetworkDefinitionCreationFlag",
                                            net_flags or ["PREFER_JIT_PYTHON_PLUGINS"]),
        TacticSource=_enum("TacticSource", sources),
        MemoryPoolType=_enum("MemoryPoolType", ["WORKSPACE"]),
        ProfilingVerbosity=_enum("ProfilingVerbosity", ["LAYER_NAMES_ONLY", "NONE", "DETAILED"]),
        DataType=_enum("DataType",
                       ["FLOAT", "HALF", "INT8", "INT32", "BOOL"] + (["BF16", "FP8"] if v >= (9, 0) else [])),
        IBuilderConfig=config,
    )
    if v < (11, 0):
        mod.IInt8EntropyCalibrator2 = object
    return mod


def spec(**kw):
    return BuildSpec(model="m.onnx", **kw)


# -- value parsing ----------------------------------------------------------------------------------
def test_parse_shapes_trtexec_syntax():
    assert parse_shapes(["input:1x3x224x224,mask:1x128"]) == {"input": (1, 3, 224, 224), "mask": (1, 128)}
    # names may hold ':' (the last one splits), as trtexec does
    assert parse_shapes("encoder:0:4x16") == {"encoder:0": (4, 16)}
    for bad in ("input", "input:1x3xa", ":1x3", "input:"):
        with pytest.raises(TrtlogError):
            parse_shapes(bad)


def test_parse_size_units():
    assert parse_size("1024") == 1024 * 2 ** 20          # trtexec's default unit is MiB
    assert parse_size("256K") == 256 * 1024
    assert parse_size("64MiB") == 64 * 2 ** 20
    assert parse_size("2G") == 2 * 2 ** 30
    assert parse_size("4096B") == 4096
    with pytest.raises(TrtlogError):
        parse_size("lots")


def test_layer_precision_and_tactic_sources_syntax():
    assert parse_layer_precisions(["/head/*=fp32", "conv1:fp16"]) == {"/head/*": "fp32", "conv1": "fp16"}
    with pytest.raises(TrtlogError):
        parse_layer_precisions(["head=fp64"])
    assert parse_tactic_sources("-CUBLAS,+jit_convolutions") == [("-", "CUBLAS"), ("+", "JIT_CONVOLUTIONS")]
    assert parse_tactic_sources("EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS") == [
        ("=", "EDGE_MASK_CONVOLUTIONS"), ("=", "JIT_CONVOLUTIONS")]
    with pytest.raises(TrtlogError):
        parse_tactic_sources("+CUBLAS,CUDNN")


def test_profile_for_fills_like_trtexec():
    s = spec(shapes={"x": (1, 3, 8, 8)}, min_shapes={"y": (1, 4)}, opt_shapes={"y": (2, 4)})
    assert s.profile_for("x") == ((1, 3, 8, 8),) * 3
    assert s.profile_for("y") == ((1, 4), (2, 4), (2, 4))
    assert s.profile_for("z") is None
    with pytest.raises(TrtlogError):
        spec(max_shapes={"y": (8, 4)}).profile_for("y")


def test_match_layers_globs_and_errors():
    names = ["/stem/Conv", "/head/Gemm", "/head/Flatten"]
    assert match_layers({"/head/*": "FLOAT"}, names) == {"/head/Gemm": "FLOAT", "/head/Flatten": "FLOAT"}
    with pytest.raises(TrtlogError, match="matches no layer"):
        match_layers({"/neck/*": "FLOAT"}, names)


# -- the version-aware plan -----------------------------------------------------------------------------
def test_plan_86_fp16_with_everything():
    plan = plan_config(spec(precisions=["fp16"], workspace=2 ** 20, builder_opt_level=2,
                            tactic_sources="EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS",
                            layer_precisions={"/head/*": "fp32"}), api("8.6.0"))
    assert plan.network_flags == ["EXPLICIT_BATCH"]
    assert plan.builder_flags == ["FP16", "OBEY_PRECISION_CONSTRAINTS"]
    assert plan.workspace == 2 ** 20 and plan.workspace_api == "set_memory_pool_limit"
    assert plan.builder_opt_level == 2
    assert plan.layer_precisions == {"/head/*": "FLOAT"}
    assert plan.profiling_verbosity == "DETAILED"
    assert plan.to_dict()["tactic_sources"] == ["EDGE_MASK_CONVOLUTIONS", "JIT_CONVOLUTIONS"]


def test_plan_85_lacks_opt_level_and_bf16():
    with pytest.raises(TrtlogError, match=r"--builder-opt-level needs TensorRT >= 8.6 \(installed: 8.5.3.1\)"):
        plan_config(spec(builder_opt_level=1), api("8.5.3.1"))
    with pytest.raises(TrtlogError, match="--bf16 needs TensorRT >= 9.0"):
        plan_config(spec(precisions=["bf16"]), api("8.5.3.1"))
    with pytest.raises(TrtlogError, match="--strongly-typed needs TensorRT >= 10.0"):
        plan_config(spec(strongly_typed=True), api("8.6.0"))


def test_plan_best_and_int8_notes():
    assert plan_config(spec(best=True), api("8.6.0")).builder_flags == ["FP16", "INT8"]
    assert plan_config(spec(best=True), api("10.16.1")).builder_flags == ["FP16", "BF16", "INT8"]
    plan = plan_config(spec(precisions=["int8"]), api("8.6.0"))
    assert any("without --calib-data" in n for n in plan.notes)
    assert plan_config(spec(precisions=["int8"], calib_data="d"), api("8.6.0")).calibrate
    with pytest.raises(TrtlogError, match="--calib-data needs --int8"):
        plan_config(spec(calib_data="d"), api("8.6.0"))


def test_plan_10x_no_explicit_batch_and_strong_typing():
    plan = plan_config(spec(precisions=["fp16"]), api("10.16.1"))
    assert plan.network_flags == [] and plan.builder_flags == ["FP16"]
    plan = plan_config(spec(strongly_typed=True), api("10.3.0"))
    assert plan.network_flags == ["STRONGLY_TYPED"] and plan.strongly_typed
    with pytest.raises(TrtlogError, match="--strongly-typed takes precision from the ONNX graph"):
        plan_config(spec(strongly_typed=True, precisions=["fp16"]), api("10.3.0"))


def test_plan_11_says_weak_typing_is_gone_and_builds_strongly_typed():
    plan = plan_config(spec(precisions=["fp16", "int8"], calib_data="d", layer_precisions={"a": "fp32"}),
                       api("11.0.0"))
    assert plan.strongly_typed
    assert plan.builder_flags == [] and plan.network_flags == [] and not plan.calibrate
    assert len(plan.notes) == 1 and "removed weak typing" in plan.notes[0]
    assert "--fp16 --int8 --layer-precision --calib-data" in plan.notes[0]


def test_plan_rejects_unknown_tactic_source_listing_known_ones():
    with pytest.raises(TrtlogError, match="unknown tactic source 'CUFFT'.*JIT_CONVOLUTIONS"):
        plan_config(spec(tactic_sources="-CUFFT"), api("8.6.0"))


def test_plan_workspace_api_by_version():
    assert plan_config(spec(workspace=1), api("8.5.3.1")).workspace_api == "set_memory_pool_limit"
    old = api("8.5.3.1")
    del old.IBuilderConfig.set_memory_pool_limit       # as before 8.4
    assert plan_config(spec(workspace=1), old).workspace_api == "max_workspace_size"


def test_spec_to_dict_is_json_ready():
    import json
    d = spec(shapes={"x": (1, 2)}).to_dict()
    assert json.loads(json.dumps(d))["shapes"] == {"x": [1, 2]}


@pytest.mark.parametrize("args, message", [
    (["--builder-opt-level", "9"], "--builder-opt-level must be 0..5"),
    (["--int8", "--calib-data", "no-such-dir"], "--calib-data no-such-dir: no such folder"),
])
def test_option_values_are_checked_before_tensorrt_is_looked_for(tmp_path, monkeypatch, capsys, args, message):
    # on a machine without TensorRT the bad value is what the user hears about, not the missing library
    from trtlog.cli import main
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07")
    with pytest.raises(SystemExit) as exc:
        main(["build", "m.onnx", "--backend", "tensorrt", *args])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err == f"trtlog: error: {message}\n"
