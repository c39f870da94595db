"""The analyses on small hand-made tables, and the notebooks on a built store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from analyses import data, grades, handcheck, overview, persistence, recurring
from analyses import recommendations as recs
from findings import actions

E = np.eye(6, dtype=np.float32)


def unit(*weights: float) -> np.ndarray:
    vector = np.array(list(weights) + [0.0] * (6 - len(weights)), dtype=np.float32)
    return vector / np.linalg.norm(vector)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Findings from (id, doc_id, council, published, label, text) tuples."""
    table = pd.DataFrame(rows, columns=["id", "doc_id", "council", "published", "label", "text"])
    table["published"] = pd.to_datetime(table["published"])
    table["collection"] = "ofsted-ilacs"
    table["page"] = 1
    table["source_url"] = "u"
    return table


def reports_of(findings: pd.DataFrame, extra: list[tuple] = ()) -> pd.DataFrame:
    """One row per report of the findings, plus (doc_id, council, published) extras."""
    rows = findings.drop_duplicates("doc_id")[["doc_id", "council", "published", "collection"]]
    more = pd.DataFrame(list(extra), columns=["doc_id", "council", "published"])
    more["published"] = pd.to_datetime(more["published"])
    more["collection"] = "ofsted-ilacs"
    return pd.concat([rows, more], ignore_index=True)


# --- recurring -------------------------------------------------------------------------------

@pytest.fixture
def weak():
    rows, vectors = [], []
    for i, council in enumerate(["A", "B", "C"]):
        rows.append((f"s{i}", f"d{council}", council, "2020-05-01", "weakness",
                     "supervision of social workers is infrequent"))
        vectors.append(unit(1, 0.05 * i))
        later = council == "C"
        rows.append((f"p{i}", f"d{council}" + ("2" if later else ""), council,
                     "2021-05-01" if later else "2020-05-01", "weakness",
                     "care plans lack timescales"))
        vectors.append(unit(0, 1, 0.05 * i))
    rows.append(("lone1", "dA", "A", "2020-05-01", "weakness", "the minibus is old"))
    vectors.append(unit(0, 0, 1))
    rows.append(("lone2", "dA", "A", "2020-05-01", "weakness", "the minibus is late"))
    vectors.append(unit(0, 0, 1, 0.1))
    rows.append(("odd", "dB", "B", "2020-05-01", "weakness", "unrelated remark"))
    vectors.append(unit(0, 0, 0, 0, 1))
    return frame(rows), np.vstack(vectors)


def test_clusters_dissolve_one_council_groups_and_keep_misfits(weak):
    findings, vectors = weak
    clustered = recurring.cluster_findings(findings, vectors, n_groups=4, fit_threshold=0.9)
    by_id = clustered.set_index("id")["group"]
    assert by_id["s0"] == by_id["s1"] == by_id["s2"] != recurring.UNCLUSTERED
    assert by_id["p0"] == by_id["p2"] != by_id["s0"]
    # the minibus group lives in one council only, the odd finding is alone: unclustered
    assert {by_id["lone1"], by_id["lone2"], by_id["odd"]} == {recurring.UNCLUSTERED}
    count, sample = recurring.unclustered(clustered)
    assert count == 3 and set(sample["text"]) >= {"unrelated remark"}


def test_group_names_come_from_characteristic_terms(weak):
    findings, vectors = weak
    clustered = recurring.cluster_findings(findings, vectors, n_groups=4, fit_threshold=0.9)
    table = recurring.describe_groups(clustered).set_index("group")
    names = " ".join(table["name"])
    assert "supervision" in names and "timescales" in names
    assert "minibus" not in names
    assert set(table["councils"]) == {3}


