"""bl.facts (trtlog/facts.py): the build facts resolved once at load, each with its evidence, on real logs and
bundles. Every value and line number below was read in the log or bundle file by eye."""
from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest
from corpus import corpus_log

import trtlog
from trtlog.facts import NOWHERE, Evidence, Facts, compute
from trtlog.vocab import MiB

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_trtexec_log_facts_and_their_lines():
    bl = trtlog.load(corpus_log("trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"))
    f = bl.facts
    # line 1: &&&& RUNNING TensorRT.trtexec [TensorRT v8600] # trtexec --onnx=model.onnx ...
    assert (f.producer, f.backend, f.trt_version, f.version_source) == ("trtexec", "tensorrt", "8.6.0", "printed")
    assert f.version == "8.6.0" and f.version > "8.5.3" and f.product == "TensorRT 8.6.0"
    assert f.where("trt_version") == Evidence(line=1) and f.where("command") == Evidence(line=1)
    assert f.command.startswith("trtexec --onnx=model.onnx") and f.model == "model.onnx"
    # line 11: Precision: FP32+FP16; lines 79/80: Selected Device / Compute Capability
    assert f.precision_requested == ("FP32", "FP16") and f.where("precision_requested").line == 11
    assert (f.gpu, f.compute_capability) == ("NVIDIA GeForce RTX 3090", "8.6")
    assert (f.where("gpu").line, f.where("compute_capability").line) == (79, 80)
    # line 3433: Engine built in 9.55249 sec.; line 3434: Loaded engine size: 6 MiB; closing banner PASSED
    assert f.build_ok is True and f.status == "PASSED" and not f.engine_loaded
    assert f.build_seconds == pytest.approx(9.55249) and f.where("build_seconds").line == 3433
    assert f.engine_bytes == 6 * MiB and f.engine_size_mib == 6.0 and f.where("engine_bytes").line == 3434
    # line 3394: Total Activation Memory: 1004032 (the last one: earlier ones are candidates)
    assert f.memory_totals["Activation"] == 1004032 and f.where("memory_totals.Activation").line == 3394
    assert f.engine_layers == 15 and f.failure == "" and f.strongly_typed is None


def test_failed_build_names_its_failure_line():
    f = trtlog.load(corpus_log("trt8.4-trtexec-best-myelin-assert-fail-orin.log")).facts
    # line 348: trtexec: .../myelin/src/compiler/ir/graph.cpp:1059: ... Assertion ... failed
    assert f.build_ok is False and f.failure.startswith("trtexec: /root/gpgpu/MachineLearning/myelin")
    assert f.where("failure") == f.where("build_ok") == Evidence(line=348)
    assert f.precision_requested == ("FP32", "FP16", "INT8") and f.gpu == "Orin" and f.trt_version == "8.4.10"
    assert f.build_seconds is None and f.engine_bytes is None


def test_version_not_printed_is_a_lower_bound_not_a_version():
    f = trtlog.load(corpus_log("trt8.4-python-customlogger-verbose.log")).facts
    assert f.trt_version == "" and f.version is None and f.trt_version_min == "8.4"
    assert f.trt_version_label == ">= 8.4 (not printed)" and f.product == "TensorRT >= 8.4 (not printed)"
    assert f.where("trt_version") is NOWHERE and not NOWHERE


def test_rtx_bundle_facts_come_from_its_files():
    bundle = FIXTURES / "rtx" / "cnn"
    f = trtlog.load(bundle).facts
    # env.json: "tensorrt_rtx": "1.7.1.116"; status.json: build_seconds 0.196, engine_bytes 602956
    assert f.rtx and f.backend_version == "1.7.1.116" and f.version == "1.7.1.116"
    assert f.product == "TensorRT-RTX 1.7.1.116" and f.where("backend_version") == Evidence(file="env.json")
    assert f.build_ok is True and f.where("build_ok") == Evidence(file="status.json")
    assert f.build_seconds == 0.196 and f.engine_bytes == 602956 and str(f.where("engine_bytes")) == "status.json"
    assert f.model == "tests/zoo/models/cnn.onnx" and f.where("model").file == "config.json"
    assert f.strongly_typed is True and f.precision_requested == ()     # TensorRT-RTX: strongly typed
    assert f.source == str(bundle) and any(s.endswith("status.json") for s in f.sources)


