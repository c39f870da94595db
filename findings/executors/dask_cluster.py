"""The Dask executor: tasks on a ``distributed`` cluster, a running one or a ``LocalCluster``.

Each worker runs a step's :class:`~findings.executors.base.WorkerSetup` once, through a worker
plugin (so a worker that replaces a dead one sets itself up too). Tasks go out in chunks, a
bounded number at a time, and come back in order. A worker that dies mid-task has its task
run again elsewhere by the scheduler (``distributed.scheduler.allowed-failures`` times); since
only the building process writes, a retried document is written once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence

from distributed import Client, LocalCluster, WorkerPlugin
from distributed.scheduler import KilledWorker

from findings.executors.base import Executor, WorkerSetup

IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: workers stay busy, results stay bounded


def local_workers(address: str) -> int | None:
    """N of a ``local:N`` address (None for a scheduler's address).

    Raises:
        ValueError: N is not a positive whole number.

    """
    if not address.startswith("local:"):
        return None
    count = address.split(":", 1)[1]
    if not count.isdigit() or int(count) < 1:
        raise ValueError(f"a local cluster is local:N with N workers, not {address!r}")
    return int(count)


class SetupPlugin(WorkerPlugin):
    """Runs a step's set-up on every worker, now and on any worker that joins later."""

    def __init__(self, setup: WorkerSetup) -> None:
        self.setup_call = setup

    def setup(self, worker) -> None:  # noqa: ARG002  (the plugin API passes the worker)
        """Load the step's state into this worker's process."""
        self.setup_call()


def run_chunk(task: Callable, chunk: Sequence) -> list:
    """Worker: a task over a chunk of items."""
    return [task(item) for item in chunk]


class DaskExecutor(Executor):
    """A ``distributed.Client`` to a scheduler, or to a ``LocalCluster`` it starts and stops."""

    name = "dask"
    distributed = True

    def __init__(self, address: str) -> None:
        """Connect to ``address``, or start ``local:N`` (N single-threaded worker processes).

        Raises:
            ValueError: a malformed ``local:N``.
            OSError: no scheduler answers at the address.

        """
        count = local_workers(address)
        self.cluster = None
        if count is not None:
            self.cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                        dashboard_address="127.0.0.1:0")
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout="30s")

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's URL."""
        return self.client.dashboard_link

    @property
    def workers(self) -> int:
        """Workers the scheduler knows now."""
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def map(self, task: Callable, items: Sequence, *, setup: WorkerSetup | None = None,
            chunksize: int = 1) -> Iterator:
        """``task(item)`` on the cluster's workers, yielded in the items' order."""
        if setup is not None:
            name = f"findings-setup-{setup.function.__module__}.{setup.function.__qualname__}"
            self.client.register_plugin(SetupPlugin(setup), name=name)
        chunks = [items[i : i + chunksize] for i in range(0, len(items), max(1, chunksize))]
        limit = IN_FLIGHT_PER_WORKER * self.workers
        pending: deque = deque()
        for chunk in chunks:
            pending.append(self.client.submit(run_chunk, task, chunk, pure=False))
            if len(pending) >= limit:
                yield from self._result(pending.popleft())
        while pending:
            yield from self._result(pending.popleft())

    @staticmethod
    def _result(future) -> list:
        """A chunk's results, the future released.

        Raises:
            RuntimeError: the chunk's workers died as many times as the scheduler allows.

        """
        try:
            return future.result()
        except KilledWorker as exc:
            raise RuntimeError(f"workers died running the same chunk of documents again and again ({exc}); "
                               "the store keeps what was written before this step") from exc
        finally:
            future.release()

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this executor started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
