"""Push mutations of real logs through load -> rules -> explain text -> report HTML -> diff.

Seeds: the shared corpus logs (up to --max-seed-bytes) and the build logs of tests/fixtures/gpu.
Each variant is one seeded mutation of one seed (long digit runs, huge numbers, inf/nan, interleaved
stdout/stderr fragments, NUL bytes, flipped bytes, truncation, long names, repeated separators,
one-digit version codes, re-encoding, ...). A variant passes when the whole pipeline either works
or stops with a documented one-line error (TrtlogError), and takes at most --slow-factor times its
seed's own time (plus a small floor for tiny seeds). Each variant runs in a worker process with a
timeout, so a hang is reported instead of stopping the run.

    python tools/fuzz_inputs.py --variants 5000 --seed 17 > benchmarks/results/fuzz-....txt
"""
from __future__ import annotations

import argparse
import collections
import lzma
import multiprocessing as mp
import os
import random
import re
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TRTLOG_CORPUS", ROOT.parent / "shared" / "corpus" / "logs"))
FIXTURES = ROOT / "tests" / "fixtures" / "gpu"


def seeds(max_bytes: int):
    out = []
    if CORPUS.is_dir():
        for p in sorted(CORPUS.iterdir()):
            if p.is_file() and p.stat().st_size <= max_bytes:
                out.append((p.name, p.read_bytes()))
    if FIXTURES.is_dir():
        for d in sorted(FIXTURES.iterdir())[::4]:
            log = d / "build.log.xz"
            if log.is_file():
                data = lzma.decompress(log.read_bytes())
                if len(data) <= max_bytes:
                    out.append((f"gpu/{d.name}", data))
    return out


# -- mutations: each takes (bytes, random.Random) and returns bytes ------------------------------
def _lines(data: bytes):
    return data.split(b"\n")


def m_long_digits(data, r):
    runs = list(re.finditer(rb"\d+", data[:2_000_000]))
    if not runs:
        return data
    m = r.choice(runs)
    digits = b"".join(str(r.randrange(10)).encode() for _ in range(r.randrange(19, 60)))
    return data[:m.start()] + digits + data[m.end():]


def m_digit_line(data, r):
    ls = _lines(data)
    i = r.randrange(len(ls))
    ls.insert(i, b"1" * r.randrange(18, 40) + r.choice([b"x", b"", b" ]", b"."]))
    return b"\n".join(ls)


def m_special_number(data, r):
    runs = list(re.finditer(rb"\d+(?:\.\d+)?", data[:2_000_000]))
    if not runs:
        return data
    m = r.choice(runs)
    new = r.choice([b"inf", b"nan", b"-inf", b"99999999999999999999999", b"-9223372036854775809",
                    b"1e999", b"0", b"-1", b"18446744073709551616"])
    return data[:m.start()] + new + data[m.end():]


def m_interleave(data, r):
    """stdout and stderr written to one file: a line cut by another line's fragment."""
    ls = _lines(data)
    if len(ls) < 3:
        return data
    for _ in range(r.randrange(1, 6)):
        i, j = r.randrange(len(ls)), r.randrange(len(ls))
        a, b = ls[i], ls[j]
        cut = r.randrange(len(a) + 1)
        bcut = r.randrange(len(b) + 1)
        ls[i] = a[:cut] + b[bcut:]
        if r.random() < 0.5:
            ls.insert(i + 1, b[:bcut] + a[cut:])
    return b"\n".join(ls)


def m_nuls(data, r):
    kind = r.randrange(3)
    if kind == 0:      # logrotate copytruncate: the old size as leading NULs
        return b"\x00" * r.randrange(1, 200_000) + data
    if kind == 1:      # a few isolated NULs
        out = bytearray(data)
        for _ in range(r.randrange(1, 4)):
            out.insert(r.randrange(len(out) + 1), 0)
        return bytes(out)
    return data[: r.randrange(len(data) + 1)] + b"\x00" * r.randrange(1, 5000)


def m_flip(data, r):
    out = bytearray(data)
    for _ in range(r.randrange(1, 50)):
        if out:
            out[r.randrange(len(out))] = r.randrange(256)
    return bytes(out)


def m_truncate(data, r):
    return data[: r.randrange(len(data) + 1)]


