"""Compare the parser of this working tree with a reference revision: every table, dtype, row order,
meta, line and recognised counts must be identical.

Inputs: every log of ../shared/corpus/logs, every bundle of tests/fixtures/gpu (as a bundle and its
build log alone), re-encoded / compressed / CRLF / CR / ANSI / truncated variants of corpus logs,
concatenations of different logs (multi-run, chunk boundaries), bad input, and optionally a big
repeated log (--big-mb). Each side runs in a fresh subprocess; the working tree can be forced to use
tiny read blocks (--block) so that every block-boundary case is exercised.

    python3 benchmarks/compare_parsers.py [--rev 194f6ce] [--block 4096] [--big-mb 103]
"""
from __future__ import annotations

import argparse
import bz2
import collections
import gzip
import lzma
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_parse import build  # the same repeated log as the throughput benchmark

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
FIXTURES = ROOT / "tests" / "fixtures" / "gpu"

CHILD = r"""
import os, pickle, sys
root, listing, out, block = sys.argv[1:5]
sys.path.insert(0, root)
import trtlog
if int(block):
    from trtlog.parse import reader
    if not hasattr(reader, "BLOCK_BYTES"):
        sys.exit("this tree has no reader.BLOCK_BYTES")
    reader.BLOCK_BYTES = int(block)
res = {}
for name, path in (l.split("\t") for l in open(listing).read().splitlines()):
    try:
        bl = trtlog.load(path)
    except Exception as exc:                      # the error is part of the output
        res[name] = ("error", type(exc).__name__, str(exc).replace(os.path.dirname(path), "<dir>"))
        continue
    res[name] = ("ok", {"tables": bl.tables, "meta": bl.meta, "lines": bl.lines,
                        "recognized": bl.recognized, "path": bl.path})
pickle.dump(res, open(out, "wb"), protocol=pickle.HIGHEST_PROTOCOL)
"""


def variants(tmp: Path, big_mb: float) -> list:
    """(name, path) of every input."""
    items = [(p.name, p) for p in sorted(CORPUS.iterdir()) if p.is_file()]
    for b in sorted(FIXTURES.iterdir()):
        if b.is_dir():
            items.append(("bundle:" + b.name, b))
            for log in sorted(b.glob("build.log*")):
                items.append((f"{b.name}/{log.name}", log))
    src = CORPUS / "trt8.4-trtexec-mnist-fp16-verbose-gtx1070.log"
    big = CORPUS / "trt8.6.1-trtexec-mobilenetv2-int8-verbose-trex-rtx3080.log"
    py = CORPUS / "trt10.16-python-profilingverbosity-verbose-h100.log"
    data, text = src.read_bytes(), src.read_text(encoding="utf-8")
    made = {
        "crlf": data.replace(b"\n", b"\r\n"),
        "cr": data.replace(b"\n", b"\r"),
        "ansi": data.replace(b"[V]", b"\x1b[36m[V]\x1b[0m").replace(b"[I]", b"\x1b[32m[I]\x1b[0m"),
        "ansi-mid": data.replace(b"Tactic:", b"Tac\x1b[1mtic:").replace(b"[TRT] ", b"[TRT] \x1b[0m"),
        "utf-16": text.encode("utf-16"), "utf-16-le": text.encode("utf-16-le"), "gbk": text.encode("gbk"),
        "latin-1": text.encode("latin-1"), "utf-8-sig": text.encode("utf-8-sig"),
        "gz": gzip.compress(data), "xz": lzma.compress(data), "bz2": bz2.compress(data),
        "no-final-newline": data.rstrip(b"\n"),
        "cut-mid-line": data[:100_001],
        "blank-and-spaces": data.replace(b"\n[", b"\n   \n\t\n[", 50).replace(b"[TRT] ", b"[TRT]    ", 200)
                            .replace(b"\n", b"   \n", 300).replace(b"[V] ", b"[V]\t", 100),
        "unicode": data.replace(b"Tactic Name: ", "Tactic Name: \u00e9\u4e2d".encode(), 300)
                   .replace(b"Conv_", "Conv\u00a0\u2009_".encode(), 200),
        "nul-late": data[:200_000] + b"\x00 stray\n" + data[200_000:],
        "odd-whitespace": data.replace(b"Tactic: ", b"Tactic:\x0b", 100).replace(b" Time: ", b" Time:\x1c", 100)
                          .replace(b"Tactic Name: ", b"Tactic\tName: ", 100),
        # marks without a runner (the line handlers' fallback), envelopes of two producers interleaved,
        # source-location prefixes in front of bulk templates
        "no-timing-runner": b"\n".join(l for l in data.split(b"\n") if b"Timing Runner" not in l),
        "interleaved-envelopes": b"\n".join(l.replace(b"] [V] [TRT] ", b"] [TRT] [V] ") if i % 3 else l
                                             for i, l in enumerate(data.split(b"\n"))),
        "srcloc": data.replace(b"[TRT] Tactic: ", b"[TRT] builder/tactic.cpp:12: Tactic: ", 300)
                  .replace(b"[TRT] Conv_", b"[TRT] a/b.cu:7: Conv_", 100)
                  .replace(b"[TRT] ---", b"[TRT] x.h:1: ---", 50),
        "concat-versions": b"".join(p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.is_file()),
        "concat-mixed": big.read_bytes() + py.read_bytes() + data + py.read_bytes(),
        "empty": b"", "only-newlines": b"\n\n\n", "not-trt": b"hello\nworld\n",
        "binary": bytes(range(256)) * 64,
    }
    # chunks of all corpus logs shuffled together: tactic context, runs, continuation blocks and
    # look-back rows meet in every order
    logs = [p.read_bytes().split(b"\n") for p in sorted(CORPUS.iterdir()) if p.is_file()]
    for seed in (1, 2, 3, 4):
        rng = random.Random(seed)
        pos, out = [0] * len(logs), []
        while len(out) < 60000 and any(q < len(l) for q, l in zip(pos, logs)):
            k, n = rng.randrange(len(logs)), rng.randint(1, 120)
            out += logs[k][pos[k]:pos[k] + n]
            pos[k] += n
        made[f"interleaved-{seed}"] = b"\n".join(out) + b"\n"
    for name, payload in made.items():
        p = tmp / f"variant-{name}.log"
        p.write_bytes(payload)
        items.append(("variant:" + name, p))
    if big_mb:
        p = tmp / "big.log"
        build(big, big_mb, p)
        items.append((f"big-{big_mb:g}MB", p))
    return items


