"""Integration: a build on a Dask LocalCluster gives the local build's store, a killed worker included."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from findings.build import build
from findings.retrieval.engine import SearchEngine
from findings.settings import Settings
from findings.store import connect
from findings.store.snapshot import build_snapshot
from tests.conftest import SAMPLE_DOCS, sample_corpus

pytestmark = pytest.mark.slow
QUERIES = ("management oversight of casework", "children wait too long for plans",
           "the council will improve its financial management")


def store_content(settings: Settings) -> dict:
    """What a build writes that a reader sees: documents, findings (rowids too), embeddings, searches."""
    conn = connect(settings.db_path, read_only=True)
    snapshot = build_snapshot(conn)
    conn.close()
    engine = SearchEngine.open(settings)
    try:
        searches = {q: [(h.id, h.label) for h in engine.search(q, k=10)] for q in QUERIES}
    finally:
        engine.close()
    return {**snapshot, "searches": searches}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, corpus_dir):
    return sample_corpus(tmp_path_factory.mktemp("corpus"), corpus_dir, SAMPLE_DOCS)


@pytest.fixture(scope="module")
def local_store(tmp_path_factory, corpus) -> dict:
    settings = Settings(corpus=corpus, data_dir=tmp_path_factory.mktemp("local"))
    build(settings, progress=False)
    return store_content(settings)


def assert_same_store(found: dict, expected: dict) -> None:
    assert found["documents"] == expected["documents"]
    assert found["findings"] == expected["findings"]
    assert found["embeddings"].keys() == expected["embeddings"].keys()
    for key, vector in expected["embeddings"].items():
        np.testing.assert_allclose(found["embeddings"][key], vector, atol=1e-6)
    assert found["searches"] == expected["searches"]


def test_a_local_cluster_builds_the_same_store(tmp_path, corpus, local_store):
    settings = Settings(corpus=corpus, data_dir=tmp_path / "dask", cluster="local:2")
    report = build(settings, progress=False)
    assert report.findings == len(local_store["findings"]) > 200
    assert_same_store(store_content(settings), local_store)


def kill_a_busy_worker(client, step_plugin: str, killed: list) -> None:
    """Once the step's set-up is registered, SIGKILL the first worker seen running a task."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not killed:
        plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
        busy = [addr for addr, keys in client.processing().items() if keys]
        if any(step_plugin in name for name in plugins) and busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        time.sleep(0.05)


def test_a_worker_killed_mid_build_loses_nothing(tmp_path, corpus, local_store):
    from findings.executors.dask_cluster import DaskExecutor

    settings = Settings(corpus=corpus, data_dir=tmp_path / "killed")
    killed: list[int] = []
    with DaskExecutor("local:2") as executor:
        killer = threading.Thread(target=kill_a_busy_worker,
                                  args=(executor.client, "load_worker_pipeline", killed))
        killer.start()
        report = build(settings, progress=False, executor=executor)
        killer.join()
    assert killed, "no worker was busy segmenting to be killed"
    assert report.segment.segmented == len(local_store["documents"]) and not report.segment.refused
    assert_same_store(store_content(settings), local_store)
