import numpy as np
import pytest

from findings.relevance.candidates import FEATURES
from findings.relevance.model import RelevanceModel


def synthetic(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, len(FEATURES)))
    relevant = features[:, 0] + 0.3 * rng.normal(size=n) > 0
    return features, relevant


def test_the_fitted_model_ranks_by_what_decides_relevance_and_round_trips(tmp_path):
    features, relevant = synthetic()
    model = RelevanceModel.fit(features, relevant)
    p = model.probability(features)
    assert ((p >= 0.5) == relevant).mean() > 0.85
    model.cutoff, model.measured = 0.8, {"curve": [{"cutoff": 0.7, "precision": 0.8, "recall": 0.9},
                                                   {"cutoff": 0.8, "precision": 0.9, "recall": 0.7}]}
    model.to_disk(tmp_path / "relevance.json")
    again = RelevanceModel.from_disk(tmp_path / "relevance.json")
    assert np.allclose(again.probability(features), p) and again.cutoff == 0.8
    assert again.at(0.79)["precision"] == 0.9 and again.at(0.72)["recall"] == 0.9


def test_a_finding_of_another_label_than_asked_gets_the_judged_share_of_such_findings(tmp_path):
    features, relevant = synthetic()
    other_label = np.arange(len(relevant)) % 4 == 0
    relevant = relevant & ~(other_label & (np.arange(len(relevant)) % 8 != 0))  # at most half relevant
    model = RelevanceModel.fit(features, relevant, other_label=other_label)
    assert np.isclose(model.other_label_rate, relevant[other_label].mean())
    logistic = model.probability(features)
    marked = model.probability(features, other_label)
    assert np.allclose(marked[other_label], model.other_label_rate)
    assert np.allclose(marked[~other_label], logistic[~other_label])
    model.to_disk(tmp_path / "relevance.json")
    again = RelevanceModel.from_disk(tmp_path / "relevance.json")
    assert np.allclose(again.probability(features, other_label), marked)
    assert RelevanceModel.fit(features, relevant).other_label_rate is None  # no label asked in training
    assert np.allclose(RelevanceModel.fit(features, relevant).probability(features, other_label),
                       RelevanceModel.fit(features, relevant).probability(features))


def test_a_model_of_other_features_or_none_at_all_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-relevance"):
        RelevanceModel.from_disk(tmp_path / "missing.json")
    features, relevant = synthetic()
    model = RelevanceModel.fit(features, relevant)
    model.features = ("cosine",)
    model.to_disk(tmp_path / "old.json")
    with pytest.raises(ValueError, match="train-relevance"):
        RelevanceModel.from_disk(tmp_path / "old.json")
    with pytest.raises(ValueError, match="features"):
        RelevanceModel.fit(features, relevant).probability(features[:, :3])


def test_the_shipped_model_reads_these_features_and_states_its_cut_off():
    from findings.settings import Settings

    model = RelevanceModel.from_disk(Settings().relevance_model)
    assert 0 < model.cutoff < 1 and model.at(model.cutoff)["precision"] >= 0.9
