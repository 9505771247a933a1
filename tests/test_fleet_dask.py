"""The same per-input task on a Dask LocalCluster gives the same dataset as the local process pool."""
from __future__ import annotations

import os

import pytest
from fleet_util import corpus_inputs, fleet_deps, make_folder
from test_fleet_scan import same_dataset


def test_dask_local_cluster_equals_local_scan(tmp_path):
    fleet_deps()
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from trtlog.fleet.runner import run_scan
    folder = make_folder(tmp_path)
    local = run_scan([str(folder)], tmp_path / "local", jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_scan([str(folder)], tmp_path / "dask", dask=cluster.scheduler_address)
        with Client(cluster) as client:   # the tasks ran in the cluster's worker processes, not here
            workers = set(client.run(os.getpid).values())
    assert {t["pid"] for t in dask.tasks} <= workers and len(workers) == 2
    logs, bundles = corpus_inputs()
    assert (local.inputs, local.added, local.failed) == (dask.inputs, dask.added, dask.failed) == \
        (len(logs) + len(bundles) + 1, len(logs) + len(bundles), 1)
    assert same_dataset(tmp_path / "local", tmp_path / "dask")
    # a second scan through Dask adds nothing either (the known digests reach the workers)
    again = run_scan([str(folder)], tmp_path / "dask", dask="local:2")
    assert (again.added, again.skipped) == (0, local.inputs)
