"""Process pools for the build: workers started afresh, and ended with the build that started them.

Workers are spawned rather than forked: a forked worker can hang in a thread pool (OpenMP's) its
parent had running. On Linux each worker asks the kernel to kill it when its parent dies, so a
build killed with SIGKILL leaves no workers behind, blocked on a pipe nobody reads.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

START = multiprocessing.get_context("spawn")
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, initializer: Callable | None = None, *initargs) -> None:
    """Worker initializer: end with the process ``parent``, then run ``initializer``."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    if initializer is not None:
        initializer(*initargs)


def worker_pool(workers: int, initializer: Callable | None = None,
                initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that end with this one."""
    return ProcessPoolExecutor(max(1, workers), mp_context=START, initializer=die_with_parent,
                               initargs=(os.getpid(), initializer, *initargs))
