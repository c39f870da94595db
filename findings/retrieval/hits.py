"""Search hits: a finding with its provenance, why it matched, and what a reader should know."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from findings.retrieval.highlight import WORD_RE, highlight

LOW_CONFIDENCE = 0.6
ENCODER_WINDOW = 256
WORD_PIECES_PER_WORD = 1.3


@dataclass
class Hit:
    """One search result with its provenance and why it matched."""

    id: str
    doc_id: str
    text: str
    label: str
    score: float
    confidence: float | None
    council: str | None
    collection: str | None
    published: str | None
    page: int | None
    section: str | None
    source_url: str | None
    themes: list[str] = field(default_factory=list)
    span: list[int] | None = None  # the finding's [start, end) in its report's normalised text
    matched_terms: list[str] = field(default_factory=list)
    highlights: list[list[int]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def quality_flags(text: str, confidence: float | None) -> list[str]:
    """Warnings a reader should see: a low-confidence label, a text the encoder truncated."""
    flags = []
    if confidence is not None and confidence < LOW_CONFIDENCE:
        flags.append("low_confidence_label")
    most_words = (len(text) + 1) // 2  # a word takes a character and a separator at least
    if (most_words * WORD_PIECES_PER_WORD > ENCODER_WINDOW
            and len(WORD_RE.findall(text)) * WORD_PIECES_PER_WORD > ENCODER_WINDOW):
        flags.append("truncated_for_encoder")
    return flags


def hit_from_row(row: sqlite3.Row, score: float, terms: list[str]) -> Hit:
    """A :class:`Hit` from a finding row joined with its document (``reads.finding_rows``)."""
    matched, spans = highlight(row["text"], terms)
    return Hit(id=row["id"], doc_id=row["doc_id"], text=row["text"], label=row["label"],
               score=round(float(score), 6), confidence=row["confidence"],
               council=row["council"], collection=row["collection"],
               published=row["published"], page=row["page"], section=row["section"],
               source_url=row["source_url"], themes=json.loads(row["themes"] or "[]"),
               span=None if row["start_char"] is None else [row["start_char"], row["end_char"]],
               matched_terms=matched, highlights=spans,
               flags=quality_flags(row["text"], row["confidence"]))
