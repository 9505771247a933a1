"""TensorRT 8.6.0 INT8 builds through the Python API on the lent GPU (gpu/calib_probe.py, gpu/session6.sh; the
logs are TensorRT's trt.Logger output, byte-exact, in tests/fixtures/gpu-logs). Both builds of resize_bn.onnx
fail with the same coded error (line 351 / 135: `4: [standardEngineBuilder.cpp::initCalibrationParams::1685]
Error Code 4: Internal Error (Calibration failure occurred with no scaling factors detected. ...`); what comes
before it tells the cause apart: a calibrator that yielded no batch ran from line 348 (`Starting Calibration.`)
to line 350 (`Calibration completed in 3.258 seconds.`) without a `Calibrated batch` line; with no calibrator
line 134 says `Calibrator is not being used. ...`."""
from __future__ import annotations

from pathlib import Path

import trtlog
from trtlog.rules import run_rules
from trtlog.rules.render import header

LOGS = Path(__file__).resolve().parent / "fixtures" / "gpu-logs"


def _load(name):
    bl = trtlog.load(LOGS / name)
    return bl, {f.code: f for f in run_rules(bl)}


def test_calibrator_without_a_batch_is_a_failed_build_and_says_why():
    bl, found = _load("int8-empty-calibrator-trt8.6.0.log")
    assert (bl.lines, bl.recognized) == (351, 351)
    err = bl.tables["errors"]
    assert err[["line", "kind", "code"]].values.tolist() == [[351, "calibration_failure", 4]]
    assert bl.facts.build_ok is False and header(bl, list(found.values())).endswith("BUILD FAILED")
    f = found["TRT111"]
    assert [e.line for e in f.evidence] == [348, 350, 351]
    assert "(line 348, completed in 3.258 s) without a single 'Calibrated batch' line" in f.message
    # the internal-error rule would send the user to reduce the graph: TRT111 is the diagnosis
    assert "TRT116" not in found and "TRT201" not in found


def test_no_calibrator_is_told_from_the_line_before_the_error():
    bl, found = _load("int8-no-calibrator-trt8.6.0.log")
    assert (bl.lines, bl.recognized) == (135, 135)
    assert bl.tables["precision"].query("kind == 'calibrator_unused'")["line"].tolist() == [134]
    assert bl.tables["calibration"].empty
    assert bl.facts.build_ok is False
    f = found["TRT111"]
    assert [e.line for e in f.evidence] == [134, 135]
    assert "No calibrator was attached (line 134" in f.message
    # TRT201 ("INT8 enabled without a calibrator", layers would fall back) stays quiet: the build stopped
    assert "TRT201" not in found and "TRT116" not in found


# -- builder features (gpu/feature_probe.py, gpu/session6b.sh): each log 100 % recognised before any change --

def test_sparse_weights_eligible_but_none_picked():
    """Lines 550-551: `(Sparsity) Layers eligible for sparse math: sparse_conv1 + relu1, sparse_conv2` and
    `(Sparsity) TRT inference plan picked sparse implementation for layers:` with an empty list. The sparse kernel
    0x120ed676e3a2f41c timed 0.0108253 ms for sparse_conv1 + relu1 (line 228), the engine runs the dense
    0x05b6220f243edacd (line 561; timed 0.0110692 ms, line 214)."""
    bl, found = _load("sparse-fp16-trt8.6.0.log")
    p = bl.tables["precision"]
    assert p.query("kind == 'sparsity_eligible'")["tensor"].tolist() == ["sparse_conv1 + relu1", "sparse_conv2"]
    assert p.query("kind == 'sparsity_picked'")[["line", "tensor"]].values.tolist() == [[551, ""]]
    f = found["TRT315"]
    assert [e.line for e in f.evidence] == [550, 551]
    assert ("sparse_conv1 + relu1 (fastest sparse tactic 0.01083 ms, the engine's 0x05b6220f243edacd 0.01107 ms)"
            in f.message)
    assert f.message.startswith("2 layers of 2 eligible for 2:4 sparse math run dense kernels")


def test_qdq_conv_parse_failure_quotes_the_assertion():
    """TensorRT 8.6.0's parser rejects the Conv fed by dequantized weights: line 128 `ERROR:
    onnx2trt_utils.cpp:2121 In function convMultiInput:`, line 129 `[8] Assertion failed:
    checkSpatialDims(...) && "The input tensor shape misaligns with the input kernel shape."`."""
    bl, found = _load("qdq-int8-trt8.6.0.log")
    assert (bl.lines, bl.recognized) == (129, 129)
    f = found["TRT102"]
    assert f.title == "ONNX parser rejected qconv"
    assert "In function convMultiInput: [8] Assertion failed: checkSpatialDims(" in f.message


