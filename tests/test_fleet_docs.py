"""Every SQL block in docs/fleet.md runs on the scanned corpus + GPU bundles, and gives the rows
checked by eye in the logs and bundle files named below."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fleet_util import corpus_inputs, run_main

DOC = Path(__file__).resolve().parents[1] / "docs" / "fleet.md"


def doc_queries():
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^### (.+?)\n.*?```sql\n(.*?)```", text, flags=re.S | re.M)


QUERIES = dict(doc_queries())


def test_the_doc_has_the_ready_queries():
    assert {"Slowest builds per model", "Precision realisation per model and version", "Rule hit rates",
            "Layers whose kernel or precision changed between versions of the same model"} <= set(QUERIES)


@pytest.mark.parametrize("title", list(QUERIES))
def test_doc_query_runs(scanned, title):
    from trtlog.fleet.query import run_query
    _, ds, _ = scanned
    df = run_query(ds, QUERIES[title])
    assert len(df) > 0, title


def q(scanned, title):
    from trtlog.fleet.query import run_query
    return run_query(scanned[1], QUERIES[title])


def test_slowest_cnn_builds(scanned):
    df = q(scanned, "Slowest builds per model")
    cnn = df[df.model == "cnn"]
    # status.json of the bundles: cnn-fp16-trt8.5.3.1 305.873 s, cnn-fp16-trt8.6.0 296.266 s,
    # cnn-fp32-trt8.5.3.1 146.856 s; every other cnn build is faster
    assert list(cnn.build_seconds) == [305.873, 296.266, 146.856]
    assert list(cnn.trt_version) == ["8.5.3", "8.6.0", "8.5.3"]
    assert df.groupby("model").size().max() == 3


def test_head_gemm_turns_fp16_from_8_5_to_8_6(scanned):
    df = q(scanned, "Layers whose kernel or precision changed between versions of the same model")
    row = df[(df.model == "cnn") & (df.precision_requested == "FP32,FP16") & (df.layer == "/head/Gemm")]
    assert len(row) == 1
    r = row.iloc[0]
    # layers.json of cnn-fp16-trt8.5.3.1: /head/Gemm FP32 in and out, sm70_xmma_gemm_as_conv1x1_f32f32_...;
    # of cnn-fp16-O1-trt8.6.0 (the smallest log_id of the three 8.6.0 FP16 cnn builds): FP16,
    # sm50_xmma_cublas_gemvx_f16f16_f32_f32_...
    assert (r.from_version, r.to_version, r.from_precision, r.to_precision) == ("8.5.3", "8.6.0", "FP32", "FP16")
    assert r.from_kernel.startswith("sm70_xmma_gemm_as_conv1x1_f32f32")
    assert r.to_kernel.startswith("sm50_xmma_cublas_gemvx_f16f16")
    assert set(df.model) <= {"cnn", "model", "model-trained", "mobilenet", "transformer"}


def test_rule_hit_rates_add_up(scanned):
    import trtlog.fleet as fleet
    df = q(scanned, "Rule hit rates")
    con = fleet.open_dataset(scanned[1])
    ok = con.sql("select count(*) from logs where status = 'ok'").fetchall()[0][0]
    logs, bundles = corpus_inputs()
    assert ok == len(logs) + len(bundles)
    for r in df.itertuples():
        assert r.hit_rate == round(r.builds / ok, 3) and r.builds <= r.findings


def test_precision_realisation_shares_sum_to_one(scanned):
    df = q(scanned, "Precision realisation per model and version")
    shares = df[["fp32", "tf32", "fp16", "bf16", "int8", "fp8", "other"]].sum(axis=1)
    assert ((shares - 1).abs() < 0.01).all()
    cnn = df[(df.model == "cnn") & (df.precision_requested == "FP32,FP16") & (df.trt_version == "8.5.3")].iloc[0]
    assert cnn.fp16 > 0.5 and cnn.builds == 1


def test_query_cli_formats(scanned, capsys):
    _, ds, _ = scanned
    code, out, err = run_main(["query", ds, "select count(*) as n from logs where kind = 'bundle'",
                               "--format", "csv"], capsys)
    assert code == 0 and out.splitlines() == ["n", str(len(corpus_inputs()[1]))]
    code, out, err = run_main(["query", ds, "select model from logs where path like '%cnn-fp32-trt8.6.0'",
                               "--format", "json"], capsys)
    assert code == 0 and out.strip() == '[{"model": "cnn"}]'
    code, out, err = run_main(["query", ds, "select nope from logs"], capsys)
    assert code == 2 and err.startswith("trtlog: error: query failed:") and len(err.splitlines()) == 1
    code, out, err = run_main(["query", ds.parent, "select 1"], capsys)
    assert code == 2 and "not a trtlog dataset" in err
