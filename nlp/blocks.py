"""The ``block_parser`` component: blocks, headings, sections and table columns.

It reads the block layout of normalised text (blocks separated by a blank line), gives each
block a kind (heading, list item, numbered paragraph, table header, table row, grade line,
contents line, furniture, boilerplate, paragraph) and tracks the section it sits in, whose kind comes from
the heading lexicon in ``patterns/sections.json``. Table rows under a header row whose cells name kinds
(Strengths, Weaknesses, Recommendation, Action taken...) carry those column kinds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from corpus.normalise import name_like
from nlp.labels import FINDING_LABELS
from nlp.patterns import compile_anchored, compile_search, default_patterns

BLOCK_SEPARATOR = re.compile(r"\n\s*\n")
NUMBERING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})*\.?|R\d{1,2}|[a-z]\)|section \d+:?)\s+", re.I)
FOOTNOTE_MARK = re.compile(r"(?<=[?:])\d{1,2}$")  # "What needs to improve?1"
MAX_HEADING_WORDS = 14


@dataclass
class SectionState:
    """What the parser knows at a point in the document."""

    heading: str | None = None
    kind: str | None = None
    columns: list[str | None] = field(default_factory=list)
    empty: bool = True  # no content yet under the current heading
    party_column: bool = False  # in a table whose first column names the responsible bodies


class BlockParser:
    """Split a document into typed blocks and record their section context."""

    def __init__(self, name: str = "block_parser", sections: dict | None = None,
                 blocks: dict | None = None) -> None:
        """Build the parser from pattern dictionaries (the packaged ones by default)."""
        self.name = name
        self.sections = sections or default_patterns("sections")
        self.blocks = blocks or default_patterns("blocks")
        self._compile()

    def _compile(self) -> None:
        self.section_res = compile_anchored(self.sections)
        self.block_res = compile_search(self.blocks)

    def section_kind(self, text: str) -> str | None:
        """The section kind a heading names, or None."""
        bare = FOOTNOTE_MARK.sub("", NUMBERING.sub("", text.strip())).strip(" *:")
        for kind, regex in self.section_res.items():
            if regex.match(bare):
                return kind
        return None

    def block_kind(self, text: str) -> str:
        """Classify one block by its form."""
        if "\t" in text:
            return "table_row"
        for kind in ("boilerplate", "furniture", "header_cell", "list_item", "grade_line"):
            if kind in self.block_res and self.block_res[kind].search(text):
                return kind  # a pipeline saved before a kind existed has no patterns for it
        if self.section_kind(text) and not text.rstrip().endswith((".", ".”", '."')):
            return "heading"  # "145. The LSCB should review its business unit." is a sentence
        if self.block_res["numbered_paragraph"].search(text):
            bare = NUMBERING.sub("", text)
            return "heading" if looks_like_heading(bare) else "numbered_paragraph"
        if self.block_res["contents_line"].search(text) and len(text.split()) <= MAX_HEADING_WORDS:
            return "contents_line"
        return "heading" if looks_like_heading(text) else "paragraph"

    def column_kinds(self, cells: list[str]) -> list[str | None] | None:
        """Kinds named by a table header row, or None if the row is not a header."""
        kinds = [self.section_kind(cell) if cell.strip() else None for cell in cells]
        named = sum(k in FINDING_LABELS for k in kinds)
        header_like = all(len(c.split()) <= 4 and not c.strip().isdigit() for c in cells if c.strip())
        return kinds if named >= 2 or (named == 1 and header_like and len(cells) > 1) else None

    def update_state(self, state: SectionState, text: str, kind: str) -> None:
        """Advance the section state past one block.

        A heading keeps the table columns: plans put spanning rows ("1.2 Embed performance
        management") between the rows of one table. Any other block ends the table. A heading
        of no known kind straight after a heading of a finding kind is its subheading
        ("Areas for improvement" then "Quality of practice") and keeps that kind. A block
        opening with a 'party_column' pattern ("Responsible body") starts a table whose
        heading-like blocks are the bodies' cells, not headings, until a heading of a known kind.
        """
        named = self.section_kind(text) if kind in ("heading", "grade_line") else None
        if "party_column" in self.block_res and self.block_res["party_column"].search(text):
            state.party_column = True
        elif kind == "heading" and named:
            state.party_column = False
        if kind in ("table_row", "table_header"):
            if kind == "table_header":
                state.columns = self.column_kinds(text.split("\t")) or []
            state.empty = False
            return
        if kind not in ("heading", "grade_line"):
            state.columns = []
            state.empty = False
            return
        subheading = (kind == "heading" and named is None and state.empty
                      and state.kind in FINDING_LABELS)
        state.heading = text
        state.kind = state.kind if subheading else named
        state.empty = True

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc.spans['blocks']`` with block kind and section attributes."""
        state = SectionState()
        spans = []
        full_text = doc.text
        for start, end in block_offsets(full_text):
            text = full_text[start:end]
            kind = self.block_kind(text)
            if kind == "table_row" and self.column_kinds(text.split("\t")):
                kind = "table_header"
            elif kind == "heading" and state.party_column and not self.section_kind(text):
                # "Halton Borough Council and" names a body; "Leaders should ensure that the" is
                # the start of an area for action cut by the table's layout
                kind = "header_cell" if name_like(text) else "paragraph"
            section, section_kind = state.heading, state.kind
            self.update_state(state, text, kind)
            span = doc.char_span(start, end, label=kind, alignment_mode="expand")
            if span is None:
                continue
            span._.block_kind = kind
            span._.section = state.heading if kind == "heading" else section
            span._.section_kind = state.kind if kind == "heading" else section_kind
            if kind == "table_row":
                span._.column_kind = list(state.columns) or None
            spans.append(span)
        doc.spans["blocks"] = spans
        return doc

    def to_disk(self, path: str | Path, exclude: tuple = ()) -> None:
        """Write the pattern dictionaries to ``path``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.json").write_text(
            json.dumps({"sections": self.sections, "blocks": self.blocks}, indent=1), encoding="utf-8"
        )

    def from_disk(self, path: str | Path, exclude: tuple = ()) -> BlockParser:
        """Load pattern dictionaries written by :meth:`to_disk`."""
        data = json.loads((Path(path) / "patterns.json").read_text(encoding="utf-8"))
        self.sections, self.blocks = data["sections"], data["blocks"]
        self._compile()
        return self


def looks_like_heading(text: str) -> bool:
    """A short line that starts with a capital and does not end like a sentence."""
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    return text[:1].isupper() and not text.rstrip().endswith((".", ",", ";", "”", '"'))


def block_offsets(text: str) -> list[tuple[int, int]]:
    """Character spans of the blocks of a normalised text."""
    offsets, start = [], 0
    for match in BLOCK_SEPARATOR.finditer(text):
        if text[start : match.start()].strip():
            offsets.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        offsets.append((start, len(text.rstrip())))
    return offsets


@Language.factory("block_parser")
def make_block_parser(nlp: Language, name: str) -> BlockParser:
    """Create the block parser with the packaged patterns."""
    return BlockParser(name)
