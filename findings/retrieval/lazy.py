"""A module imported at its first use, for heavy libraries a command may never need.

``faiss`` takes a tenth of a second or more to import; a count over vectors kept by
:mod:`findings.retrieval.cache` never searches the FAISS index, so :mod:`findings.retrieval.dense`,
:mod:`findings.retrieval.vector_file` and :mod:`findings.retrieval.shards` name it through
:func:`lazy_import`. The import runs under a lock, so the first searches of two threads at once
both see the whole module (the standard library's ``LazyLoader`` does not promise that).
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from types import ModuleType


class LazyModule(ModuleType):
    """Stands for a module, and imports it when one of its attributes is first read."""

    def __init__(self, name: str) -> None:
        """Name the module to import later."""
        super().__init__(name)
        self._lock = threading.Lock()
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        """The attribute of the imported module (called only for names this object lacks)."""
        if attribute.startswith("__"):  # copy, pickle and inspect probing the proxy itself
            raise AttributeError(attribute)
        if self._module is None:
            with self._lock:
                if self._module is None:
                    self._module = importlib.import_module(self.__name__)
        return getattr(self._module, attribute)


def lazy_import(name: str) -> LazyModule:
    """The module ``name``, imported when one of its attributes is first read.

    Raises:
        ModuleNotFoundError: no such module is installed (known at once, not at first use).

    """
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    return LazyModule(name)
