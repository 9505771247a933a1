"""The HTML diff page, rendered from the typed DiffResult (trtlog/diff/html.py): facts asserted were read
in the two logs; hostile text from a real log's tables stays text."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from corpus import corpus_log

import trtlog
from trtlog.diff import diff_builds
from trtlog.diff.html import diff_view, render_html, write_html
from trtlog.errors import TrtlogError

T1014 = "trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"
T1016 = "trt10.16-trtexec-mnist-fp16-verbose-h100.log"
T82 = "trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"
T84 = "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_page_from_two_real_builds(tmp_path):
    res = diff_builds(trtlog.load(corpus_log(T1014)), trtlog.load(corpus_log(T1016)))
    html = write_html(res, tmp_path / "diff.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "NVIDIA RTX 6000 Ada Generation" in html and "NVIDIA H100 PCIe" in html
    assert f"Changes ({len(res.changes)})" in html
    # evidence lines quoted from both logs (10.14 log line 99, 10.16 log line 103)
    assert "line 99: Selected Device: NVIDIA RTX 6000 Ada Generation" in html
    assert "line 103: Selected Device: NVIDIA H100 PCIe" in html
    # the side-by-side facts are the typed BuildInfo fields: 16 vs 6 engine layers (10.14:4430-4445, 10.16:4688-4693)
    sides = {s["key"]: s for s in diff_view(res)["sides"]}
    assert (sides["layers"]["a"], sides["layers"]["b"], sides["layers"]["changed"]) == ("16", "6", True)


def test_write_refuses_to_overwrite(tmp_path):
    res = diff_builds(trtlog.load(corpus_log(T82)), trtlog.load(corpus_log(T84)))
    out = tmp_path / "d.html"
    out.write_text("keep")
    with pytest.raises(TrtlogError, match="--force"):
        write_html(res, out)
    assert out.read_text() == "keep"
    write_html(res, out, force=True)
    assert "6106.55" in out.read_text(encoding="utf-8")   # T84 throughput, 6106.55 qps


def test_hostile_layer_names_stay_text():
    a, b = trtlog.load(corpus_log(T82)), trtlog.load(corpus_log(T84))
    layers = b.tables["layers"].copy()
    layers.loc[0, "name"], layers.loc[1, "name"] = HOSTILE
    b.tables["layers"] = layers
    html = render_html(diff_builds(a, b))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    p = Tags()
    p.feed(html)
    assert "img" not in p.tags and p.tags.count("script") == 4
