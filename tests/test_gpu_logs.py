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
