"""The extra-queries experiment: text keys, committed judgments, the own-intercept fit, its tables."""

from __future__ import annotations

import json

import numpy as np

from bench.counts_extra import DOCS, by_query, fitted, left_out, left_out_probabilities, text_key, transfer
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
    alone = fitted(train, extra[:0], 1.0, own_intercept=False)(train[0]).mean()
    shared = fitted(train, extra, 1.0, own_intercept=False)(train[0]).mean()
    own = fitted(train, extra, 1.0, own_intercept=True)(train[0]).mean()
    assert shared < alone - 0.1 and abs(own - alone) < (alone - shared) / 2


def test_the_transfer_table_scores_extra_queries_with_a_model_fitted_on_the_dev_ones():
    rng = np.random.default_rng(1)

    def judged(qid: str, sign: float = 1.0) -> JudgedQuery:
        features = rng.normal(size=(300, 2))
        return query(qid, features, np.where(sign * features[:, 0] + 0.3 * rng.normal(size=300) > 0.5, 2, 0))

    def precision(lines: list[str]) -> dict[str, float]:
        cells = [line.split(" | ") for line in lines if line.startswith("| 0.") and line.count("|") == 6]
        return {c[0].strip("| "): float(c[1]) for c in cells}

    dev = [judged("a"), judged("b"), judged("c")]
    alike = transfer(dev, [judged("x")])
    assert precision(alike)["0.90"] > precision(alike)["0.50"] > 0.8  # precision rises with the cut-off
    assert alike[-1].startswith("| x x | - |")
    inverted = precision(transfer(dev, [judged("y", -1.0)]))  # relevant where the dev queries' are not
    assert inverted["0.90"] < 0.1


def test_a_query_row_counts_members_judged_members_and_reached_units():
    grades = np.array([2, 2, 0, -1, 2])
    row = by_query(query("q", np.zeros((5, 1)), grades), np.array([0.9, 0.8, 0.95, 0.99, 0.1]), 0.77)
    assert row == "| q q | - | 4 | 2 / 3 | 2 / 3 |"


def test_an_extra_query_left_out_is_scored_without_itself():
    rng = np.random.default_rng(2)
    features = rng.normal(size=(300, 2))
    dev = [query(q, features, np.where(features[:, 0] > 0.5, 2, 0)) for q in "abc"]
    extra = [query(q, features, np.where(features[:, 1] > 0.5, 2, 0)) for q in "xy"]
    dev_only = fitted(dev, [], 1.0, False)(extra[0])
    alone = left_out_probabilities(dev, extra[:1], 1.0, False)[0]
    assert np.allclose(alone, dev_only)  # no other extra query: the model is the dev queries' alone
    taught = left_out_probabilities(dev, extra, 1.0, False)[0]  # x, taught by y
    relevant = extra[0].grades == 2
    def separation(p: np.ndarray) -> float:
        return p[relevant].mean() - p[~relevant].mean()

    assert separation(taught) > separation(dev_only) + 0.1


def test_the_left_out_table_has_a_row_per_setting():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(200, 2))
    judged = [query(q, features, np.where(features[:, 0] + rng.normal(size=200) > 0.5, 2, 0))
              for q in "abcxy"]
    lines = left_out(judged[:3], judged[3:])
    assert [line.split(" | ")[0].strip("| ") for line in lines[3:]] == [
        "dev queries only", "+ the other extra, weight 0.25, own intercept", "+ the other extra, weight 0.25",
        "+ the other extra, weight 1.0, own intercept"]


def test_candidates_of_another_label_get_the_weighted_share_of_such_candidates_judged_relevant():
    rng = np.random.default_rng(4)
    features = rng.normal(size=(200, 2))
    marked = np.arange(200) < 50

    def asked(qid: str, relevant_marked: int) -> JudgedQuery:
        grades = np.where(features[:, 0] > 0, 2, 0)
        grades[:50] = np.where(np.arange(50) < relevant_marked, 2, 1)
        return JudgedQuery(qid, qid, "weakness", features, grades, np.arange(200), int((grades == 2).sum()),
                           marked)

    train, extra = [asked("a", 10)], [asked("x", 0)]
    p = fitted(train, extra, 0.25, own_intercept=False)(train[0])
    assert np.allclose(p[marked], 10 / (50 + 0.25 * 50))
    assert len(set(np.round(p[~marked], 6))) > 10
