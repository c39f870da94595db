"""The build's worker pools: a named initializer, run in each spawned worker once tied to its parent."""

from __future__ import annotations

import os

from findings.workers import qualified_name, resolve, worker_pool

SETUP: dict[str, str] = {}


def remember(value: str) -> None:
    """An initializer: keep a value in the worker."""
    SETUP["value"] = value


def recall(suffix: str) -> tuple[str, int]:
    """A task: the initializer's value and the worker's process id."""
    return SETUP.get("value", "") + suffix, os.getpid()


def test_a_function_is_named_and_found_again():
    assert qualified_name(remember) == "tests.findings.test_workers:remember"
    assert resolve(qualified_name(remember)) is remember
    assert resolve("findings.workers:worker_pool") is worker_pool


def test_each_worker_runs_the_named_initializer_before_its_tasks():
    with worker_pool(2, remember, ("set",)) as pool:
        results = list(pool.map(recall, ["-a", "-b", "-c"]))
    assert [value for value, _ in results] == ["set-a", "set-b", "set-c"]
    assert all(pid != os.getpid() for _, pid in results)
