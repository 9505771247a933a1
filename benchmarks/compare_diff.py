"""Compare `trtlog diff` output (text, json, html) of this working tree with a reference checkout.

Pairs: every pair the tests diff (corpus MNIST series, multi-run indices, GPU fixture bundles), every
corpus log against the next one (the ring of test_any_two_corpus_logs_diff_cleanly), the same ring over
tests/corpus/logs, and extra real pairs: TensorRT 8.5.3.1 vs 8.6.0 GPU bundles, first run vs rerun
bundles, TensorRT-RTX zoo bundles. Each side runs the CLI in one fresh subprocess (click's CliRunner)
with `trtlog.load` cached per path, so every log is parsed once per side. The HTML page's generation
time is masked; everything else must be byte-identical.

    python3 benchmarks/compare_diff.py [--ref /work/main] [--lines 30] [--quick]
"""
from __future__ import annotations

import argparse
import difflib
import re
import tempfile
from pathlib import Path

from compare_parsers import run_child  # one side of an old-vs-new comparison in a fresh process

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
LOCAL = ROOT / "tests" / "corpus" / "logs"
GPU = ROOT / "tests" / "fixtures" / "gpu"
RTX = ROOT / "tests" / "fixtures" / "rtx"

CHILD = r"""
import functools, os, pickle, sys
root, listing, out, tmp = sys.argv[1:5]
sys.path.insert(0, root)
import trtlog
_load = trtlog.load
@functools.lru_cache(maxsize=None)
def _cached(path):
    return _load(path)
trtlog.load = lambda path, **kw: _cached(path)
from click.testing import CliRunner
from trtlog.cli import cli as main
res = {}
runner = CliRunner()
for n, line in enumerate(open(listing).read().splitlines()):
    args = line.split("\t")
    html = os.path.join(tmp, f"{os.path.basename(root)}-{n}.html")
    if "html" in args:
        args = args + ["-o", html]
    r = runner.invoke(main, args)
    page = open(html, encoding="utf-8").read() if os.path.exists(html) else None
    res[line] = (r.exit_code, r.stdout, r.stderr.replace(html, "<out>"), page)
pickle.dump(res, open(out, "wb"))
"""

TEST_PAIRS = [  # (a, b, extra args): the pairs tests/test_diff*.py, test_unseen_items.py, test_report.py diff
    ("corpus/trt8.0-trtexec-mnist-fp16-verbose-gtx1070.log", "corpus/trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"),
    ("corpus/trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log", "corpus/trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"),
    ("corpus/trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log", "corpus/trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"),
    ("corpus/trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log",
     "corpus/trt10.16-trtexec-mnist-fp16-verbose-h100.log"),
    ("corpus/trt10.16-trtexec-dumplayerinfo-h100.log", "corpus/trt10.16-trtexec-mnist-fp16-verbose-h100.log"),
    ("corpus/trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log", "corpus/trt8.2-trtexec-onnx-pad-parse-error-excerpt.log"),
    ("corpus/trt8.2-trtexec-onnx-pad-parse-error-excerpt.log", "corpus/trt8.2-trtexec-mnist-fp32-verbose-gtx1070.log"),
    ("corpus/trt8.4-trtexec-multirun-verbose-gtx1070.log", "corpus/trt8.4-trtexec-multirun-verbose-gtx1070.log",
     "--run-a", "0", "--run-b", "2"),
    ("corpus/trt8.4-trtexec-multirun-verbose-gtx1070.log", "corpus/trt8.4-trtexec-multirun-verbose-gtx1070.log"),
    ("gpu/cnn-fp16-trt8.5.3.1", "gpu/cnn-fp16-trt8.6.0"),
    ("gpu/cnn-int8-O1-trt8.6.0", "gpu/cnn-int8-O1-trt8.6.0-run2"),
]
EXTRA_PAIRS = [
    ("corpus/trt10.16-trtexec-mnist-fp16-verbose-h100.log",
     "corpus/trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"),
    ("gpu/cnn-fp32-trt8.5.3.1", "gpu/cnn-fp32-trt8.6.0"),
    ("gpu/cnn-fp32-trt8.5.3.1", "gpu/cnn-fp16-trt8.5.3.1"),
    ("gpu/cnn-fp32-trt8.6.0", "gpu/cnn-fp16-trt8.6.0"),
    ("gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-int8-O1-trt8.6.0"),
    ("gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-fp16-O1-trt8.6.0-run2"),
    ("gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-dynamic-fp16-O1-trt8.6.0"),
    ("gpu/mobilenet-fp32-trt8.6.0", "gpu/mobilenet-fp16-O1-trt8.6.0"),
    ("gpu/mobilenet-fp16-O1-trt8.6.0", "gpu/mobilenet-int8-O1-trt8.6.0-run2"),
    ("gpu/mobilenet-int8-O1-trt8.6.0-killed", "gpu/mobilenet-int8-O1-trt8.6.0-run2"),
    ("gpu/transformer-fp32-trt8.6.0", "gpu/transformer-fp16-trt8.6.0"),
    ("gpu/transformer-fp16-trt8.6.0", "gpu/transformer-int8-trt8.6.0"),
    ("gpu/transformer-fp16-trt8.6.0", "gpu/transformer-fp16-tinyws-trt8.6.0"),
    ("gpu/transformer-fp16-headfp32-trt8.6.0-run2", "gpu/transformer-fp16-headfp32-prefer-trt8.6.0-run2"),
    ("gpu/transformer-int8-trt8.6.0", "gpu/transformer-int8-trt8.6.0-run2"),
    ("corpus/trt8.5-trtexec-mnist-best-verbose-orin.log", "corpus/trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"),
    ("corpus/trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log",
     "corpus/trt8.5-trtexec-resnet50-fp32-verbose-dumpprofile-rtx3080.log"),
    ("rtx/cnn", "rtx/depthwise_relu6"),
    ("rtx/cnn", "rtx/bf16_mlp"),
]


