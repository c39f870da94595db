"""Structure components: blocks, sections from the heading lexicon, table columns, units."""

from __future__ import annotations

import pytest
import spacy

from nlp.pipeline import structure_pipeline
from nlp.units import sentence_offsets
from tests.nlp.helpers import structured

REPORT = "\n\n".join([
    "What needs to improve?",
    "• The quality of supervision and management oversight.",
    "• The timeliness of assessments for children in need.",
    "The experiences and progress of children in care: good",
    "12. Children in care benefit from stable homes, e.g. with foster carers. Their health needs are met.",
    "Theme\tGrade\tStrengths\tWeaknesses",
    "Ambition\t2\tClear local plan.\tNo strategic objectives. Housing plans not robust.",
])


@pytest.fixture(scope="module")
def doc():
    return structured(REPORT)


def unit(doc, text):
    return next(u for u in doc.spans["units"] if u.text == text)


def test_list_items_under_a_recommendation_heading_are_in_a_recommendation_section(doc):
    item = unit(doc, "The quality of supervision and management oversight.")
    assert item._.block_kind == "list_item"
    assert item._.section_kind == "recommendation"
    assert item._.section == "What needs to improve?"


def test_a_judgement_heading_closes_the_recommendation_section(doc):
    sentence = unit(doc, "Their health needs are met.")
    assert sentence._.section_kind is None
    assert sentence._.block_kind == "numbered_paragraph"


def test_paragraph_numbers_are_left_out_and_abbreviations_do_not_split(doc):
    assert unit(doc, "Children in care benefit from stable homes, e.g. with foster carers.")


def test_table_cells_carry_their_column_kind(doc):
    assert unit(doc, "Clear local plan.")._.column_kind == "strength"
    assert unit(doc, "Housing plans not robust.")._.column_kind == "weakness"
    assert unit(doc, "No strategic objectives.")._.column_kind == "weakness"


SUBHEADINGS = "\n\n".join([
    "Areas for improvement",
    "Quality of practice",
    "5. Further improve the quality of assessments.",
    "6. The LSCB should review its business unit to ensure that it has enough capacity.",
    "Progress since the last inspection",
    "7. Leaders have improved the quality of practice.",
])


@pytest.fixture(scope="module")
def subheaded():
    return structured(SUBHEADINGS)


def test_a_subheading_straight_after_a_recommendation_heading_keeps_its_kind(subheaded):
    item = unit(subheaded, "Further improve the quality of assessments.")
    assert (item._.section, item._.section_kind) == ("Quality of practice", "recommendation")


def test_a_sentence_that_reads_like_a_heading_pattern_is_not_a_heading(subheaded):
    item = unit(subheaded, "The LSCB should review its business unit to ensure that it has enough capacity.")
    assert item._.block_kind == "numbered_paragraph"
    assert item._.section_kind == "recommendation"


def test_a_heading_after_content_does_not_inherit_the_section_kind(subheaded):
    assert unit(subheaded, "Leaders have improved the quality of practice.")._.section_kind is None


def test_sentence_offsets_split_on_terminal_punctuation_only():
    text = "Plans are weak. Mr. Smith agreed (see para. 4). Risks are not known? Yes."
    assert [text[s:e] for s, e in sentence_offsets(text)] == [
        "Plans are weak.", "Mr. Smith agreed (see para. 4).", "Risks are not known?", "Yes."]


def test_saved_structure_pipeline_round_trips(tmp_path):
    pipeline = structure_pipeline()
    pipeline.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.pipe_names == pipeline.pipe_names


@pytest.mark.parametrize(("heading", "kind"), [
    ("What needs to improve in this area of social work practice?", "recommendation"),
    ("Areas for priority action", "recommendation"),
    ("What is the area partnership doing that is effective?", "strength"),
    ("What does the area partnership need to do better?", "weakness"),
    ("Areas for development", "weakness"),
    ("Areas covered by the visit", "context"),
    ("Children in care benefit from stable homes", None),
    ("What needs to improve?1", "recommendation"),
    ("Local authority 2", None),
    ("5.3 Other implications:", "context"),
    ("The Council", "context"),
    ("This local authority has serious weaknesses and is not yet good because:", "weakness"),
    ("The local authority has the following strengths", "strength"),
    ("Other Ofsted inspections", "other"),
    ("Children looked after in this area", "other"),
    ("Summary for children and young people", "context"),
])
def test_headings_of_focused_visits_and_area_send_inspections_name_their_section(heading, kind):
    assert structure_pipeline().get_pipe("block_parser").section_kind(heading) == kind


def test_a_table_column_header_does_not_close_the_recommendation_section():
    text = "\n\n".join(["Areas for improvement", "Responsible body",
                       "Leaders should improve the timeliness of plans."])
    doc = structured(text)
    header, item = list(doc.spans["units"])[1:]
    assert header._.block_kind == "header_cell"
    assert item._.section_kind == "recommendation"


def test_the_cells_naming_responsible_bodies_keep_the_areas_for_action_in_their_section():
    text = "\n\n".join(["Areas for priority action", "Responsible body Areas for priority action",
                       "Halton Borough Council and", "Board (ICB)",
                       "Leaders should improve the timeliness of plans.",
                       "Halton Borough Council and", "Leaders across the partnership should ensure that the",
                       "SEND strategy is implemented.", "Local area partnership details",
                       "Halton Borough Council"])
    doc = structured(text)
    blocks = {b.text: b for b in doc.spans["blocks"]}
    assert blocks["Board (ICB)"]._.block_kind == "header_cell"
    second = blocks["Leaders across the partnership should ensure that the"]
    assert second._.block_kind == "paragraph" and second._.section_kind == "recommendation"
    assert blocks["SEND strategy is implemented."]._.section_kind == "recommendation"
    assert blocks["Halton Borough Council"]._.block_kind == "heading"  # the table has ended


def test_a_plan_table_header_names_its_action_and_outcome_columns():
    parser = structure_pipeline().get_pipe("block_parser")
    kinds = parser.column_kinds(["Recommendation", "Actions/Work Areas", "Outcome", "Lead Officer"])
    assert kinds == ["recommendation", "action", "action", None]


def test_the_inspectorates_boilerplate_is_never_a_finding():
    text = "\n\n".join([
        "Leaders have a clear understanding of the strengths of the area.",
        "The Office for Standards in Education, Children’s Services and Skills (Ofsted) regulates "
        "and inspects to achieve excellence. It regulates and inspects childcare and children’s "
        "social care.",
        "An LSCB that is good coordinates the activity of statutory partners. Multi-agency "
        "training in the protection and care of children is effective.",
        "1 The areas for improvement have been cross-referenced with the outcomes, enablers or "
        "principles in the Children’s Social Care: National Framework.",
        "This letter summarises the findings of the focused visit to Northshire children’s services.",
        "Yours sincerely",
    ])
    report = structured(text)
    kinds = [u._.block_kind for u in report.spans["units"] if u._.block_kind != "marker"]
    assert kinds == ["paragraph"] + ["boilerplate"] * 7
