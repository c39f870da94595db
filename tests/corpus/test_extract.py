"""Extraction: readable formats are read, non-reports are refused with a reason."""

from __future__ import annotations

import pytest

from corpus.extract import NotAReport, html_to_text, read_pages

REPORT_TEXT = ("Children's services in Exampleshire are good. " * 10).strip()


def test_plain_text_is_one_page(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT_TEXT, encoding="utf-8")
    assert read_pages(path) == [REPORT_TEXT]


def test_html_saved_as_pdf_is_refused_with_its_title(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("<!DOCTYPE html><html><head><title>Report not found</title></head>"
                    "<body>Sorry</body></html>", encoding="utf-8")
    with pytest.raises(NotAReport, match="HTML page saved as .pdf.*Report not found"):
        read_pages(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(NotAReport, match="empty file"):
        read_pages(path)


def test_unsupported_suffix_is_refused(tmp_path):
    path = tmp_path / "report.xyz"
    path.write_text(REPORT_TEXT)
    with pytest.raises(NotAReport, match="unsupported file type"):
        read_pages(path)


def test_html_report_keeps_list_items(tmp_path):
    title, text = html_to_text("<html><head><title>T</title></head><body><h2>What needs to improve"
                               "</h2><ul><li>The quality of plans.</li></ul></body></html>")
    assert title == "T"
    assert "What needs to improve" in text
    assert "• The quality of plans." in text


def test_docx_paragraphs_and_tables_are_read(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph(REPORT_TEXT)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Strengths"
    table.rows[0].cells[1].text = "Weaknesses"
    path = tmp_path / "report.docx"
    document.save(path)
    (text,) = read_pages(path)
    assert REPORT_TEXT in text
    assert "Strengths\tWeaknesses" in text


def test_pdf_without_text_is_refused_as_image_only(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    pdf.save(str(path))
    with pytest.raises(NotAReport, match="image-only"):
        read_pages(path)


def test_text_that_is_not_utf8_is_decoded_by_detection_and_unsure_guesses_warn():
    import warnings

    from corpus.extract import DecodingWarning, decode_text

    assert decode_text("Plans cost £5m — a café’s rent.".encode()) == "Plans cost £5m — a café’s rent."
    assert "£5m" in decode_text(("Savings of £5m were made this year. " * 5).encode("cp1252"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        decode_text(("Отчёт об инспекции службы защиты детей. " * 5).encode("cp1251"))
    assert [w.category for w in caught] == [DecodingWarning]  # not a Western encoding: unsure


def test_a_damaged_docx_a_folder_and_a_file_without_extension_get_clear_reasons(tmp_path):
    damaged = tmp_path / "report.docx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(NotAReport, match="not a readable Word document"):
        read_pages(damaged)
    with pytest.raises(NotAReport, match="a folder, not a file"):
        read_pages(tmp_path)
    bare = tmp_path / "report"
    bare.write_text("x" * 300, encoding="utf-8")
    with pytest.raises(NotAReport, match="no file extension"):
        read_pages(bare)

