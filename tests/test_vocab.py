"""trtlog.vocab: precision names and ranks, TensorRT versions, byte sizes, tactic ids and shapes, with
values read from the corpus logs; and a guard that none of these helpers is defined a second time."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import corpus_log

from trtlog.errors import TrtlogError
from trtlog.vocab import (
    PRECISIONS,
    Version,
    find_version,
    format_bytes,
    format_shape,
    format_shapes,
    parse_bytes,
    parse_shape,
    parse_shapes,
    parse_version,
    precision_family,
    precision_of,
    precision_order,
    precision_rank,
    realised_precision,
    tactic_hex,
    tactic_int,
    version_from_code,
)

PACKAGE = Path(__file__).resolve().parents[1] / "trtlog"


# -- precision ---------------------------------------------------------------------------------
def test_precision_spellings_of_real_logs():
    # trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log line 1009: x:0[Float(-2,1,28,28)];
    # layer-info JSON and TensorRT DataType names: Half, FLOAT, Int8, BFloat16, Int32
    assert [precision_of(d) for d in ("Float", "FLOAT", "Half", "Int8", "BFloat16", "Int32", "Bool", "")] == \
        ["FP32", "FP32", "FP16", "INT8", "BF16", "INT32", "BOOL", ""]
    assert precision_of("Int8x4") == "INT8"          # vectorised formats keep their element type
    assert precision_of("Mystery") == "MYSTERY"


def test_one_ranking():
    assert precision_rank("FP4") == precision_rank("INT4") < precision_rank("FP8") == precision_rank("INT8") \
        < precision_rank("FP16") == precision_rank("BF16") < precision_rank("TF32") == precision_rank("FP32")
    assert precision_rank("INT32") is None and precision_rank("BOOL") is None   # index types have no rank
    # INT8 conv with FP32 output realises INT8; index tensors count only when nothing else is there
    assert realised_precision(["Int8", "Float"]) == "INT8"
    assert realised_precision(["Int32", "Half"]) == "FP16"
    assert realised_precision(["Int32"]) == "INT32"
    shown = sorted(["INT8", "mixed", "TF32?", "FP16", "INT32", "FP32"], key=precision_order)
    assert shown == ["FP32", "TF32?", "FP16", "INT8", "INT32", "mixed"]
    assert precision_family("TF32") == precision_family("float") == "FP32"
    assert len({p.name for p in PRECISIONS}) == len(PRECISIONS)


# -- versions ----------------------------------------------------------------------------------
@pytest.mark.parametrize("log, code, dotted", [
    ("trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log", 8601, "8.6.1"),
    ("trt10.3-trtexec-yolov8s-fp16-orin.log", 100300, "10.3.0"),
    ("trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", 8204, "8.2.4"),
    ("trt8.4-trtexec-best-myelin-assert-fail-orin.log", 8410, "8.4.10"),
    ("trt10.16-trtexec-mnist-fp16-verbose-h100.log", 101601, "10.16.1"),
])
def test_trtexec_banner_codes(log, code, dotted):
    first = next(line for line in corpus_log(log).read_text(errors="replace").splitlines()
                 if line.startswith("&&&& "))     # '&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # ...'
    assert f"[TensorRT v{code}]" in first
    assert version_from_code(code) == dotted
    assert parse_version(first) == dotted and str(parse_version(f"v{code}")) == dotted


def test_versions_compare_as_numbers():
    assert isinstance(parse_version("8.6"), Version)
    assert parse_version("10.0") > "8.6.1" and parse_version("8.10") > (8, 9)
    assert parse_version("8.6") == "8.6.0" and parse_version("8.6") == (8, 6, 0)
    assert hash(parse_version("8.6")) == hash(parse_version("8.6.0"))
    assert parse_version("8.5.3.1").parts == (8, 5, 3, 1)
    assert find_version("") is None and find_version("?") is None and find_version("10") == (10,)
    assert parse_version("8.6") != "not a version"
    with pytest.raises(TrtlogError):
        parse_version("tensorrt")


# -- byte sizes --------------------------------------------------------------------------------
def test_sizes_of_real_memory_lines():
    # trt10.16-trtexec-mnist-fp16-verbose-h100.log line 3739: "Scratch requested: 984576, available: 1024"
    assert format_bytes(984576) == "961.5 KiB" and format_bytes(1024) == "1.0 KiB"
    # line 3001: "Total Host Persistent Memory: 22288 bytes"; trt10.14 ... line 2772: 2052096 bytes
    assert format_bytes(22288, ".2f") == "21.77 KiB" and format_bytes(2052096, ".4g") == "1.957 MiB"
    assert format_bytes(512) == "512 B" and format_bytes(None) == "?" and format_bytes(float("nan"), missing="") == ""
    # line 1 of the same log: --memPoolSize=workspace:1024MiB; line 8: "workspace: 0.000976562 MiB"
    assert parse_bytes("1024MiB") == 1 << 30 and parse_bytes("0.000976562 MiB") == 1023
    assert parse_bytes("512K") == 512 * 1024 and parse_bytes("1.5 MiB") == 1572864 and parse_bytes("64MiB") == 1 << 26
    assert parse_bytes("1024", default_unit="M") == 1 << 30       # trtexec --workspace=1024 (trt8.0 log line 1)
    with pytest.raises(TrtlogError):
        parse_bytes("12 parsecs")


# -- tactic ids --------------------------------------------------------------------------------
def test_tactic_ids_decimal_and_hex():
    # trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log line 525: "Tactic: -410470605513481746" (8.2 decimal)
    assert tactic_int("-410470605513481746") == -410470605513481746
    as_hex = "0x%016x" % (-410470605513481746 + 2 ** 64)       # the same 64 bits as 8.5+ prints them
    assert tactic_hex(-410470605513481746) == as_hex and tactic_int(as_hex) == -410470605513481746
    # trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log line 567: "Tactic: 0x5b8bf1b8028629d9"
    assert tactic_int("0x5b8bf1b8028629d9") == 0x5b8bf1b8028629d9
    assert tactic_int("0x0000000000000000") == 0 and tactic_int("n/a") is None


# -- shapes ------------------------------------------------------------------------------------
def test_shapes():
    # trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log line 1: --shapes=x:0:4x1x28x28 (a name with ':')
    assert parse_shapes("x:0:4x1x28x28") == {"x:0": (4, 1, 28, 28)}
    assert parse_shapes(["input:1x3x224x224, mask:1x128"]) == {"input": (1, 3, 224, 224), "mask": (1, 128)}
    assert parse_shape("1x3x224x224") == parse_shape("(1,3,224,224)") == parse_shape("[1, 3, 224, 224]")
    assert parse_shape("[-1,3,224,224]") == (-1, 3, 224, 224)
    assert parse_shape("-2,1,28,28") == (-2, 1, 28, 28)     # line 1009 of the trt8.2 log: Float(-2,1,28,28)
    assert parse_shape("()") == ()
    assert format_shape((4, 1, 28, 28)) == "4x1x28x28"
    assert format_shapes({"x:0": (4, 1, 28, 28), "m": (1,)}) == "x:0:4x1x28x28,m:1"
    for bad in ("input", "input:1xx3", "input:0x3", ":1x3", "input:"):
        with pytest.raises(TrtlogError, match="bad shape"):
            parse_shapes(bad)
    assert parse_shapes("a:1x2,junk,b:0x4", lenient=True) == {"a": (1, 2), "b": (0, 4)}


# -- one definition ------------------------------------------------------------------------------
# Each helper the vocabulary defines; a `def` of one of these names (or of an old private copy) anywhere
# else in the package is a second vocabulary.
_NAMES = ("precision_of", "precision_flag", "_precision_flag", "realised_precision", "precision_rank", "_prec_rank",
          "_norm_prec",
          "parse_version", "find_version", "version_from_code", "trt_version_from_code", "_major",
          "format_bytes", "fmt_bytes", "_fmt_bytes", "parse_bytes", "parse_size_bytes", "mib_ceil",
          "tactic_int", "tactic_hex", "parse_shapes", "_parse_shapes", "parse_shape", "shapes_text", "_shapes",
          "format_shape", "format_shapes")
_TABLES = re.compile(r'^\s*(PREC_RANK|_PREC_ORDER|DTYPE_PRECISION|_DTYPE_PREC|_FLAG_ALIASES|\w*RANK(?= = \{"FP))\s*=',
                     re.M)
_SCALES = re.compile(r'\("GiB", 1 << 30\)|for unit in \("B", "KiB"')


def test_no_second_definition_of_the_vocabulary():
    defs = re.compile(r"^\s*def (%s)\(" % "|".join(map(re.escape, _NAMES)), re.M)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "vocab.py" and path.parent == PACKAGE:
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(PACKAGE.parent)
        found += [f"{rel}: def {m.group(1)}" for m in defs.finditer(text)]
        found += [f"{rel}: {m.group(1)} table" for m in _TABLES.finditer(text)]
        found += [f"{rel}: byte formatter" for m in _SCALES.finditer(text)]
    assert found == []
