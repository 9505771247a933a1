"""`trtlog report DATASET`: the fleet page, checked as HTML here and in a real headless Chromium
(skipped without it, like the build report's browser tests)."""
from __future__ import annotations

import shutil

import pytest
from fleet_util import run_main
from test_report import HOSTILE
from test_report_chromium import Dom, check_charts, check_clean_page, chromium, no_network_prefix, open_page  # noqa: F401

CHARTS = {"chart-build-time-hist", "chart-build-time-trend", "chart-findings", "chart-precision"}


def ids_of(con, where):
    return [r[0] for r in con.sql(f"select log_id from logs where {where} order by log_id").fetchall()]


def rewrite(ds, table, log_id, change):
    """Replace values in one input's part of a table (the dataset, never a log)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from trtlog.fleet.schema import schema
    part, = ds.glob(f"{table}/*/{log_id}.parquet")
    df = pq.read_table(part).to_pandas()
    change(df)
    pq.write_table(pa.Table.from_pandas(df, schema=schema(table), preserve_index=False), part)


@pytest.fixture(scope="module")
def hostile_dataset(scanned, tmp_path_factory):
    """The scanned dataset with hostile strings as model, GPU, path, layer name and finding title."""
    import trtlog.fleet as fleet
    ds = tmp_path_factory.mktemp("hostile") / "ds"
    shutil.copytree(scanned[1], ds)
    con = fleet.open_dataset(ds)
    cnn = ids_of(con, "model = 'cnn'")
    old, new = ids_of(con, "path like '%cnn-fp16-trt8.5.3.1'")[0], ids_of(con, "path like '%cnn-fp16-O1-trt8.6.0'")[0]
    con.close()
    for i in cnn:
        rewrite(ds, "logs", i, lambda df: df.__setitem__("model", HOSTILE[0]))
    rewrite(ds, "logs", old, lambda df: (df.__setitem__("gpu", HOSTILE[1]), df.__setitem__("path", HOSTILE[3])))
    for i in (old, new):   # /head/Gemm turns FP32 -> FP16 from 8.5.3 to 8.6.0: the regression names it
        rewrite(ds, "layers", i, lambda df: df.__setitem__("name", df["name"].replace("/head/Gemm", HOSTILE[2])))
        rewrite(ds, "findings", i, lambda df: df.__setitem__("title", HOSTILE[1]))
    return ds


def test_fleet_page_contents(scanned, tmp_path, capsys):
    _, ds, _ = scanned
    out = tmp_path / "fleet.html"
    code, stdout, err = run_main(["report", ds, "-o", out], capsys)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    dom = Dom(html)
    ids = {a.get("id") for _, a, _ in dom.elements if a.get("id")}
    links = [a["href"] for t, a, _ in dom.elements if t == "a" and "href" in a]
    assert links and all(h.startswith("#") for h in links)
    build_links = [h[1:] for h in links if h.startswith("#b-")]
    assert build_links and set(build_links) <= ids          # every link reaches a build row
    assert CHARTS <= set(html.split('"trtlog-charts">', 1)[1].split("</script>", 1)[0].replace('"', " ").split())
    # cnn FP16 8.5.3 -> 8.6.0: /head/Gemm FP32 -> FP16 (layers.json of both bundles), a regression row
    reg = dom.text_in["regressions-table"]
    assert "/head/Gemm FP32 → FP16" in reg
    assert "Content-Security-Policy" in html and "default-src &#39;none&#39;" in html
    code, _, err = run_main(["report", ds, "-o", out], capsys)
    assert code == 2 and "--force" in err


def test_fleet_page_in_chromium(chromium, no_network_prefix, scanned, tmp_path):  # noqa: F811
    from trtlog.fleet.render import render_fleet_report
    page = render_fleet_report(scanned[1], tmp_path / "fleet.html")
    res, console = open_page(chromium, no_network_prefix, page, tmp_path)
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    assert set(check_charts(dom)) == CHARTS


def test_hostile_names_stay_text(chromium, no_network_prefix, hostile_dataset, tmp_path):  # noqa: F811
    from trtlog.fleet.render import render_fleet_report
    page = render_fleet_report(hostile_dataset, tmp_path / "fleet.html")
    res, console = open_page(chromium, no_network_prefix, page, tmp_path, "#builds")
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    check_charts(dom)
    tags = [t for t, _, _ in dom.elements]
    assert tags.count("script") == 4 and "img" not in tags
    for tag, attrs, _ in dom.elements:
        assert not [k for k in attrs if k.lower().startswith("on")], (tag, attrs)
        if tag == "a" and "href" in attrs:
            assert attrs["href"].startswith("#"), attrs
    builds = dom.text_in["builds-table"]
    assert HOSTILE[0] in builds and HOSTILE[1] in builds and HOSTILE[3] in builds
    assert f"{HOSTILE[2]} FP32 → FP16" in dom.text_in["regressions-table"]
    assert HOSTILE[0] in dom.text_in["chart-precision"] and HOSTILE[0] in dom.text_in["chart-build-time-trend"]
