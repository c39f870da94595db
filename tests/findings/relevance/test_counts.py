import numpy as np
import pytest

from findings.relevance.candidates import FEATURES
from findings.relevance.counts import Counter, in_scope
from findings.relevance.matcher import Matcher
from findings.relevance.measure import (
    calibration_resolution,
    chosen_cutoff,
    match_quality,
    proper_scores,
    reliability,
    resampled_intervals,
)
from findings.relevance.model import RelevanceModel
from findings.relevance.training import JudgedQuery, align, judged_query
from findings.retrieval import Filters


def cosine_model(cutoff: float = 0.5) -> RelevanceModel:
    """Relevance from the cosine alone, and a penalty for the wrong label (a hand-set model)."""
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("cosine")], weights[FEATURES.index("label_mismatch")] = 8.0, -6.0
    zeros, ones = [0.0] * len(FEATURES), [1.0] * len(FEATURES)
    return RelevanceModel(FEATURES, zeros, ones, weights, -3.0, cutoff,
                          {"queries": 1, "curve": [{"cutoff": cutoff, "precision": 0.9, "recall": 0.5}]})


@pytest.fixture()
def counter(tiny_engine):
    matcher = Matcher(tiny_engine, cosine_model(), dense_depth=50, lexical_depth=50)
    return Counter(matcher, {"Torbay": "South West"})


def test_the_count_is_councils_with_a_member_out_of_councils_in_scope(counter):
    count = counter.count("supervision of social workers is regular and reflective", cutoff=0.9)
    assert {f["text"] for f in count.findings} == {"Supervision of social workers is regular and reflective."}
    assert count.totals["councils_matched"] == 2 and count.totals["councils"] == 2
    assert all(f["probability"] < 0.9 for f in count.borderline)
    assert [row["group"] for row in count.rows] == ["2020"]
    assert count.estimated["precision"] == 0.9 and count.trend["slope"] is None
    by_region = counter.count("supervision of social workers is regular and reflective", cutoff=0.9,
                              by="region").rows
    assert {row["group"]: row["councils"] for row in by_region} == {"South West": 1, "unknown": 1}
    assert [s["cutoff"] for s in count.sensitivity] == [0.5, 0.7, 0.9]


def test_the_asked_label_moves_probabilities_and_filters_bound_the_scope(counter):
    text = "supervision of social workers"
    plain = {f["id"]: f["probability"] for f in counter.count(text, cutoff=0.01).findings}
    asked = {f["id"]: f["probability"] for f in counter.count(text, label="weakness", cutoff=0.01).findings}
    weak = {"doc-b-7"}  # "Supervision is irregular and supervisors do not record decisions."
    assert all(asked[i] < plain[i] for i in plain if i not in weak and i in asked)
    torbay = counter.count(text, cutoff=0.01, filters=Filters(council="TORBAY"))
    assert {f["council"] for f in torbay.findings} == {"Torbay"} and torbay.totals["councils"] == 1
    later = counter.count(text, cutoff=0.01, filters=Filters(date_from="2021-01-01"))
    assert later.findings == [] and later.totals["councils"] == 0


def test_a_count_names_the_query_words_no_finding_uses(counter):
    assert counter.count("supervision of social wrokers", cutoff=0.9).absent_terms == ["wrokers"]
    assert counter.count("supervision of social workers", cutoff=0.9).absent_terms == []


def test_bad_groupings_and_cut_offs_are_refused(counter):
    with pytest.raises(ValueError, match="count by"):
        counter.count("plans", by="month")
    with pytest.raises(ValueError, match="cut-off"):
        counter.count("plans", cutoff=0)
    with pytest.raises(ValueError, match="text"):
        counter.count("   ")


def test_a_report_is_in_scope_of_its_collection_council_and_period():
    report = {"council": "Torbay", "collection": "ofsted-ilacs", "date": "2019-05-01", "grade": "good",
              "outcome": None}
    assert in_scope(report, Filters(collection="ofsted-ilacs", date_from="2019-01-01", date_to="2019-12-31"))
    assert not in_scope(report, Filters(collection="ofsted-send"))
    assert not in_scope(report, Filters(date_to="2018-12-31"))
    assert not in_scope({**report, "council": None}, Filters())


def test_precision_counts_judged_members_and_recall_reached_relevant_units():
    query = JudgedQuery("q", "t", None, np.zeros((4, len(FEATURES))), grades=np.array([2, 1, -1, 2]),
                        units=np.array([7, 8, -1, 7]), relevant_units=2)
    probabilities = [np.array([0.9, 0.6, 0.95, 0.4])]
    quality = match_quality([query], probabilities, 0.5)
    assert quality["precision"] == 0.5 and quality["recall"] == 0.5 and quality["unjudged"] == 1 / 3
    assert chosen_cutoff([query], probabilities, target=0.9) == 0.61


def test_a_finding_aligns_to_the_judged_unit_it_covers():
    judged = [{"text": "Management oversight of casework is weak and lacks challenge.", "unit": 1},
              {"text": "Children are seen quickly.", "unit": 2}]
    finding = "Overall, management oversight of casework is weak and lacks challenge."
    assert align(finding, judged)["unit"] == 1
    assert align("Something else entirely.", judged) is None


def test_reports_in_scope_are_kept_per_filters_and_the_oldest_let_go(counter, monkeypatch):
    import findings.relevance.counts as counts

    monkeypatch.setattr(counts, "SCOPES_KEPT", 2)
    everything = counter.scopes(Filters())
    assert counter.scopes(Filters()) is everything
    torbay = counter.scopes(Filters(council="Torbay"))
    assert set(torbay) < set(everything) and {s.council for s in torbay.values()} == {"Torbay"}
    counter.scopes(Filters(council="nowhere"))  # a third set of filters: the first is let go
    assert counter.scopes(Filters()) is not everything and counter.scopes(Filters()) == everything


