"""The HTML report in a real headless Chromium, opened from file:// with networking disabled.

Needs Debian's `chromium` (apt-get install chromium); skips with a message when it is absent. Nothing is
installed at run time. The page records script errors and CSP violations on <html data-errors/data-csp>;
Chromium's --dump-dom gives the DOM after the scripts ran, and its stderr carries every console message.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_report import FAILED, HOSTILE, MOBILENET, PERF, QAT, corpus_log, findings_for, hostile_buildlog

import trtlog
from trtlog.report import render_report

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "trtlog-report-screenshots"


def find_chromium():
    for name in (os.environ.get("TRTLOG_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if not path:
        pytest.skip("chromium not installed (Debian: apt-get install chromium); browser checks skipped")
    return path


@pytest.fixture(scope="module")
def no_network_prefix():
    """Run the browser in a fresh network namespace (no interfaces but a down loopback) when allowed."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which("unshare") and subprocess.run(prefix + ["true"], capture_output=True).returncode == 0:
            return prefix
    return []  # the proxy / resolver flags below still send every request nowhere


def open_page(chromium, prefix, page: Path, workdir: Path, fragment: str = "", screenshot: Path = None):
    args = prefix + [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
        "--disable-extensions", f"--user-data-dir={workdir / 'profile'}",
        "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
    ]
    if screenshot is not None:
        args += ["--hide-scrollbars", "--window-size=1400,4200", f"--screenshot={screenshot}"]
    else:
        args += ["--dump-dom"]
    res = subprocess.run(args + [page.resolve().as_uri() + fragment], capture_output=True, text=True,
                         timeout=180, cwd=str(workdir))
    # Console messages of the page itself (headless Chromium's own chrome:// pages log too).
    console = [line for line in res.stderr.splitlines() if ":CONSOLE" in line and "source: file://" in line]
    return res, console


class Dom(HTMLParser):
    """Index of the dumped DOM: every element with its attributes and the ids of its ancestors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.stack = []
        self.text_in = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ancestors = [a.get("id") for _, a in self.stack if a.get("id")]
        self.elements.append((tag, attrs, ancestors))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), [a.get("id") for _, a in self.stack if a.get("id")]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for _, a in self.stack:
            if a.get("id"):
                self.text_in[a["id"]] = self.text_in.get(a["id"], "") + data

    def root(self):
        return next(a for t, a, _ in self.elements if t == "html")

    def inside(self, elem_id, tag=None):
        return [(t, a) for t, a, anc in self.elements if elem_id in anc and (tag is None or t == tag)]


def check_clean_page(res, console, dom):
    assert res.returncode == 0, res.stderr[-2000:]
    assert not console, "console messages: " + "\n".join(console)
    root = dom.root()
    assert root.get("data-ready") == "1", "page script did not finish"
    assert root.get("data-errors") == "0", root.get("data-errors-log")
    assert root.get("data-csp") == "0", root.get("data-csp-log")


def chart_ids(dom):
    return [a["id"] for t, a, _ in dom.elements if t == "div" and "chart" in a.get("class", "").split()]


def check_charts(dom):
    ids = chart_ids(dom)
    assert ids, "no chart containers"
    for cid in ids:
        assert dom.inside(cid, "svg"), f"{cid} has no svg: plotly did not draw it"
    assert dom.root().get("data-charts") == str(len(ids))
    return ids


def test_mobilenet_report_in_chromium(chromium, no_network_prefix, tmp_path):
    bl = trtlog.load(corpus_log(MOBILENET))
    page = render_report(bl, findings_for(bl), tmp_path / "mobilenet.html")
    # The only layer of the 58 whose row mentions softmax is /softmax/Softmax (CaskSoftMaxV2, line 19986).
    res, console = open_page(chromium, no_network_prefix, page, tmp_path, "#filter=softmax")
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    ids = check_charts(dom)
    assert {"chart-tactics", "chart-memory", "chart-fusions"} <= set(ids)
    table = next(a for t, a, _ in dom.elements if a.get("id") == "layers-table")
    assert table.get("data-shown") == "1"
    body_rows = dom.inside("layers-table", "tr")[1:]
    assert len(body_rows) == 58
    assert sum(1 for _, a in body_rows if "hidden" in a) == 57
    assert "/softmax/Softmax" in dom.text_in["layers-table"]

    # Sorting: #sort=7:desc sorts by the line column (no profile in this build, so column 7 is
    # "line"); the Engine Layer Information block runs from line 19929 to 19986.
    res, console = open_page(chromium, no_network_prefix, page, tmp_path, "#sort=7:desc")
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    header = dom.inside("layers-table", "th")[7][1]
    assert header.get("aria-sort") == "descending"
    lines = [int(x) for x in re.findall(r"(\d+)</td></tr>", res.stdout[res.stdout.index('id="layers-table"'):]
                                        .split("</table>")[0])]
    assert lines[0] == 19986 and lines[-1] == 19929 and lines == sorted(lines, reverse=True)

    # For humans: a screenshot of the whole report under a stable temp directory.
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOT_DIR / "mobilenet-report.png"
    res, console = open_page(chromium, no_network_prefix, page, tmp_path, screenshot=shot)
    assert res.returncode == 0 and shot.is_file() and shot.stat().st_size > 20000
    print(f"screenshot: {shot}")


@pytest.mark.parametrize("name", [FAILED, PERF, QAT])
def test_corpus_reports_render_cleanly(chromium, no_network_prefix, tmp_path, name):
    bl = trtlog.load(corpus_log(name))
    page = render_report(bl, findings_for(bl), tmp_path / "r.html")
    res, console = open_page(chromium, no_network_prefix, page, tmp_path)
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    if chart_ids(dom):
        check_charts(dom)


def test_hostile_names_create_no_elements_in_chromium(chromium, no_network_prefix, tmp_path):
    bl = hostile_buildlog()
    page = render_report(bl, findings_for(bl), tmp_path / "hostile.html")
    res, console = open_page(chromium, no_network_prefix, page, tmp_path, "#filter=alert(1)")
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    check_charts(dom)
    tags = [t for t, _, _ in dom.elements]
    assert tags.count("script") == 4          # guard, chart JSON, plotly, page script: nothing injected
    assert "img" not in tags
    for tag, attrs, _ in dom.elements:
        assert not [k for k in attrs if k.lower().startswith("on")], (tag, attrs)
        if tag == "a" and "href" in attrs:
            assert attrs["href"].startswith("#"), attrs
    # The names are shown as text: in the table, in the plotly tick labels, in the excerpts.
    text = dom.text_in["layers-table"]
    for name in HOSTILE[:2]:
        assert name in text
    assert HOSTILE[0] in dom.text_in["chart-tactics"]
    assert HOSTILE[1] in dom.text_in["excerpts"]
    table = next(a for t, a, _ in dom.elements if a.get("id") == "layers-table")
    assert table.get("data-shown") == "1"     # only the renamed layer 1 contains "alert(1)"


def test_diff_report_in_chromium(chromium, no_network_prefix, tmp_path):
    from trtlog.diff import diff_builds
    from trtlog.diff.html import write_html  # the page `trtlog diff --format html` writes
    a = trtlog.load(corpus_log("trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"))
    b = trtlog.load(corpus_log("trt10.16-trtexec-mnist-fp16-verbose-h100.log"))
    page = write_html(diff_builds(a, b), tmp_path / "diff.html")
    res, console = open_page(chromium, no_network_prefix, page, tmp_path)
    dom = Dom(res.stdout)
    check_clean_page(res, console, dom)
    if chart_ids(dom):
        check_charts(dom)
