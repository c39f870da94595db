"""The local executor: a pool of spawned processes on this machine, made for each step."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from findings.executors.base import Executor, WorkerSetup
from findings.workers import worker_pool


class LocalExecutor(Executor):
    """Today's build: each step maps its tasks over a fresh pool of ``workers`` processes."""

    name = "local"

    def __init__(self, workers: int) -> None:
        """A pool size (at least one process is used)."""
        self._workers = max(1, int(workers))

    @property
    def workers(self) -> int:
        """The pool size."""
        return self._workers

    def map(self, task: Callable, items: Sequence, *, setup: WorkerSetup | None = None,
            chunksize: int = 1) -> Iterator:
        """``task(item)`` over the pool, in the items' order; the pool ends with the iteration."""
        initializer = (setup.function, setup.args) if setup else (None, ())
        with worker_pool(self._workers, *initializer) as pool:
            yield from pool.map(task, items, chunksize=chunksize)
