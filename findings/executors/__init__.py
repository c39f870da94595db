"""Executors for the build's per-document work: this machine's processes, or a Dask cluster.

:func:`open_executor` picks one from a cluster address (``FINDINGS_CLUSTER`` or
``findings build --cluster``): none for the local process pool, ``local:N`` for a Dask
``LocalCluster`` of N workers, anything else for a running Dask scheduler.
"""

from __future__ import annotations

from findings.executors.base import Executor, WorkerSetup
from findings.executors.local import LocalExecutor


def open_executor(cluster: str | None, workers: int) -> Executor:
    """The executor for a cluster address (None or ``""``: the local process pool of ``workers``).

    Raises:
        ValueError: a ``local:N`` address whose N is not a positive whole number.

    """
    if not cluster:
        return LocalExecutor(workers)
    from findings.executors.dask_cluster import DaskExecutor

    return DaskExecutor(cluster)


def as_executor(workers: int | Executor) -> Executor:
    """An executor as given, or the local process pool of that many workers."""
    return workers if isinstance(workers, Executor) else LocalExecutor(workers)


__all__ = ["Executor", "LocalExecutor", "WorkerSetup", "as_executor", "open_executor"]
