"""The vector index in shards: same top k as one index, only changed documents' shards rewritten."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from findings.check import check_index
from findings.encoding import DIMENSION
from findings.retrieval.dense import VectorIndex
from findings.retrieval.shards import MANIFEST, build_sharded_index, load_sharded, read_manifest, shard_of
from findings.retrieval.vector_file import build_vector_index
from findings.settings import Settings
from findings.store import connect, writes

MODEL = "test-model"
DOCS, PER_DOC = 24, 25


def vector_of(text: str) -> np.ndarray:
    """A deterministic unit vector for a text."""
    seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big")
    vector = np.random.default_rng(seed).normal(size=DIMENSION).astype(np.float32)
    return vector / np.linalg.norm(vector)


def put_document(conn, doc_id: str, version: str = "") -> None:
    """A document of ``PER_DOC`` findings with their embeddings."""
    writes.upsert_document(conn, {"doc_id": doc_id, "path": f"{doc_id}.txt", "content_hash": doc_id + version,
                                  "text": "", "page_starts": "[0]"})
    texts = [f"{doc_id} finding {unit} {version}" for unit in range(PER_DOC)]
    rows = [{"id": f"{doc_id}-{unit}{version}", "doc_id": doc_id, "unit": unit, "text": text,
             "label": "weakness", "confidence": 0.9, "page": 1, "themes": [],
             "text_hash": hashlib.sha1(text.encode()).hexdigest()}
            for unit, text in enumerate(texts)]
    writes.replace_findings(conn, doc_id, rows, "test")
    writes.put_embeddings(conn, [(r["text_hash"], MODEL, vector_of(r["text"]).tobytes()) for r in rows])
    conn.commit()


@pytest.fixture()
def store(tmp_path):
    conn = connect(tmp_path / "findings.db")
    for number in range(DOCS):
        put_document(conn, f"doc-{number:02d}")
    return conn


def options(exact_limit: int = 50_000) -> dict:
    return {"exact_limit": exact_limit, "hnsw_m": 16, "ef_construction": 80}


def test_a_key_always_falls_in_the_same_shard():
    keys = [f"doc-{n}" for n in range(200)]
    first, again = shard_of(keys, 7), shard_of(list(reversed(keys)), 7)[::-1]
    assert (first == again).all() and set(first) == set(range(7))


@pytest.mark.parametrize("exact_limit", [50_000, 100])  # exact shards, and HNSW shards
def test_shards_give_the_top_k_of_one_index(store, tmp_path, exact_limit):
    assert build_vector_index(store, tmp_path / "one", MODEL, **options(exact_limit))
    assert build_sharded_index(store, tmp_path / "four", MODEL, shards=4, **options(exact_limit))
    one = VectorIndex.load(None, tmp_path / "one", ef_search=128, exact_filter_limit=10)
    four = load_sharded(tmp_path / "four", ef_search=128, exact_filter_limit=10)
    assert four.ntotal == one.ntotal == DOCS * PER_DOC and len(read_manifest(tmp_path / "four")["files"]) == 4
    assert (four.ids == one.ids).all() and np.array_equal(four.vectors, one.vectors)
    queries = [vector_of(f"query {n}") for n in range(20)]
    agree = np.mean([len(set(four.nearest(q, 10)) & set(one.nearest(q, 10))) / 10 for q in queries])
    assert agree == 1.0 if exact_limit > DOCS * PER_DOC else agree >= 0.95
    allowed = np.sort(one.ids[::3])  # a filter: searched exactly, the same either way
    assert all(four.nearest(q, 10, allowed) == one.nearest(q, 10, allowed) for q in queries[:5])


def test_a_changed_document_rewrites_only_its_shard(store, tmp_path):
    folder = tmp_path / "index"
    build_sharded_index(store, folder, MODEL, shards=6, **options())
    before = {f["file"]: f["sha256"] for f in read_manifest(folder)["files"]}
    assert not build_sharded_index(store, folder, MODEL, shards=6, **options())  # nothing changed
    put_document(store, "doc-05", version="v2")
    assert build_sharded_index(store, folder, MODEL, shards=6, **options())
    after = {f["file"]: f["sha256"] for f in read_manifest(folder)["files"]}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {f"vectors-{shard_of(['doc-05'], 6)[0]:03d}-of-006.faiss"}
    found = load_sharded(folder, ef_search=128, exact_filter_limit=10)
    assert found.ntotal == DOCS * PER_DOC and found.nearest(vector_of("doc-05 finding 3 v2"), 1) == [
        int(store.execute("SELECT rowid FROM findings WHERE id = 'doc-05-3v2'").fetchone()[0])]


def test_a_damaged_shard_is_reported_and_rebuilt(store, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", index_shards=3)
    build_sharded_index(store, settings.index_dir, MODEL, shards=3, **options())
    damaged = settings.index_dir / read_manifest(settings.index_dir)["files"][1]["file"]
    damaged.write_bytes(damaged.read_bytes()[:-10])
    assert any("shard" in p.what and damaged.name in p.what for p in check_index(store, settings))
    assert build_sharded_index(store, settings.index_dir, MODEL, shards=3, **options())
    assert (settings.index_dir / MANIFEST).is_file()
    assert load_sharded(settings.index_dir, ef_search=128, exact_filter_limit=10).ntotal == DOCS * PER_DOC
