"""Arrays derived from one state of the store, kept as ``.npy`` files for the next process to map.

Opening a search engine derives arrays from the store: BM25's postings from the FTS5 index, the
vectors out of the FAISS file, the filter columns, the label confidences, a count's coarse
projection. Together they take seconds, which a command such as ``findings count`` would pay on
every run. An :class:`ArrayCache` keeps each named set of arrays under
``<root>/<state digest>/<name>/`` (:func:`findings.store.digest.state_digest`) and reads it back
memory-mapped and read-only, so a process that finds them pays almost nothing.

A set is written into a temporary folder and renamed into place, so a reader finds all of it or
none of it; it is written only if the store is still in the state its digest names; when a new
state's first set is written, the sets of other states are removed (a process still mapping them
keeps its pages). A set that cannot be read is derived again, and a folder that cannot be written
only costs the next process the time (``docs/cold-start.md``).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

Arrays = dict[str, np.ndarray]
SEPARATOR = "\0"
COMPLETE = "complete"  # written last into a set's folder


def pack_strings(strings: list[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, each ended by a NUL (none may hold one).

    Raises:
        ValueError: a string holds a NUL.

    """
    if any(SEPARATOR in s for s in strings):
        raise ValueError("a string to pack holds a NUL")
    return np.frombuffer("".join(s + SEPARATOR for s in strings).encode(), dtype=np.uint8)


def unpack_strings(packed: np.ndarray) -> list[str]:
    """The strings of :func:`pack_strings`."""
    return bytes(packed).decode().split(SEPARATOR)[:-1]


class ArrayCache:
    """Named sets of arrays of one store state, derived once and mapped by later processes."""

    def __init__(self, folder: Path | None, still_current: Callable[[], bool] = lambda: True) -> None:
        """Keep sets in ``folder`` (None: derive every time, keep nothing).

        Args:
            folder: the state's folder, ``<root>/<digest>``.
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
        return cls(Path(root) / digest, lambda: state_digest(conn) == digest)

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
        """A kept set, memory-mapped read-only (None if absent or unreadable)."""
        if self.folder is None or not (self.folder / name / COMPLETE).is_file():
            return None
        try:
            return {path.stem: np.load(path, mmap_mode="r", allow_pickle=False)
                    for path in sorted((self.folder / name).glob("*.npy"))}
        except (OSError, ValueError) as error:
            log.warning("could not read the kept arrays %s (%s): deriving them again", name, error)
            shutil.rmtree(self.folder / name, ignore_errors=True)
            return None

    def write(self, name: str, arrays: Arrays) -> None:
        """Keep a set: written into a temporary folder, then renamed into place (or nothing left)."""
        staging = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.remove_other_states()
            staging = Path(tempfile.mkdtemp(dir=self.folder, prefix=f".{name}."))
            staging.chmod(0o755)  # readable by whoever may read the store
            for key, array in arrays.items():
                np.save(staging / f"{key}.npy", np.asarray(array), allow_pickle=False)
            (staging / COMPLETE).touch()
            staging.rename(self.folder / name)  # fails if another process kept the same set first
        except OSError as error:
            if not (self.folder / name / COMPLETE).is_file():
                log.warning("could not keep the arrays %s in %s (%s)", name, self.folder, error)
        finally:
            if staging is not None and staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def remove_other_states(self) -> None:
        """Remove the folders of the store's earlier states."""
        for other in self.folder.parent.iterdir():
            if other != self.folder and other.is_dir() and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