def test_prevalence_counts_councils_inspected_without_findings(weak):
    findings, vectors = weak
    clustered = recurring.cluster_findings(findings, vectors, n_groups=4, fit_threshold=0.9)
    reports = reports_of(findings, [("dD", "D", "2020-06-01")])
    table = recurring.prevalence(clustered, reports)
    assert set(table["councils_inspected"]) == {4}
    assert set(table["prevalence"]) == {0.75}
    in_2020 = recurring.prevalence(clustered, reports, "2020-01-01", "2020-12-31")
    plans = clustered.set_index("id").loc["p0", "group"]
    assert in_2020.set_index("group").loc[plans, "councils_with"] == 2
    trend = recurring.prevalence_by_year(clustered, reports)
    assert trend.loc[2021, plans] == 1.0 and trend.loc[2020, plans] == 0.5


def test_examples_are_one_per_council_with_provenance(weak):
    findings, vectors = weak
    clustered = recurring.cluster_findings(findings, vectors, n_groups=4, fit_threshold=0.9)
    group = clustered.set_index("id").loc["s0", "group"]
    examples = recurring.group_examples(clustered, group)
    assert sorted(examples["council"]) == ["A", "B", "C"]
    assert {"doc_id", "published", "page", "source_url"} <= set(examples.columns)


def test_clustering_an_empty_table_gives_an_empty_table():
    empty = frame([])
    clustered = recurring.cluster_findings(empty, np.zeros((0, 6), dtype=np.float32))
    assert clustered.empty and recurring.describe_groups(clustered).empty


# --- comparable recommendations --------------------------------------------------------------

def test_comparable_recommendations_come_from_other_councils_with_similar_weaknesses():
    findings = frame([
        ("q", "dA", "A", "2020-01-01", "weakness", "oversight is weak"),
        ("rA", "dA", "A", "2020-01-01", "recommendation", "improve oversight"),
        ("w", "dB", "B", "2019-01-01", "weakness", "oversight is poor"),
        ("rB", "dB", "B", "2019-01-01", "recommendation", "strengthen oversight"),
        ("rB2", "dB", "B", "2019-01-01", "recommendation", "fix the roof"),
        ("rC", "dC", "C", "2018-01-01", "recommendation", "strengthen oversight"),
    ])
    vectors = np.vstack([unit(1), unit(1, 0.1), unit(1, 0.05), unit(1, 0.2), unit(0, 1),
                         unit(1, 0.2)])
    found = recs.comparable_recommendations(findings, vectors, "q", weakness_threshold=0.9,
                                            recommendation_threshold=0.5)
    # A is the query's own council; C has no similar weakness; B's roof is not similar
    assert found["recommendation_id"].tolist() == ["rB"]
    assert found.loc[0, "matched_weakness"] == "oversight is poor"
    grouped = recs.by_council(found)
    assert grouped.loc[0, "council"] == "B" and grouped.loc[0, "first"] == pd.Timestamp("2019-01-01")
    assert recs.example_weakness(findings, vectors) in {"q", "w"}


# --- persistence -----------------------------------------------------------------------------

def test_pairs_are_consecutive_reports_of_the_same_council():
    reports = pd.DataFrame({
        "doc_id": ["a1", "a2", "a3", "b1"], "council": ["A", "A", "A", "B"],
        "collection": "ofsted-ilacs",
        "published": pd.to_datetime(["2015-01-01", "2019-01-01", "2017-01-01", "2018-01-01"])})
    pairs = persistence.inspection_pairs(reports)
    assert list(zip(pairs["earlier"], pairs["later"], strict=True)) == [("a1", "a3"), ("a3", "a2")]


