"""Segmentation of loose files with the trained pipeline, and the ids and hashes findings get."""

from __future__ import annotations

import pytest

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
