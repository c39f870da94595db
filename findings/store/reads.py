"""Named reads of the store, keyword-only after the connection (like a ``crud`` module).

Every query the rest of the code runs against the store is here, so that the schema and its
SQL change in one package.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

FINDING_ROW = ("SELECT f.rowid AS rowid, f.id, f.doc_id, f.unit, f.text, f.label, f.confidence, f.page, "
               "f.section, f.themes, f.start_char, f.end_char, d.council, d.collection, d.published, "
               "d.source_url FROM findings f JOIN documents d USING (doc_id) WHERE ")
COUNCILS = """
SELECT d.council AS council, max(d.council_code) AS council_code,
       count(DISTINCT d.doc_id) AS reports, count(f.rowid) AS findings
FROM documents d LEFT JOIN findings f USING (doc_id)
WHERE d.council IS NOT NULL AND d.council != ''
GROUP BY d.council ORDER BY d.council
"""
FILTER_CLAUSES = {
    "label": "f.label = ?",
    "council": "lower(d.council) = lower(?)",
    "collection": "d.collection = ?",
    "date_from": "d.published >= ?",
    "date_to": "d.published <= ?",
    "exclude_council": "lower(d.council) != lower(?)",
    "grade": "json_extract(d.grades, '$.overall_effectiveness') = ?",
    "outcome": "d.outcome = ?",
    "theme": "EXISTS (SELECT 1 FROM json_each(f.themes) WHERE value = ?)",
}


def document_column(conn: sqlite3.Connection, column: str) -> str:
    """``d.<column>`` where the documents table has it, else ``NULL``.

    A store built before a column was added and opened read-only (so not brought up to date by
    :func:`findings.store.schema.add_missing_columns`) reads as if the column were empty.
    """
    present = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    return f"d.{column}" if column in present else "NULL"


def integrity(conn: sqlite3.Connection) -> str:
    """SQLite's integrity check of the store: "ok", or its first complaint."""
    return conn.execute("PRAGMA integrity_check").fetchone()[0]


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Read a metadata value."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def generation(conn: sqlite3.Connection) -> int:
    """How many times the store's findings have changed (0 for a new store)."""
    return int(get_meta(conn, "generation") or 0)


@dataclass(frozen=True)
class IndexState:
    """Which generation of the store the vector index file holds, and the file's checksum."""

    generation: int
    index_generation: int | None
    index_sha256: str | None
    index_count: int | None

    @property
    def current(self) -> bool:
        """Whether the index was built from the store as it is now."""
        return self.index_generation == self.generation


def index_state(conn: sqlite3.Connection) -> IndexState:
    """The store's generation and what its vector index was built from."""
    values = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                               "('generation', 'index_generation', 'index_sha256', 'index_count')"))
    return IndexState(int(values.get("generation") or 0),
                      None if values.get("index_generation") is None else int(values["index_generation"]),
                      values.get("index_sha256"),
                      None if values.get("index_count") is None else int(values["index_count"]))


def next_rowid(conn: sqlite3.Connection) -> int:
    """The first rowid never handed out to a finding (rowids are not reused)."""
    counter = int(get_meta(conn, "next_rowid") or 0)
    last = conn.execute("SELECT max(rowid) FROM findings").fetchone()[0] or 0
    return max(counter, last + 1)


def document_ids(conn: sqlite3.Connection) -> list[str]:
    """Every stored document's id, refused ones included, in order."""
    return [r[0] for r in conn.execute("SELECT doc_id FROM documents UNION "
                                       "SELECT doc_id FROM refused WHERE doc_id IS NOT NULL ORDER BY 1")]