def test_rtx_runtime_failure_is_not_a_build_failure():
    f = trtlog.load(FIXTURES / "rtx" / "build_then_load").facts
    # line 376: Engine generation completed in 0.119569 seconds; line 398: IRuntime::deserializeCudaEngine: Error
    assert f.build_ok is True and f.build_seconds == pytest.approx(0.119569) and f.where("build_seconds").line == 376
    assert f.runtime_failure.startswith("IRuntime::deserializeCudaEngine") and f.where("runtime_failure").line == 398
    # status.json engine_bytes 0 (nothing written): the log's "Loaded engine size: 0 MiB" (line 396) stands
    assert f.engine_bytes == 0 and f.where("engine_bytes").line == 396


def test_rtx_log_without_a_stated_version():
    bl = trtlog.load(corpus_log("trtrtx-python-verbose.log"))
    assert bl.facts.backend_version == "" and bl.facts.version is None
    assert bl.product == "TensorRT-RTX (version unknown)" and bl.meta["backend_version"] == "unknown"


def test_gpu_bundle_takes_gpu_from_env_json():
    f = trtlog.load(FIXTURES / "gpu" / "cnn-fp16-trt8.6.0").facts
    # env.json: "gpu": "NVIDIA H100 80GB HBM3", compute capability 9.0; config.json precisions ["fp16"]
    assert (f.gpu, f.compute_capability) == ("NVIDIA H100 80GB HBM3", "9.0")
    assert f.where("gpu") == Evidence(file="env.json") and f.precision_requested == ("FP32", "FP16")
    assert f.engine_bytes == 2546020          # status.json engine_bytes


def test_facts_are_frozen_computed_once_and_pickle():
    bl = trtlog.load(corpus_log("trt10.16-trtexec-mnist-fp16-verbose-h100.log"))
    f = bl.facts
    assert bl.facts is f and f == compute(bl)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.gpu = "x"
    with pytest.raises(TypeError):
        f.memory_totals["Activation"] = 0
    assert pickle.loads(pickle.dumps(f)) == f
    with pytest.raises(KeyError):
        f.where("no_such_fact")
    d = f.to_dict()
    assert d["trt_version"] == "10.16.1" and d["evidence"]["gpu"] == {"line": 103}   # Selected Device: NVIDIA H100 PCIe
    assert set(d) == {x.name for x in dataclasses.fields(Facts)}


def test_buildlog_without_loader_computes_facts_on_first_use():
    bl = trtlog.BuildLog(path="x.log", meta={"trt_version": "8.6.1", "producer": "python", "build_ok": True})
    assert bl.facts.trt_version == "8.6.1" and bl.product == "TensorRT 8.6.1" and bl.producer == "python"
    assert repr(bl) == "<BuildLog 'x.log': python, TensorRT 8.6.1, 0 lines, 0 runs, 0 layers, built>"


def test_fleet_rows_carry_the_facts():
    pytest.importorskip("pyarrow")
    from trtlog.fleet.task import _facts
    bl = trtlog.load(FIXTURES / "rtx" / "cnn")
    row = _facts(bl, [])
    # a TensorRT-RTX row carries TensorRT-RTX's version and says where it was stated (env.json)
    assert (row["backend"], row["trt_version"], row["trt_version_key"]) == ("TensorRT-RTX", "1.7.1.116", [1, 7, 1, 116])
    assert row["trt_version_source"] == "env.json" and row["build_ok"] is True
    assert row["engine_size_mib"] == round(602956 / MiB, 3) and row["model"] == "cnn"
    row = _facts(trtlog.load(corpus_log("trt8.4-trtexec-best-myelin-assert-fail-orin.log")), [])
    assert (row["build_ok"], row["gpu"], row["precision_requested"]) == (False, "Orin", "FP32,FP16,INT8")
    assert row["failure"].startswith("trtexec: /root/gpgpu/MachineLearning/myelin")


def test_bundle_config_facts():
    f = trtlog.load(FIXTURES / "rtx" / "profiles_two").facts
    # config.json: two profiles of input `input` (min/opt/max 1x3x32x32 / 4x3x64x64 / 8x3x128x128 and
    # 8x3x32x32 / 16x3x64x64 / 32x3x64x64), "profiles_added": [0, 1]; env.json "nvidia_driver": ""
    assert [(p.profile, p.min, p.opt, p.max, p.added) for p in f.requested_profiles] == [
        (0, "1x3x32x32", "4x3x64x64", "8x3x128x128", True), (1, "8x3x32x32", "16x3x64x64", "32x3x64x64", True)]
    assert f.where("requested_profiles").file == "config.json"
    assert f.driver == "" and f.where("driver").file == "env.json"      # env.json names no driver
    assert f.to_dict()["requested_profiles"][1]["max"] == "32x3x64x64"
    g = trtlog.load(FIXTURES / "gpu" / "cnn-fp16-trt8.6.0").facts
    # config.json plan.tactic_sources ["EDGE_MASK_CONVOLUTIONS", "JIT_CONVOLUTIONS"]; env.json driver 580.159.04
    assert g.tactic_sources == ("EDGE_MASK_CONVOLUTIONS", "JIT_CONVOLUTIONS") and g.driver == "580.159.04"
    assert g.requested_profiles == ()
    assert trtlog.load(corpus_log("trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log")).facts.driver is None


