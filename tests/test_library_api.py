"""The public library API (trtlog.__all__), BuildLog's repr / _repr_html_ and to_parquet, on real logs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from corpus import corpus_log

import trtlog
from trtlog.cli import cli
from trtlog.errors import TrtlogError

H100_FP16 = "trt10.16-trtexec-mnist-fp16-verbose-h100.log"   # 4713 lines; 6 Layer( lines (4688-4693)
T82 = "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"        # line 71: TensorRT version: 8.2.3
T84 = "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"        # line 72: TensorRT version: 8.4.1
ROOT = Path(__file__).resolve().parents[1]


def test_all_names_the_public_api():
    assert set(trtlog.__all__) == {"BuildLog", "DiffResult", "Facts", "Finding", "TrtlogError", "diff_builds", "load",
                                   "open_dataset", "render_report", "run_rules", "scan", "__version__"}
    for name in trtlog.__all__:
        assert getattr(trtlog, name) is not None


def test_import_stays_light():
    # a fresh interpreter: pandas is imported only when a BuildLog is needed (`trtlog build` starts fast)
    code = "import sys, trtlog; trtlog.run_rules; assert 'pandas' not in sys.modules; trtlog.BuildLog; " \
           "assert 'pandas' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_load_run_rules_diff_report(tmp_path):
    log = corpus_log(H100_FP16)
    bl = trtlog.load(log)
    assert isinstance(bl, trtlog.BuildLog)
    # README: TRT204, TRT401, TRT402, TRT503 warnings and the TRT311 info
    assert [f.code for f in trtlog.run_rules(bl, min_severity="warning")] == ["TRT204", "TRT401", "TRT402", "TRT503"]
    assert [f.code for f in trtlog.run_rules(log, select=["TRT4"], ignore=["TRT402"])] == ["TRT401"]
    assert all(isinstance(f, trtlog.Finding) for f in trtlog.run_rules(bl))
    d = trtlog.diff_builds(corpus_log(T82), corpus_log(T84))
    assert isinstance(d, trtlog.DiffResult)
    assert (d.to_dict()["a"]["trt_version"], d.to_dict()["b"]["trt_version"]) == ("8.2.3", "8.4.1")
    out = trtlog.render_report(bl, tmp_path / "r.html")
    assert out.is_file() and "TRT401" in out.read_text(encoding="utf-8")
    with pytest.raises(TrtlogError, match="unknown rule"):
        trtlog.run_rules(bl, select=["TRT999"])


def test_repr_is_short_and_computes_no_findings(monkeypatch):
    bl = trtlog.load(corpus_log(H100_FP16))
    import trtlog.rules.engine as engine
    monkeypatch.setattr(engine, "run_rules", None)          # repr must not need the rules
    text = repr(bl)
    assert text.startswith("<BuildLog '") and text.endswith(
        "trt10.16-trtexec-mnist-fp16-verbose-h100.log': trtexec, TensorRT 10.16.1, 4713 lines, 1 run, 6 layers, "
        "built>")
    assert len(text) < 160 and "\n" not in text


def test_repr_html_escapes(tmp_path):
    odd = tmp_path / "a<b>&'x.log"
    shutil.copy(corpus_log(H100_FP16), odd)
    page = trtlog.load(odd)._repr_html_()
    assert "a&lt;b&gt;&amp;&#x27;x.log" in page and "a<b>" not in page
    assert "NVIDIA H100 PCIe" in page and "10.16.1" in page      # line 103: Selected Device: NVIDIA H100 PCIe


def test_to_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    bl = trtlog.load(corpus_log(H100_FP16))
    out = bl.to_parquet(tmp_path / "pq")
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([f"{n}.parquet" for n in bl.tables] + ["meta.json"])
    for name, df in bl.tables.items():
        back = pd.read_parquet(out / f"{name}.parquet")
        assert len(back) == len(df) and list(back.columns) == list(df.columns)
    # the device table mixes int and str keys (line 102 is keyed 0): written as strings
    dev = pd.read_parquet(out / "device.parquet")
    assert dev.loc[dev["line"] == 103, "value"].iat[0] == "NVIDIA H100 PCIe"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["schema"] == "trtlog.parquet-meta/1" and meta["lines"] == 4713
    assert meta["meta"]["trt_version"] == "10.16.1" and meta["tables"]["layers"] == 6
    # the facts as `trtlog parse --facts` writes them, beside meta
    assert meta["facts"] == json.loads(json.dumps(bl.facts.to_dict()))
    assert meta["facts"]["gpu"] == "NVIDIA H100 PCIe" and meta["facts"]["evidence"]["gpu"] == {"line": 103}
    with pytest.raises(TrtlogError, match="exists; not overwriting"):
        bl.to_parquet(out)
    bl.to_parquet(out, overwrite=True)


def test_to_parquet_without_pyarrow(tmp_path, monkeypatch):
    bl = trtlog.load(corpus_log(T82))
    monkeypatch.setitem(sys.modules, "pyarrow", None)      # import pyarrow -> ImportError
    with pytest.raises(TrtlogError, match=r"^BuildLog.to_parquet needs pyarrow: pip install 'trtlog\[parquet\]'$"):
        bl.to_parquet(tmp_path / "pq")
    assert not (tmp_path / "pq").exists()


def test_parse_parquet_with_mixed_device_keys(tmp_path):
    pytest.importorskip("pyarrow")
    res = CliRunner().invoke(cli, ["parse", str(corpus_log(H100_FP16)), "--format", "parquet", "-o",
                                   str(tmp_path / "t")], standalone_mode=False)
    assert res.exception is None and res.return_value == 0     # was: internal error (ArrowInvalid, exit 3)
    assert len(pd.read_parquet(tmp_path / "t" / "device.parquet")) == len(trtlog.load(corpus_log(H100_FP16)).device)
