"""The messages table kept small: the text of a big log in a memory-mapped temporary file
(textbuf.TextBuffer), the per-line strings as categoricals. Both change how the table is held,
never what it says."""
from __future__ import annotations

import errno

import pandas as pd
import pytest
from corpus import corpus_log

import trtlog
from trtlog.parse import textbuf

pa = pytest.importorskip("pyarrow")

LOG = "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"      # 3.3 MB, 20,008 lines
ARROW_TEXT = getattr(pd.Series(["x"]).dtype, "storage", "") == "pyarrow"


def real_lines(n=5000):
    with open(corpus_log(LOG), encoding="utf-8") as f:
        return [f.readline().rstrip("\n") for _ in range(n)]


def test_spilled_text_reads_back_the_same():
    lines = real_lines()
    buf = textbuf.TextBuffer(spill_at=64 * 1024)
    for i in range(0, len(lines), 1000):
        buf.add(lines[i:i + 1000])
    assert buf.spilled
    got = buf.finish()
    assert got.to_pylist() == lines
    assert got.take(pa.array([0, 4999])).to_pylist() == [lines[0], lines[4999]]


def test_non_ascii_text_spills_by_bytes():
    texts = ["Schicht «conv1» läuft", "ok", "层 conv2 使用 FP16"] * 2000
    buf = textbuf.TextBuffer(spill_at=1000)
    for i in range(0, len(texts), 700):
        buf.add(texts[i:i + 700])
    assert buf.spilled and buf.finish().to_pylist() == texts


def test_a_full_disk_keeps_the_text_in_memory(monkeypatch):
    lines = real_lines()
    buf = textbuf.TextBuffer(spill_at=64 * 1024)
    real_write, calls = textbuf._write_all, []

    def write_until_full(fd, data):
        calls.append(len(data))
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fd, data)
    monkeypatch.setattr(textbuf, "_write_all", write_until_full)
    for i in range(0, len(lines), 500):
        buf.add(lines[i:i + 500])
    assert len(calls) == 4 and not buf.spilled
    assert buf.finish().to_pylist() == lines


def test_spill_setting(monkeypatch):
    monkeypatch.setenv("TRTLOG_SPILL_MB", "0")
    assert textbuf.spill_bytes() is None
    monkeypatch.setenv("TRTLOG_SPILL_MB", "0.5")
    assert textbuf.spill_bytes() == 512 * 1024
    monkeypatch.setenv("TRTLOG_SPILL_MB", "lots")
    assert textbuf.spill_bytes() == textbuf.DEFAULT_SPILL_MB * 2 ** 20


@pytest.mark.skipif(not ARROW_TEXT, reason="the text column is Python objects where pandas keeps no strings in Arrow")
def test_a_spilled_load_equals_one_in_memory(monkeypatch):
    monkeypatch.setenv("TRTLOG_SPILL_MB", "0")
    kept = trtlog.load(corpus_log(LOG))
    monkeypatch.setenv("TRTLOG_SPILL_MB", "0.25")      # the log's text is ~2.3 MiB: most of it spills
    spilled = trtlog.load(corpus_log(LOG))
    for name in kept.tables:
        pd.testing.assert_frame_equal(kept.tables[name], spilled.tables[name], check_exact=True)
    m = spilled.tables["messages"]
    # line 2 of the log: "[11/02/2023-23:03:05] [W] --workspace flag has been deprecated by --memPoolSize flag."
    assert m["text"].iat[1] == "--workspace flag has been deprecated by --memPoolSize flag."
    assert spilled.line_text(20008) == kept.line_text(20008) != ""


def test_per_line_strings_are_categoricals_of_what_occurs():
    bl = trtlog.load(corpus_log(LOG))
    m = bl.tables["messages"]
    for col in ("severity", "source", "msg_id", "family"):
        assert isinstance(m[col].dtype, pd.CategoricalDtype), col
        cats = list(m[col].cat.categories)
        assert cats == sorted(cats) and set(cats) == set(m[col].unique()), col
    assert len(m) == 20008
    # counted in the log with grep: 19,817 "[V]" lines, 125 "[I]", 6 "[W]"; line 1 is the bare
    # "&&&& RUNNING TensorRT.trtexec ..." banner
    assert m["severity"].value_counts().to_dict() == {"V": 19817, "I": 125, "W": 6, "": 60}
    assert (m["severity"].iat[0], m["severity"].iat[1], m["source"].iat[1]) == ("", "W", "trtexec")


def test_freed_memory_goes_back_only_after_big_phases(monkeypatch):
    from trtlog import heap
    calls = []
    monkeypatch.setattr(heap, "_malloc_trim", lambda: calls.append)
    heap.release(heap.BIG - 1)
    assert calls == []
    heap.release(heap.BIG)
    assert calls == [0]
    # a corpus log is far below BIG lines: loading it walks no heap
    trtlog.load(corpus_log(LOG))
    assert calls == [0]


def test_no_writable_temporary_folder_keeps_the_text_in_memory(monkeypatch, tmp_path):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    lines = real_lines()
    buf = textbuf.TextBuffer(spill_at=64 * 1024)
    for i in range(0, len(lines), 1000):
        buf.add(lines[i:i + 1000])
    assert not buf.spilled and buf.finish().to_pylist() == lines