def test_engine_plan_version_of_a_refused_engine():
    bl = trtlog.load(str(Path(__file__).resolve().parent / "corpus" / "logs"
                         / "trt9-trtllm-runtime-engine-version-mismatch-zh-doc-excerpt.log"))
    f = bl.facts
    # line 1: "6: The engine plan file is not compatible ... expecting library version 9.2.0.5 got 9.3.0.1"
    assert (f.trt_version, f.engine_trt_version) == ("9.2.0.5", "9.3.0.1") and f.where("engine_trt_version").line == 1
    (finding,) = trtlog.run_rules(bl, select=["TRT107"])
    assert finding.message.endswith("The runtime is 9.2.0.5, the plan was written by 9.3.0.1.")
    # a log that loads no foreign plan has none: line 2891 of this build is its &&&& PASSED banner
    g = trtlog.load(corpus_log("trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log")).facts
    assert g.engine_trt_version == "" and not g.where("engine_trt_version")


def test_trtexec_configuration_facts_and_their_lines():
    f = trtlog.load(corpus_log("trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log")).facts
    # line 12: Memory Pools: workspace: 8192 MiB, dlaSRAM: default, ...; line 88: Device Global Memory: 9976 MiB
    assert f.workspace_bytes == 8192 * MiB and f.where("workspace_bytes").line == 12
    assert f.gpu_memory_bytes == 9976 * MiB and f.where("gpu_memory_bytes").line == 88
    assert f.tactic_sources_off == () and f.command_profiles == ()
    f = trtlog.load(corpus_log("trt10.16-trtexec-mnist-fp16-verbose-h100.log")).facts
    # line 8: workspace: 0.000976562 MiB (the --memPoolSize=workspace:1024MiB that TensorRT 10 reads as bytes)
    assert f.workspace_bytes == 1024 and f.where("workspace_bytes").line == 8
    assert f.gpu_memory_bytes == 81081 * MiB and f.where("gpu_memory_bytes").line == 108
    # line 37: Tactic sources: Using default tactic sources
    assert f.tactic_sources_off == () and not f.where("tactic_sources_off")
    # line 1: ... --minShapes=x:1x1x28x28 --optShapes=x:4x1x28x28 --maxShapes=x:16x1x28x28
    (p,) = f.command_profiles
    assert (p.profile, p.input, p.min, p.opt, p.max, p.added) == (0, "x", "1x1x28x28", "4x1x28x28", "16x1x28x28", None)
    assert f.where("command_profiles").line == 1


def test_workspace_default_and_before_8_4():
    # line 8: Memory Pools: workspace: default, ...: no size, the line is still where it is said
    f = trtlog.load(corpus_log("trt10.16-trtexec-mnist-default-perf-h100.log")).facts
    assert f.workspace_bytes is None and f.where("workspace_bytes").line == 8
    # line 9: Workspace: 16 MB (TensorRT 7.1's echo; the same again on line 571 for the second run)
    f = trtlog.load(corpus_log("trt7.1-trtexec-caffe-googlenet-int8-multibatch-jetson.log")).facts
    assert f.workspace_bytes == 16 * MiB and f.where("workspace_bytes").line == 9


def test_precision_flags_of_a_command_line_without_the_echo():
    from corpus import project_log
    # an excerpt that ends with the PASSED banner (line 18: ... --bf16 --optShapes=...) and has no Precision: line
    f = project_log("trt10.13-trtexec-bf16-qwen-image-dit-perf-summary-doc-excerpt.log").facts
    assert f.precision_requested == ("BF16",) and f.where("precision_requested").line == 18
    # the same banner's --minShapes/--optShapes/--maxShapes: seven inputs, hidden_states first in --maxShapes
    assert len(f.command_profiles) == 7
    p = f.command_profiles[0]
    assert (p.input, p.min, p.opt, p.max) == ("hidden_states", "1x3364x64", "1x6032x64", "1x10816x64")
