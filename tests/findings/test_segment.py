"""Segmentation of loose files with the trained pipeline, and the ids and hashes findings get."""

from __future__ import annotations

import pytest

from findings.executors import Executor
from findings.segment import finding_id, segment_files, text_hash
from findings.settings import Settings
from nlp.labels import UNIT_LABELS
from nlp.pipeline import load_pipeline

REPORT = """Inspection of Exampleshire children's services

What needs to improve?

• The quality of management oversight of casework.

Social workers know their children well and visit them regularly. Children's plans are
reviewed on time, and leaders have a clear understanding of the quality of practice across the
service, which they use to drive improvements for children and their families.
"""


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline(Settings().model_dir)


def test_loose_files_become_labelled_units_and_bad_files_are_refused(pipeline, tmp_path):
    good = tmp_path / "exampleshire-2021.txt"
    good.write_text(REPORT, encoding="utf-8")
    found, refused = segment_files([good, tmp_path / "missing.txt"], pipeline, progress=False)
    assert list(refused) == [str(tmp_path / "missing.txt")], refused
    assert {f.doc_id for f in found} == {"exampleshire-2021"}
    assert {f.label for f in found} <= set(UNIT_LABELS)
    assert "recommendation" in {f.label for f in found}
    words = " ".join(REPORT.replace("•", "").split())
    assert all(" ".join(unit.text.replace("•", "").split()) in words for unit in found)


def test_finding_ids_are_stable_and_text_hashes_ignore_spacing():
    assert finding_id("abc", 1, 9) == finding_id("abc", 1, 9) != finding_id("abc", 1, 10)
    assert text_hash("Plans  are\nlate.") == text_hash("Plans are late.")


def test_a_text_longer_than_the_pipeline_limit_is_segmented_in_parts(pipeline, monkeypatch):
    from findings.segment import segment_text, text_parts

    text = "\n\n".join(f"Paragraph {i}. Too many assessments are late and managers do not record "
                       f"their decisions on children's files." for i in range(80))
    assert all(len(part) <= 1000 for _, part in text_parts(text, 1000))
    assert "".join(part for _, part in text_parts(text, 1000)) == text
    whole = segment_text(pipeline, text, "d", "inspectorate", [0, len(text) // 2], include_other=True)
    monkeypatch.setattr(pipeline, "max_length", 1000)
    parts = segment_text(pipeline, text, "d", "inspectorate", [0, len(text) // 2], include_other=True)
    assert [(f.text, f.start_char, f.page) for f in parts] == [(f.text, f.start_char, f.page) for f in whole]
    assert [f.unit for f in parts] == list(range(len(parts)))
    assert all(text[f.start_char : f.end_char] == f.text for f in parts)


def failing_on(marker: str, error: Exception):
    """``segment_text`` that raises ``error`` for a text holding ``marker``."""
    from findings.segment import segment_text

    def segment(pipeline, text, *args, **kwargs):
        if marker in text:
            raise error
        return segment_text(pipeline, text, *args, **kwargs)

    return segment


def test_one_bad_file_does_not_lose_the_others_output(pipeline, tmp_path, monkeypatch):
    import findings.segment as segment_module

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(REPORT, encoding="utf-8")
    bad.write_text(REPORT.replace("Exampleshire", "Brokenshire"), encoding="utf-8")
    broken = failing_on("Brokenshire", RuntimeError("the pipeline broke"))
    monkeypatch.setattr(segment_module, "segment_text", broken)
    found, refused = segment_files([good, bad], pipeline, progress=False)
    assert {f.doc_id for f in found} == {"good"} and refused == {str(bad): "the pipeline broke"}


class InProcessExecutor(Executor):
    """An executor that runs the build's work in this process."""

    def map(self, task, items, *, setup=None, chunksize=1):
        if setup is not None:
            setup()
        return map(task, items)


def test_a_document_that_cannot_be_segmented_is_refused_and_the_others_go_on(pipeline, tmp_path, monkeypatch):
    import findings.segment as segment_module
    from findings.segment import segment_store
    from findings.store import connect, reads, writes

    conn = connect(tmp_path / "findings.db")
    for doc_id, text in (("good", REPORT), ("bad", REPORT.replace("Exampleshire", "Brokenshire"))):
        writes.upsert_document(conn, {"doc_id": doc_id, "path": f"/x/{doc_id}.txt", "content_hash": doc_id,
                                      "text": text, "page_starts": "[0]", "publisher": "Ofsted"})
    conn.commit()
    monkeypatch.setattr(segment_module, "load_pipeline", lambda *args: pipeline)
    monkeypatch.setattr(segment_module, "segment_text", failing_on("Brokenshire", MemoryError("too big")))
    report = segment_store(conn, Settings().model_dir, InProcessExecutor(), progress=False)
    assert report.segmented == 1 and "MemoryError: too big" in report.refused["bad"]
    assert reads.report(conn, doc_id="good")["findings"] and reads.report(conn, doc_id="bad") is None
    assert "MemoryError" in reads.refusals(conn)["/x/bad.txt"]


def test_two_files_with_the_same_content_both_keep_their_findings(pipeline, tmp_path, monkeypatch):
    import findings.segment as segment_module
    from findings.segment import segment_store
    from findings.store import connect, reads, writes

    conn = connect(tmp_path / "findings.db")
    for doc_id in ("first", "copy-of-first"):
        writes.upsert_document(conn, {"doc_id": doc_id, "path": f"/x/{doc_id}.txt", "content_hash": "same",
                                      "text": REPORT, "page_starts": "[0]", "publisher": "Ofsted"})
    conn.commit()
    monkeypatch.setattr(segment_module, "load_pipeline", lambda *args: pipeline)
    assert segment_store(conn, Settings().model_dir, InProcessExecutor(), progress=False).segmented == 2
    first, copy = (reads.report(conn, doc_id=d)["findings"] for d in ("first", "copy-of-first"))
    assert first == copy and first
    ids = [r[0] for r in conn.execute("SELECT id FROM findings")]
    assert len(ids) == len(set(ids))