def test_myelin_reformats_are_reformats():
    """A hardware-compatible (AMPERE_PLUS), version-compatible build turns the Scale and its reformats into Myelin
    layers: lines 587 and 589 `Layer(MyelinReformat): Reformatting CopyNode for Input Tensor 0 to ...`."""
    from trtlog.rules.performance import _NOT_COMPUTE
    bl, _ = _load("vc-hwcompat-trt8.6.0.log")
    layers = bl.tables["layers"]
    myelin = layers[layers["type"] == "MyelinReformat"]
    assert myelin["line"].tolist() == [587, 589]
    assert "MyelinReformat" in _NOT_COMPUTE


def test_feature_builds_are_plain_successes():
    """REFIT, DLA as default device on a GPU without DLA (with GPU fallback), FP32 held by OBEY_PRECISION_CONSTRAINTS:
    engines built (`Engine generation completed` / `Engine built`), nothing for a rule to say but the parser's
    INT64 cast (line 70 of each) and, where FP16 conversion flushed a weight, its subnormal warning."""
    for name, ok in (("refit-trt8.6.0.log", {"TRT205", "TRT206"}), ("dla-on-gpu-trt8.6.0.log", {"TRT205", "TRT206"}),
                     ("obey-fp32-trt8.6.0.log", {"TRT206"})):
        bl, found = _load(name)
        assert bl.facts.build_ok is True and bl.lines == bl.recognized, name
        assert set(found) == ok, (name, sorted(found))


# -- precision constraints and API misuse (gpu/constraint_probe.py, gpu/session6c.sh): 2,844 lines, 99.86 %
# recognised before (4 lines unknown: the four wordings below) --

def test_implicit_batch_network_is_refused_by_the_parser():
    """Line 6 `The implicit batch dimension mode has been deprecated. ...`, line 17 `ERROR: ModelImporter.cpp:547
    In function importModel:`, line 18 `[4] Assertion failed: !mImporterCtx.network()->hasImplicitBatchDimension()
    && "This version of the ONNX parser only supports TensorRT INetworkDefinitions with an explicit batch ...`."""
    bl, found = _load("implicit-batch-trt8.6.0.log")
    assert (bl.lines, bl.recognized) == (18, 18)
    assert bl.tables["errors"].query("kind == 'implicit_batch_network'")["line"].tolist() == [18]
    f = found["TRT119"]
    assert [e.line for e in f.evidence] == [6, 18] and f.severity == "error"
    assert "TRT102" not in found and "TRT113" not in found     # no node is at fault; nothing unrecognised


def test_obey_constraint_without_a_kernel_stops_the_build():
    """resize_cubic held in INT8 under OBEY_PRECISION_CONSTRAINTS: line 179 `2: Assertion
    !n->candidateRequirements.empty() failed. resize_cubic requires output to be in floating point precision. ...`,
    line 180 the same inside `Error Code 2: Internal Error (...)`; the script got no engine."""
    bl, found = _load("obey-int8-cubic-trt8.6.0.log")
    assert bl.tables["errors"].query("kind == 'precision_constraint'")[["line", "node"]].values.tolist() == \
        [[179, "resize_cubic"], [180, "resize_cubic"]]
    assert bl.facts.build_ok is False
    f = found["TRT215"]
    assert f.severity == "error" and f.title == "Precision constraint cannot be met: resize_cubic"
    # every tensor got a range through the API (7 'User overriding scale' lines): TRT201 has nothing to ask for
    assert len(bl.tables["precision"].query("kind == 'user_range'")) == 7
    assert {"TRT113", "TRT116", "TRT201"}.isdisjoint(found)


def test_prefer_constraint_without_a_kernel_is_ignored():
    """The same under PREFER_PRECISION_CONSTRAINTS: line 411 `No valid obedient candidate choices for node
    resize_cubic that meet the preferred precision. ...`, line 424 `No implementation of layer resize_cubic obeys
    the requested constraints. ... Using fastest implementation instead.`; the engine is built."""
    bl, found = _load("prefer-int8-cubic-trt8.6.0.log")
    assert bl.lines == bl.recognized == 1001 and bl.facts.build_ok is True
    f = found["TRT215"]
    assert f.severity == "warning" and [e.line for e in f.evidence] == [411, 424]
    assert f.title == "Precision constraint ignored for resize_cubic"


def test_a_range_on_the_input_only_leaves_the_rest_to_trt202():
    """One `User overriding scale` line (136, the input), then `Missing scale and zero-point for tensor conv, ...`
    from line 138 on, six tensors: TRT202 names them; TRT201 stays quiet (ranges are being set)."""
    bl, found = _load("partial-ranges-trt8.6.0.log")
    assert bl.tables["precision"].query("kind == 'user_range'")["line"].tolist() == [136]
    assert "TRT202" in found and "TRT201" not in found
    assert found["TRT202"].title == "6 tensors without INT8 scale"