def m_lines(data, r):
    ls = _lines(data)
    for _ in range(r.randrange(1, 20)):
        op, i = r.randrange(3), r.randrange(len(ls))
        if op == 0:
            del ls[i]
        elif op == 1:
            ls.insert(i, ls[r.randrange(len(ls))])
        else:
            j = r.randrange(len(ls))
            ls[i], ls[j] = ls[j], ls[i]
        if not ls:
            ls = [b""]
    return b"\n".join(ls)


def m_long_name(data, r):
    words = list(re.finditer(rb"[A-Za-z_][\w./]{3,}", data[:2_000_000]))
    if not words:
        return data
    m = r.choice(words)
    unit = r.choice([b"a", b"ab ", b"(a", b"a -> ", b"x[", b"Conv_", b"0x"])
    return data[:m.start()] + unit * r.randrange(200, 3000) + data[m.end():]


def m_separators(data, r):
    ls = _lines(data)
    i = r.randrange(len(ls))
    sep = r.choice([b" ", b": ", b", ", b" -> ", b"[", b"]", b"x", b"\t"])
    ls[i] = ls[i].replace(sep[:1], sep * r.randrange(2, 400), 1) if sep[:1] in ls[i] else ls[i] + sep * 500
    return b"\n".join(ls)


def m_version(data, r):
    return re.sub(rb"TensorRT v\d+", b"TensorRT v" + r.choice([b"8", b"1", b"", b"86", b"999999999999", b"x"]),
                  data, count=1)