def ring(folder: Path, tag: str) -> list:
    names = sorted(p.name for p in folder.glob("*.log"))
    return [(f"{tag}/{a}", f"{tag}/{b}") for a, b in zip(names, names[1:] + names[:1])]


def commands(quick: bool) -> list:
    where = {"gpu": GPU, "corpus": CORPUS, "local": LOCAL, "rtx": RTX}
    pairs = TEST_PAIRS + EXTRA_PAIRS + ([] if quick else ring(CORPUS, "corpus") + ring(LOCAL, "local"))
    cmds, seen = [], set()
    for a, b, *extra in pairs:
        pa, pb = (where[x.split("/")[0]] / x.split("/", 1)[1] for x in (a, b))
        if not (pa.exists() and pb.exists()) or (a, b, tuple(extra)) in seen:
            continue
        seen.add((a, b, tuple(extra)))
        for fmt in ("text", "json", "html"):
            cmds.append(["diff", str(pa), str(pb), "--format", fmt, *extra])
    return cmds


_GENERATED = re.compile(r"on \d{4}-\d\d-\d\d \d\d:\d\d")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default="/work/main", help="reference checkout (a directory)")
    ap.add_argument("--lines", type=int, default=30, help="diff lines shown per differing output")
    ap.add_argument("--quick", action="store_true", help="named pairs only, no corpus rings")
    args = ap.parse_args()
    cmds = commands(args.quick)
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        listing = tmp / "commands.tsv"
        listing.write_text("".join("\t".join(c) + "\n" for c in cmds))
        ref = run_child(CHILD, Path(args.ref), listing, tmp / "ref.pkl", str(tmp))
        new = run_child(CHILD, ROOT, listing, tmp / "new.pkl", str(tmp))
    same = 0
    for key in ref:
        (ca, oa, ea, ha), (cb, ob, eb, hb) = ref[key], new[key]
        ha, hb = (_GENERATED.sub("on <time>", h) if h else h for h in (ha, hb))
        if (ca, oa, ea, ha) == (cb, ob, eb, hb):
            same += 1
            continue
        print(f"== {key.replace(chr(9), ' ').replace(str(ROOT.parent), '..')}: exit {ca} -> {cb}")
        for what, x, y in (("stdout", oa, ob), ("stderr", ea, eb), ("html", ha or "", hb or "")):
            if x != y:
                d = list(difflib.unified_diff(x.splitlines(), y.splitlines(), f"reference {what}", f"this tree {what}",
                                              lineterm="", n=1))
                print("\n".join(d[:args.lines]) + ("\n..." if len(d) > args.lines else ""))
    pages = sum(1 for k in ref if ref[k][3] and new[k][3])
    print(f"\n{len(ref)} outputs ({len(ref) // 3} pairs x text/json/html; {pages} HTML pages written by both), "
          f"{same} identical, {len(ref) - same} differ")


if __name__ == "__main__":
    main()