def test_aux_streams_on_a_chain_of_layers():
    """max_aux_streams = 4 on resize_bn (no parallel branch): line 467 `[MS] Multi stream is disabled as cannot find
    an opportunity to leverage it` -- TensorRT noting there is nothing to parallelise (10.x trtexec prints it on
    every build): recognised, no finding; TRT311 is for `... because the stream assignment failed.`"""
    bl, found = _load("aux-streams-trt8.6.0.log")
    m = bl.tables["messages"]
    assert m.loc[m["line"] == 467, "msg_id"].tolist() == ["opt.multistream_no_opportunity"]
    assert "TRT311" not in found


# -- deprecated or unsupported builder settings (gpu/api_probe.py, gpu/session6d.sh): 2,085 lines, 100 % recognised --

def test_dla_only_engine_on_a_gpu_without_dla_is_a_failed_build():
    """EngineCapability.DLA_STANDALONE on an H200: line 137 `1: [graphOptimizer.cpp::applyGenericOptimizations::8222]
    Error Code 1: Internal Error (Applying DLA optimizations without DLA backend.)`, the log's last line."""
    bl, found = _load("dla-standalone-trt8.6.0.log")
    assert bl.tables["errors"][["line", "kind"]].values.tolist() == [[137, "dla_unavailable"]]
    assert bl.facts.build_ok is False
    assert [e.line for e in found["TRT101"].evidence] == [137]
    assert "TRT116" not in found          # not an internal error to reduce the graph for


def test_settings_that_print_nothing():
    """STRICT_TYPES, max_batch_size with an explicit-batch network (only Python's DeprecationWarning, on stderr),
    DIRECT_IO, TF32 cleared: engines built, nothing of their own in the log. EngineCapability.SAFETY on the
    standard runtime: build_serialized_network returned None and the log just stops (line 133, 'Marking output_2
    as output: output') -- nothing says why, so nothing is claimed."""
    for name in ("strict-types-trt8.6.0.log", "max-batch-trt8.6.0.log", "direct-io-trt8.6.0.log",
                 "no-tf32-trt8.6.0.log"):
        bl, found = _load(name)
        assert bl.facts.build_ok is True and bl.lines == bl.recognized, name
        assert not {c for c in found if c.startswith("TRT1")}, (name, sorted(found))
    bl, found = _load("safety-trt8.6.0.log")
    assert (bl.lines, bl.recognized) == (133, 133) and bl.facts.build_ok is None
    assert not {c for c in found if c.startswith("TRT1")}


# -- TensorRT 8.5.3.1's trt.nptype under numpy 1.24.4 / 1.23.5 (gpu/numpy_bool_probe.py, gpu/session7.sh) -----

def _msg(bl, line):
    return bl.tables["messages"]["msg_id"].iat[line - 1]


def test_numpy_124_breaks_trt85_nptype():
    """Line 393 numpy 1.24's FutureWarning from tensorrt/__init__.py:166, the traceback at lines 395-403 (401 is
    the frame's code line `bool: np.bool,`), line 404 `AttributeError: module 'numpy' has no attribute 'bool'.`,
    lines 405-407 numpy's explanation; lines 1 and the `probe:` prints before it are the script's own."""
    bl, found = _load("nptype-numpy1.24.4-trt8.5.3.1.log")
    assert bl.lines == 407 and bl.trt_version_label == "8.5.3"
    # every line but the probe's own three prints (lines 1, and none after the traceback)
    unknown = bl.tables["messages"].query("msg_id == 'unknown'")["line"].tolist()
    assert unknown == [1]
    assert [_msg(bl, n) for n in (395, 400, 401, 402, 403, 404, 405, 407)] == [
        "app.traceback_start", "app.traceback_frame", "app.traceback_code", "app.traceback_frame",
        "app.traceback_code", "app.numpy_bool_error", "app.numpy_alias_note", "app.numpy_alias_note"]
    f = found["TRT506"]
    assert f.severity == "error" and [e.line for e in f.evidence] == [393, 404]
    assert "TRT505" not in found        # the traceback's one exception is the one TRT506 explains


def test_numpy_123_warning_is_a_warning_and_silence_is_quiet():
    bl, found = _load("nptype-numpy1.23.5-warnings-trt8.5.3.1.log")
    assert [_msg(bl, n) for n in (393, 394, 395)] == [
        "app.numpy_bool_warning", "app.numpy_deprecation_note", "app.warning_source_line"]
    assert bl.tables["messages"].query("msg_id == 'unknown'")["line"].tolist() == [1, 396, 397]   # probe prints
    f = found["TRT506"]
    assert f.severity == "warning" and [e.line for e in f.evidence] == [393]
    assert "will break" in f.title
    # the same script with DeprecationWarnings hidden (Python's default) prints nothing about np.bool
    bl, found = _load("nptype-numpy1.23.5-trt8.5.3.1.log")
    assert "TRT506" not in found and "TRT505" not in found and bl.lines == 394
