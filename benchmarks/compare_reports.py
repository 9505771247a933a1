"""Compare the HTML report (`trtlog report`, rules included) of this working tree with a reference checkout
for every corpus log, GPU fixture bundle and TensorRT-RTX zoo bundle. Each side runs in one fresh
subprocess (click's CliRunner). Before comparing, the generation time stamp is replaced by a marker and
the vendored plotly.js bundle by its length (it is byte-identical or the CSP hash differs anyway).
Differing pages are printed as a unified diff of their text, long lines cut at tag and comma boundaries.

    python3 benchmarks/compare_reports.py [--ref ../main | --rev COMMIT] [--lines 60] [--only NAME_SUBSTRING]
"""
from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import tempfile
from pathlib import Path

from compare_parsers import run_child  # one side of an old-vs-new comparison in a fresh process

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
GPU = ROOT / "tests" / "fixtures" / "gpu"
RTX = ROOT / "tests" / "fixtures" / "rtx"

CHILD = r"""
import os, pickle, re, sys
root, listing, out, outdir = sys.argv[1:5]
sys.path.insert(0, root)
from click.testing import CliRunner
from trtlog.cli import cli as main
PLOTLY = re.compile(r"(<script[^>]*>)(/\*\*?\s*\n?\s*\* plotly.js.*?)(</script>)", re.S)
res = {}
runner = CliRunner()
for i, src in enumerate(open(listing).read().splitlines()):
    dest = os.path.join(outdir, f"{i}.html")
    r = runner.invoke(main, ["report", src, "-o", dest, "--force"])
    html = open(dest, encoding="utf-8").read() if os.path.exists(dest) else ""
    html = re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d ·", "on <generated> ·", html)
    html = PLOTLY.sub(lambda m: m.group(1) + f"<plotly.js {len(m.group(2))} chars>" + m.group(3), html)
    res[src] = (r.exit_code, r.output.replace(dest, "<out>"), html)
pickle.dump(res, open(out, "wb"))
"""


def inputs(only: str) -> list:
    items = [str(p) for p in sorted(CORPUS.iterdir()) if p.is_file()] if CORPUS.is_dir() else []
    for base in (GPU, RTX):
        items += [str(b) for b in sorted(base.iterdir()) if b.is_dir()]
    return [i for i in items if only in i]


def _lines(html: str) -> list:
    out = []
    for line in html.splitlines():
        out += re.split(r"(?<=>)(?=<)|(?<=,)(?=\")", line) if len(line) > 200 else [line]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default=str(ROOT.parent / "main"), help="reference checkout (not modified)")
    ap.add_argument("--rev", default="", help="reference revision of this repository instead of --ref")
    ap.add_argument("--lines", type=int, default=60, help="diff lines shown per differing page")
    ap.add_argument("--only", default="", help="only inputs whose path contains this")
    args = ap.parse_args()
    items = inputs(args.only)
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        listing = tmp / "inputs.txt"
        listing.write_text("".join(i + "\n" for i in items))
        ref_root = Path(args.ref)
        if args.rev:
            ref_root = tmp / "rev"
            ref_root.mkdir()
            arch = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(ref_root)], input=arch.stdout, check=True)
        sides = []
        for name, root in (("ref", ref_root), ("new", ROOT)):
            (tmp / name).mkdir()
            sides.append(run_child(CHILD, root, listing, tmp / f"{name}.pkl", str(tmp / name)))
    ref, new = sides
    same = 0
    for key in items:
        (ca, oa, ha), (cb, ob, hb) = ref[key], new[key]
        if (ca, oa, ha) == (cb, ob, hb):
            same += 1
            continue
        print(f"== {key.replace(str(ROOT.parent), '..')}: exit {ca} -> {cb}")
        if oa != ob:
            print(f"   output: {oa.strip()!r} -> {ob.strip()!r}")
        diff = list(difflib.unified_diff(_lines(ha), _lines(hb), "reference", "this tree", lineterm="", n=1))
        print("\n".join(diff[:args.lines]) + ("\n..." if len(diff) > args.lines else ""))
    print(f"\n{len(items)} reports, {same} identical, {len(items) - same} differ")


if __name__ == "__main__":
    main()
