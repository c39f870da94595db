"""Query-side pieces of search: filters, hits, query terms, highlighting, fusion, flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np

RRF_K = 60
LEXICAL_WEIGHT = 0.25
DUPLICATE_COSINE = 0.97
LOW_CONFIDENCE = 0.6
COMMON_TERM_SHARE = 0.05
ALLOWED_CACHE_SIZE = 64
ENCODER_WINDOW = 256
WORD_PIECES_PER_WORD = 1.3
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or that the their there this "
    "to was were with what which who how about".split())
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


@dataclass
class Filters:
    """Restrictions on which findings may be returned."""

    label: str | None = None
    council: str | None = None
    collection: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    theme: str | None = None
    grade: str | None = None
    exclude_council: str | None = None

    def sql(self) -> tuple[str, list]:
        """A WHERE clause over ``findings f JOIN documents d`` and its parameters."""
        clauses, params = [], []
        simple = {"f.label = ?": self.label, "lower(d.council) = lower(?)": self.council,
                  "d.collection = ?": self.collection, "d.published >= ?": self.date_from,
                  "d.published <= ?": self.date_to,
                  "lower(d.council) != lower(?)": self.exclude_council,
                  "json_extract(d.grades, '$.overall_effectiveness') = ?": self.grade}
        for clause, value in simple.items():
            if value:
                clauses.append(clause)
                params.append(value)
        if self.theme:
            clauses.append("EXISTS (SELECT 1 FROM json_each(f.themes) WHERE value = ?)")
            params.append(self.theme)
        return (" AND ".join(clauses) or "1"), params

    def key(self) -> tuple:
        """The filter values, in field order (hashable: a cache key)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def active(self) -> bool:
        """Whether any filter is set."""
        return any(self.key())


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


def query_terms(query: str) -> list[str]:
    """Content words of a query, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in WORD_RE.findall(query.lower()):
        word = word.strip("'’-")
        if word and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def fts_query(terms: list[str]) -> str:
    """An FTS5 OR-query of quoted terms."""
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


def term_stem(term: str) -> str:
    """The part of a query term that a matching word must start with (in any case)."""
    return term[: max(4, len(term) - 3)] if len(term) > 4 else term


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern:
    """The compiled pattern of a query term's stem and any word ending.

    Compiled once per term: ``re``'s own cache lookup with flags costs about as much as the
    match on a short finding.
    """
    return re.compile(rf"\b{re.escape(term_stem(term))}\w*", re.I)


def highlight(text: str, terms: list[str]) -> tuple[list[str], list[list[int]]]:
    """Which query terms occur in a text (by shared stem) and their character spans.

    For an ASCII term in an ASCII text, a term whose stem is not a substring (in lower case) is
    skipped before any pattern runs (``re.I`` also matches a few non-ASCII letters, "İ", "ı",
    "ſ", to "i" and "s", which ``str.lower`` does not).
    """
    matched, spans = [], []
    lowered = text.lower() if text.isascii() else None
    for term in terms:
        if lowered is not None and term.isascii() and term_stem(term).lower() not in lowered:
            continue
        found = list(term_pattern(term).finditer(text))
        if found:
            matched.append(term)
            spans.extend([m.start(), m.end()] for m in found)
    return matched, sorted(spans)


def weigh_by_confidence(scored: list[tuple[int, float]],
                        confidence: np.ndarray) -> list[tuple[int, float]]:
    """Fused scores times the classifier's confidence in each finding's label, best first.

    Used when a label filter is set: the filter trusts the label, and a finding whose label is
    less certain ranks below an equally good match whose label is sure. ``confidence`` is
    indexed by rowid; a rowid beyond it counts as sure (1.0).
    """
    weighed = [(rowid, score * (float(confidence[rowid]) if rowid < len(confidence) else 1.0))
               for rowid, score in scored]
    return sorted(weighed, key=lambda pair: -pair[1])


def fuse(rankings: list[list[int]], weights: list[float] | None = None,
         k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of several ranked id lists."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, rowid in enumerate(ranking):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])
