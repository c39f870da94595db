"""Normalisation of page text: furniture, wraps, hyphenation, bullets, page breaks."""

from __future__ import annotations

from corpus.normalise import normalise_pdf_pages, normalise_plain_text

HEADER = "Inspection of Exampleshire County Council children’s services"
WIDE = "x" * 70


def page(number: int, body: list[str]) -> str:
    return "\r\n".join([HEADER, f"12 to 16 May 2025 {number}", *body, str(number)])


def pages_with(body_by_page: list[list[str]]) -> list[str]:
    return [page(i + 1, body) for i, body in enumerate(body_by_page)]


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
    text = normalise_pdf_pages(pages_with([body, ["x"], ["y"]])).text
    assert "• The quality of supervision." in text.split("\n\n")
    assert "• The timeliness of assessments." in text.split("\n\n")


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
