"""Process pools for the build: workers started afresh, and ended with the build that started them.

Workers are spawned rather than forked: a forked worker can hang in a thread pool (OpenMP's) its
parent had running. On Linux each worker asks the kernel to kill it when its parent dies, so a
build killed with SIGKILL leaves no workers behind, blocked on a pipe nobody reads. The worker's
own initializer is passed by name and imported only after that request, so that a worker spends
no time importing (spaCy, say) before it is tied to its parent.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

START = multiprocessing.get_context("spawn")
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, initializer: str | None = None, *initargs) -> None:
    """Worker initializer: end with the process ``parent``, then run the named ``initializer``."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    if initializer is not None:
        resolve(initializer)(*initargs)


def qualified_name(function: Callable) -> str:
    """``module:qualname`` of a module-level function, as :func:`resolve` reads it."""
    return f"{function.__module__}:{function.__qualname__}"


def resolve(name: str) -> Callable:
    """The function a :func:`qualified_name` names (importing its module)."""
    module, _, path = name.partition(":")
    found = importlib.import_module(module)
    for part in path.split("."):
        found = getattr(found, part)
    return found


def worker_pool(workers: int, initializer: Callable | None = None,
                initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that end with this one."""
    name = None if initializer is None else qualified_name(initializer)
    return ProcessPoolExecutor(max(1, workers), mp_context=START, initializer=die_with_parent,
                               initargs=(os.getpid(), name, *initargs))
