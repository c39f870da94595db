"""One build at a time per store: an exclusive lock on a file in the data folder."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "build.lock"


class StoreLocked(RuntimeError):
    """Another process holds the store's build lock."""


@contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """Hold the store's build lock for the block, or raise :class:`StoreLocked` at once.

    The lock is the kernel's (``flock``): it is released when the holder exits, however it exits,
    so a killed build never leaves the store locked.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise StoreLocked(f"another build is running on this store (pid {holder}); "
                              "wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
