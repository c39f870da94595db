"""Structural rules of the finding classifier (no trained weights needed)."""

from __future__ import annotations

import pytest

from findings.settings import get_settings
from nlp.classifier import FindingClassifier
from nlp.patterns import read_patterns
from tests.nlp.helpers import structured

TELLS = "Leaders should urgently reduce waiting times for neurodevelopmental assessments."
JUDGES = "Leaders have a clear understanding of the strengths of the area."
REPORT = "\n\n".join(["Northshire County Council and NHS Northshire ICB", TELLS, JUDGES,
                      "Senior leaders and managers know where they need to focus their efforts."])


def structured_units(text: str, author: str) -> dict:
    """The units of a fixture text after the structure pipeline, by their text."""
    doc = structured(text, author)  # held here: a SpanGroup dies with its Doc
    return {u.text: u for u in doc.spans["units"]}


@pytest.fixture(scope="module")
def units():
    return structured_units(REPORT, "inspectorate")


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


def rule_labels(text: str, author: str = "inspectorate") -> dict[str, str | None]:
    """Each unit's rule label (None: left to the model), by its text, in a document of ``author``."""
    classifier = FindingClassifier()
    units = structured_units(text, author)
    return {unit_text: classifier.rule_label(unit, author) for unit_text, unit in units.items()}


def test_bullets_of_a_strengths_or_development_list_take_the_heading_label():
    text = "\n\n".join(["Strengths", "• Health visitors identify children's needs early.",
                       "Areas for development", "• The quality of advice to EHC plans varies.",
                       "Identification is inconsistent in some settings, although improving."])
    labels = rule_labels(text)
    assert labels["Health visitors identify children's needs early."] == "strength"
    assert labels["The quality of advice to EHC plans varies."] == "weakness"
    assert labels["Identification is inconsistent in some settings, although improving."] is None
    varies = structured_units(text, "inspectorate")["The quality of advice to EHC plans varies."]
    assert FindingClassifier().rule_label(varies, "council") is None


def test_an_ofsted_reports_statistics_about_its_area_are_never_findings():
    labels = rule_labels("\n\n".join(["Children looked after in this area",
                                       "• 25 children are unaccompanied asylum-seeking children.",
                                       "Previous Ofsted inspections",
                                       "The local authority was judged to be adequate.",
                                       "Summary for children and young people",
                                       "• Social workers listen to you and act on what you tell them."]))
    assert labels["25 children are unaccompanied asylum-seeking children."] == "other"
    assert labels["The local authority was judged to be adequate."] == "other"
    assert labels["Social workers listen to you and act on what you tell them."] is None


RESPONSE = "\n\n".join([
    "Purpose of Report",
    "The inspector's recommendations and our responses are set out below.",
    "• R1 A culture of customer focus should be established at all levels.",
    "• Update of the Customer First Strategy to June Cabinet.",
    "• Continued roll out of National Indicators.",
    "• Do we have capacity to deliver our plans?",
])


def test_a_councils_nominalised_plan_steps_are_actions():
    classifier = FindingClassifier()
    council = structured_units(RESPONSE, "council")
    assert classifier.rule_label(council["Update of the Customer First Strategy to June Cabinet."],
                                 "council") == "action"
    assert classifier.rule_label(council["Continued roll out of National Indicators."],
                                 "council") == "action"
    assert classifier.rule_label(council["Purpose of Report"], "council") == "other"
    inspector = structured_units(RESPONSE, "inspectorate")
    assert classifier.rule_label(inspector["Continued roll out of National Indicators."],
                                 "inspectorate") is None


def test_a_question_is_never_a_finding():
    council = structured_units(RESPONSE, "council")
    assert FindingClassifier().rule_label(council["Do we have capacity to deliver our plans?"],
                                          "council") == "other"
    assert FindingClassifier().rule_label(
        council["R1 A culture of customer focus should be established at all levels."],
        "council") == "recommendation"


def test_a_national_paper_holds_no_findings():
    paper = "\n\n".join(["Councils should publish clear plans for improvement.",
                         "The performance of most councils has improved well since 2002."])
    units = structured_units(paper, "national")
    classifier = FindingClassifier()
    assert all(classifier.rule_label(u, "national") == "other" for u in units.values())
    inspector = structured_units(paper, "inspectorate")
    assert not any(classifier.rule_label(u, "inspectorate") for u in inspector.values())


def test_a_table_cell_that_only_names_a_role_is_contact_detail():
    table = "\n\n".join(["Responsible Head of Service\tHugh Bennett, Assistant Chief Executive",
                         "Executive Director (Services)\tAt CMT."])
    units = structured_units(table, "council")
    classifier = FindingClassifier()
    for role in ("Responsible Head of Service", "Hugh Bennett, Assistant Chief Executive",
                 "Executive Director (Services)"):
        assert classifier.rule_label(units[role], "inspectorate") == "other"
    assert classifier.rule_label(units["At CMT."], "council") is None


def test_a_fragment_with_no_judgement_is_never_a_finding():
    labels = rule_labels("\n\n".join([
        "What needs to improve?",
        "• The quality of plans for children in care.",
        "(Outcome 4, national framework)",
        "• Management oversight of casework. (Paragraphs 22 - 23)",
        "(Recommendations 2 and 3)",
        "•",
        "_",
        "Camden.",
        "(Use the service planning guidance)",
        "PEPs are poor."]))
    assert labels["The quality of plans for children in care."] == "recommendation"
    assert labels["Management oversight of casework."] == "recommendation"
    for fragment in ("(Outcome 4, national framework)", "(Paragraphs 22 - 23)", "(Recommendations 2 and 3)",
                     "•", "_", "Camden."):
        assert labels[fragment] == "other"
    assert labels["(Use the service planning guidance)"] == "recommendation"  # brackets, no cross-reference
    assert labels["PEPs are poor."] == "recommendation"  # short, but a whole sentence


def test_the_shipped_classifier_keeps_the_packaged_rules():
    shipped = FindingClassifier().from_disk(get_settings().model_dir / "finding_classifier")
    assert shipped.cfg["rules"] == read_patterns("rules")