def test_weaknesses_persist_resolve_or_are_new():
    findings = frame([
        ("w1", "e", "A", "2015-01-01", "weakness", "supervision is poor"),
        ("w2", "e", "A", "2015-01-01", "weakness", "plans are weak"),
        ("w3", "e", "A", "2015-01-01", "weakness", "the website is dated"),
        ("l1", "l", "A", "2019-01-01", "weakness", "supervision remains poor"),
        ("l2", "l", "A", "2019-01-01", "strength", "plans are now strong"),
        ("l3", "l", "A", "2019-01-01", "weakness", "staff turnover is high"),
    ])
    vectors = np.vstack([unit(1), unit(0, 1), unit(0, 0, 1), unit(1, 0.2), unit(0, 1, 0.1),
                         unit(0, 0, 0, 1)])
    pairs = persistence.inspection_pairs(reports_of(findings))
    marked = persistence.mark_persistence(findings, vectors, pairs, threshold=0.9).set_index(
        "finding_id")
    assert marked.loc["w1", "status"] == "persisting"
    assert (marked.loc["w2", "status"], marked.loc["w2", "resolved_by"]) == ("resolved", "strength")
    assert (marked.loc["w3", "status"], marked.loc["w3", "resolved_by"]) == (
        "resolved", "nothing similar")
    assert marked.loc["l3", "status"] == "new" and "l1" not in marked.index
    rates = persistence.rates(marked.reset_index()).set_index("status")
    assert rates.loc["persisting", "rate_of_earlier"] == pytest.approx(1 / 3, abs=1e-3)
    assert rates.loc["new", "weaknesses"] == 1
    timeline = persistence.timeline(marked.reset_index())
    assert timeline.loc[0, ["persisting", "resolved", "new"]].tolist() == [1, 2, 1]
    near = persistence.borderline(marked.reset_index(), threshold=0.99, margin=0.05)
    assert near["text"].tolist() == ["supervision is poor"]


def test_no_council_with_two_inspections_gives_empty_tables():
    findings = frame([("w1", "e", "A", "2015-01-01", "weakness", "x")])
    pairs = persistence.inspection_pairs(reports_of(findings))
    marked = persistence.mark_persistence(findings, unit(1)[None, :], pairs)
    assert pairs.empty and marked.empty
    assert persistence.timeline(marked).empty and persistence.councils_to_show(
        persistence.timeline(marked)) == []
    assert persistence.rates(marked)["weaknesses"].sum() == 0


# --- grades ----------------------------------------------------------------------------------

def test_weakness_share_per_report_and_grade_badness():
    rows = []
    for doc, _grade, n_weak in [("o", "outstanding", 1), ("g", "good", 2),
                               ("r", "requires improvement", 3), ("i", "inadequate", 4),
                               ("u", None, 5)]:
        rows += [(f"{doc}s{k}", doc, doc, "2020-01-01", "strength", "s") for k in range(4)]
        rows += [(f"{doc}w{k}", doc, doc, "2020-01-01", "weakness", "w") for k in range(n_weak)]
        rows += [(f"{doc}r", doc, doc, "2020-01-01", "recommendation", "r")]
    findings = frame(rows)
    findings["grade_overall_effectiveness"] = findings["doc_id"].map(
        {"o": "outstanding", "g": "good", "r": "requires improvement", "i": "inadequate"})
    shares = grades.report_shares(findings).set_index("doc_id")
    assert shares.loc["g", "weakness_share"] == pytest.approx(2 / 6)
    assert shares.loc["i", "badness"] == 3 and np.isnan(shares.loc["u", "badness"])
    result = grades.grade_correlation(shares.reset_index(), n_boot=200)
    assert result.n == 4 and result.rho == pytest.approx(1.0)
    assert grades.shares_by_grade(shares.reset_index())["grade"].tolist()[0] == "outstanding"


def test_spearman_matches_scipy_and_the_interval_contains_it():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4, 60)
    y = x + rng.normal(0, 1.5, 60)
    result = grades.spearman_ci(y, x, n_boot=500)
    assert result.rho == pytest.approx(spearmanr(y, x).statistic)
    assert result.low < result.rho < result.high
    assert "CI" in str(result)


# --- recommendations to actions --------------------------------------------------------------

def response(rows: list[tuple]) -> pd.DataFrame:
    """One document's findings from (label, text, section, block_kind) tuples in order."""
    table = pd.DataFrame(rows, columns=["label", "text", "section", "block_kind"])
    table["id"] = [f"f{i}" for i in range(len(table))]
    table["doc_id"], table["page"] = "resp", 1
    table["start_char"] = np.arange(len(table)) * 100
    return table


