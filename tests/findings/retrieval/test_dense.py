"""The vector index's filtered search: exact over small subsets, prepared subsets kept and freed."""

from __future__ import annotations

import gc

import faiss
import numpy as np

from findings.retrieval import Query
from findings.retrieval.dense import VectorIndex


def flat_index(count: int = 300, dim: int = 16) -> tuple[VectorIndex, np.ndarray]:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(count, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    index.add_with_ids(vectors, np.arange(100, 100 + count, dtype=np.int64))
    return VectorIndex(index, ef_search=128, exact_filter_limit=100, threads=1), vectors


def brute_force(vectors: np.ndarray, query: np.ndarray, allowed: np.ndarray, depth: int) -> list[int]:
    scores = vectors[allowed - 100] @ query
    return [int(allowed[i]) for i in np.argsort(-scores)[:depth]]


def test_filtered_search_is_exact_and_repeatable_with_a_kept_subset():
    index, vectors = flat_index()
    allowed = np.arange(100, 400, 5, dtype=np.int64)
    query = vectors[7]
    first = index.nearest(query, 10, allowed)
    assert first == brute_force(vectors, query, allowed, 10)
    assert len(index._subsets) == 1
    assert index.nearest(query, 10, allowed) == first


def test_exact_search_ranks_repeated_vectors_in_id_order():
    index, vectors = flat_index(count=3000)
    copies = VectorIndex(index.index, ef_search=128, exact_filter_limit=5000, threads=1)
    copies.vectors = copies.vectors.copy()
    repeats = list(range(100, 3000, 290))  # positions of copies of one sentence's vector
    copies.vectors[repeats] = vectors[30]
    found = copies.nearest(vectors[30], 12, np.arange(100, 3100, dtype=np.int64))
    tied = sorted([130] + [100 + p for p in repeats])
    assert found[:11] == tied
    assert found[11] == next(i for i in brute_force(copies.vectors, vectors[30], np.arange(100, 3100), 20)
                             if i not in tied)
    assert copies.nearest(vectors[30], 3, np.arange(100, 3100, dtype=np.int64)) == tied[:3]  # cut among ties


def test_unsorted_and_unknown_allowed_ids_are_handled():
    index, vectors = flat_index()
    allowed = np.array([250, 120, 999_999, 180], dtype=np.int64)
    found = index.nearest(vectors[20], 10, allowed)
    assert sorted(found) == [120, 180, 250]
    assert index.nearest(vectors[20], 10, np.zeros(0, dtype=np.int64)) == []


def test_large_subsets_use_the_index_with_a_selector():
    index, vectors = flat_index()
    allowed = np.arange(100, 350, dtype=np.int64)
    found = index.nearest(vectors[3], 5, allowed)
    assert found == brute_force(vectors, vectors[3], allowed, 5)
    assert all(100 <= rowid < 350 for rowid in found)


def test_a_subset_is_forgotten_when_its_array_goes_and_the_budget_holds():
    index, vectors = flat_index()
    allowed = np.arange(100, 160, dtype=np.int64)
    index.nearest(vectors[0], 5, allowed)
    assert len(index._subsets) == 1
    del allowed
    gc.collect()
    assert len(index._subsets) == 0
    small = VectorIndex(index.index, ef_search=128, exact_filter_limit=100, cache_bytes=1_000)
    small.nearest(vectors[0], 5, np.arange(100, 160, dtype=np.int64))
    assert len(small._subsets) == 0


def test_search_takes_the_query_embedding_and_counts_its_vectors(tmp_path):
    index, vectors = flat_index()
    assert index.search(Query("q", (), vectors[3]), 2) == index.nearest(vectors[3], 2)
    assert index.count() == 300
    index.save(tmp_path)
    loaded = VectorIndex.load(None, tmp_path, ef_search=128, exact_filter_limit=100)
    assert loaded.nearest(vectors[3], 5) == index.nearest(vectors[3], 5)
    assert not list(tmp_path.glob("*.tmp"))


def test_kept_vectors_leave_the_file_for_later_and_later_reads_the_file_as_it_was(tmp_path):
    from findings.retrieval.cache import ArrayCache
    from findings.retrieval.dense import IndexFile

    index, vectors = flat_index()
    index.save(tmp_path)
    cache = ArrayCache(tmp_path / "arrays" / "state")
    VectorIndex.load(None, tmp_path, ef_search=128, exact_filter_limit=10, cache=cache)  # keeps the vectors
    mapped = VectorIndex.load(None, tmp_path, ef_search=128, exact_filter_limit=10, cache=cache)
    assert isinstance(mapped._index, IndexFile) and mapped.count() == 300  # noqa: SLF001
    other, _ = flat_index(count=50)  # a build replaces the file before the first search
    other.save(tmp_path)
    assert mapped.nearest(vectors[3], 5) == index.nearest(vectors[3], 5)  # the graph of the mapped vectors
    assert not isinstance(mapped._index, IndexFile)  # noqa: SLF001
