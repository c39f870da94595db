"""Properties, checked by hypothesis: in-memory filters mean what the store's SQL means; fusion is sane."""

from __future__ import annotations

import hashlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from findings.retrieval.columns import FilterColumns
from findings.retrieval.filters import Filters
from findings.retrieval.fusion import fuse, weigh_by_confidence
from findings.store import connect, reads, writes

COUNCILS = ["Torbay", "torbay", "Wiltshire", "St. Helens", None]
LABELS = ["strength", "weakness", "recommendation", "action"]
THEMES = ["health", "education", "workforce and capacity"]
DATES = ["2015-03-01", "2019-12-31", "2020-01-01", "2024-07-23", None]


def varied_store(path, seed: int):
    """A store of 40 findings over 8 reports with councils, dates, grades and themes drawn at random."""
    rng = np.random.default_rng(seed)
    conn = connect(path)
    for d in range(8):
        grade = rng.choice(["good", "inadequate", ""])
        writes.upsert_document(conn, {
            "doc_id": f"d{d}", "path": f"d{d}.txt", "content_hash": f"h{d}", "text": "", "page_starts": "[0]",
            "council": COUNCILS[rng.integers(len(COUNCILS))], "collection": rng.choice(["a", "b"]),
            "published": DATES[rng.integers(len(DATES))],
            "grades": f'{{"overall_effectiveness": "{grade}"}}' if grade else "{}"})
        rows = [{"id": f"d{d}-{u}", "doc_id": f"d{d}", "unit": u, "text": f"t{d}{u}",
                 "label": LABELS[rng.integers(4)], "confidence": 0.9, "page": 1,
                 "themes": list(rng.choice(THEMES, size=rng.integers(0, 3), replace=False)),
                 "text_hash": hashlib.sha1(f"{d}{u}".encode()).hexdigest()} for u in range(5)]
        writes.replace_findings(conn, f"d{d}", rows, "v")
    conn.commit()
    return conn


filters = st.builds(
    Filters, label=st.sampled_from([None, *LABELS]),
    council=st.sampled_from([None, "torbay", "WILTSHIRE", "Nowhere"]),
    collection=st.sampled_from([None, "a", "b", "c"]), date_from=st.sampled_from([None, *DATES[:4], "2019"]),
    date_to=st.sampled_from([None, *DATES[:4], "2020-01"]), theme=st.sampled_from([None, *THEMES, "none"]),
    grade=st.sampled_from([None, "good", "inadequate", "Good"]),
    exclude_council=st.sampled_from([None, "Torbay", "st. helens", "Nowhere"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 5), chosen=filters)
def test_filters_resolved_in_memory_equal_the_store_query(tmp_path_factory, seed, chosen):
    conn = varied_store(tmp_path_factory.mktemp("s") / "f.db", seed)
    expected = reads.allowed_ids(conn, **chosen.values())
    assert FilterColumns.from_store(conn).allowed(chosen).tolist() == expected.tolist(), chosen


rankings = st.lists(st.lists(st.integers(0, 50), unique=True, max_size=30), min_size=1, max_size=4)


@given(rankings=rankings, data=st.data())
def test_fusion_scores_every_ranked_id_once_best_first_and_respects_weights(rankings, data):
    weights = data.draw(st.lists(st.floats(0, 2), min_size=len(rankings), max_size=len(rankings)))
    fused = fuse(rankings, weights)
    ids = [rowid for rowid, _ in fused]
    assert sorted(ids) == sorted({r for ranking in rankings for r in ranking})
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
    alone = fuse(rankings[:1], [1.0])
    assert [rowid for rowid, _ in alone] == rankings[0]  # one ranking keeps its order


@given(scored=st.lists(st.tuples(st.integers(0, 20), st.floats(0, 1)), unique_by=lambda p: p[0], max_size=20),
       confidence=st.lists(st.floats(0, 1), min_size=21, max_size=21))
def test_weighing_by_confidence_never_raises_a_score_and_keeps_the_ids(scored, confidence):
    weighed = weigh_by_confidence(scored, np.array(confidence, dtype=np.float32))
    assert sorted(r for r, _ in weighed) == sorted(r for r, _ in scored)
    original = dict(scored)
    assert all(score <= original[rowid] + 1e-9 for rowid, score in weighed)