def test_layout_fragments_of_a_recommendation_are_merged():
    assert actions.continues("Continue to improve corporate capacity to deliver its",
                             "improvement agenda, in particular", adjacent=False)
    assert actions.continues("R6 Improve communication.", "This will help the public.", True)
    assert not actions.continues("R6 Improve communication.", "This will help.", False)
    assert not actions.continues("Strengthen partnerships;", "Develop capacity;", True)


def test_actions_link_by_structure_then_similarity():
    doc = response([
        ("recommendation", "R1 Improve customer focus", "3", "list_item"),
        ("action", "Customer training", "3", "list_item"),
        ("recommendation", "R2 Strengthen scrutiny and", "3", "list_item"),
        ("action", "New scrutiny board", "3", "list_item"),
        ("recommendation", "challenge of performance.", "3", "list_item"),
        ("action", "Scrutiny staffing review", "3", "list_item"),
        ("recommendation", "R3 Improve communication", "3", "list_item"),
        ("action", "Away day for the cabinet", "7", "list_item"),
        ("action", "Customer survey", "7", "list_item"),
    ])
    vectors = np.vstack([unit(1), unit(1, 0.3), unit(0, 1), unit(0, 1, 0.2), unit(0, 1),
                         unit(0, 1, 0.3), unit(0, 0, 1), unit(0, 0, 0, 1), unit(1, 0.5)])
    links, items = actions.link_document(doc, vectors)
    assert [item["text"][:2] for item in items] == ["R1", "R2", "R3"]
    assert items[1]["text"].endswith("challenge of performance.")
    linked = links.set_index("action")
    assert linked.loc["Customer training", "recommendation"].startswith("R1")
    assert linked.loc["Scrutiny staffing review", "recommendation"].startswith("R2")
    assert linked.loc["Away day for the cabinet", "method"] == "unlinked"
    assert (linked.loc["Customer survey", "method"],
            linked.loc["Customer survey", "recommendation"][:2]) == ("similarity", "R1")
    missing = actions.unanswered(items, links, vectors)
    assert missing["recommendation"].tolist() == ["R3 Improve communication"]


def test_headings_and_quoted_duplicates_count_as_answered():
    doc = response([
        ("recommendation", "Strengthen performance management:", "4", "table_cell"),
        ("recommendation", "Link finance and performance;", "4", "table_cell"),
        ("action", "Joint reports", "4", "table_cell"),
        ("recommendation", "Link finance and performance.", "9", "paragraph"),
        ("recommendation", "Set high standards for access;", "9", "paragraph"),
    ])
    vectors = np.vstack([unit(1), unit(0, 1), unit(0, 1, 0.3), unit(0, 1, 0.01), unit(0, 0, 1)])
    links, items = actions.link_document(doc, vectors)
    assert [item["heading"] for item in items] == [True, False, False, False]
    missing = actions.unanswered(items, links, vectors)
    assert missing["recommendation"].tolist() == ["Set high standards for access;"]


def test_hand_check_compares_r_numbers():
    links = pd.DataFrame({
        "doc_id": handcheck.BROMSGROVE,
        "action": ["Employment of lean systems specialist.", "This project was suspended at x",
                   "Something not in the key"],
        "recommendation": ["R1 A culture of customer focus", "R4 Undertake routine evaluation",
                           "R2 x"],
        "method": "structure", "similarity": 0.3})
    check = handcheck.check_links(links)
    assert check["expected"].tolist() == ["R1", "R3"]
    assert check["correct"].tolist() == [True, False]


# --- data and overview -----------------------------------------------------------------------

class FakeEncoder:
    def __init__(self):
        self.seen = []

    def encode(self, texts, batch_size=64):
        self.seen += texts
        return np.vstack([unit(0, 0, 3) for _ in texts])


