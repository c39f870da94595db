"""The extra-queries experiment: its text keys, its committed judgments and its own-intercept fit."""

from __future__ import annotations

import json

import numpy as np

from bench.counts_extra import DOCS, fitted, text_key
from findings.relevance.training import JudgedQuery


def query(qid: str, features: np.ndarray, grades: np.ndarray) -> JudgedQuery:
    """A judged query of given candidates."""
    return JudgedQuery(qid, qid, None, features, grades, np.arange(len(grades)), int((grades == 2).sum()))


def test_text_key_ignores_case_and_spacing():
    assert text_key("Plans are  late.\n") == text_key("plans are late.")
    assert text_key("Plans are late.") != text_key("Plans are on time.")


def test_committed_judgments_hold_no_text_and_name_known_queries():
    queries = {json.loads(line)["qid"] for line in (DOCS / "counts-extra-queries.jsonl").open()}
    judgments = [json.loads(line) for line in (DOCS / "counts-extra-judgments.jsonl").open()]
    assert judgments and all(set(j) == {"qid", "doc_id", "text_sha1", "grade"} for j in judgments)
    assert {j["qid"] for j in judgments} == queries and {j["grade"] for j in judgments} <= {0, 1, 2}


def test_an_own_intercept_keeps_the_extra_queries_base_rate_out_of_predictions():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 2))
    train = [query("a", features, np.where(features[:, 0] + rng.normal(size=400) > 0, 2, 0))]
    extra = [query("x", features, np.zeros(400, dtype=int))]  # extra pools with nothing relevant
    alone = fitted(train, extra[:0], 1.0, own_intercept=False)(features).mean()
    shared = fitted(train, extra, 1.0, own_intercept=False)(features).mean()
    own = fitted(train, extra, 1.0, own_intercept=True)(features).mean()
    assert shared < alone - 0.1 and abs(own - alone) < (alone - shared) / 2
