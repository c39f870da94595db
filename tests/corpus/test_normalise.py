"""Normalisation of page text: furniture, wraps, hyphenation, bullets, page breaks."""

from __future__ import annotations

from corpus.normalise import normalise_pdf_pages, normalise_plain_text

HEADER = "Inspection of Exampleshire County Council children’s services"
WIDE = "x" * 70


def page(number: int, body: list[str]) -> str:
    return "\r\n".join([HEADER, f"12 to 16 May 2025 {number}", *body, str(number)])


def pages_with(body_by_page: list[list[str]]) -> list[str]:
    return [page(i + 1, body) for i, body in enumerate(body_by_page)]


def first_page_blocks(body: list[str]) -> list[str]:
    """The blocks of a three-page PDF whose first page holds ``body``."""
    return normalise_pdf_pages(pages_with([body, ["x"], ["y"]])).text.split("\n\n")


def test_running_headers_and_page_numbers_are_removed():
    teams = ["north", "south", "east", "west"]
    pages = pages_with([[f"Children in the {team} team are safe. " + WIDE] for team in teams])
    text = normalise_pdf_pages(pages).text
    assert HEADER not in text
    assert "May 2025" not in text
    assert text.count("team are safe.") == 4
    assert not any(block.strip().isdigit() for block in text.split("\n\n"))


def test_wrapped_lines_are_joined_and_hyphenation_repaired():
    body = ["Leaders have made good progress in improving the quality of practice for ",
            "children, and social workers have manageable case- ",
            "loads in most teams across the whole local authority area.",
            "Next paragraph."]
    text = normalise_pdf_pages(pages_with([body, ["x"], ["y"]])).text
    assert ("Leaders have made good progress in improving the quality of practice for children, "
            "and social workers have manageable case-loads") in text


def test_private_use_bullets_become_list_items():
    body = ["What needs to improve?", "\uf06e The quality of supervision.",
            "\uf0b7 The timeliness of assessments."]
    blocks = first_page_blocks(body)
    assert "• The quality of supervision." in blocks
    assert "• The timeliness of assessments." in blocks


def test_item_ending_in_a_bracketed_reference_ends_before_the_next_heading():
    body = ["What needs to improve?",
            "◼ The frequency and quality of supervision of practice in the children in care teams ",
            "and in the care leavers team. (outcome 4, national framework)",
            "The experiences and progress of children who need help and protection in the area ",
            "protection: good",
            "1. Children benefit from a wide range of early help services in the local authority."]
    blocks = first_page_blocks(body)
    assert blocks[1] == ("• The frequency and quality of supervision of practice in the children in "
                         "care teams and in the care leavers team. (outcome 4, national framework)")
    assert blocks[2].startswith("The experiences and progress of children")


def test_graded_heading_glued_to_an_item_is_split_off():
    body = ["◼ The quality of the recording by managers of management oversight of decisions in ",
            "the hub and of the letters to parents (outcome 1, national framework)",
            "The experiences and progress of children who need help and protection: ",
            "good",
            "1. Children benefit from a wide range of early help services in the local authority."]
    blocks = first_page_blocks(body)
    assert blocks[0].endswith("letters to parents (outcome 1, national framework)")
    assert blocks[1] == "The experiences and progress of children who need help and protection: good"


def test_sentence_broken_by_page_break_is_rejoined():
    first = ["Plans for children are detailed and reviewed regularly, but for a small number of " + WIDE,
             "children the actions in plans are not"]
    second = ["specific enough to measure progress.", "Another paragraph starts here."]
    result = normalise_pdf_pages(pages_with([first, second, ["x"], ["y"]]))
    assert "actions in plans are not specific enough to measure progress." in result.text
    assert result.page_starts[0] == 0 and len(result.page_starts) == 4


def test_plain_text_keeps_tables_and_joins_continuations():
    text = normalise_plain_text("Theme\tStrengths\tWeaknesses\n"
                                "- Customer First training for each team, which will involve a\n"
                                " diagnostic of their customer satisfaction levels.\n").text
    blocks = text.split("\n\n")
    assert blocks[0] == "Theme\tStrengths\tWeaknesses"
    assert blocks[1] == ("• Customer First training for each team, which will involve a diagnostic "
                         "of their customer satisfaction levels.")