def test_embeddings_are_aligned_and_missing_texts_embedded_once():
    findings = pd.DataFrame({"text": ["a", "b", "b", "c"], "text_hash": ["ha", "hb", "hb", "hc"]})
    cached = {"ha": np.array([2, 0, 0, 0, 0, 0], dtype=np.float32)}
    encoder = FakeEncoder()
    matrix = data.aligned_embeddings(findings, cached, encoder)
    assert encoder.seen == ["b", "c"]
    assert matrix.shape == (4, 6) and np.allclose(np.linalg.norm(matrix, axis=1), 1)
    assert np.allclose(matrix[0], E[0]) and np.allclose(matrix[1], E[2])


def test_plots_go_to_the_folder_named_by_the_environment(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setenv("FINDINGS_NOTEBOOK_OUT", str(tmp_path / "out"))
    fig, _ = plt.subplots()
    path = data.save_figure(fig, "x")
    assert path == tmp_path / "out" / "x.png" and path.stat().st_size > 0


def test_overview_tables():
    reports = pd.DataFrame({"doc_id": ["a", "b", "c"], "council": ["A", "A", "B"],
                            "published": pd.to_datetime(["2019-01-01", "2016-01-01", "2019-05-01"]),
                            "grade_overall_effectiveness": ["good", None, "inadequate"]})
    assert overview.reports_by(reports, "year")["year"].tolist() == [2016, 2019]
    assert overview.reports_by_grade(reports)["grade"].tolist() == ["good", "inadequate",
                                                                    "ungraded"]
    findings = pd.DataFrame({"label": ["weakness", "strength", "weakness"],
                             "themes": [["leadership"], ["leadership", "care"], []]})
    themes = overview.findings_by_theme(findings).set_index("theme")
    assert themes.loc["leadership", "total"] == 2 and themes.loc["care", "strength"] == 1
    assert overview.findings_by_label(findings)["label"].tolist() == ["strength", "weakness"]


# --- the notebooks, executed top to bottom on the small built store ---------------------------

@pytest.mark.slow
def test_every_notebook_runs_on_the_small_store(built_settings, tmp_path):
    from analyses.notebooks import notebook_paths, run_notebook

    paths = notebook_paths()
    assert [p.stem[:2] for p in paths] == ["01", "02", "03", "04", "05", "06", "07"]
    env = {"FINDINGS_DATA_DIR": str(built_settings.data_dir),
           "FINDINGS_CORPUS": str(built_settings.corpus),
           "FINDINGS_NOTEBOOK_OUT": str(tmp_path)}
    for path in paths:
        run_notebook(path, env=env, timeout=600)
    written = {p.name for p in tmp_path.glob("*.png")}
    expected = {"01_overview.png", "02_prevalence.png", "05_grades.png", "06_links.png", "07_counts_ehc.png"}
    assert expected <= written


def test_send_outcome_is_a_grade_and_an_empty_grade_is_none():
    rows = []
    for doc, n_weak in [("p", 1), ("i", 3), ("w", 6), ("x", 2)]:
        rows += [(f"{doc}s{k}", doc, doc, "2024-01-01", "strength", "s") for k in range(4)]
        rows += [(f"{doc}w{k}", doc, doc, "2024-01-01", "weakness", "w") for k in range(n_weak)]
    findings = frame(rows)
    findings["collection"] = findings["doc_id"].map(lambda d: "ofsted-ilacs" if d == "x" else "ofsted-send")
    outcomes = dict(zip("piw", grades.outcome_badness(), strict=True))
    findings["outcome"] = findings["doc_id"].map(outcomes)
    findings["grade_overall_effectiveness"] = ""  # inspections from 2026 carry no overall grade
    shares = grades.send_outcome_shares(findings).set_index("doc_id")
    assert sorted(shares.index) == ["i", "p", "w"]
    assert shares.loc[list("piw"), "badness"].tolist() == [0, 1, 2]
    result = grades.grade_correlation(shares.reset_index(), n_boot=200)
    assert result.n == 3 and result.rho == pytest.approx(1.0)
    ungraded = grades.report_shares(findings)
    assert ungraded["badness"].isna().all()
    assert grades.shares_by_grade(ungraded).empty
    assert np.isnan(grades.grade_correlation(ungraded, n_boot=50).rho)
