"""Ingest of loose files into a fresh store: added once, unchanged after, refused with a reason."""

from __future__ import annotations

import pytest

from findings.ingest import expand_paths, ingest
from findings.store import connect, reads

REPORT = """Inspection of Exampleshire children's services

Inspection dates: 1 to 5 March 2021

Leaders know their services well. Too many assessments are late, and managers do not always
record the reasons for their decisions on children's files. Children's plans are reviewed on
time, and leaders have a clear understanding of the quality of practice across the service.
"""


@pytest.fixture()
def store(tmp_path):
    return connect(tmp_path / "data" / "findings.db")


def test_a_loose_file_is_added_once_then_unchanged(store, tmp_path):
    report = tmp_path / "exampleshire-2021.txt"
    report.write_text(REPORT, encoding="utf-8")
    first = ingest(store, None, [report], workers=1, progress=False)
    assert first.added == ["exampleshire-2021"] and not first.refused
    stored = reads.report(store, doc_id="exampleshire-2021")
    assert stored["collection"] == "ofsted-ilacs"  # its title names an inspection of children's services
    assert stored["published"] == "2021-03-05"  # the first full date in the text
    again = ingest(store, None, [report], workers=1, progress=False)
    assert again.unchanged == ["exampleshire-2021"] and not again.added


def test_a_file_that_is_not_a_report_is_refused_with_a_reason(store, tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html><title>Report not found</title></html>", encoding="utf-8")
    result = ingest(store, None, [fake], workers=1, progress=False)
    assert "HTML page saved as .pdf" in result.refused["fake"]
    assert reads.refusals(store) == {str(fake.resolve()): result.refused["fake"]}
    assert reads.counts(store)["documents"] == 0


def test_a_folder_s_other_files_are_refused_with_a_reason_not_skipped(store, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(REPORT, encoding="utf-8")
    (folder / "notes.xyz").write_text("x", encoding="utf-8")
    (folder / "README").write_text(REPORT, encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    assert sorted(e.doc_id for e in expand_paths([folder])) == ["README", "a", "notes"]
    result = ingest(store, None, [folder], workers=1, progress=False)
    assert result.added == ["a"]
    assert "unsupported file type '.xyz'" in result.refused["notes"]
    assert "no file extension" in result.refused["README"]


def test_a_latin_1_text_is_read_as_latin_1(store, tmp_path):
    report = tmp_path / "latin.txt"
    report.write_bytes((REPORT + "The council saved £5m and the café reopened.\n").encode("latin-1"))
    result = ingest(store, None, [report], workers=1, progress=False)
    assert result.added == ["latin"]
    assert "£5m and the café" in store.execute("SELECT text FROM documents").fetchone()[0]


def test_ingest_needs_a_corpus_or_files(store):
    with pytest.raises(ValueError, match="corpus"):
        ingest(store, None, None, workers=1, progress=False)
