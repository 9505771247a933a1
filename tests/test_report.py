"""HTML report: rendered from real corpus logs; facts asserted were read from the logs themselves."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import trtlog
from trtlog.report import render_report
from trtlog.report.render import render_report_html

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "logs"

MOBILENET = "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"   # 3.3 MB verbose INT8 build
FAILED = "trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"                 # ONNX parse error, &&&& FAILED
PERF = "trt10.16-trtexec-mnist-default-perf-h100.log"                      # build + perf summary
QAT = "trt8.5-trtexec-qat-resnet18-best-verbose-rtx2000ada.log"            # QAT INT8, --best, layer info

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "<a href=\"javascript:alert(3)\">x</a>",
           "\u202eunicode \u00e9\u4e2d 'quote'"]


def corpus_log(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus log not available: {path}")
    return path


def findings_for(bl):
    try:
        from trtlog.rules import run_rules
    except ImportError:
        return []
    return run_rules(bl)


class TagCollector(HTMLParser):
    """Start tags and attributes as a browser's tokenizer sees them, plus the inline script bodies."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def parse_html(html: str) -> TagCollector:
    p = TagCollector()
    p.feed(html)
    p.close()
    return p


def chart_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="trtlog-charts">(.*?)</script>', html, re.S)
    assert m, "chart data block missing"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def mobilenet():
    return trtlog.load(corpus_log(MOBILENET))


@pytest.fixture(scope="module")
def mobilenet_html(mobilenet):
    return render_report_html(mobilenet, findings_for(mobilenet))


# -- key facts from real logs ------------------------------------------------------------------

def test_int8_verbose_mobilenet_report_facts(mobilenet, mobilenet_html, tmp_path):
    html = mobilenet_html
    assert "NVIDIA GeForce RTX 3080" in html                      # line 85: Selected Device
    assert ">8.6.1<" in html                                      # line 96: TensorRT version: 8.6.1
    assert "build ok" in html and "trtexec PASSED" in html        # last line: &&&& PASSED
    assert "mobilenetV2.onnx" in html        # line 8: Model: ../../result/mobilnet/mobilenetV2.onnx
    assert "43.3 s" in html                                       # line 20002: Engine built in 43.3106 sec.
    # Engine Layer Information, lines 19929-19986: 58 layers, the last is the softmax.
    assert "Layers (58)" in html
    row = re.search(r"<tr><td class=\"num\">58</td>(.*?)</tr>", html, re.S).group(1)
    assert "/softmax/Softmax" in row and "CaskSoftMaxV2" in row and "0x6d55c70c4c781969" in row
    assert ">19986<" in row
    assert "<td>CaskSoftMaxV2</td><td>FP32</td>" in row   # Float[1,1000] -> output0 (Float[1,1000])
    # line 19932: /backbone/features/features.1/conv/conv.1/Conv, Int8[1,32:32,112,112] -> Int8[1,16:32,112,112]
    row = re.search(r"<td class=\"mono name\">/backbone/features/features.1/conv/conv.1/Conv</td>(.*?)</tr>",
                    html, re.S).group(1)
    assert "<td>CaskConvolution</td><td>INT8</td>" in row and "0xffb9fbd2bfa6c47d" in row
    assert re.search(r"<tr><td>INT8</td><td class=\"num\">\d+</td>", html)   # precision breakdown row
    # INT8 was requested (Precision: FP32+INT8, line 15) and is shown as requested.
    assert '<span class="badge">INT8</span>' in html
    # Line 1375: the calibrator warning is quoted in the warnings table.
    assert "Calibrator is not being used. Users must provide dynamic range" in html
    # Line 19855: Total Activation Memory: 1831424 (bytes) = 1.75 MiB.
    assert "1.75 MiB" in html
    # Tactic section: a verbose 8.6 build times thousands of tactics.
    n_tactics = len(mobilenet.tables["tactics"])
    assert n_tactics > 5000 and f"{n_tactics} timed or skipped tactics" in html
    # Size budget (<= 3 MB for a mobilenet-size build).
    out = render_report(mobilenet, findings_for(mobilenet), tmp_path / "mobilenet.html")
    assert out.stat().st_size <= 3 * 1024 * 1024
    figs = chart_data(html)
    assert {"chart-tactics", "chart-memory", "chart-fusions"} <= set(figs)


