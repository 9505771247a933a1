"""Compare what users see, this working tree against a reference revision: `trtlog explain --format json`
of every corpus log, GPU fixture bundle and TensorRT-RTX zoo bundle, and `trtlog diff` (text) of pairs
of GPU fixture bundles and corpus logs. Each side runs the CLI in one fresh subprocess (click's
CliRunner); differing outputs are printed as a unified diff (first lines of each).

    python3 benchmarks/compare_outputs.py [--rev 5977916] [--lines 40]
"""
from __future__ import annotations

import argparse
import difflib
import subprocess
import tempfile
from pathlib import Path

from compare_parsers import run_child  # one side of an old-vs-new comparison in a fresh process

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
GPU = ROOT / "tests" / "fixtures" / "gpu"
RTX = ROOT / "tests" / "fixtures" / "rtx"

CHILD = r"""
import pickle, sys
root, listing, out = sys.argv[1:4]
sys.path.insert(0, root)
from click.testing import CliRunner
from trtlog.cli import cli as main
res = {}
runner = CliRunner()
for line in open(listing).read().splitlines():
    args = line.split("\t")
    r = runner.invoke(main, args)
    res[line] = (r.exit_code, r.output)
pickle.dump(res, open(out, "wb"))
"""

DIFF_PAIRS = [
    ("gpu/cnn-fp32-trt8.6.0", "gpu/cnn-fp16-trt8.6.0"),
    ("gpu/cnn-fp16-trt8.5.3.1", "gpu/cnn-fp16-trt8.6.0"),
    ("gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-int8-O1-trt8.6.0"),
    ("gpu/mobilenet-fp32-trt8.6.0", "gpu/mobilenet-fp16-O1-trt8.6.0"),
    ("gpu/cnn-fp16-O1-trt8.6.0", "gpu/cnn-dynamic-fp16-O1-trt8.6.0"),
    ("corpus/trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log", "corpus/trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log"),
    ("corpus/trt8.6.0-trtexec-mnist-fp16-verbose-rtx3090.log",
     "corpus/trt10.14-trtexec-mnist-fp16-verbose-rtx6000ada.log"),
    ("rtx/cnn", "rtx/depthwise_relu6"),
]


def commands() -> list:
    where = {"gpu": GPU, "corpus": CORPUS, "rtx": RTX}
    cmds = [["explain", "--format", "json", str(p)] for p in sorted(CORPUS.iterdir()) if p.is_file()]
    for base in (GPU, RTX):
        cmds += [["explain", "--format", "json", str(b)] for b in sorted(base.iterdir()) if b.is_dir()]
    for a, b in DIFF_PAIRS:
        pa, pb = (where[x.split("/")[0]] / x.split("/", 1)[1] for x in (a, b))
        if pa.exists() and pb.exists():
            cmds.append(["diff", str(pa), str(pb)])
    return cmds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rev", default="5977916")
    ap.add_argument("--lines", type=int, default=40, help="diff lines shown per differing output")
    args = ap.parse_args()
    cmds = commands()
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        ref_root = tmp / "ref"
        ref_root.mkdir()
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(ref_root)], input=arch.stdout, check=True)
        listing = tmp / "commands.tsv"
        listing.write_text("".join("\t".join(c) + "\n" for c in cmds))
        ref = run_child(CHILD, ref_root, listing, tmp / "ref.pkl")
        new = run_child(CHILD, ROOT, listing, tmp / "new.pkl")
    same = 0
    for key in ref:
        (ca, oa), (cb, ob) = ref[key], new[key]
        if ca == cb and oa == ob:
            same += 1
            continue
        print(f"== {key.replace(chr(9), ' ').replace(str(ROOT.parent), '..')}: exit {ca} -> {cb}")
        diff = list(difflib.unified_diff(oa.splitlines(), ob.splitlines(), "reference", "this tree", lineterm="", n=1))
        print("\n".join(diff[:args.lines]) + ("\n..." if len(diff) > args.lines else ""))
    print(f"\n{len(ref)} outputs, {same} identical, {len(ref) - same} differ")


if __name__ == "__main__":
    main()
