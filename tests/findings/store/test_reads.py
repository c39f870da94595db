"""The store's named reads on the tiny store: filters to rowids, reports, councils, counts, rows."""

from __future__ import annotations

import numpy as np
import pytest

from findings.store import reads


def rowids_of(conn, **where) -> list[int]:
    clauses = " AND ".join(f"{k} = ?" for k in where)
    return [r[0] for r in conn.execute(f"SELECT rowid FROM findings WHERE {clauses} ORDER BY rowid",
                                       list(where.values()))]


def test_allowed_ids_apply_each_filter(tiny_store):
    everything = reads.allowed_ids(tiny_store)
    assert everything.dtype == np.int64 and len(everything) == 12
    assert reads.allowed_ids(tiny_store, label="weakness").tolist() == rowids_of(tiny_store, label="weakness")
    wiltshire = rowids_of(tiny_store, doc_id="doc-b")
    assert reads.allowed_ids(tiny_store, council="WILTSHIRE").tolist() == wiltshire  # any case
    assert reads.allowed_ids(tiny_store, exclude_council="torbay").tolist() == wiltshire
    both = reads.allowed_ids(tiny_store, council="Wiltshire", label="strength").tolist()
    assert both == [r for r in wiltshire if r in rowids_of(tiny_store, label="strength")] and both
    assert reads.allowed_ids(tiny_store, date_from="2021-01-01").tolist() == []
    assert len(reads.allowed_ids(tiny_store, date_to="2020-01-01", label=None)) == 12  # None: no filter


def test_allowed_ids_filter_on_themes_and_grades(tiny_store):
    tiny_store.execute("UPDATE findings SET themes = '[\"workforce\"]' WHERE text LIKE '%Supervision%'")
    tiny_store.execute("UPDATE documents SET grades = '{\"overall_effectiveness\": \"good\"}' "
                       "WHERE doc_id = 'doc-a'")
    supervision = [r[0] for r in tiny_store.execute(
        "SELECT rowid FROM findings WHERE text LIKE '%Supervision%' ORDER BY rowid")]
    assert reads.allowed_ids(tiny_store, theme="workforce").tolist() == supervision
    assert reads.allowed_ids(tiny_store, grade="good").tolist() == rowids_of(tiny_store, doc_id="doc-a")


def test_allowed_ids_refuse_an_unknown_filter(tiny_store):
    with pytest.raises(TypeError, match="colour"):
        reads.allowed_ids(tiny_store, colour="red")


def test_report_councils_and_counts(tiny_store):
    report = reads.report(tiny_store, doc_id="doc-a")
    assert report["council"] == "Torbay" and report["pages"] == 1 and report["grades"] == {}
    assert report["findings"] == {"weakness": 2, "strength": 2, "recommendation": 1}
    assert reads.report(tiny_store, doc_id="nope") is None
    assert [(c["council"], c["reports"], c["findings"]) for c in reads.councils(tiny_store)] == [
        ("Torbay", 1, 5), ("Wiltshire", 1, 7)]
    assert reads.counts(tiny_store) == {"documents": 2, "findings": 12}


def test_finding_rows_join_their_documents(tiny_store):
    row = reads.finding_row(tiny_store, finding_id="doc-b-5")
    assert row["council"] == "Wiltshire" and row["label"] == "weakness"
    assert reads.finding_row(tiny_store, finding_id="missing") is None
    rows = reads.finding_rows(tiny_store, rowids=[row["rowid"], 10_000])
    assert list(rows) == [row["rowid"]] and rows[row["rowid"]]["text"] == row["text"]
    assert reads.finding_rows(tiny_store, rowids=[]) == {}


def test_label_confidences_are_indexed_by_rowid(tiny_store):
    tiny_store.execute("UPDATE findings SET confidence = NULL WHERE id = 'doc-a-0'")
    confidence = reads.label_confidences(tiny_store)
    unknown = reads.finding_row(tiny_store, finding_id="doc-a-0")["rowid"]
    assert len(confidence) == max(reads.allowed_ids(tiny_store)) + 1
    assert confidence[unknown] == 1.0  # unknown: sure
    other = reads.finding_row(tiny_store, finding_id="doc-a-1")["rowid"]
    assert confidence[other] == pytest.approx(0.9)
