"""The trained pipeline in models/: loads with spacy.load and labels obvious cases."""

from __future__ import annotations

import pytest
import spacy

from findings.settings import Settings
from nlp.pipeline import doc_findings, make_doc, run

MODEL_DIR = Settings().model_dir

FIXTURE = "\n\n".join([
    "Recommendations",
    "• Ensure that all children in need have a plan that is reviewed regularly.",
    "The experiences and progress of children who need help and protection: requires improvement",
    "1. Management oversight of casework is not consistent and too many assessments are late.",
    "2. Social workers know their children well and visit them regularly, and children benefit "
    "from effective direct work that helps them to make good progress.",
])


@pytest.fixture(scope="module")
def pipeline():
    if not (MODEL_DIR / "config.cfg").is_file():
        pytest.fail("the trained pipeline is missing from models/: run `findings train`")
    return spacy.load(MODEL_DIR)


def labels(pipeline, text, author="inspectorate"):
    doc = next(run(pipeline, [make_doc(pipeline, text, "fixture", author)]))
    return {f.text: f.label for f in doc_findings(doc, include_other=True)}


def test_pipeline_has_the_registered_components(pipeline):
    assert pipeline.pipe_names == ["author_detector", "block_parser", "unit_segmenter",
                                   "theme_tagger", "finding_classifier", "text_scorer"]


def test_recommendation_strength_and_weakness_are_told_apart(pipeline):
    found = labels(pipeline, FIXTURE)
    assert found["Ensure that all children in need have a plan that is reviewed regularly."] == (
        "recommendation")
    assert found["Management oversight of casework is not consistent and too many assessments "
                 "are late."] == "weakness"
    assert found[[t for t in found if t.startswith("Social workers know")][0]] == "strength"


def test_findings_carry_confidence_page_and_themes(pipeline):
    doc = next(run(pipeline, [make_doc(pipeline, FIXTURE, "fixture", None, [0, 60])]))
    found = doc_findings(doc)
    assert all(0.0 < f.confidence <= 1.0 for f in found)
    assert {f.page for f in found} == {1, 2}
    assert any("help and protection" in f.themes for f in found)


def test_the_committed_model_carries_the_packaged_lexicons(pipeline):
    """Lexicons and rules are saved with the model: an edit to them needs `findings train`."""
    from nlp.patterns import default_patterns

    parser = pipeline.get_pipe("block_parser")
    assert parser.sections == default_patterns("sections")
    assert parser.blocks == default_patterns("blocks")
    assert pipeline.get_pipe("theme_tagger").themes == default_patterns("themes")
    assert pipeline.get_pipe("finding_classifier").cfg["rules"] == default_patterns("rules")


def test_load_pipeline_hands_the_cache_folder_to_the_text_scorer(tmp_path):
    from nlp.pipeline import load_pipeline

    loaded = load_pipeline(MODEL_DIR, tmp_path / "cache")
    if "text_scorer" not in loaded.pipe_names:
        pytest.skip("the saved pipeline has no text scorer")
    assert loaded.get_pipe("text_scorer").cache_dir == tmp_path / "cache"
    assert list((tmp_path / "cache").glob("text-scorer-*.onnx"))  # exported there on load