def known_contents(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Every stored or refused file by ``(doc_id, content_hash)``.

    Each maps to its stored path, and why it was refused (None for a stored document).
    """
    rows = conn.execute("SELECT doc_id, content_hash, path, NULL FROM documents UNION ALL "
                        "SELECT doc_id, content_hash, path, reason FROM refused").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def refusals(conn: sqlite3.Connection) -> dict[str, str]:
    """The reason each refused file was refused, by path."""
    return dict(conn.execute("SELECT path, reason FROM refused").fetchall())


def documents_to_segment(conn: sqlite3.Connection, *, pipeline_version: str) -> list[dict]:
    """Documents not segmented by this pipeline version, in ``doc_id`` order."""
    return [dict(r) for r in conn.execute(
        "SELECT doc_id, path, text, page_starts, publisher, content_hash FROM documents "
        "WHERE segmented_with IS NOT ? ORDER BY doc_id", (pipeline_version,))]


def document_texts(conn: sqlite3.Connection) -> list[dict]:
    """Every document's id, text, publisher and page starts."""
    return [dict(r) for r in conn.execute("SELECT doc_id, text, publisher, page_starts FROM documents")]


def finding_texts(conn: sqlite3.Connection) -> list[str]:
    """Every finding's text, in store order."""
    return [r[0] for r in conn.execute("SELECT text FROM findings")]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many documents and findings the store holds."""
    documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    return {"documents": documents, "findings": findings}


def report(conn: sqlite3.Connection, *, doc_id: str) -> dict | None:
    """One document's metadata, page count and findings per label (None if unknown)."""
    row = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None:
        return None
    labels = dict(conn.execute(
        "SELECT label, count(*) FROM findings WHERE doc_id = ? GROUP BY label", (doc_id,)).fetchall())
    keep = ("doc_id", "council", "council_code", "collection", "doc_type", "publisher", "published",
            "source_url", "licence", "inspected", "outcome", "area_of_practice")
    present = row.keys()
    return {**{k: row[k] if k in present else None for k in keep},
            "grades": json.loads(row["grades"] or "{}"), "pages": len(json.loads(row["page_starts"])),
            "findings": labels}


def report_scopes(conn: sqlite3.Connection) -> list[dict]:
    """Every report's ``doc_id``, council, collection, date, overall grade and outcome.

    ``date`` is the inspection's end when known, else the publication date: the year a count
    puts a report in.
    """
    rows = conn.execute(
        f"SELECT doc_id, council, collection, COALESCE(NULLIF({document_column(conn, 'inspected')}, ''), "
        "published) AS date, json_extract(grades, '$.overall_effectiveness') AS grade, "
        f"{document_column(conn, 'outcome')} AS outcome FROM documents d ORDER BY doc_id").fetchall()
    return [dict(r) for r in rows]


def finding_documents(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """``(rowid, doc_id)`` of every finding."""
    return [(r[0], r[1]) for r in conn.execute("SELECT rowid, doc_id FROM findings")]


def councils(conn: sqlite3.Connection) -> list[dict]:
    """Councils with their numbers of reports and findings, by name."""
    return [dict(r) for r in conn.execute(COUNCILS)]


def ids_held_elsewhere(conn: sqlite3.Connection, *, doc_id: str, ids: list[str]) -> set[str]:
    """Which of these finding ids belong to findings of other documents."""
    held: set[str] = set()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        held |= {r[0] for r in conn.execute(
            f"SELECT id FROM findings WHERE doc_id != ? AND id IN ({','.join('?' * len(part))})",
            [doc_id, *part])}
    return held


def finding_row(conn: sqlite3.Connection, *, finding_id: str) -> sqlite3.Row | None:
    """One finding joined with its document, by stable id."""
    return conn.execute(f"{FINDING_ROW} f.id = ?", (finding_id,)).fetchone()


def finding_rows(conn: sqlite3.Connection, *, rowids: list[int]) -> dict[int, sqlite3.Row]:
    """Findings joined with their documents, by rowid."""
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    return {r["rowid"]: r for r in conn.execute(f"{FINDING_ROW} f.rowid IN ({marks})", rowids)}


def allowed_ids(conn: sqlite3.Connection, **values: str | None) -> np.ndarray:
    """Sorted rowids of the findings passing every given filter (see ``FILTER_CLAUSES``).

    Raises:
        TypeError: a filter name that is not one of ``FILTER_CLAUSES``.

    """
    unknown = set(values) - set(FILTER_CLAUSES)
    if unknown:
        raise TypeError(f"unknown filters: {', '.join(sorted(unknown))}")
    clauses = [(clause, values[name]) for name, clause in FILTER_CLAUSES.items() if values.get(name)]
    where = " AND ".join(clause for clause, _ in clauses) or "1"
    rows = conn.execute(f"SELECT f.rowid FROM findings f JOIN documents d USING (doc_id) "
                        f"WHERE {where} ORDER BY f.rowid", [value for _, value in clauses]).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)


def filter_values(conn: sqlite3.Connection) -> list[tuple]:
    """``(rowid, label, council, collection, published, grade, themes, outcome)`` of every finding.

    ``grade`` is the report's overall effectiveness; ``themes`` a tuple. The values
    :func:`allowed_ids` filters on, for resolving filters in memory. The reports' values are read
    once each, and each distinct list of themes is parsed once (a store holds a few hundred).
    """
    documents = {row[0]: row[1:] for row in conn.execute(
        "SELECT d.doc_id, d.council, d.collection, d.published, "
        f"json_extract(d.grades, '$.overall_effectiveness'), {document_column(conn, 'outcome')} "
        "FROM documents d")}
    parsed: dict[str | None, tuple[str, ...]] = {}
    rows = []
    for rowid, label, doc_id, themes in conn.execute(
            "SELECT rowid, label, doc_id, themes FROM findings ORDER BY rowid"):
        document = documents.get(doc_id)
        if document is None:  # as the join with the documents would leave it out
            continue
        if themes not in parsed:
            parsed[themes] = tuple(json.loads(themes or "[]"))
        council, collection, published, grade, outcome = document
        rows.append((rowid, label, council, collection, published, grade, parsed[themes], outcome))
    return rows


def label_confidences(conn: sqlite3.Connection) -> np.ndarray:
    """The classifier's confidence in each finding's label, indexed by rowid (1.0 when unknown)."""
    rows = conn.execute("SELECT rowid, confidence FROM findings WHERE confidence IS NOT NULL").fetchall()
    last = conn.execute("SELECT max(rowid) FROM findings").fetchone()[0]
    confidence = np.ones(0 if last is None else last + 1, dtype=np.float32)
    if rows:
        rowids, values = zip(*rows, strict=True)
        confidence[list(rowids)] = values
    return confidence


def missing_embeddings(conn: sqlite3.Connection, *, model: str) -> list[sqlite3.Row]:
    """Distinct ``(text_hash, text)`` of findings with no cached embedding under ``model``."""
    return conn.execute(
        "SELECT DISTINCT f.text_hash, f.text FROM findings f LEFT JOIN embeddings e "
        "ON e.text_hash = f.text_hash AND e.model = ? WHERE e.text_hash IS NULL", (model,)).fetchall()


def indexed_vectors(conn: sqlite3.Connection, *, model: str, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """Finding rowids and their cached embeddings under ``model``, in rowid order."""
    rows = conn.execute(
        "SELECT f.rowid AS rowid, e.vector AS vector FROM findings f JOIN embeddings e "
        "ON e.text_hash = f.text_hash AND e.model = ? ORDER BY f.rowid", (model,)).fetchall()
    ids = np.fromiter((r["rowid"] for r in rows), dtype=np.int64, count=len(rows))
    vectors = np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]) if rows else (
        np.zeros((0, dimension), dtype=np.float32))
    return ids, vectors


def finding_text_hash(conn: sqlite3.Connection, *, rowid: int) -> str | None:
    """The text hash (embedding cache key) of one finding, by rowid."""
    row = conn.execute("SELECT text_hash FROM findings WHERE rowid = ?", (rowid,)).fetchone()
    return row[0] if row else None


def shard_keys(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """``(rowid, doc_id, text_hash)`` of every finding, in rowid order (what index shards hold)."""
    return [tuple(r) for r in conn.execute("SELECT rowid, doc_id, text_hash FROM findings ORDER BY rowid")]


def text_hashes(conn: sqlite3.Connection) -> Iterator[tuple[int, str]]:
    """``(rowid, text_hash)`` of every finding, in rowid order."""
    yield from conn.execute("SELECT rowid, text_hash FROM findings ORDER BY rowid")


def cached_vectors(conn: sqlite3.Connection, *, model: str) -> dict[str, np.ndarray]:
    """Cached embeddings of the store's findings under ``model``, by text hash."""
    rows = conn.execute(
        "SELECT e.text_hash, e.vector FROM embeddings e WHERE e.model = ? AND e.text_hash IN "
        "(SELECT text_hash FROM findings)", (model,)).fetchall()
    return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}
