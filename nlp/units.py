"""The ``unit_segmenter`` component: sentences, list items and table-cell items.

Every block from the ``block_parser`` is cut into units, the things that get a label: a table
row into its cells, a block into sentences. Paragraph numbers become marker units of their own
(never findings); bullets are left out. Each unit inherits its block's kind and section, and
a table cell its column's kind (cells of a header row are ``header_cell`` units).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)

ABBREVIATIONS = (
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "no", "para", "paras", "st", "vs", "approx",
    "co", "ltd", "cllr", "nos", "fig", "ref", "inc", "al", "cf",
)
SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(]?[A-Z0-9•])")
LEAD_MARKER = re.compile(
    r"^(?:• |\d{1,3}(?:\.\d{1,2})*\.?\s+(?=[A-Z(\"“‘•])|\(?[a-z]\)\s+|\(?[ivx]{1,4}\)\s+)"
)
ABBREVIATION_END = re.compile(rf"(?:\b(?:{'|'.join(re.escape(a) for a in ABBREVIATIONS)})|\b[A-Z])\.$", re.I)
TABLE_KINDS = {"table_row": "table_cell", "table_header": "header_cell"}


def sentence_offsets(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (start, end) with a rule-based boundary detector."""
    offsets, start = [], 0
    for match in SENTENCE_END.finditer(text):
        candidate = text[start : match.start() + 1]
        if ABBREVIATION_END.search(candidate.rstrip("\"”’')]")):
            continue
        offsets.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    if text[start:].strip():
        offsets.append((start, len(text.rstrip())))
    return [(s, e) for s, e in offsets if text[s:e].strip()]


def cell_offsets(text: str) -> list[tuple[int, int, int]]:
    """Split a table row into cell spans (column index, start, end)."""
    cells, start = [], 0
    for column, cell in enumerate(text.split("\t")):
        if cell.strip():
            left = len(cell) - len(cell.lstrip())
            cells.append((column, start + left, start + len(cell.rstrip())))
        start += len(cell) + 1
    return cells


def unit_pieces(block: Span) -> list[tuple[int, int, str | None, bool]]:
    """Character spans (relative to the block) of the units of one block.

    Returns:
        (start, end, column kind, is_marker) per unit. A paragraph or item number ("12.") is a
        unit of its own marked ``is_marker``: never a finding, but a piece of the text that a
        reader's splitter also cuts off.
    """
    text = block.text
    columns = block._.column_kind or []
    pieces = []
    in_table = block._.block_kind in TABLE_KINDS
    parts = cell_offsets(text) if in_table else [(None, 0, len(text))]
    for column, start, end in parts:
        part = text[start:end]
        skip = 0
        while marker := LEAD_MARKER.match(part[skip:]):
            number = marker.group().strip()
            if any(c.isdigit() for c in number):
                pieces.append((start + skip, start + skip + len(number), None, True))
            skip += marker.end()
        column_kind = columns[column] if column is not None and column < len(columns) else None
        for s, e in sentence_offsets(part[skip:]):
            pieces.append((start + skip + s, start + skip + e, column_kind, False))
    return pieces


class UnitSegmenter:
    """Cut blocks into labelled-unit spans in ``doc.spans['units']``."""

    def __init__(self, name: str = "unit_segmenter") -> None:
        """Create the segmenter (it has no state)."""
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc.spans['units']``, inheriting block attributes."""
        units = []
        for block in doc.spans.get("blocks", []):
            for start, end, column_kind, is_marker in unit_pieces(block):
                span = doc.char_span(block.start_char + start, block.start_char + end,
                                     label="unit", alignment_mode="expand")
                if span is None or not span.text.strip():
                    continue
                span._.block_kind = "marker" if is_marker else (
                    TABLE_KINDS.get(block._.block_kind, block._.block_kind))
                span._.section = block._.section
                span._.section_kind = block._.section_kind
                span._.column_kind = column_kind
                units.append(span)
        doc.spans["units"] = units
        return doc


@Language.factory("unit_segmenter")
def make_unit_segmenter(nlp: Language, name: str) -> UnitSegmenter:
    """Create the unit segmenter."""
    return UnitSegmenter(name)
