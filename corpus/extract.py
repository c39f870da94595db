"""Text extraction from report files (PDF, plain text, Markdown, HTML, DOCX).

Every reader returns a list of page texts; formats without pages give one page.
Files that are not reports raise :class:`NotAReport` with a one-line reason. Text files are
read as UTF-8, or else in the encoding charset-normalizer detects, with a
:class:`DecodingWarning` when that detection is not sure.
"""

from __future__ import annotations

import html
import re
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".html", ".htm", ".docx")
MIN_TEXT_CHARS = 200


UNSURE_CHAOS = 0.1  # charset-normalizer's mess ratio above which a decoding is called unsure
# English reports that are not UTF-8 are Windows-1252 or Latin-1: preferred when they read as well
WESTERN = ("cp1252", "latin_1", "iso8859_15")
CHAOS_MARGIN = 0.02


class NotAReport(ValueError):
    """Raised when a file cannot be read as a report; the message is the reason."""


class DecodingWarning(UserWarning):
    """A text file was not UTF-8 and its encoding had to be guessed."""


def decode_text(data: bytes) -> str:
    """The text of a file's bytes: UTF-8 if they are, else the encoding charset-normalizer finds.

    Warns (:class:`DecodingWarning`) when the bytes are not UTF-8 and the detection is unsure.

    Raises:
        NotAReport: no encoding reads the bytes as text.

    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise NotAReport("not a text file (no character encoding reads it)")
    best = min(matches, key=lambda m: m.chaos)
    western = [m for m in matches if m.encoding in WESTERN and m.chaos <= best.chaos + CHAOS_MARGIN]
    chosen = western[0] if western else best
    if chosen.chaos > UNSURE_CHAOS or not western:
        warnings.warn(f"not UTF-8; read as {chosen.encoding}, but unsure (check the text)",
                      DecodingWarning, stacklevel=2)
    return str(chosen)


class _TextOfHTML(HTMLParser):
    """Collects the visible text of an HTML page, one block element per line."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section"}
    SKIP = {"script", "style", "head", "nav", "footer"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self._skip += 1
        if tag == "li":
            self.parts.append("\n• ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag.startswith("h") or tag == "p" else "\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag.startswith("h") or tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    """Return the (title, visible text) of an HTML document."""
    parser = _TextOfHTML()
    parser.feed(markup)
    text = html.unescape("".join(parser.parts))
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return " ".join(parser.title.split()), re.sub(r"\n{3,}", "\n\n", text).strip()


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip()[:200].lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start


def read_pdf(path: Path) -> list[str]:
    """Extract the text of each page of a PDF with pdfium."""
    import pypdfium2 as pdfium

    head = path.read_bytes()[:1024]
    if not head.lstrip().startswith(b"%PDF"):
        if _looks_like_html(head):
            title, _ = html_to_text(path.read_text(errors="replace"))
            raise NotAReport(f"an HTML page saved as .pdf (title: {title or 'none'!r})")
        raise NotAReport("not a PDF file (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = "encrypted PDF (password required)" if "password" in str(exc).lower() else str(exc)
        raise NotAReport(f"unreadable PDF: {reason}") from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def read_docx(path: Path) -> list[str]:
    """Extract paragraphs and table rows (tab-separated) of a Word document."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NotAReport("not a readable Word document (damaged, or not a .docx inside)") from exc
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        blocks.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
    return ["\n\n".join(blocks)]


def read_pages(path: str | Path) -> list[str]:
    """Read a report file as a list of page texts.

    Args:
        path: a PDF, ``.txt``, ``.md``, ``.html``/``.htm`` or ``.docx`` file.

    Returns:
        The raw text of each page (one element for formats without pages).

    Raises:
        NotAReport: the file is empty, not a report, unreadable or has no text.

    """
    path = Path(path)
    if path.is_dir():
        raise NotAReport("a folder, not a file (`findings build FOLDER` reads the files in a folder)")
    if not path.is_file():
        raise NotAReport(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise NotAReport("empty file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages = read_pdf(path)
    elif suffix == ".docx":
        pages = read_docx(path)
    elif suffix in (".html", ".htm"):
        pages = [html_to_text(decode_text(path.read_bytes()))[1]]
    elif suffix in (".txt", ".md"):
        pages = [decode_text(path.read_bytes())]
    elif not suffix:
        raise NotAReport(f"no file extension: name it with one of {', '.join(SUPPORTED_SUFFIXES)}")
    else:
        raise NotAReport(f"unsupported file type {suffix!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    if sum(len(p.strip()) for p in pages) < MIN_TEXT_CHARS:
        kind = "image-only or empty PDF" if suffix == ".pdf" else "too little text"
        raise NotAReport(f"no extractable text ({kind})")
    if suffix != ".pdf" and _looks_like_html(pages[0][:1024].encode()) and suffix not in (".html", ".htm"):
        raise NotAReport("an HTML page saved under a text name")
    return pages
