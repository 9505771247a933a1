"""`trtlog scan` on the shared corpus and the GPU fixture bundles: the dataset holds exactly what
`trtlog parse --stats` counts per input, failing inputs become error rows (exit 1), a second scan
adds nothing, and an interrupted scan leaves a valid dataset and resumes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fleet_util import cli, corpus_inputs, fleet_deps, run_main

from trtlog import tables as T

ROOT = Path(__file__).resolve().parents[1]


def counts(ds, table):
    import trtlog.fleet as fleet
    con = fleet.open_dataset(ds)
    return con.sql(f'select count(*) from "{table}"').fetchall()[0][0]


def test_one_logs_row_per_input_and_one_error_row(scanned):
    folder, ds, res = scanned
    logs, bundles = corpus_inputs()
    assert res.returncode == 1, res.stderr          # the garbage file failed
    assert "garbage.log" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert res.stdout.strip().endswith("0 already in the dataset (%s)" % res.stdout.strip().rsplit("(", 1)[1][:-1])
    n_inputs = len(logs) + len(bundles) + 1
    assert f"{n_inputs} inputs, {n_inputs - 1} added, 1 failed" in res.stdout
    assert counts(ds, "logs") == n_inputs
    import trtlog.fleet as fleet
    con = fleet.open_dataset(ds)
    err = con.sql("select path, status, error, kind, trt from logs where status <> 'ok'").fetchall()
    assert len(err) == 1
    path, status, error, kind, trt = err[0]
    assert path.endswith("garbage.log") and status == "error" and kind == "log" and trt == "unknown"
    assert "binary" in error
    # every bundle is one input, of kind bundle
    assert con.sql("select count(*) from logs where kind = 'bundle'").fetchall()[0][0] == len(bundles)


def test_table_rows_equal_parse_stats(scanned, capsys):
    folder, ds, _ = scanned
    logs, bundles = corpus_inputs()
    totals = {t: 0 for t in T.TABLES}
    findings = 0
    for p in logs + bundles:
        code, out, err = run_main(["parse", p, "--stats"], capsys)
        assert code == 0, err
        for t, n in json.loads(out)["tables"].items():
            totals[t] += n
        code, out, err = run_main(["explain", p, "--format", "json"], capsys)
        assert code == 0, err
        findings += len(json.loads(out)["findings"])
    got = {t: counts(ds, t) for t in T.TABLES}
    assert got == totals
    assert counts(ds, "findings") == findings
    assert totals["messages"] > 400000      # not a vacuous comparison


def test_known_facts_of_a_bundle_and_a_log(scanned):
    _, ds, _ = scanned
    import trtlog.fleet as fleet
    con = fleet.open_dataset(ds)
    # tests/fixtures/gpu/cnn-fp16-trt8.5.3.1/status.json: build_seconds 305.873, engine_bytes 3054095
    row = con.sql("select model, trt, build_seconds, engine_size_mib, precision_requested, gpu, kind "
                  "from logs where path like '%cnn-fp16-trt8.5.3.1'").fetchall()[0]
    assert row == ("cnn", "v8.5", 305.873, round(3054095 / 2**20, 3), "FP32,FP16", "NVIDIA H100 80GB HBM3",
                   "bundle")
    # trt8.4-trtexec-best-myelin-assert-fail-orin.log ends in a failed build
    ok = con.sql("select build_ok, trt_version from logs where path like '%myelin-assert-fail-orin.log'").fetchall()[0]
    assert ok == (False, "8.4.10")
    # the layers of a bundle come from its layers.json, joined by log_id
    n = con.sql("select count(*) from layers join logs using (log_id) "
                "where logs.path like '%cnn-fp16-trt8.5.3.1'").fetchall()[0][0]
    assert n > 0


def test_second_scan_adds_nothing(scanned):
    folder, ds, _ = scanned
    before = sorted(p.relative_to(ds) for p in ds.rglob("*.parquet"))
    res = cli("scan", folder, "-o", ds, "--jobs", "2", "-q")
    assert res.returncode == 0, res.stderr
    assert " 0 added, 0 failed" in res.stdout
    assert sorted(p.relative_to(ds) for p in ds.rglob("*.parquet")) == before


def test_retry_errors_parses_the_failed_input_again(scanned, tmp_path):
    folder, ds, _ = scanned
    res = cli("scan", folder / "logs" / "garbage.log", "-o", ds, "--retry-errors", "-q")
    assert res.returncode == 1 and "1 failed" in res.stdout
    assert counts(ds, "logs") == len(sum(corpus_inputs(), [])) + 1


def test_interrupted_scan_is_valid_and_resumes(scanned, tmp_path):
    folder, full, _ = scanned
    ds = tmp_path / "ds"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "trtlog", "scan", str(folder), "-o", str(ds), "--jobs", "2",
                             "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((ds / "logs").glob("*/*.parquet"))) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert err.strip().splitlines()[-1] == "trtlog: interrupted"
    import trtlog.fleet as fleet
    con = fleet.open_dataset(ds)
    done = con.sql("select count(*) from logs").fetchall()[0][0]
    assert 5 <= done < counts(full, "logs")
    for t in T.TABLES:   # every part belongs to a committed input
        orphans = f'select count(*) from "{t}" where log_id not in (select log_id from logs)'
        assert con.sql(orphans).fetchall()[0][0] == 0
    res = cli("scan", folder, "-o", ds, "--jobs", "2", "-q")
    assert res.returncode == 1            # the garbage file, if it was not reached before
    assert same_dataset(full, ds)


def test_killed_scan_leftovers_are_removed(scanned, tmp_path):
    """A scan killed between two renames leaves staged files and parts without a logs row: hidden
    from queries, removed by the next scan."""
    import shutil
    folder, full, _ = scanned
    ds = tmp_path / "ds"
    shutil.copytree(full, ds)
    log_id = next((ds / "messages").glob("*/*.parquet")).stem
    victim, = (ds / "logs").glob(f"*/{log_id}.parquet")
    victim.unlink()
    (ds / "_staging" / f"{log_id}.123").mkdir(parents=True)
    import trtlog.fleet as fleet
    con = fleet.open_dataset(ds)
    assert con.sql(f"select count(*) from messages where log_id = '{log_id}'").fetchall()[0][0] == 0
    assert list(ds.glob(f"messages/*/{log_id}.parquet"))       # the orphan part is still on disk
    from trtlog.fleet.runner import run_scan
    run_scan([str(folder)], ds, jobs=1)
    assert not (ds / "_staging").exists()
    assert same_dataset(full, ds)


def same_dataset(a, b):
    import trtlog.fleet as fleet
    from trtlog.fleet.schema import table_names
    ca, cb = fleet.open_dataset(a), fleet.open_dataset(b)
    for t in table_names():
        fa = ca.sql(f'select * from "{t}"').df()
        fb = cb.sql(f'select * from "{t}"').df()
        if t == "logs":
            fa, fb = fa.drop(columns=["path"]), fb.drop(columns=["path"])
        key = [c for c in fa.columns if fa[c].map(lambda v: not isinstance(v, (list, tuple)) and
                                                  type(v).__name__ != "ndarray").all()]
        fa = fa.sort_values(key).reset_index(drop=True)
        fb = fb.sort_values(key).reset_index(drop=True)
        assert fa.shape == fb.shape, t
        assert fa.astype(str).equals(fb.astype(str)), t
    return True


def test_since_takes_only_recent_inputs(tmp_path, capsys):
    fleet_deps()
    logs, _ = corpus_inputs()
    folder = tmp_path / "in"
    folder.mkdir()
    old, new = folder / "old.log", folder / "new.log"
    old.write_bytes(logs[1].read_bytes())
    new.write_bytes(logs[2].read_bytes())
    week = time.time() - 7 * 86400
    os.utime(old, (week, week))
    code, out, err = run_main(["scan", folder, "-o", tmp_path / "ds", "--since", "2d", "--jobs", "1", "-q"], capsys)
    assert code == 0, err
    assert "1 inputs, 1 added" in out
    code, out, err = run_main(["scan", folder, "-o", tmp_path / "ds2", "--since", "yesterday"], capsys)
    assert code == 2 and err.startswith("trtlog: error: --since 'yesterday'")


def test_output_path_rules(tmp_path, capsys):
    fleet_deps()
    logs, _ = corpus_inputs()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    code, _, err = run_main(["scan", logs[0], "-o", other], capsys)
    assert code == 2 and "not a trtlog dataset" in err and (other / "keep.txt").read_text() == "mine"
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = run_main(["scan", logs[0], "-o", f], capsys)
    assert code == 2 and "--force" in err
    code, out, err = run_main(["scan", logs[0], "-o", f, "--force", "-q"], capsys)
    assert code == 0 and f.is_dir(), err
    code, out, err = run_main(["scan", logs[0], "-o", f, "--force", "-q"], capsys)   # afresh: added again
    assert code == 0 and "1 added" in out
    code, _, err = run_main(["scan", tmp_path / "missing.log", "-o", tmp_path / "d"], capsys)
    assert code == 2 and "no such file" in err


def test_missing_extra_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    code, out, err = run_main(["query", tmp_path, "select 1"], capsys)
    assert code == 2 and err.strip() == ("trtlog: error: this command needs the fleet extra (duckdb is missing): "
                                         "pip install 'trtlog[fleet]'")


def test_python_api(tmp_path):
    fleet_deps()
    import trtlog
    logs, bundles = corpus_inputs()
    out = trtlog.scan([str(logs[0]), str(bundles[0])], tmp_path / "ds", jobs=1)
    assert out == tmp_path / "ds"
    con = trtlog.open_dataset(out)       # kept: duckdb < 1.1 (Python 3.9) closes a collected connection
    df = con.sql("select kind, status from logs order by kind").df()
    assert list(df.kind) == ["bundle", "log"] and set(df.status) == {"ok"}
    bad = tmp_path / "bad.log"
    bad.write_bytes(bytes(range(256)) * 64)
    from trtlog.errors import TrtlogError
    with pytest.raises(TrtlogError) as exc:
        trtlog.scan(bad, out, strict=True)
    assert exc.value.code == 1 and "bad.log" in str(exc.value)
    assert trtlog.scan(bad, out) == out          # not strict: the error is a row, already there


def test_local_pool_never_forks_the_caller(monkeypatch, tmp_path):
    """The local pool's workers come from a fork server (or spawn), like the parser's: a fork of a threaded
    caller (a Dask client, Jupyter) can deadlock, and Python 3.12+ warns about it."""
    fleet_deps()
    from concurrent.futures import ProcessPoolExecutor

    from trtlog.fleet import runner
    logs, _ = corpus_inputs()
    methods = []

    def recording(*a, **kw):
        methods.append(kw["mp_context"].get_start_method())
        return ProcessPoolExecutor(*a, **kw)
    monkeypatch.setattr(runner, "ProcessPoolExecutor", recording)
    res = runner.run_scan([str(p) for p in logs[:3]], tmp_path / "ds", jobs=2)
    assert (res.added, res.failed) == (3, 0)
    assert methods and methods[0] in ("forkserver", "spawn")


def test_pool_in_a_script_without_main_guard_says_so(tmp_path):
    """A worker from the fork server imports the caller's __main__ again: a script without
    `if __name__ == '__main__':` gets one clear TrtlogError naming the cure, not a hang."""
    fleet_deps()
    import trtlog
    logs, _ = corpus_inputs()
    script = tmp_path / "unguarded.py"
    script.write_text("import sys\nsys.path.insert(0, sys.argv[1])\nimport trtlog\n"
                      "try:\n    trtlog.scan(sys.argv[3:], sys.argv[2], jobs=2)\nexcept trtlog.TrtlogError as e:\n"
                      "    print('ERROR', e)\n")
    root = Path(trtlog.__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, str(script), str(root), str(tmp_path / "ds")] + [str(p) for p in logs[:2]],
                       capture_output=True, text=True, timeout=300)
    assert "ERROR --jobs 2: the worker processes did not start" in r.stdout, (r.stdout, r.stderr[-2000:])
    assert "if __name__ == '__main__':" in r.stdout
