"""The corpus's collections (``collections.json``): report type, publisher, grades, evaluation group."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COLLECTIONS_FILE = Path(__file__).with_name("collections.json")
LOOSE = "loose"


@dataclass(frozen=True)
class Collection:
    """One collection of reports."""

    id: str
    title: str
    report_type: str
    publisher_kind: str
    grade_columns: tuple[str, ...]
    evaluation_group: str | None
    title_patterns: tuple[str, ...] = ()


@cache
def read_collections(path: Path = COLLECTIONS_FILE) -> dict:
    """The parsed collections file (cached)."""
    return json.loads(path.read_text(encoding="utf-8"))


def collections() -> dict[str, Collection]:
    """Every collection by id, in file order."""
    return {item["id"]: Collection(**{**item, "grade_columns": tuple(item["grade_columns"]),
                                      "title_patterns": tuple(item.get("title_patterns", ()))})
            for item in read_collections()["collections"]}


def collection_ids() -> tuple[str, ...]:
    """The collection ids (the CLI's and the API's choices)."""
    return tuple(collections())


def grade_columns() -> tuple[str, ...]:
    """Every manifest column that holds a grade or an outcome, in order, without repeats."""
    seen: dict[str, None] = {}
    for collection in collections().values():
        seen.update(dict.fromkeys(collection.grade_columns))
    return tuple(seen)


def grade_values() -> tuple[str, ...]:
    """The grades a report can be given, best first."""
    return tuple(read_collections()["grades"])


def outcome_values() -> tuple[str, ...]:
    """The outcomes an area SEND inspection can give, best first."""
    return tuple(read_collections()["outcomes"])


def evaluation_groups() -> dict[str, str]:
    """Evaluation group ids and their titles, in file order."""
    return dict(read_collections()["evaluation_groups"])


def of_report_type(report_type: str) -> tuple[str, ...]:
    """The ids of the collections of one report type."""
    return tuple(c.id for c in collections().values() if c.report_type == report_type)


def vocabulary_spelling(value: str, values: Iterable[str]) -> str | None:
    """How a vocabulary (these collections, outcomes, grades; the labels) spells a value given in any case.

    Spaces are collapsed; ``None`` when no value of ``values`` matches.
    """
    wanted = " ".join(value.split()).lower()
    return next((known for known in values if known.lower() == wanted), None)
