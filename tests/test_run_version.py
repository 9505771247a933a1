"""TensorRT version parsing and numeric comparison (trtlog.run.version)."""
import pytest

from trtlog.errors import TrtlogError
from trtlog.run.version import at_least, parse_version


@pytest.mark.parametrize("text, parts", [
    ("8.6.0", (8, 6, 0, 0)),
    ("8.5.3.1", (8, 5, 3, 1)),
    ("10.16.1", (10, 16, 1, 0)),
    ("11.0", (11, 0, 0, 0)),
    # trtexec's encoded banner versions, as printed in the corpus logs
    ("TensorRT v8600", (8, 6, 0, 0)),
    ("v8503", (8, 5, 3, 0)),
    ("v8205", (8, 2, 5, 0)),
    ("v100300", (10, 3, 0, 0)),
    ("v101601", (10, 16, 1, 0)),
    (8401, (8, 4, 1, 0)),
])
def test_parse(text, parts):
    assert parse_version(text).parts == parts


def test_numeric_not_lexical():
    assert parse_version("10.0") > parse_version("8.6.1")      # "10.0" < "8.6.1" as strings
    assert parse_version("8.10") > parse_version("8.9")
    assert parse_version("10.16.1") > "10.3"
    assert parse_version("8.5.3.1") > "8.5.3"
    assert parse_version("8.6") == "8.6.0"
    assert at_least("8.6.0", "8.6") and not at_least("8.5.3.1", "8.6")
    assert sorted(["10.3", "8.6.1", "10.16", "8.5.3.1", "11.0"], key=parse_version) == \
        ["8.5.3.1", "8.6.1", "10.3", "10.16", "11.0"]


def test_banner_of_real_trtexec_log():
    from pathlib import Path
    logs = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "logs"
    log = logs / "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"
    if not log.is_file():
        pytest.skip("corpus not present")
    first = log.read_text(errors="replace").splitlines()[0]
    assert "[TensorRT v101401]" in first
    assert parse_version(first.split("[TensorRT ")[1].split("]")[0]).parts[:3] == (10, 14, 1)


def test_garbage():
    with pytest.raises(TrtlogError):
        parse_version("tensorrt")
