"""The scale benchmark's helpers: synthetic vectors and recall."""

from __future__ import annotations

import faiss
import numpy as np

from bench.scale import recall, synthetic, timed_search


def test_synthetic_vectors_are_unit_length_and_near_their_sources():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(50, 16)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    made = synthetic(real, 500)
    assert made.shape == (500, 16)
    assert np.allclose(np.linalg.norm(made, axis=1), 1.0, atol=1e-5)
    assert float(np.max(made @ real.T, axis=1).mean()) > 0.7


def test_recall_of_exact_search_against_itself_is_one():
    vectors = synthetic(np.eye(8, dtype=np.float32), 200)
    index = faiss.IndexFlatIP(8)
    index.add(vectors)
    found, times = timed_search(index, vectors[:5], k=3)
    assert recall(found, found) == 1.0 and len(times) == 5
    assert recall(found, found[::-1]) < 1.0
