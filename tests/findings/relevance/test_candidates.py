import numpy as np

from findings.relevance.candidates import (
    FEATURES,
    NEAREST,
    NEXT_TIER,
    StoreArrays,
    candidates,
    cosine_spread,
    label_mismatch,
    ranks_of,
    term_shares,
    top,
)


def test_top_and_ranks():
    scores = np.array([0.1, 0.9, 0.5, 0.9])
    assert top(scores, 2).tolist() == [1, 3]
    assert ranks_of(scores, np.array([0, 1, 2])).tolist() == [4, 1, 3]


def test_label_mismatch_is_zero_without_a_label_and_shares_the_rest():
    labels = np.array(["weakness", "strength"])
    assert label_mismatch(labels, np.array([0.9, 0.7]), None).tolist() == [0, 0]
    assert np.allclose(label_mismatch(labels, np.array([0.9, 0.7]), "weakness"), [0.1, 1 - 0.1])


def test_other_label_marks_the_findings_of_another_label_than_the_asked_one():
    arrays = StoreArrays(np.array(["", "weakness", "strength", "weakness"], dtype=object), np.ones(4))
    assert arrays.other_label(np.array([1, 2, 3]), "weakness").tolist() == [False, True, False]
    assert arrays.other_label(np.array([1, 2]), None) is None


def test_cosine_spread_sets_the_nearest_against_the_next_tier():
    cosines = np.zeros(NEXT_TIER[1] + 50)
    cosines[:NEAREST] = 0.8
    cosines[NEAREST:NEXT_TIER[0]] = 0.6
    cosines[NEXT_TIER[0]:NEXT_TIER[1]] = 0.5
    rng = np.random.default_rng(0)
    assert np.isclose(cosine_spread(rng.permutation(cosines)), 0.3)
    assert np.isclose(cosine_spread(np.array([0.9, 0.4, 0.7])), np.mean([0.9, 0.4, 0.7]) - 0.4)
    assert cosine_spread(np.zeros(0)) == 0.0


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
    spread = found.features[:, FEATURES.index("cosine_spread")]
    assert np.allclose(spread, cosine_spread(found.features[:, FEATURES.index("cosine")]))
    asked = FEATURES.index("label_asked")
    assert np.all(found.features[:, asked] == 1) and np.all(only.features[:, asked] == 0)
    assert found.other_label.tolist() == (arrays.labels[found.rowids] != "weakness").tolist()
    assert only.other_label is None


class PostingsStub:
    """A lexical index of two terms: "homes" in rows 1-3, "unregistered" in row 2 only."""

    postings = {"homes": np.array([1, 2, 3]), "unregistered": np.array([2])}

    def idf(self, rows_matched):
        return {3: 1.0, 1: 3.0, 0: 4.0}[rows_matched]

    def term_scores(self, term):
        rows = self.postings.get(term, np.zeros(0, dtype=np.int64))
        return rows, np.ones(len(rows))


def test_term_shares_weigh_a_rare_query_word_above_a_common_one():
    shares = term_shares(PostingsStub(), ["unregistered", "homes"], np.array([1, 2, 4]))
    assert np.allclose(shares, [1 / 4, 1.0, 0.0])
    assert np.all(term_shares(PostingsStub(), [], np.array([1, 2])) == 0)