def run_child(code: str, root: Path, listing: Path, out: Path, *extra: str) -> dict:
    """Run `code` in a fresh Python with the checkout at `root` first on its path (argv: root, listing,
    out, extra...) and return what it pickled to `out`: one side of an old-vs-new comparison."""
    r = subprocess.run([sys.executable, "-c", code, str(root), str(listing), str(out), *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{root}: child failed\n{r.stderr[-3000:]}")
    with open(out, "rb") as fh:
        return pickle.load(fh)


def run_side(root: Path, listing: Path, out: Path, block: int) -> dict:
    return run_child(CHILD, root, listing, out, str(block))


def diff_frames(a, b) -> list:
    import pandas as pd
    if list(a.columns) != list(b.columns):
        return [f"columns {list(a.columns)} != {list(b.columns)}"]
    out = []
    if list(a.dtypes.astype(str)) != list(b.dtypes.astype(str)):
        out.append(f"dtypes {dict(a.dtypes.astype(str))} != {dict(b.dtypes.astype(str))}")
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=True, check_index_type=True,
                                      check_column_type=True, check_flags=True)
    except AssertionError as exc:
        out.append(str(exc).strip().replace("\n", " | ")[:600])
    for c in a.columns:
        if a[c].dtype == object:
            ta = [type(x) for x in a[c]]
            tb = [type(x) for x in b[c]]
            if len(ta) != len(tb):
                out.append(f"column {c}: {len(ta)} rows vs {len(tb)}")
            elif ta != tb:
                i = next(i for i, (x, y) in enumerate(zip(ta, tb)) if x is not y)
                out.append(f"column {c}: element types differ first at row {i}: {ta[i]} vs {tb[i]}")
    return out


def same_value(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float) and x != x and y != y:
        return True
    return type(x) is type(y) and (x == y if not isinstance(x, (list, dict)) else repr(x) == repr(y))


def new_tensor_rows(name: str, a, b, layers) -> list:
    """--new-tensors: the reference's tensors rows (from --dumpLayerInfo / TensorRT-RTX records) must
    be the new table's rows of those layers, unchanged and in order; every other new row must belong
    to a layer whose origin is the log's Engine Layer Information line or layer-info JSON."""
    import pandas as pd
    origin = {(r, ln): o for r, ln, o in zip(layers["run"], layers["line"], layers["origin"])}
    of = [origin.get((r, ln), "?") for r, ln in zip(b["run"], b["line"])]
    dump = pd.Series([o == "dumpLayerInfo" for o in of], index=b.index, dtype=bool)
    kept = b.loc[dump].reset_index(drop=True)
    out = [f"{name}: tensors: {d}" for d in diff_frames(a.reset_index(drop=True), kept)]
    other = collections.Counter(o for o, d in zip(of, dump) if not d)
    if set(other) - {"log", "json"}:
        out.append(f"{name}: tensors: new rows of layers with origin {dict(other)}")
    if other:
        ADDED[name] = dict(other)
    return out


ADDED: dict = {}


def compare(ref: dict, new: dict, new_tensors: bool = False, text_str: bool = False, categories: bool = False) -> list:
    problems = []
    for name in ref:
        a, b = ref[name], new.get(name)
        if b is None:
            problems.append(f"{name}: missing in new")
            continue
        if a[0] != b[0] or (a[0] == "error" and a != b):
            problems.append(f"{name}: {a if a[0] == 'error' else 'ok'} != {b if b[0] == 'error' else 'ok'}")
            continue
        if a[0] == "error":
            continue
        ra, rb = a[1], b[1]
        for key in ("lines", "recognized", "path"):
            if ra[key] != rb[key]:
                problems.append(f"{name}: {key} {ra[key]!r} != {rb[key]!r}")
        if list(ra["meta"]) != list(rb["meta"]) or any(not same_value(ra["meta"][k], rb["meta"][k])
                                                       for k in ra["meta"]):
            problems.append(f"{name}: meta {ra['meta']!r} != {rb['meta']!r}")
        if list(ra["tables"]) != list(rb["tables"]):
            problems.append(f"{name}: table names {list(ra['tables'])} != {list(rb['tables'])}")
        for t in ra["tables"]:
            if t == "tensors" and new_tensors and t in rb["tables"]:
                problems += new_tensor_rows(name, ra["tables"][t], rb["tables"][t], rb["tables"]["layers"])
            elif t in rb["tables"]:
                ta, tb = ra["tables"][t], rb["tables"][t]
                if text_str and t == "messages" and ta["text"].dtype == object and tb["text"].dtype != object:
                    ta = ta.assign(text=ta["text"].astype(tb["text"].dtype))    # same values, the new dtype
                if categories and t == "messages":
                    import pandas as pd
                    # same values in the new categorical dtype (a value outside its categories becomes NaN)
                    ta = ta.assign(**{c: ta[c].astype(tb[c].dtype) for c in ta.columns if c in tb.columns
                                      and isinstance(tb[c].dtype, pd.CategoricalDtype)
                                      and not isinstance(ta[c].dtype, pd.CategoricalDtype)})
                problems += [f"{name}: {t}: {d}" for d in diff_frames(ta, tb)]
    return problems


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rev", default="HEAD", help="reference revision (git archive of it is the reference)")
    ap.add_argument("--ref", type=Path, help="an existing reference checkout instead of --rev")
    ap.add_argument("--block", type=int, default=0, help="force this read block size (bytes) in the new parser")
    ap.add_argument("--big-mb", type=float, default=0, help="also compare a log repeated to this size")
    ap.add_argument("--new-tensors", action="store_true", help="the reference predates the tensors rows of "
                    "Engine Layer Information lines and layer-info JSON: check its rows are kept and count the new")
    ap.add_argument("--categories", action="store_true", help="the reference kept the messages table's per-line "
                    "strings (severity, source, msg_id, family) as str: compare them in the new categorical dtype")
    ap.add_argument("--text-str", action="store_true", help="the reference kept messages.text as Python objects: "
                    "compare its values in the new column's dtype (pandas' Arrow-backed str)")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS}")
    if args.ref is not None and not (args.ref / "trtlog" / "__init__.py").is_file():
        # the reference child would import this tree's trtlog and compare it with itself
        sys.exit(f"--ref {args.ref}: no trtlog package there")
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        ref_root = args.ref
        if ref_root is None:
            ref_root = tmp / "ref"
            ref_root.mkdir()
            arch = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(ref_root)], input=arch.stdout, check=True)
        items = variants(tmp, args.big_mb)
        listing = tmp / "inputs.tsv"
        listing.write_text("".join(f"{n}\t{p}\n" for n, p in items))
        ref = run_side(ref_root, listing, tmp / "ref.pkl", 0)
        new = run_side(ROOT, listing, tmp / "new.pkl", args.block)
    problems = compare(ref, new, args.new_tensors, args.text_str, args.categories)
    ok = sum(1 for v in ref.values() if v[0] == "ok")
    print(f"{len(ref)} inputs ({ok} parsed, {len(ref) - ok} errors), reference {args.ref or args.rev}, "
          f"block {args.block or 'default'}: {len(problems)} differences")
    for p in problems[:50]:
        print("  " + p)
    if ADDED:
        print(f"tensors rows added (layers of Engine Layer Information lines / layer-info JSON) in {len(ADDED)} "
              f"inputs, {sum(sum(v.values()) for v in ADDED.values())} rows:")
        for name, counts in ADDED.items():
            print(f"  {name}: {counts}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
