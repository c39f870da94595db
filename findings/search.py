"""Hybrid search over findings: FTS5 BM25 and FAISS dense rankings, weighted RRF.

Dense retrieval leads (it carries lay paraphrases); BM25 contributes at a lower weight
(``lexical_weight``, measured on the graded dev queries: equal-weight fusion is worse than dense
alone, a weight of 0.2-0.35 beats both). Filters (label, council, collection, dates, theme,
grade) apply to both retrievers; near-duplicate findings (the same sentence in summary and
body) are collapsed; hits carry provenance and the query terms that matched.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass, field

import numpy as np

from findings.encoder import encode
from findings.index import VectorIndex

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

    def active(self) -> bool:
        """Whether any filter is set."""
        return any(asdict(self).values())


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
    matched_terms: list[str] = field(default_factory=list)
    highlights: list[list[int]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def quality_flags(text: str, confidence: float | None) -> list[str]:
    """Warnings a reader should see: a low-confidence label, a text the encoder truncated."""
    flags = []
    if confidence is not None and confidence < LOW_CONFIDENCE:
        flags.append("low_confidence_label")
    if len(WORD_RE.findall(text)) * WORD_PIECES_PER_WORD > ENCODER_WINDOW:
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


def highlight(text: str, terms: list[str]) -> tuple[list[str], list[list[int]]]:
    """Which query terms occur in a text (by shared stem) and their character spans."""
    matched, spans = [], []
    for term in terms:
        stem = term[: max(4, len(term) - 3)] if len(term) > 4 else term
        found = [m for m in re.finditer(rf"\b{re.escape(stem)}\w*", text, re.I)]
        if found:
            matched.append(term)
            spans.extend([m.start(), m.end()] for m in found)
    return matched, sorted(spans)


def fuse(rankings: list[list[int]], weights: list[float] | None = None,
         k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of several ranked id lists."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, rowid in enumerate(ranking):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class SearchEngine:
    """Hybrid retrieval over a built store and vector index."""

    def __init__(self, conn: sqlite3.Connection, index: VectorIndex, encoder=None,
                 lexical_weight: float = LEXICAL_WEIGHT) -> None:
        """Wrap an open store, a loaded FAISS index and a loaded encoder."""
        self.conn = conn
        self.index = index
        self.encoder = encoder
        self.lexical_weight = lexical_weight
        self._df: dict[str, int] = {}
        self._allowed: dict[tuple, np.ndarray] = {}

    @classmethod
    def open(cls, settings) -> SearchEngine:
        """Open the built store, index and encoder named by settings."""
        from findings.encoder import load_encoder
        from findings.index import load_vector_index
        from findings.store import connect

        conn = connect(settings.db_path, read_only=True)
        index = load_vector_index(settings.index_dir, settings.hnsw_ef_search,
                                  settings.exact_filter_limit)
        encoder = load_encoder(settings.encoder_backend, settings.encoder, str(settings.encoder_cache))
        return cls(conn, index, encoder, settings.lexical_weight)

    def allowed_ids(self, filters: Filters) -> np.ndarray | None:
        """Rowids passing the filters (None when nothing is filtered)."""
        if not filters.active():
            return None
        key = tuple(asdict(filters).values())
        if key not in self._allowed:
            if len(self._allowed) >= ALLOWED_CACHE_SIZE:
                self._allowed.pop(next(iter(self._allowed)))
            where, params = filters.sql()
            rows = self.conn.execute(f"SELECT f.rowid FROM findings f JOIN documents d USING (doc_id) "
                                     f"WHERE {where}", params).fetchall()
            self._allowed[key] = np.array([r[0] for r in rows], dtype=np.int64)
        return self._allowed[key]

    def dense(self, vector: np.ndarray, depth: int, allowed: np.ndarray | None) -> list[int]:
        """Nearest rowids by inner product."""
        return self.index.search(vector, depth, allowed)

    def document_frequency(self, term: str) -> int:
        """How many findings contain a term (cached; the FTS index stems it)."""
        if term not in self._df:
            query = fts_query([term])
            self._df[term] = self.conn.execute(
                "SELECT count(*) FROM findings_fts WHERE findings_fts MATCH ?", (query,)).fetchone()[0]
        return self._df[term]

    def selective_terms(self, terms: list[str]) -> list[str]:
        """Drop terms so common that they barely move BM25 but cost a long posting list.

        Terms in more than ``COMMON_TERM_SHARE`` of findings go, unless nothing would be left,
        in which case the two rarest stay.
        """
        total = max(1, self.index.ntotal)
        ranked = sorted(terms, key=self.document_frequency)
        kept = [t for t in ranked if self.document_frequency(t) <= COMMON_TERM_SHARE * total]
        return [t for t in terms if t in (kept or ranked[:2])]

    def lexical(self, terms: list[str], depth: int, filters: Filters) -> list[int]:
        """Best rowids by BM25 over the findings' text."""
        terms = self.selective_terms(terms) if terms else []
        if not terms:
            return []
        where, params = filters.sql()
        rows = self.conn.execute(
            "SELECT f.rowid FROM findings_fts JOIN findings f ON f.rowid = findings_fts.rowid "
            f"JOIN documents d USING (doc_id) WHERE findings_fts MATCH ? AND {where} "
            "ORDER BY bm25(findings_fts) LIMIT ?", [fts_query(terms), *params, depth]).fetchall()
        return [r[0] for r in rows]

    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               one_per: str | None = None, depth: int = 200) -> list[Hit]:
        """Hybrid search.

        Args:
            query: free text.
            k: number of hits.
            filters: restrictions on the findings returned.
            one_per: ``"report"`` or ``"council"`` to return at most one hit for each.
            depth: how many candidates each retriever contributes before fusion.

        """
        filters = filters or Filters()
        terms = query_terms(query)
        dense = self.dense(encode([query], self.encoder)[0], depth, self.allowed_ids(filters))
        fused = fuse([dense, self.lexical(terms, depth, filters)], [1.0, self.lexical_weight])
        return self.collect(fused, k, terms, one_per)

    def similar(self, finding_id: str | None = None, text: str | None = None, k: int = 10,
                filters: Filters | None = None, exclude_same_council: bool = False,
                one_per: str | None = None) -> list[Hit]:
        """Nearest findings to a stored finding or a free text (dense similarity)."""
        filters = filters or Filters()
        source = None
        if finding_id:
            source = self.finding(finding_id)
            if source is None:
                raise KeyError(f"no finding with id {finding_id!r}")
            text = source.text
            if exclude_same_council and source.council:
                filters.exclude_council = source.council
        if not text or not text.strip():
            raise ValueError("give a finding id or some text")
        ranked = self.dense(encode([text], self.encoder)[0], max(200, 5 * k), self.allowed_ids(filters))
        if source is not None:
            own = self.conn.execute("SELECT rowid FROM findings WHERE id = ?", (finding_id,)).fetchone()
            ranked = [r for r in ranked if own is None or r != own[0]]
        scored = [(r, 1.0 / (RRF_K + i + 1)) for i, r in enumerate(ranked)]
        return self.collect(scored, k, query_terms(text), one_per)

    def collect(self, scored: list[tuple[int, float]], k: int, terms: list[str],
                one_per: str | None) -> list[Hit]:
        """Turn scored rowids into hits: collapse duplicates, apply one-per, highlight."""
        rows = self.rows([rowid for rowid, _ in scored[: max(k * 20, 200)]])
        hits, kept, seen_group = [], [], set()
        for rowid, score in scored:
            row = rows.get(rowid)
            if row is None:
                continue
            group = {"report": row["doc_id"], "council": row["council"]}.get(one_per or "")
            if group is not None and group in seen_group:
                continue
            vector = self.index.vector_of(rowid)
            if any(float(vector @ other) >= DUPLICATE_COSINE for other in kept):
                continue
            kept.append(vector)
            seen_group.add(group)
            hits.append(self.hit(row, score, terms))
            if len(hits) == k:
                break
        return hits

    def rows(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        """Finding rows joined with their documents, by rowid."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.conn.execute(
            "SELECT f.rowid AS rowid, f.*, d.council, d.collection, d.published, d.source_url "
            f"FROM findings f JOIN documents d USING (doc_id) WHERE f.rowid IN ({marks})", rowids)
        return {r["rowid"]: r for r in rows}

    def finding(self, finding_id: str) -> Hit | None:
        """One finding by its stable id."""
        row = self.conn.execute(
            "SELECT f.rowid AS rowid, f.*, d.council, d.collection, d.published, d.source_url "
            "FROM findings f JOIN documents d USING (doc_id) WHERE f.id = ?", (finding_id,)).fetchone()
        return self.hit(row, 1.0, []) if row else None

    @staticmethod
    def hit(row: sqlite3.Row, score: float, terms: list[str]) -> Hit:
        """A :class:`Hit` from a joined row."""
        import json

        matched, spans = highlight(row["text"], terms)
        return Hit(id=row["id"], doc_id=row["doc_id"], text=row["text"], label=row["label"],
                   score=round(float(score), 6), confidence=row["confidence"],
                   council=row["council"], collection=row["collection"],
                   published=row["published"], page=row["page"], section=row["section"],
                   source_url=row["source_url"], themes=json.loads(row["themes"] or "[]"),
                   matched_terms=matched, highlights=spans,
                   flags=quality_flags(row["text"], row["confidence"]))
