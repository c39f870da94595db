"""Who wrote a document: the manifest's publisher, or voice cues for loose files."""

from __future__ import annotations

import pytest

from nlp.author import AuthorDetector, author_from_publisher, voice


@pytest.mark.parametrize(("publisher", "author"), [
    ("Ofsted", "inspectorate"),
    ("Audit Commission", "inspectorate"),
    ("Bromsgrove District Council", "council"),
    ("ODPM / HM Treasury", "national"),
    ("Department for Education", "national"),
    ("Ofsted, Care Quality Commission and Department for Education", "inspectorate"),
    ("", None),
])
def test_the_publisher_names_the_author(publisher, author):
    assert author_from_publisher(publisher) == author


def test_a_national_paper_is_read_in_the_inspectorates_voice():
    assert voice("national") == "inspectorate"
    assert voice("council") == "council"


def test_a_loose_file_is_never_taken_for_a_national_paper():
    text = "Councils should work with central government. Ministers will set floor targets."
    assert AuthorDetector().infer(text) == "inspectorate"
