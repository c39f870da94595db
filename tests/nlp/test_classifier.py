"""Structural rules of the finding classifier (no trained weights needed)."""

from __future__ import annotations

import pytest

from nlp.classifier import FindingClassifier
from nlp.pipeline import make_doc, run, structure_pipeline

TELLS = "Leaders should urgently reduce waiting times for neurodevelopmental assessments."
JUDGES = "Leaders have a clear understanding of the strengths of the area."
REPORT = "\n\n".join(["Northshire County Council and NHS Northshire ICB", TELLS, JUDGES,
                      "Senior leaders and managers know where they need to focus their efforts."])


@pytest.fixture(scope="module")
def units():
    pipeline = structure_pipeline()
    doc = next(run(pipeline, [make_doc(pipeline, REPORT, "fixture", "inspectorate")]))
    return {u.text: u for u in doc.spans["units"]}


def test_an_inspectors_sentence_telling_the_body_what_to_do_is_a_recommendation(units):
    assert units[TELLS]._.section_kind is None
    assert FindingClassifier().rule_label(units[TELLS], "inspectorate") == "recommendation"


def test_in_a_councils_own_report_the_model_decides(units):
    assert FindingClassifier().rule_label(units[TELLS], "council") is None


def test_judgements_and_later_modals_are_left_to_the_model(units):
    classifier = FindingClassifier()
    assert classifier.rule_label(units[JUDGES], "inspectorate") is None
    later = "Senior leaders and managers know where they need to focus their efforts."
    assert classifier.rule_label(units[later], "inspectorate") is None


def test_bullets_of_a_strengths_or_development_list_take_the_heading_label():
    pipeline = structure_pipeline()
    text = "\n\n".join(["Strengths", "• Health visitors identify children's needs early.",
                       "Areas for development", "• The quality of advice to EHC plans varies.",
                       "Identification is inconsistent in some settings, although improving."])
    doc = next(run(pipeline, [make_doc(pipeline, text, "fixture", "inspectorate")]))
    units = {u.text: u for u in doc.spans["units"]}
    classifier = FindingClassifier()
    assert classifier.rule_label(units["Health visitors identify children's needs early."],
                                 "inspectorate") == "strength"
    assert classifier.rule_label(units["The quality of advice to EHC plans varies."],
                                 "inspectorate") == "weakness"
    paragraph = units["Identification is inconsistent in some settings, although improving."]
    assert classifier.rule_label(paragraph, "inspectorate") is None
    assert classifier.rule_label(units["The quality of advice to EHC plans varies."], "council") is None
