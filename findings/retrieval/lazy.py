"""A module imported at its first use, for heavy libraries a command may never need.

``faiss`` takes a tenth of a second or more to import; a count over vectors kept by
:mod:`findings.retrieval.cache` never searches the FAISS index, so :mod:`findings.retrieval.dense`
and :mod:`findings.retrieval.shards` name it through :func:`lazy_import` (the standard library's
:class:`importlib.util.LazyLoader` recipe).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read.

    Raises:
        ModuleNotFoundError: no such module is installed.

    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