def _plain_values(obj, where="view"):
    """Everything a template or chart reads is a section dataclass, a list/dict/set, or plain text/numbers."""
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _plain_values(getattr(obj, f.name), f"{where}.{f.name}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _plain_values(v, f"{where}[{k!r}]")
    elif isinstance(obj, (list, tuple, set)):
        for i, v in enumerate(obj):
            yield from _plain_values(v, f"{where}[{i}]")
    elif obj is not None and type(obj) not in (str, int, float, bool):
        yield f"{where}: {type(obj).__name__}"


def test_view_model_sections_are_typed_and_hold_no_frames(mobilenet):
    from trtlog.report import views
    view = views.report_view(mobilenet, findings_for(mobilenet))
    assert isinstance(view.tactics, views.Tactics) and isinstance(view.precision, views.PrecisionSection)
    assert not list(_plain_values(view))        # no DataFrame / numpy value reaches a template or chart
    # the slowest decisions carry their candidates as typed points (the tactic chart), the others none
    slow = view.tactics.groups[0]
    assert slow.points and all(isinstance(p, views.TacticPoint) for p in slow.points)
    assert sum(p.chosen for p in slow.points) >= 1 and not view.tactics.groups[-1].points
    # Precision: FP32+INT8 (line 15); the INT8 share of layers is a number for the chart, its text for the table
    int8 = next(b for b in view.precision.breakdown if b.precision == "INT8")
    assert int8.requested == "yes" and int8.layers_pct == f"{int8.layers_share:.1f}".rstrip("0").rstrip(".")


def test_findings_link_to_evidence_lines(mobilenet, mobilenet_html):
    findings = [f.to_dict() for f in findings_for(mobilenet)]
    if not findings:
        pytest.skip("rule engine not available")
    codes = {f["code"] for f in findings}
    for code in codes:
        assert f'<span class="code">{code}</span>' in mobilenet_html
    lines = {e["line"] for f in findings for e in f["evidence"] if e.get("line")}
    assert 1375 in lines  # the calibrator warning is evidence of an INT8-without-calibrator finding
    for n in lines:
        assert f'<a href="#L{n}">{n}</a>' in mobilenet_html
        assert f'id="L{n}"' in mobilenet_html


def test_failed_build_report(tmp_path):
    bl = trtlog.load(corpus_log(FAILED))
    out = render_report(bl, findings_for(bl), tmp_path / "failed.html")
    html = out.read_text(encoding="utf-8")
    assert '<span class="badge state fail">build failed</span>' in html
    assert "trtexec FAILED" in html                                  # line 25: &&&& FAILED
    assert "Invalid Node - Pad_13" in html                           # line 18
    assert "Error Code 4: Internal Error (Reshape_3: IShuffleLayer" in html   # line 1
    # The tail of a failed build is quoted with line numbers; line 25 is the FAILED banner.
    assert 'id="L25"' in html and 'id="L18"' in html
    assert "No engine layer information in this log" in html


def test_perf_summary_report(tmp_path):
    bl = trtlog.load(corpus_log(PERF))
    html = render_report(bl, findings_for(bl), tmp_path / "perf.html").read_text(encoding="utf-8")
    assert "NVIDIA H100 PCIe" in html                  # line 103
    assert ">10.16.1<" in html                         # line 116
    assert "8.09 s" in html                            # line 149: Engine built in 8.09138 sec.
    perf = html[html.index('id="perf"'):]
    perf = perf[: perf.index("</section>")]
    assert "Throughput" in perf and "15374.3" in perf  # line 568: Throughput: 15374.3 qps
    # line 572: GPU Compute Time: min = 0.0331421 ms ... median = 0.0361328 ms
    gpu = re.search(r"<td>GPU Compute Time</td>(.*?)</tr>", perf, re.S).group(1)
    assert "0.0331" in gpu and "0.0361" in gpu


def test_qat_int8_report_precision_breakdown(tmp_path):
    bl = trtlog.load(corpus_log(QAT))
    html = render_report(bl, findings_for(bl), tmp_path / "qat.html").read_text(encoding="utf-8")
    assert "NVIDIA RTX 2000 Ada Generation Laptop GPU" in html   # line 68
    assert ">8.5.10<" in html                                    # line 77
    # line 11: Precision: FP32+FP16+INT8 (--best)
    for flag in ("FP32", "FP16", "INT8"):
        assert f'<span class="badge">{flag}</span>' in html
    assert f"Layers ({len(bl.tables['layers'])})" in html
    assert "chart-precision" in chart_data(html)
    # line 6503: Layer(ConvActPool): conv1.weight + QuantizeLinear_7 + Conv_9 + MaxPool_12, Tactic:
    # 0x0000000000000461, 176 (Int8[1,3,224,224]) -> 191 (Int8[1,64:32,56,56]): realised INT8.
    row = re.search(r"<td class=\"mono name\">conv1.weight \+ QuantizeLinear_7 \+ Conv_9 \+ MaxPool_12</td>(.*?)</tr>",
                    html, re.S).group(1)
    assert "<td>ConvActPool</td><td>INT8</td>" in row and "0x0000000000000461" in row and ">6503<" in row
    assert re.search(r"<tr><td>INT8</td><td class=\"num\">\d+</td>", html)


def test_profile_times_join_the_layer_table(tmp_path):
    # trt8.5 --best --dumpProfile on Orin: "=== Profile (43345 iterations ) ===" at line 25015.
    bl = trtlog.load(corpus_log("trt8.5-trtexec-mnist-best-verbose-orin.log"))
    html = render_report(bl, findings_for(bl), tmp_path / "orin.html").read_text(encoding="utf-8")
    layers = html[html.index('id="layers-table"'):]
    layers = layers[: layers.index("</table>")]
    # line 25018: Pooling66  221.68  0.0051  0.0051  13.1
    row = re.search(r"<td class=\"mono name\">Pooling66</td>(.*?)</tr>", layers, re.S).group(1)
    assert ">0.0051<" in row and ">13.1<" in row
    # the precision breakdown then has a time share column
    assert "% time</th>" in html and "chart-layer-time" in chart_data(html)
    prof = html[html.index('id="profile-table"'):]
    assert "Convolution110 + Parameter88 + (Unnamed Layer* 10) [Shuffle] + Plus112 + ReLU114" in prof  # line 25019


def test_every_corpus_log_renders(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    for path in sorted(CORPUS.glob("*.log")):
        bl = trtlog.load(path)
        out = render_report(bl, findings_for(bl), tmp_path / (path.stem + ".html"))
        html = out.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>"), path.name
        assert out.stat().st_size <= 3 * 1024 * 1024, path.name


# -- self-contained and CSP ------------------------------------------------------------------

def test_report_is_self_contained_with_hashed_csp(mobilenet_html):
    page = parse_html(mobilenet_html)
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    csp = metas[0]["content"]
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp
    executable = [body for attrs, body in page.scripts if attrs.get("type") != "application/json"]
    assert len(executable) == 3          # guard, plotly.js basic, page script
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    for tag, attrs in page.tags:
        assert "src" not in attrs or tag == "img", (tag, attrs)
        assert tag not in ("link", "iframe", "object", "embed", "base")
        href = attrs.get("href", "")
        assert not href or href.startswith("#"), href
    assert "plotly.js (basic - minified) v4.1.1" in mobilenet_html


# -- hostile names: untrusted text is escaped everywhere -------------------------------------

def hostile_buildlog():
    """A real build (the mobilenet log) whose layer / tactic / message text was replaced in the tables."""
    bl = trtlog.load(corpus_log(MOBILENET))
    layers = bl.tables["layers"].copy()
    for i, name in enumerate(HOSTILE):
        layers.loc[i, "name"] = name
    bl.tables["layers"] = layers
    tac = bl.tables["tactics"].copy()
    slowest = tac.loc[tac["time_ms"].idxmax(), "layer"]   # its group is in the chart and the detail tables
    tac.loc[tac["layer"] == slowest, "layer"] = HOSTILE[0]
    tac.loc[tac["layer"] == tac["layer"].iloc[0], "kernel"] = HOSTILE[1]
    bl.tables["tactics"] = tac
    fus = bl.tables["fusions"].copy()
    fus.loc[0, "target"] = HOSTILE[1]
    bl.tables["fusions"] = fus
    msgs = bl.tables["messages"].copy()
    msgs.loc[1374, "text"] = HOSTILE[1] + " " + HOSTILE[0]   # line 1375, quoted in warnings and excerpts
    bl.tables["messages"] = msgs
    mem = bl.tables["memory"].copy()
    mem.loc[mem["kind"] == "change", "name"] = HOSTILE[2]
    bl.tables["memory"] = mem
    bl.facts = dataclasses.replace(bl.facts, gpu=HOSTILE[1])      # facts are resolved at load time
    return bl


def test_hostile_names_are_escaped(tmp_path):
    bl = hostile_buildlog()
    html = render_report(bl, findings_for(bl), tmp_path / "hostile.html").read_text(encoding="utf-8")
    page = parse_html(html)
    tags = [t for t, _ in page.tags]
    assert tags.count("script") == 4 and "img" not in tags
    assert not [a for t, a in page.tags if t == "a" and not a.get("href", "").startswith("#")]
    for _, attrs in page.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert '<div class="k">GPU</div><div class="val">&#34;&gt;&lt;img src=x onerror=alert(2)&gt; (sm ' in html
    assert "\u202eunicode \u00e9\u4e2d &#39;quote&#39;" in html
    # Chart JSON inside <script> cannot close the element, and plotly gets entity-escaped labels.
    block = re.search(r'id="trtlog-charts">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    labels = json.dumps(chart_data(html))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in labels


# -- command line ----------------------------------------------------------------------------

def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "trtlog", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_cli_report_writes_file(tmp_path):
    log = corpus_log(FAILED)
    out = tmp_path / "r.html"
    res = run_cli("report", str(log), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    assert "Invalid Node - Pad_13" in out.read_text(encoding="utf-8")
    res = run_cli("report", str(log), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "trt8.2-trtexec-onnx-pad-parse-error-excerpt.report.html").is_file()
    # an existing file is never overwritten without --force
    before = out.read_bytes()
    res = run_cli("report", str(log), "-o", str(out))
    assert res.returncode == 2 and "not overwriting" in res.stderr and out.read_bytes() == before
    assert run_cli("report", str(log), "-o", str(out), "--force").returncode == 0


def test_cli_report_bad_input_is_one_line_exit_2(tmp_path):
    res = run_cli("report", str(tmp_path / "missing.log"), "-o", str(tmp_path / "x.html"))
    assert res.returncode == 2
    assert res.stderr.startswith("trtlog: error:") and len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr
    res = run_cli("report", str(corpus_log(FAILED)), "--validation", str(tmp_path / "nope.json"))
    assert res.returncode == 2 and "validation file not found" in res.stderr


def test_validation_section(tmp_path):
    # validate.json as documented in trtlog/validate (schema trtlog.validate/1); no GPU run exists yet.
    validation = {"schema": "trtlog.validate/1", "status": "FAIL", "passed": False,
                  "criteria": {"atol": 1e-3, "rtol": 1e-3},
                  "outputs": [{"name": HOSTILE[0], "shape": [1, 1000], "engine_dtype": "float32",
                               "max_abs_err": 0.25, "rel_l2": 0.031, "cosine": 0.9991, "outside_tol": 0.12,
                               "argmax_agreement": 1.0, "passed": False, "reasons": ["outside_tol 0.12 > 0"]}]}
    path = tmp_path / "validate.json"
    path.write_text(json.dumps(validation), encoding="utf-8")
    out = tmp_path / "v.html"
    res = run_cli("report", str(corpus_log(PERF)), "-o", str(out), "--validation", str(path))
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    section = html[html.index('id="validation"'):]
    section = section[: section.index("</section>")]
    assert '<span class="badge state fail">FAIL</span>' in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section and "0.9991" in section
    assert "outside_tol 0.12 &gt; 0" in section


def test_profile_only_log_gets_profile_table_and_chart(tmp_path):
    # --loadEngine --dumpProfile: no engine layer list, an 838-row profile (lines 156-993, Total at 994).
    bl = trtlog.load(corpus_log("trt8.5.3-trtexec-loadengine-plugin-dumpprofile-rtx3090.log"))
    html = render_report(bl, findings_for(bl), tmp_path / "p.html").read_text(encoding="utf-8")
    prof = html[html.index('id="profile-table"'):]
    prof = prof[: prof.index("</table>")]
    assert prof.count("<tr>") == 1 + 838
    # line 397, the slowest layer: 200.54 ms total, 1.6995 ms average, 7.1 %
    slowest = ("{ForeignNode[model.head.map_head.layers.5.layers.11.scale + (Unnamed Layer* 6240) [Shuffle]"
               "...Transpose_4809 + Reshape_4815]}")
    row = prof[prof.index(">" + slowest + "<"):]
    row = row[: row.index("</tr>")]
    assert ">200.54<" in row and ">1.6995<" in row and ">7.1<" in row
    fig = chart_data(html)["chart-profile"]
    assert fig["data"][0]["x"][-1] == 1.6995      # the top bar is the slowest layer
