"""Units: the executors' contract (order, set-up once per worker) and cluster addresses."""

from __future__ import annotations

import os

import pytest

from findings.executors import LocalExecutor, WorkerSetup, as_executor, open_executor
from findings.executors.dask_cluster import local_workers

_STATE: dict = {}


def remember(value: str) -> None:
    """Worker set-up: note a value and this process's set-up count."""
    _STATE["value"] = value
    _STATE["setups"] = _STATE.get("setups", 0) + 1


def describe(item: int) -> tuple[int, str, int, int]:
    """Worker task: the item, the set-up's value and count, the process id."""
    return item, _STATE.get("value", ""), _STATE.get("setups", 0), os.getpid()


def test_the_local_executor_keeps_order_and_sets_each_worker_up_once():
    results = list(LocalExecutor(2).map(describe, list(range(40)), setup=WorkerSetup(remember, ("x",)),
                                        chunksize=3))
    assert [r[0] for r in results] == list(range(40))
    assert {r[1] for r in results} == {"x"} and {r[2] for r in results} == {1}
    assert os.getpid() not in {r[3] for r in results}


def test_no_cluster_is_the_local_pool_and_a_count_is_a_pool_size():
    assert isinstance(open_executor("", 3), LocalExecutor) and open_executor(None, 3).workers == 3
    assert as_executor(2).workers == 2
    executor = LocalExecutor(1)
    assert as_executor(executor) is executor


@pytest.mark.parametrize("address", ["local:0", "local:", "local:two", "local:-1"])
def test_a_malformed_local_cluster_is_refused(address):
    with pytest.raises(ValueError, match="local:N"):
        local_workers(address)


def test_a_scheduler_address_is_not_a_local_cluster():
    assert local_workers("tcp://10.0.0.5:8786") is None and local_workers("local:4") == 4


def test_the_build_command_refuses_a_malformed_cluster_in_one_line(tmp_path, monkeypatch, capsys):
    from findings.cli import main
    from findings.settings import get_settings

    monkeypatch.setenv("FINDINGS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["build", "--cluster", "local:zero"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "local:N with N workers" in err and "Traceback" not in err
