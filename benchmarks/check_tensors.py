"""Check the typed `tensors` table against the tensor strings of a reference revision, once.

Before the tensors table held every engine layer's tensors, the layers table kept them as display
strings ('name (Dtype[dims])' joined by '; ') that align, rules and the report re-parsed with
trtlog.diffing.align.parse_tensors. For every corpus log, GPU fixture bundle and TensorRT-RTX zoo
bundle this loads the input with the reference revision and with this working tree (each in a fresh
subprocess) and, per engine layer (run, line, name) and direction, compares the tensors rows
(name, dtype, dims) of this tree with what the reference's parse_tensors made of its strings, and the
report's formats (trtlog.tensors.formats) with the reference's in_formats/out_formats. Every
difference is printed with the string it came from.

    python3 benchmarks/check_tensors.py [--rev 5977916]
"""
from __future__ import annotations

import argparse
import collections
import subprocess
import tempfile
from pathlib import Path

from compare_parsers import run_child  # one side of an old-vs-new comparison in a fresh process

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
GPU = ROOT / "tests" / "fixtures" / "gpu"
RTX = ROOT / "tests" / "fixtures" / "rtx"

REF_CHILD = r"""
import pickle, sys
root, listing, out = sys.argv[1:4]
sys.path.insert(0, root)
import trtlog
from trtlog.diffing.align import parse_tensors
res = {}
for name, path in (l.split("\t") for l in open(listing).read().splitlines()):
    try:
        lay = trtlog.load(path).tables["layers"]
    except Exception as exc:
        res[name] = str(exc)
        continue
    rows = {}
    for r in lay.to_dict("records"):
        ins, outs = str(r.get("inputs") or ""), str(r.get("outputs") or "")
        if not outs and ins.lstrip().startswith("->"):
            ins, outs = "", ins.lstrip()[2:]        # what align.layers_from_table did
        key = (int(r["run"]), int(r["line"]), str(r["name"]))
        rows[key] = {"input": ([(t.name, t.dtype, ",".join(t.dims)) for t in parse_tensors(ins)], ins,
                               str(r.get("in_formats") or "")),
                     "output": ([(t.name, t.dtype, ",".join(t.dims)) for t in parse_tensors(outs)], outs,
                                str(r.get("out_formats") or ""))}
    res[name] = rows
pickle.dump(res, open(out, "wb"))
"""

NEW_CHILD = r"""
import pickle, sys
root, listing, out = sys.argv[1:4]
sys.path.insert(0, root)
import trtlog
from trtlog.tensors import by_layer, formats, of
res = {}
for name, path in (l.split("\t") for l in open(listing).read().splitlines()):
    try:
        bl = trtlog.load(path)
    except Exception as exc:
        res[name] = str(exc)
        continue
    index = by_layer(bl.tables["tensors"])
    rows = {}
    for r in bl.tables["layers"].to_dict("records"):
        ts = of(index, r)
        key = (int(r["run"]), int(r["line"]), str(r["name"]))
        rows[key] = {"input": ([(t.name, t.dtype, ",".join(t.shape)) for t in ts.inputs], formats(ts.inputs)),
                     "output": ([(t.name, t.dtype, ",".join(t.shape)) for t in ts.outputs], formats(ts.outputs))}
    res[name] = (rows, len(bl.tables["tensors"]))
pickle.dump(res, open(out, "wb"))
"""


def inputs() -> list:
    items = [(p.name, p) for p in sorted(CORPUS.iterdir()) if p.is_file()] if CORPUS.is_dir() else []
    for base in (GPU, RTX):
        items += [(f"{base.name}:{b.name}", b) for b in sorted(base.iterdir()) if b.is_dir()]
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rev", default="5977916", help="reference revision (its layers-table strings)")
    args = ap.parse_args()
    items = inputs()
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        ref_root = tmp / "ref"
        ref_root.mkdir()
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(ref_root)], input=arch.stdout, check=True)
        listing = tmp / "inputs.tsv"
        listing.write_text("".join(f"{n}\t{p}\n" for n, p in items))
        ref = run_child(REF_CHILD, ref_root, listing, tmp / "ref.pkl")
        new = run_child(NEW_CHILD, ROOT, listing, tmp / "new.pkl")
    kinds: collections.Counter = collections.Counter()
    layers = tensors = 0
    shown = collections.Counter()
    per_input: collections.Counter = collections.Counter()
    dtypes: collections.Counter = collections.Counter()
    for name, _ in items:
        a, b = ref[name], new[name]
        if isinstance(a, str) or isinstance(b, str):
            if a != b:
                print(f"{name}: load differs: {a!r} / {b!r}")
                kinds["load"] += 1
            continue
        b, n_tensors = b
        tensors += n_tensors
        if set(a) != set(b):
            print(f"{name}: layer keys differ: {sorted(set(a) ^ set(b))[:5]}")
            kinds["layer keys"] += 1
        for key in sorted(set(a) & set(b)):
            layers += 1
            for direction in ("input", "output"):
                (old, text, old_fmt), (typed, fmt) = a[key][direction], b[key][direction]
                if old != typed:
                    kind = "tensors " + _why(old, typed)
                    kinds[kind] += 1
                    per_input[name] += 1
                    dtypes.update(d for (n0, d, _), (n1, d1, _) in zip(old, typed) if n0 != n1 for d in [d1])
                    if shown[kind] < 3:
                        shown[kind] += 1
                        print(f"{name}: run {key[0]} line {key[1]} {key[2]!r} {direction}s [{kind}]\n"
                              f"    string: {text!r}\n    re-parsed: {old}\n    tensors:   {typed}")
                if old_fmt != fmt:
                    kinds["formats"] += 1
                    if shown["formats"] < 3:
                        shown["formats"] += 1
                        print(f"{name}: line {key[1]} {direction} formats {old_fmt!r} != {fmt!r}")
    print(f"\n{len(items)} inputs, {layers} engine layers, {tensors} tensors rows (inputs, outputs, constants)")
    if not kinds:
        print("tensors rows == the re-parsed strings of every layer; formats equal")
    for kind, count in kinds.most_common():
        print(f"{count:6d}  {kind}")
    if per_input:
        print("\ntensor lists that differ, per input:")
        for name, count in per_input.most_common():
            print(f"{count:6d}  {name}")
        print("\ndtypes of the tensors the reference could not re-parse:")
        for d, count in dtypes.most_common():
            print(f"{count:6d}  {d!r}")


def _why(old: list, typed: list) -> str:
    """A short class of a difference, for the summary."""
    if len(old) != len(typed):
        return "count differs"
    for (n0, d0, s0), (n1, d1, s1) in zip(old, typed):
        if n0 != n1 and not d0:
            return "string not re-parseable (name took the whole item)"
        if n0 != n1:
            return "name differs"
        if d0 != d1:
            return "dtype differs"
        if s0 != s1:
            return "dims differ"
    return "order differs"


if __name__ == "__main__":
    main()