def test_plain_text_row_with_only_a_later_cell_stays_in_the_table():
    text = normalise_plain_text("Theme\tGrade\tStrengths\tWeaknesses\n"
                                "\t\tReporting systems active.\tNo corporate plan.\n"
                                "\t\t\tPoor handling of complaints.\n"
                                "Performance management\t1\t\tKey gaps in risk assessments.\n").text
    blocks = text.split("\n\n")
    assert blocks[2] == "\t\t\tPoor handling of complaints."
    assert len(blocks) == 4



def test_plain_text_bulleted_paragraph_number_is_a_numbered_paragraph():
    text = normalise_plain_text("- 27 Interim managers are effective.\n\n"
                                "- 2.2 The Commission recognised the leadership.\n\n"
                                "- 3 staff teams were visited.\n").text
    assert text.split("\n\n") == ["27 Interim managers are effective.",
                                  "2.2 The Commission recognised the leadership.",
                                  "• 3 staff teams were visited."]


def test_footnote_at_the_page_foot_without_a_blank_line_is_lifted_out():
    first = ["Decisions are underpinned by clear analysis of what information is " + WIDE,
             "1 The areas for improvement have been cross-referenced with the outcomes in",
             "the national framework."]
    second = ["needed to keep children safe.", "Another paragraph starts here."]
    blocks = normalise_pdf_pages(pages_with([first, second, ["x"], ["y"]])).text.split("\n\n")
    assert blocks[0].endswith("what information is " + WIDE + " needed to keep children safe.")
    assert "1 The areas for improvement have been cross-referenced with the outcomes in the " \
           "national framework." in blocks


def test_a_numbered_paragraph_at_the_page_foot_is_not_a_footnote():
    body = ["Children are seen regularly and their plans are reviewed. " + WIDE,
            "3. The threshold for access to statutory social care services is applied well."]
    assert first_page_blocks(body)[1].startswith("3. The threshold")


FULL_LINES = [f"Sentence {i} of the context is complete and it fills a whole line of the page."
              for i in range(6)]


def blocks_of(pages: list[list[str]]) -> list[str]:
    """The blocks of PDF pages: full-width lines open the first page and close the others."""
    texts = ["\r\n".join([*FULL_LINES, *body] if i == 0 else [*body, *FULL_LINES])
             for i, body in enumerate(pages)]
    return normalise_pdf_pages(texts).text.split("\n\n")


def test_a_letterhead_at_a_page_end_does_not_cut_the_sentence_it_interrupts():
    letterhead = ["Ofsted", "Piccadilly Gate", "Store Street", "Manchester", "M1 2WD",
                  "T 0300 123 1231", "Textphone 0161 618 8524", "enquiries@ofsted.gov.uk",
                  "www.gov.uk/ofsted"]
    blocks = blocks_of([["Case records are not supporting accountable practice. Quality assurance ",
                         *letterhead],
                        ["processes are not helping managers to see frontline practice.", "The end."]])
    assert ("Case records are not supporting accountable practice. Quality assurance processes are "
            "not helping managers to see frontline practice.") in blocks
    assert not any(line in blocks for line in letterhead)


def test_a_sentence_cut_by_a_table_column_is_rejoined_over_the_neighbouring_cells():
    blocks = blocks_of([["Responsible body",
                         "Halton Borough Council and",
                         "NHS Cheshire and",
                         "Leaders across education, health and social care should",
                         "improve the joint commissioning of services to ensure",
                         "Merseyside Integrated Care",
                         "Board (ICB)",
                         "that children receive sufficient support.",
                         "Requires improvement",
                         "to be good",
                         "The end."]])
    assert ("Leaders across education, health and social care should improve the joint "
            "commissioning of services to ensure that children receive sufficient support.") in blocks
    assert {"Halton Borough Council and", "NHS Cheshire and", "Merseyside Integrated Care",
            "Board (ICB)"} <= set(blocks)
    assert "Requires improvement to be good" in blocks


def test_a_grade_is_not_the_rest_of_the_heading_above_it():
    blocks = blocks_of([["Help and protection", "good", "The end."]])
    assert "Help and protection" in blocks and "good" in blocks
