import numpy as np

from findings.relevance.candidates import FEATURES, StoreArrays, candidates, label_mismatch, ranks_of, top


def test_top_and_ranks():
    scores = np.array([0.1, 0.9, 0.5, 0.9])
    assert top(scores, 2).tolist() == [1, 3]
    assert ranks_of(scores, np.array([0, 1, 2])).tolist() == [4, 1, 3]


def test_label_mismatch_is_zero_without_a_label_and_shares_the_rest():
    labels = np.array(["weakness", "strength"])
    assert label_mismatch(labels, np.array([0.9, 0.7]), None).tolist() == [0, 0]
    assert np.allclose(label_mismatch(labels, np.array([0.9, 0.7]), "weakness"), [0.1, 1 - 0.1])


def test_candidates_are_the_union_of_both_arms_with_one_feature_row_each(tiny_engine):
    arrays = StoreArrays.from_engine(tiny_engine)
    lexical = tiny_engine.retrievers[1][0]
    query = tiny_engine.embed("supervision of social workers")
    found = candidates(ids=tiny_engine.index.ids, vectors=tiny_engine.index.vectors, query=query,
                       terms=["supervision", "social", "workers"], lexical=lexical, arrays=arrays,
                       label="weakness", allowed=None, dense_depth=2, lexical_depth=3)
    assert found.features.shape == (len(found), len(FEATURES))
    dense_best = set(tiny_engine.index.nearest(query, 2))
    assert dense_best <= set(found.rowids.tolist()) and len(found) <= 5
    assert np.all(np.diff(found.rowids) > 0)
    allowed = np.array(sorted(dense_best))
    only = candidates(ids=tiny_engine.index.ids, vectors=tiny_engine.index.vectors, query=query,
                      terms=["supervision"], lexical=lexical, arrays=arrays, label=None, allowed=allowed,
                      dense_depth=10, lexical_depth=10)
    assert set(only.rowids.tolist()) <= dense_best
    assert np.all(only.features[:, FEATURES.index("label_mismatch")] == 0)
