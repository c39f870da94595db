"""The text scorer: fine-tunes, scores units, round-trips to disk; the classifier combines it."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.classifier import FindingClassifier
from nlp.finetune import FineTuneConfig
from nlp.pipeline import make_doc, run, structure_pipeline
from nlp.text_scorer import TextScorer

pytestmark = pytest.mark.slow

GOOD = ["Social workers know children well.", "Leaders are ambitious and effective.",
        "Children benefit from strong support.", "Plans are clear and reviewed regularly."]
BAD = ["Too many assessments are late.", "Management oversight is weak.",
       "Plans are not reviewed regularly.", "Supervision lacks reflection."]
REPORT = "Summary\n\nLeaders are ambitious and effective.\n\nToo many assessments are late."


@pytest.fixture(scope="module")
def scorer():
    tiny = FineTuneConfig(n_layers=1, epochs=6, learning_rate=2e-3, batch_size=4, max_length=32,
                          lora_rank=4)
    model = TextScorer()
    model.fit(GOOD * 3 + BAD * 3, ["strength"] * 12 + ["weakness"] * 12,
              ["strength", "weakness"], tiny)
    return model


def test_probabilities_are_distributions_that_learn_the_examples(scorer):
    probs = scorer.predict_proba(GOOD + BAD)
    assert probs.shape == (8, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert (probs[:4, 0] > probs[:4, 1]).mean() >= 0.75
    assert (probs[4:, 1] > probs[4:, 0]).mean() >= 0.75


def test_units_are_scored_but_headings_skipped(scorer):
    pipeline = structure_pipeline()
    doc = next(run(pipeline, [make_doc(pipeline, REPORT, "fixture", "inspectorate")]))
    scorer(doc)
    scored = {u.text: u._.text_scores for u in doc.spans["units"]}
    assert scored["Summary"] is None
    assert scored["Too many assessments are late."] is not None


def test_round_trip_saves_only_the_adapter_and_keeps_the_scores(scorer, tmp_path, monkeypatch):
    monkeypatch.setenv("FINDINGS_CACHE_DIR", str(tmp_path / "cache"))
    scorer.to_disk(tmp_path / "scorer")
    assert sorted(p.name for p in (tmp_path / "scorer").iterdir()) == ["adapter.npz", "cfg.json"]
    loaded = TextScorer().from_disk(tmp_path / "scorer")
    assert loaded.labels == ["strength", "weakness"]
    np.testing.assert_allclose(loaded.predict_proba(BAD), scorer.predict_proba(BAD), rtol=1e-5)
    assert len(list((tmp_path / "cache").glob("text-scorer-*.onnx"))) == 1
    again = TextScorer().from_disk(tmp_path / "scorer")
    assert again.model_bytes == loaded.model_bytes


def test_a_full_fine_tune_is_saved_as_an_onnx_model(tmp_path):
    full = FineTuneConfig(n_layers=1, epochs=1, batch_size=4, max_length=32, lora_rank=0)
    model = TextScorer()
    model.fit(GOOD + BAD, ["strength"] * 4 + ["weakness"] * 4, ["strength", "weakness"], full)
    model.to_disk(tmp_path)
    assert (tmp_path / "model.onnx").is_file() and not (tmp_path / "adapter.npz").exists()
    loaded = TextScorer().from_disk(tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(GOOD), model.predict_proba(GOOD), rtol=1e-5)


def test_classifier_weighs_text_scores_by_label_name():
    classifier = FindingClassifier(text_weight=1.0)
    classifier.cfg["labels"] = ["strength", "weakness"]
    classifier.cfg["text_scorer_labels"] = ["weakness", "strength"]
    combined = classifier.with_text_scores(np.array([0.9, 0.1]), np.array([0.8, 0.2]))
    np.testing.assert_allclose(combined, [0.2, 0.8], atol=1e-6)
    classifier.cfg["text_weight"] = 0.0
    assert classifier.with_text_scores(np.array([0.9, 0.1]), np.array([0.8, 0.2]))[0] == 0.9
