"""Segmentation: documents into labelled findings, for loose files or the whole store."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from spacy.language import Language
from tqdm import tqdm

from corpus.documents import load_document, loose_entry
from corpus.manifest import ReportEntry, manifest_by_id
from findings.ingest import WORKER_START
from findings.store import reads, transaction, writes
from nlp.author import author_from_publisher
from nlp.pipeline import Finding, doc_findings, load_pipeline, make_doc, run

_WORKER_PIPELINE: Language | None = None


def pipeline_version(model_dir: str | Path) -> str:
    """A hash of the saved pipeline's files: findings are redone when it changes."""
    digest = hashlib.sha256()
    for path in sorted(Path(model_dir).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def finding_id(content_hash: str, start: int, end: int) -> str:
    """A stable id from the document's content and the finding's span."""
    return hashlib.sha1(f"{content_hash}:{start}:{end}".encode()).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Hash of a finding's text (the embedding cache key)."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def segment_text(pipeline: Language, text: str, doc_id: str, author: str | None,
                 page_starts: list[int] | None = None, include_other: bool = False) -> list[Finding]:
    """Findings of one normalised text."""
    doc = make_doc(pipeline, text, doc_id, author, page_starts)
    return doc_findings(next(run(pipeline, [doc])), include_other=include_other)


def segment_files(paths: list[str | Path], pipeline: Language,
                  corpus_dir: str | Path | None = None, progress: bool = True,
                  include_other: bool = True) -> tuple[list[Finding], dict[str, str]]:
    """Segment report files, in or out of the manifest.

    Args:
        paths: report files (PDF, txt, md, html, docx).
        pipeline: a loaded pipeline (:func:`nlp.pipeline.load_pipeline`).
        corpus_dir: a corpus whose manifest supplies metadata for known files.
        progress: show a progress bar.
        include_other: also return the units labelled ``other`` (every unit of the report,
            so a reader sees what was judged not to be a finding).

    Returns:
        The findings, and the refused files with their reasons.

    """
    manifest = manifest_by_id(corpus_dir)
    found, refused = [], {}
    for raw in tqdm(paths, desc="segment", unit="file", disable=not progress):
        path = Path(raw)
        entry = manifest_entry_or_loose(path, manifest)
        try:
            document = load_document(entry)
        except Exception as exc:  # noqa: BLE001  (report and carry on)
            refused[str(path)] = str(exc)
            continue
        found.extend(segment_text(pipeline, document.text.text, path.stem,
                                  author_from_publisher(entry.publisher), document.text.page_starts,
                                  include_other))
    return found, refused


def _init_worker(model_dir: str, cache_dir: str | None) -> None:
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = load_pipeline(model_dir, cache_dir)


def _segment_row(row: dict) -> tuple[str, list[dict]]:
    findings = segment_text(_WORKER_PIPELINE, row["text"], row["doc_id"],
                            author_from_publisher(row["publisher"]) if row["publisher"] else None,
                            json.loads(row["page_starts"]))
    rows = []
    for finding in findings:
        item = finding.as_dict()
        item["id"] = finding_id(row["content_hash"], finding.start_char, finding.end_char)
        item["text_hash"] = text_hash(finding.text)
        rows.append(item)
    return row["doc_id"], rows


def segment_store(conn: sqlite3.Connection, model_dir: str | Path, workers: int,
                  progress: bool = True, cache_dir: str | Path | None = None) -> int:
    """(Re)segment every stored document not yet segmented by this pipeline version.

    Args:
        conn: an open store.
        model_dir: the saved pipeline.
        workers: segmenting processes.
        progress: show a progress bar.
        cache_dir: where the text scorer keeps its exported model (None: its own default).

    Returns:
        The number of documents segmented.

    """
    version = pipeline_version(model_dir)
    todo = reads.documents_to_segment(conn, pipeline_version=version)
    if not todo:
        return 0
    initargs = (str(model_dir), None if cache_dir is None else str(cache_dir))
    with ProcessPoolExecutor(max(1, workers), mp_context=WORKER_START, initializer=_init_worker,
                             initargs=initargs) as pool, transaction(conn):
        results = pool.map(_segment_row, todo, chunksize=2)
        for doc_id, rows in tqdm(results, total=len(todo), desc="segment", unit="doc",
                                 disable=not progress):
            writes.replace_findings(conn, doc_id, rows, version)
        writes.rebuild_fts(conn)
    return len(todo)


def manifest_entry_or_loose(path: Path, manifest: dict[str, ReportEntry]) -> ReportEntry:
    """The manifest entry for a file when it is the same file, else a loose entry."""
    known = manifest.get(path.stem)
    return known if known and known.path == path.resolve() else loose_entry(path)
