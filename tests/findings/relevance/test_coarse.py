import numpy as np
import pytest

from findings.relevance.candidates import FEATURES, StoreArrays, candidates
from findings.relevance.coarse import CoarseCosines, principal_directions


def clustered_unit_vectors(rows: int = 4000, dim: int = 48, rank: int = 6, seed: int = 1) -> np.ndarray:
    """Unit vectors whose variance sits mostly in a few directions, as sentence embeddings' does."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, dim))
    vectors = signal + 0.15 * rng.normal(size=(rows, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_the_basis_is_orthonormal_and_the_same_for_the_same_vectors():
    vectors = clustered_unit_vectors()
    coarse = CoarseCosines.fit(vectors, 8)
    assert coarse.basis.shape == (48, 8) and coarse.projected.shape == (4000, 8)
    assert np.allclose(coarse.basis.T @ coarse.basis, np.eye(8), atol=1e-5)
    assert np.array_equal(coarse.basis, CoarseCosines.fit(vectors, 8).basis)
    with pytest.raises(ValueError, match="between 1 and 47"):
        CoarseCosines.fit(vectors, 48)


def test_the_principal_directions_are_the_sample_s_first_right_singular_vectors():
    sample = clustered_unit_vectors(rows=500)
    _, _, right = np.linalg.svd(sample.astype(np.float64), full_matrices=False)
    basis = principal_directions(sample, 8)
    assert np.allclose(np.abs(np.sum(basis * right[:8].T, axis=0)), 1.0, atol=1e-6)  # the same, up to sign
    assert np.all(basis[np.abs(basis).argmax(axis=0), np.arange(8)] > 0)


def test_the_best_of_the_coarse_order_get_exact_cosines_and_hold_the_exact_nearest():
    vectors = clustered_unit_vectors()
    coarse = CoarseCosines.fit(vectors, 8)
    query = vectors[7]
    exact = vectors @ query
    scores, rescored = coarse.cosines(vectors, query, None, 200)
    assert len(rescored) == 200 and np.all(np.diff(rescored) > 0)
    assert np.allclose(scores[rescored], exact[rescored], atol=1e-5)
    others = np.setdiff1d(np.arange(len(vectors)), rescored)
    assert not np.allclose(scores[others], exact[others], atol=1e-3)  # the rest stay coarse
    nearest = np.argsort(-exact)[:100]
    assert len(np.intersect1d(nearest, rescored)) >= 99


def test_a_filtered_subset_is_scored_and_rescored_by_its_own_positions():
    vectors = clustered_unit_vectors()
    coarse = CoarseCosines.fit(vectors, 8)
    positions = np.arange(0, 4000, 3)
    scores, rescored = coarse.cosines(vectors, vectors[10], positions, 50)
    assert scores.shape == (len(positions),)
    assert np.allclose(scores[rescored], vectors[positions[rescored]] @ vectors[10], atol=1e-5)


def test_a_count_with_coarse_cosines_keeps_the_exact_candidates_and_their_features(tiny_engine):
    arrays = StoreArrays.from_engine(tiny_engine)
    vectors, ids = tiny_engine.index.vectors, tiny_engine.index.ids
    query = tiny_engine.embed("supervision of social workers")
    asked = {"ids": ids, "vectors": vectors, "query": query, "terms": ["supervision", "social", "workers"],
             "lexical": tiny_engine.retrievers[1][0], "arrays": arrays, "label": "weakness", "allowed": None,
             "dense_depth": 3, "lexical_depth": 3}
    exact = candidates(**asked)
    coarse = candidates(**asked, coarse=CoarseCosines.fit(vectors, min(4, len(ids) - 1)))
    assert coarse.rowids.tolist() == exact.rowids.tolist()
    for name in ("cosine", "cosine_gap", "topic_cosine", "cosine_z", "bm25_share", "label_mismatch"):
        column = FEATURES.index(name)
        assert np.allclose(coarse.features[:, column], exact.features[:, column], atol=1e-5), name