def m_encoding(data, r):
    text = data.decode("utf-8", "replace")
    enc = r.choice(["utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "gbk", "shift_jis"])
    return text.encode(enc, "replace")


def m_line_endings(data, r):
    return data.replace(b"\n", r.choice([b"\r\n", b"\r", b"\n\n"]))


def m_ansi(data, r):
    ls = _lines(data)
    for _ in range(r.randrange(1, 30)):
        i = r.randrange(len(ls))
        ls[i] = r.choice([b"\x1b[31m", b"\x1b[0m", b"\x1b[1;33m", b"\x1b[", b"\x1b"]) + ls[i]
    return b"\n".join(ls)


MUTATIONS = [m_long_digits, m_digit_line, m_special_number, m_interleave, m_nuls, m_flip, m_truncate,
             m_lines, m_long_name, m_separators, m_version, m_encoding, m_line_endings, m_ansi]


def mutate(data: bytes, r: random.Random) -> tuple:
    names = []
    for _ in range(1 if r.random() < 0.7 else r.randrange(2, 4)):
        m = r.choice(MUTATIONS)
        data = m(data, r)
        names.append(m.__name__[2:])
    return data, "+".join(names)


# -- the pipeline -----------------------------------------------------------------------------------
_SEED_BL = {}


def pipeline(path: str, seed_name: str = "", seed_path: str = "") -> str:
    """load -> rules -> explain text -> report HTML -> diff against the seed. 'ok' or 'error: ...'
    (a documented one-line error); anything else raises."""
    import trtlog
    from trtlog.diff import diff_builds
    from trtlog.diff import render_text as diff_text
    from trtlog.errors import TrtlogError
    from trtlog.report.render import render_report_html
    from trtlog.rules import run_rules
    from trtlog.rules.render import render_text

    try:
        bl = trtlog.load(path)
    except TrtlogError as exc:
        msg = str(exc)
        assert "\n" not in msg, "multi-line error"
        return "error: " + msg
    findings = run_rules(bl)
    render_text(bl, findings)
    render_report_html(bl, findings)
    if seed_path:
        if seed_name not in _SEED_BL:
            _SEED_BL[seed_name] = trtlog.load(seed_path)
        diff_text(diff_builds(_SEED_BL[seed_name], bl))
    return "ok"


def _job(args):
    path, seed_name, seed_path = args
    t = time.perf_counter()
    try:
        out = pipeline(path, seed_name, seed_path)
    except BaseException as exc:  # noqa: BLE001 - the point is to see every one
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        out = f"EXCEPTION {type(exc).__name__}: {str(exc)[:160]} at {Path(tb.filename).name}:{tb.lineno}"
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--max-seed-bytes", type=int, default=400_000)
    ap.add_argument("--slow-factor", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per variant before it counts as a hang")
    ap.add_argument("--workdir", default="/tmp/trtlog-fuzz")
    args = ap.parse_args()
    os.environ.setdefault("TRTLOG_JOBS", "1")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    seed_list = seeds(args.max_seed_bytes)
    if not seed_list:
        print("no seeds (needs ../shared/corpus or tests/fixtures/gpu)")
        return 2
    r = random.Random(args.seed)
    ctx = mp.get_context("fork")
    pool = ctx.Pool(1, maxtasksperchild=200)
    seed_paths, seed_time = {}, {}
    for name, data in seed_list:
        p = work / ("seed-" + name.replace("/", "_"))
        p.write_bytes(data)
        seed_paths[name] = str(p)
        # the seed's own time: the best of 3 after a first run (imports, grammar compile)
        res, dt = pool.apply_async(_job, ((str(p), name, str(p)),)).get()
        dt = min(pool.apply_async(_job, ((str(p), name, str(p)),)).get()[1] for _ in range(3))
        seed_time[name] = dt
        print(f"seed {name}: {len(data)} bytes, {dt:.2f} s, {res[:80]}", flush=True)
    counts = collections.Counter()
    problems, worst = [], (0.0, "")
    by_mut = collections.Counter()
    t0 = time.time()
    for i in range(args.variants):
        name, data = seed_list[r.randrange(len(seed_list))]
        vdata, how = mutate(data, r)
        vp = work / f"variant-{i % 50}.log"
        vp.write_bytes(vdata)
        try:
            res, dt = pool.apply_async(_job, ((str(vp), name, seed_paths[name]),)).get(args.timeout)
        except mp.TimeoutError:
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=200)
            res, dt = f"HANG over {args.timeout:.0f} s", args.timeout
            (work / f"hang-{i}.log").write_bytes(vdata)
        ratio = dt / max(seed_time[name], 0.1)
        if ratio > args.slow_factor and not res.startswith("HANG"):
            # two cores shared with other work: time a slow variant and its seed again, side by
            # side (the machine's load now, not at the start), best of 3 each
            again = (str(vp), name, seed_paths[name])
            dt = min([dt] + [pool.apply_async(_job, (again,)).get(args.timeout)[1] for _ in range(2)])
            seed_args = (seed_paths[name], name, seed_paths[name])
            seed_now = min(pool.apply_async(_job, (seed_args,)).get(args.timeout)[1] for _ in range(3))
            ratio = dt / max(seed_now, 0.1)
        if ratio > worst[0]:
            worst = (ratio, f"variant {i} ({name}, {how}): {dt:.2f} s vs seed {seed_time[name]:.2f} s")
        kind = "ok" if res == "ok" else "error" if res.startswith("error:") else "FAIL"
        if kind == "FAIL" or ratio > args.slow_factor:
            problems.append(f"variant {i} ({name}, {how}): {res} [{dt:.2f} s, {ratio:.1f}x seed]")
            (work / f"problem-{i}.log").write_bytes(vdata)
            print(problems[-1], flush=True)
        counts[kind] += 1
        by_mut[(how.split("+")[0], kind)] += 1
        if kind == "error":
            counts["error: " + re.sub(r"^error: \S+: |^error: ", "", res)[:60]] += 1
        if (i + 1) % 250 == 0:
            print(f"... {i + 1} variants, {time.time() - t0:.0f} s, {counts['ok']} ok, {counts['error']} "
                  f"one-line errors, {len(problems)} problems", flush=True)
    pool.terminate()
    print()
    print(f"variants: {args.variants} (seed {args.seed}) from {len(seed_list)} real logs, {time.time() - t0:.0f} s")
    print(f"ok: {counts['ok']}  documented one-line errors: {counts['error']}  problems: {len(problems)}")
    print(f"slowest relative to its seed: {worst[0]:.2f}x  {worst[1]}")
    print("one-line errors by message:")
    for k, v in counts.most_common():
        if k.startswith("error: "):
            print(f"  {v:6d}  {k[7:]}")
    print("by mutation:")
    for m in MUTATIONS:
        n = m.__name__[2:]
        print(f"  {n:16s} ok {by_mut[(n, 'ok')]:5d}  error {by_mut[(n, 'error')]:5d}  FAIL {by_mut[(n, 'FAIL')]:3d}")
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
