"""The store's writes: documents replace their findings, refusals are kept, embeddings cached."""

from __future__ import annotations

import numpy as np

from findings.store import reads, writes


def test_upserting_a_document_drops_its_findings(tiny_store):
    writes.upsert_document(tiny_store, {"doc_id": "doc-a", "path": "doc-a.txt", "content_hash": "new",
                                        "council": "Torbay", "text": "", "page_starts": "[0]"})
    assert reads.report(tiny_store, doc_id="doc-a")["findings"] == {}
    assert reads.counts(tiny_store) == {"documents": 2, "findings": 7}


def test_refusals_are_remembered_and_cleared_by_a_good_version(tiny_store):
    writes.record_refusal(tiny_store, "bad.pdf", "bad", "h1", "not a report")
    assert reads.refusals(tiny_store) == {"bad.pdf": "not a report"}
    assert reads.known_contents(tiny_store)[("bad", "h1")] == ("bad.pdf", "not a report")
    writes.upsert_document(tiny_store, {"doc_id": "bad", "path": "bad.pdf", "content_hash": "h2",
                                        "text": "", "page_starts": "[0]"})
    assert reads.refusals(tiny_store) == {}


def test_embeddings_are_cached_per_model_and_missing_ones_listed(tiny_store):
    missing = reads.missing_embeddings(tiny_store, model="m")
    assert len(missing) == 11  # twelve findings, one sentence twice
    vector = np.arange(4, dtype=np.float32)
    writes.put_embeddings(tiny_store, [(missing[0]["text_hash"], "m", vector.tobytes())])
    assert len(reads.missing_embeddings(tiny_store, model="m")) == 10
    assert len(reads.missing_embeddings(tiny_store, model="other")) == 11
    ids, vectors = reads.indexed_vectors(tiny_store, model="m", dimension=4)
    assert len(ids) >= 1 and np.array_equal(vectors[0], vector)
    assert reads.indexed_vectors(tiny_store, model="none", dimension=4)[1].shape == (0, 4)


def test_meta_values_round_trip(tiny_store):
    assert reads.get_meta(tiny_store, "k") is None
    writes.set_meta(tiny_store, "k", "v")
    assert reads.get_meta(tiny_store, "k") == "v"


def test_rowids_are_never_given_to_another_text_and_each_change_advances_the_generation(tiny_store):
    before = reads.generation(tiny_store)
    old = {r[0]: r[1] for r in tiny_store.execute("SELECT rowid, text FROM findings")}
    rows = [{"id": "doc-a-new", "doc_id": "doc-a", "unit": 0, "text": "A new sentence.", "label": "weakness",
             "confidence": 0.9, "page": 1, "themes": [], "text_hash": "h"}]
    writes.replace_findings(tiny_store, "doc-a", rows, "test")
    new_rowid = reads.finding_row(tiny_store, finding_id="doc-a-new")["rowid"]
    assert new_rowid > max(old)  # not the freed rowids of doc-a's old findings
    writes.remove_documents(tiny_store, ["doc-a"])
    writes.replace_findings(tiny_store, "doc-b", [dict(rows[0], id="doc-b-new", doc_id="doc-b")], "test")
    assert reads.finding_row(tiny_store, finding_id="doc-b-new")["rowid"] > new_rowid
    assert reads.generation(tiny_store) == before + 3
    current = {r[0]: r[1] for r in tiny_store.execute("SELECT rowid, text FROM findings")}
    assert all(old[rowid] == text for rowid, text in current.items() if rowid in old)


def test_rowids_stay_retired_when_a_store_without_a_counter_loses_its_last_findings(tiny_store):
    tiny_store.execute("DELETE FROM meta WHERE key = 'next_rowid'")  # as a store of an earlier version
    last = max(reads.allowed_ids(tiny_store))
    writes.upsert_document(tiny_store, {"doc_id": "doc-b", "path": "doc-b.txt", "content_hash": "new",
                                        "text": "", "page_starts": "[0]"})
    rows = [{"id": "n", "doc_id": "doc-b", "unit": 0, "text": "New.", "label": "weakness", "confidence": 0.9,
             "page": 1, "themes": [], "text_hash": "h"}]
    writes.replace_findings(tiny_store, "doc-b", rows, "test")
    assert reads.finding_row(tiny_store, finding_id="n")["rowid"] > last


def test_removing_documents_takes_their_findings_and_refusals(tiny_store):
    writes.record_refusal(tiny_store, "x.pdf", "doc-b", "h", "why")
    assert writes.remove_documents(tiny_store, ["doc-b", "nope"]) == ["doc-b"]
    assert reads.counts(tiny_store) == {"documents": 1, "findings": 5}
    assert reads.refusals(tiny_store) == {}
    assert writes.remove_documents(tiny_store, ["nope"]) == []
