"""Reading one report file into normalised text with its metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from corpus import metadata
from corpus.collections import LOOSE, collections
from corpus.extract import read_pages
from corpus.gazetteer import infer_council
from corpus.manifest import ReportEntry
from corpus.normalise import NormalisedText, normalise

DATE_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+(\d{4})\b"
)
MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}


@dataclass
class Document:
    """A report ready for segmentation."""

    entry: ReportEntry
    content_hash: str
    text: NormalisedText

    @property
    def doc_id(self) -> str:
        """The document id (file name without extension)."""
        return self.entry.doc_id


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def loose_entry(path: str | Path) -> ReportEntry:
    """Metadata for a file outside the manifest: id from the name, the rest from the text."""
    path = Path(path).resolve()
    return ReportEntry(doc_id=path.stem, path=path)


def infer_metadata(entry: ReportEntry, text: str, councils: tuple[tuple[str, str], ...] = ()) -> None:
    """Fill what the manifest does not say from the report's text (:mod:`corpus.metadata`).

    A loose entry gets its report type, council, dates and overall grade from the text; every
    entry gets its inspection's last day, a SEND outcome and a focused visit's area of practice
    when the text states them. ``councils`` are the gazetteer's ``(alias, council)`` pairs
    (:func:`corpus.gazetteer.read_gazetteer`).
    """
    if entry.collection == LOOSE:
        entry.collection = metadata.report_collection(text)
        entry.doc_type = entry.doc_type or collections()[entry.collection].report_type
    entry.inspected = entry.inspected or metadata.inspection_end(text)
    if not entry.published:
        first = DATE_RE.search(text[:4000])
        entry.published = (metadata.publication_date(text, entry.collection) or entry.inspected
                           or (f"{first[3]}-{MONTHS[first[2]]:02d}-{int(first[1]):02d}" if first else ""))
    if not entry.council:
        entry.council = infer_council(text, councils)
    if not entry.grades and (grade := metadata.overall_grade(text)):
        entry.grades = {"overall_effectiveness": grade}
    if entry.collection == "ofsted-send":
        entry.outcome = entry.outcome or metadata.send_outcome(text)
    if entry.collection == "ofsted-focused-visit":
        entry.area_of_practice = entry.area_of_practice or metadata.area_of_practice(text)


def load_document(entry: ReportEntry, councils: tuple[tuple[str, str], ...] = ()) -> Document:
    """Extract and normalise one report file.

    Raises:
        NotAReport: the file is not a readable report.

    """
    pages = read_pages(entry.path)
    text = normalise(pages, entry.path.suffix)
    infer_metadata(entry, text.text, councils)
    return Document(entry=entry, content_hash=file_hash(entry.path), text=text)
