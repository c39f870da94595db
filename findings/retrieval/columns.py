"""Filter resolution in memory: each finding's filterable values as arrays indexed by rowid.

Read once when an engine opens (about two seconds for 150,000 findings, or mapped from the
engine's :class:`~findings.retrieval.cache.ArrayCache` in milliseconds), so that a filter never
costs a store query: a new council, theme, grade or date range resolves to its rowids with a
few array comparisons (about a millisecond), with the same meaning as the store's SQL
(:data:`findings.store.reads.FILTER_CLAUSES`): names compare in any case, dates as ISO strings,
a finding whose report has no council is left out by an exclusion as by a match.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from findings.retrieval.cache import ArrayCache, Arrays, pack_strings, unpack_strings
from findings.retrieval.filters import Filters
from findings.store import reads

COLUMN_OF = {"label": 1, "council": 2, "collection": 3, "grade": 5, "outcome": 7}  # in reads.filter_values


def encoded(name: str, values: list[str | None], rowids: np.ndarray,
            size: int) -> tuple[np.ndarray, list[str]]:
    """Values as integer codes by rowid (-1: none) and the values in code order (councils lower-cased)."""
    fold = name in ("council",)
    codes: dict[str, int] = {}
    column = np.full(size, -1, dtype=np.int32)
    column[rowids] = [-1 if v is None else codes.setdefault(v.lower() if fold else v, len(codes))
                      for v in values]
    return column, list(codes)


def filter_arrays(rows: list[tuple]) -> Arrays:
    """The columns of rows of ``(rowid, label, council, collection, published, grade, themes, outcome)``."""
    size = 1 + max((r[0] for r in rows), default=0)
    rowids = np.array([r[0] for r in rows], dtype=np.int64)
    arrays = {"present": np.zeros(size, dtype=bool), "published": np.full(size, "", dtype="<U10"),
              "has_date": np.zeros(size, dtype=bool)}
    arrays["present"][rowids] = True
    for name, position in COLUMN_OF.items():
        column, values = encoded(name, [r[position] for r in rows], rowids, size)
        arrays[f"values_{name}"], arrays[f"codes_{name}"] = column, pack_strings(values)
    arrays["published"][rowids] = [r[4] or "" for r in rows]
    arrays["has_date"][rowids] = [bool(r[4]) for r in rows]
    tagged: dict[str, list[int]] = {}
    for rowid, themes in ((r[0], r[6]) for r in rows):
        for theme in themes:
            tagged.setdefault(theme, []).append(rowid)
    arrays["themes"] = np.zeros((len(tagged), size), dtype=bool)
    for row, theme_rowids in enumerate(tagged.values()):
        arrays["themes"][row, theme_rowids] = True
    arrays["theme_names"] = pack_strings(list(tagged))
    return arrays


class FilterColumns:
    """The filterable values of every finding, by rowid, and the rowids a filter allows."""

    def __init__(self, arrays: Arrays) -> None:
        """Wrap :func:`filter_arrays` (derived from the store, or mapped from a cache)."""
        self.present = arrays["present"]
        self.values = {name: arrays[f"values_{name}"] for name in COLUMN_OF}
        self.codes = {name: {v: code for code, v in enumerate(unpack_strings(arrays[f"codes_{name}"]))}
                      for name in COLUMN_OF}
        self.published = arrays["published"]
        self.has_date = arrays["has_date"]
        self.themes = dict(zip(unpack_strings(arrays["theme_names"]), arrays["themes"], strict=True))

    @classmethod
    def from_store(cls, conn: sqlite3.Connection, cache: ArrayCache | None = None) -> FilterColumns:
        """Read every finding's filterable values from the store (kept in ``cache``)."""
        cache = cache or ArrayCache(None)
        return cls(cache.arrays("filters", lambda: filter_arrays(reads.filter_values(conn))))

    def code(self, name: str, value: str) -> int:
        """A value's code in a column (-2 for a value no finding has)."""
        return self.codes[name].get(value.lower() if name == "council" else value, -2)

    def allowed(self, filters: Filters) -> np.ndarray:
        """Sorted rowids of the findings passing the filters."""
        mask = self.present.copy()
        for name in COLUMN_OF:
            value = getattr(filters, name)
            if value:
                mask &= self.values[name] == self.code(name, value)
        if filters.exclude_council:
            council = self.values["council"]
            mask &= (council >= 0) & (council != self.code("council", filters.exclude_council))
        if filters.date_from:
            mask &= self.has_date & (self.published >= filters.date_from)
        if filters.date_to:
            mask &= self.has_date & (self.published <= filters.date_to)
        if filters.theme:
            mask &= self.themes.get(filters.theme, np.zeros_like(mask))
        return np.flatnonzero(mask).astype(np.int64)

    def council_of(self, rowids: np.ndarray) -> np.ndarray:
        """The council codes of some findings (-1: none, or beyond what was read)."""
        inside = rowids < len(self.present)
        codes = np.full(len(rowids), -1, dtype=np.int32)
        codes[inside] = self.values["council"][rowids[inside]]
        return codes
