"""Arrays derived from one state of the store, kept as ``.npy`` files for the next process to map.

Opening a search engine derives arrays from the store: BM25's postings from the FTS5 index, the
vectors out of the FAISS file, the filter columns, the label confidences, a count's coarse
projection. Together they take seconds, which a command such as ``findings count`` would pay on
every run. An :class:`ArrayCache` keeps each named set of arrays under
``<root>/v<FORMAT>-<state digest>/<name>/`` (:func:`findings.store.digest.state_digest`) and reads it back
memory-mapped and read-only, so a process that finds them pays almost nothing.

A set is written into a temporary folder, flushed to disk and renamed into place, and its list of
arrays is written last, so a reader finds all of it or none of it; it is written only if the store
is still in the state its digest names; when a new state's first set is written, the sets of
other states are removed (a process still mapping them keeps its pages, and one still reading
them derives what it missed). A set that cannot be read is derived again, and a folder that
cannot be written only costs the next process the time (``docs/cold-start.md``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

Arrays = dict[str, np.ndarray]
FORMAT = 1  # in every state's folder name: raise it when a set's layout or the arithmetic behind it changes
COMPLETE = "complete.json"  # written last into a set's folder: the names of its arrays


def pack_strings(strings: list[str]) -> np.ndarray:
    """Strings as one array of bytes (their JSON list, so any character may occur in them)."""
    return np.frombuffer(json.dumps(strings).encode(), dtype=np.uint8)


def unpack_strings(packed: np.ndarray) -> list[str]:
    """The strings of :func:`pack_strings`."""
    return json.loads(bytes(packed))


class ArrayCache:
    """Named sets of arrays of one store state, derived once and mapped by later processes."""

    def __init__(self, folder: Path | None, still_current: Callable[[], bool] = lambda: True) -> None:
        """Keep sets in ``folder`` (None: derive every time, keep nothing).

        Args:
            folder: the state's folder, ``<root>/v<FORMAT>-<digest>``.
            still_current: whether the store is still in that state (checked before a write).

        """
        self.folder = folder
        self.still_current = still_current

    @classmethod
    def of_store(cls, conn, root: Path | None) -> ArrayCache:
        """The cache of the store's present state under ``root`` (None: a cache that keeps nothing)."""
        from findings.store.digest import state_digest

        if root is None:
            return cls(None)
        digest = state_digest(conn)
        return cls(Path(root) / f"v{FORMAT}-{digest}", lambda: state_digest(conn) == digest)

    def arrays(self, name: str, derive: Callable[[], Arrays]) -> Arrays:
        """The set ``name``: mapped from its files when kept, else derived (and kept if possible)."""
        kept = self.read(name)
        if kept is not None:
            return kept
        arrays = derive()
        if self.folder is not None and self.still_current():
            self.write(name, arrays)
        return arrays

    def read(self, name: str) -> Arrays | None:
        """A kept set, memory-mapped read-only (None if absent, incomplete or unreadable)."""
        if self.folder is None:
            return None
        folder = self.folder / name
        try:
            keys = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # not kept (or being removed)
        try:
            return {key: np.load(folder / f"{key}.npy", mmap_mode="r", allow_pickle=False) for key in keys}
        except FileNotFoundError:
            return None  # removed while being read: a newer state replaced it
        except Exception as error:  # noqa: BLE001  (a damaged file fails in many ways; derive instead)
            log.warning("could not read the kept arrays %s (%s): deriving them again", name, error)
            shutil.rmtree(folder, ignore_errors=True)
            return None

    def write(self, name: str, arrays: Arrays) -> None:
        """Keep a set: written into a temporary folder, then renamed into place (or nothing left)."""
        staging = None
        try:
            if not self.folder.is_dir():  # this state's first set: the earlier states are done with
                self.folder.mkdir(parents=True, exist_ok=True)
                self.remove_other_states()
            staging = Path(tempfile.mkdtemp(dir=self.folder, prefix=f".{name}."))
            staging.chmod(0o755)  # readable by whoever may read the store
            for key, array in arrays.items():
                save_durably(staging / f"{key}.npy", array)
            (staging / COMPLETE).write_text(json.dumps(list(arrays)), encoding="utf-8")
            staging.rename(self.folder / name)  # fails if another process kept the same set first
        except OSError as error:
            if self.read(name) is None:
                log.warning("could not keep the arrays %s in %s (%s)", name, self.folder, error)
        finally:
            if staging is not None and staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def remove_other_states(self) -> None:
        """Remove the folders of the store's earlier states."""
        for other in self.folder.parent.iterdir():
            if other != self.folder and other.is_dir() and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)


def save_durably(path: Path, array: np.ndarray) -> None:
    """Write an array as ``.npy`` and flush it to disk (a set is complete only once its files are)."""
    with path.open("wb") as handle:
        np.save(handle, np.asarray(array), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())