def test_reliability_bins_are_of_equal_width_or_equal_count():
    query = JudgedQuery("q", "t", None, np.zeros((6, len(FEATURES))), grades=np.array([2, 0, 2, 2, -1, 0]),
                        units=np.arange(6), relevant_units=3)
    probabilities = [np.array([0.05, 0.15, 0.92, 0.95, 0.5, 0.12])]
    width = reliability([query], probabilities)
    assert [(r["bin"], r["n"], r["relevant"]) for r in width] == [("0.0-0.1", 1, 1), ("0.1-0.2", 2, 0),
                                                                   ("0.9-1.0", 2, 2)]
    count = reliability([query], probabilities, bins=2, equal_count=True)
    assert [(r["bin"], r["n"], r["relevant"]) for r in count] == [("0.05-0.15", 3, 1), ("0.92-0.95", 2, 2)]


def test_proper_scores_read_judged_candidates_only_and_reward_sharper_right_predictions():
    query = JudgedQuery("q", "t", None, np.zeros((4, len(FEATURES))), grades=np.array([2, 1, -1, 0]),
                        units=np.arange(4), relevant_units=1)
    scores = proper_scores([query], [np.array([0.8, 0.4, 0.99, 0.1])])
    assert scores["judged"] == 3  # the unjudged candidate's 0.99 is not scored
    assert scores["log_loss"] == pytest.approx(-(np.log(0.8) + np.log(0.6) + np.log(0.9)) / 3)
    assert scores["brier"] == pytest.approx((0.2**2 + 0.4**2 + 0.1**2) / 3)
    sharper = proper_scores([query], [np.array([0.95, 0.2, 0.99, 0.05])])
    assert sharper["log_loss"] < scores["log_loss"] and sharper["brier"] < scores["brier"]
    nothing = JudgedQuery("n", "t", None, np.zeros((1, len(FEATURES))), np.array([-1]), np.array([-1]), 0)
    assert proper_scores([nothing], [np.array([0.5])]) == {"judged": 0, "log_loss": None, "brier": None}


def test_a_calibrated_model_on_many_judgments_is_within_the_bar_by_chance_alone():
    rng = np.random.default_rng(3)
    queries, probabilities = [], []
    for k in range(20):
        p = rng.random(400)
        grades = np.where(rng.random(400) < p, 2, 0)
        queries.append(JudgedQuery(f"q{k}", "t", None, np.zeros((400, len(FEATURES))), grades, np.arange(400),
                                   int((grades == 2).sum())))
        probabilities.append(p)
    many = calibration_resolution(queries, probabilities, draws=200)
    few = calibration_resolution([q for q in queries[:2]], probabilities[:2], within=0.02, draws=200)
    assert many["perfect"] > 0.95 and many["resampled"] > 0.9
    assert few["perfect"] < 0.5 and few["resampled_range"][0] <= few["resampled_median"]


def test_intervals_over_resampled_queries_hold_the_pooled_figures():
    rng = np.random.default_rng(5)
    queries, probabilities = [], []
    for k in range(12):
        p = rng.random(50)
        grades = np.where(rng.random(50) < 0.7 * p, 2, np.where(rng.random(50) < 0.6, 0, -1))
        queries.append(JudgedQuery(f"q{k}", "t", None, np.zeros((50, len(FEATURES))), grades, np.arange(50),
                                   int((grades == 2).sum()) + 1))
        probabilities.append(p)
    points = resampled_intervals(queries, probabilities, (0.3, 0.9, 1.0), draws=300)
    for point in points[:2]:
        quality = match_quality(queries, probabilities, point["cutoff"])
        low, high = point["precision_interval"]
        assert low < quality["precision"] < high
        low, high = point["recall_interval"]
        assert low < quality["recall"] < high
    assert points[2]["precision_interval"] is None  # no member at 1.0 in any draw


def test_two_reports_units_of_the_same_number_are_two_units(tiny_engine):
    text = "Supervision of social workers is regular and reflective."
    judgments = [{"qid": "q", "query": "regular supervision", "label": "", "doc_id": doc, "unit": 5,
                  "text": text, "grade": 2} for doc in ("doc-a", "doc-b")]
    query = judged_query(Matcher(tiny_engine, None, dense_depth=50, lexical_depth=50), judgments)
    assert query.relevant_units == 2 and len(set(query.units[query.grades == 2].tolist())) == 2
    assert match_quality([query], [np.ones(len(query.grades))], 0.5)["recall"] == 1.0


def test_a_left_out_querys_findings_of_another_label_get_the_other_queries_share():
    from findings.relevance.training import cross_validated

    rng = np.random.default_rng(8)
    queries = []
    for k in range(4):
        features = rng.normal(size=(60, len(FEATURES)))
        other_label = np.arange(60) < 20
        on_topic = np.where(features[:, 0] > 0, 2, 0)
        grades = np.where(other_label, np.where(np.arange(60) < 2 + k, 2, 1), on_topic)
        queries.append(JudgedQuery(f"q{k}", "t", "weakness", features, grades, np.arange(60),
                                   int((grades == 2).sum()), other_label))
    probabilities = cross_validated(queries)
    for k, (query, p) in enumerate(zip(queries, probabilities, strict=True)):
        others = [q for j, q in enumerate(queries) if j != k]
        share = (sum((q.grades[q.other_label] == 2).sum() for q in others)
                 / sum(q.other_label.sum() for q in others))
        assert np.allclose(p[query.other_label], share)
        assert len(set(np.round(p[~query.other_label], 6))) > 10  # the rest from the logistic model
