"""Collections as data: every collection of the manifest is described once."""

from __future__ import annotations

import csv

from corpus.collections import (
    LOOSE,
    collection_ids,
    collections,
    evaluation_groups,
    grade_columns,
    of_report_type,
    outcome_values,
    vocabulary_spelling,
)
from tests.conftest import CORPUS, requires_corpus


def test_collections_are_unique_and_name_known_evaluation_groups():
    ids = collection_ids()
    assert len(ids) == len(set(ids)) and LOOSE in ids
    groups = evaluation_groups()
    assert all(c.evaluation_group in groups or c.evaluation_group is None for c in collections().values())
    assert of_report_type("inspection") == ("ofsted-ilacs",)


def test_grade_columns_are_the_inspections_grades():
    assert grade_columns()[0] == "overall_effectiveness"
    assert set(collections()["ofsted-ilacs"].grade_columns) == set(grade_columns())


@requires_corpus()
def test_every_manifest_collection_and_grade_column_is_described():
    with (CORPUS / "reports.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert {r["collection"] for r in rows} <= set(collection_ids())
    assert set(grade_columns()) <= set(reader.fieldnames)


def test_a_value_in_any_case_is_spelt_as_its_vocabulary_spells_it():
    assert vocabulary_spelling("Widespread  AND/OR systemic failings", outcome_values()) == (
        "widespread and/or systemic failings")
    assert vocabulary_spelling("local offer", ("SEND", "Local Offer")) == "Local Offer"
    assert vocabulary_spelling("weaknesses", ("strength", "weakness")) is None
