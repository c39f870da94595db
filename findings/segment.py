"""Segmentation: documents into labelled findings, for loose files or the whole store."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from tqdm import tqdm

from corpus.documents import load_document, loose_entry
from corpus.extract import DecodingWarning
from corpus.manifest import ReportEntry, manifest_by_id
from findings.executors import Executor, WorkerSetup, as_executor
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


def text_parts(text: str, limit: int) -> list[tuple[int, str]]:
    """``(offset, part)`` pieces of a text, each at most ``limit`` characters.

    Cut at the last blank line before the limit (a block boundary), else the last line break,
    else at the limit itself.
    """
    parts, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = window.rfind("\n\n")
        cut = cut + 2 if cut > 0 else window.rfind("\n") + 1 or limit
        parts.append((start, text[start : start + cut]))
        start += cut
    parts.append((start, text[start:]))
    return parts


def segment_text(pipeline: Language, text: str, doc_id: str, author: str | None,
                 page_starts: list[int] | None = None, include_other: bool = False) -> list[Finding]:
    """Findings of one normalised text.

    A text longer than the pipeline's ``max_length`` is segmented in parts cut at block
    boundaries (:func:`text_parts`), its findings' offsets, pages and unit numbers those of the
    whole text.
    """
    found: list[Finding] = []
    units_before = 0
    for offset, part in text_parts(text, pipeline.max_length):
        starts = [start - offset for start in (page_starts or [0])]
        doc = next(run(pipeline, [make_doc(pipeline, part, doc_id, author, starts)]))
        found.extend(replace(finding, unit=finding.unit + units_before,
                             start_char=finding.start_char + offset, end_char=finding.end_char + offset)
                     for finding in doc_findings(doc, include_other=include_other))
        units_before += len(doc.spans.get("units", []))
    return found


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
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DecodingWarning)
                document = load_document(entry)
            for warning in caught:  # said again with the file's name
                warnings.warn(f"{path.name}: {warning.message}", warning.category, stacklevel=2)
            found.extend(segment_text(pipeline, document.text.text, path.stem,
                                      author_from_publisher(entry.publisher), document.text.page_starts,
                                      include_other))
        except Exception as exc:  # noqa: BLE001  (one bad file must not lose the others' output)
            refused[str(path)] = str(exc) or type(exc).__name__
    return found, refused


def load_worker_pipeline(model_dir: str, cache_dir: str | None) -> None:
    """Worker set-up: load the saved pipeline once, for every document the worker segments."""
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = load_pipeline(model_dir, cache_dir)


def _segment_row(row: dict) -> tuple[dict, list[dict] | None, str]:
    """Worker: one stored document's finding rows, or None and why it could not be segmented."""
    try:
        findings = segment_text(_WORKER_PIPELINE, row["text"], row["doc_id"],
                                author_from_publisher(row["publisher"]) if row["publisher"] else None,
                                json.loads(row["page_starts"]))
    except Exception as exc:  # noqa: BLE001  (refused with its reason; the other documents go on)
        return row, None, f"could not be segmented: {type(exc).__name__}: {exc}"
    rows = []
    for finding in findings:
        item = finding.as_dict()
        item["id"] = finding_id(row["content_hash"], finding.start_char, finding.end_char)
        item["text_hash"] = text_hash(finding.text)
        rows.append(item)
    return row, rows, ""


@dataclass
class SegmentReport:
    """What a segmentation of the store did: documents segmented, and refused with reasons."""

    segmented: int = 0
    refused: dict[str, str] = field(default_factory=dict)


def segment_store(conn: sqlite3.Connection, model_dir: str | Path, workers: int | Executor,
                  progress: bool = True, cache_dir: str | Path | None = None) -> SegmentReport:
    """(Re)segment every stored document not yet segmented by this pipeline version.

    Args:
        conn: an open store.
        model_dir: the saved pipeline.
        workers: segmenting processes, or the executor to segment with.
        progress: show a progress bar.
        cache_dir: where the text scorer keeps its exported model (None: its own default).

    Returns:
        The documents segmented, and those refused (removed from the store, their files
        remembered as refused until they change) with the reason.

    """
    version = pipeline_version(model_dir)
    todo = reads.documents_to_segment(conn, pipeline_version=version)
    report = SegmentReport()
    if not todo:
        return report
    setup = WorkerSetup(load_worker_pipeline, (str(model_dir), None if cache_dir is None else str(cache_dir)))
    with transaction(conn):
        results = as_executor(workers).map(_segment_row, todo, setup=setup, chunksize=2)
        for row, rows, reason in tqdm(results, total=len(todo), desc="segment", unit="doc",
                                      disable=not progress):
            if rows is None:
                writes.remove_documents(conn, [row["doc_id"]])
                writes.record_refusal(conn, row["path"], row["doc_id"], row["content_hash"], reason)
                report.refused[row["doc_id"]] = reason
            else:
                writes.replace_findings(conn, row["doc_id"], own_ids(conn, row, rows), version)
                report.segmented += 1
        writes.rebuild_fts(conn)
    return report


def own_ids(conn: sqlite3.Connection, document: dict, rows: list[dict]) -> list[dict]:
    """Finding rows whose ids no other document holds.

    Ids come from the document's content, so a second file with the same content (another
    name, another folder) would take the first one's ids: its findings get ids salted with its
    own doc_id instead.
    """
    taken = reads.ids_held_elsewhere(conn, doc_id=document["doc_id"], ids=[r["id"] for r in rows])
    salt = f"{document['doc_id']}:{document['content_hash']}"
    return [{**r, "id": finding_id(salt, r["start_char"], r["end_char"])} if r["id"] in taken else r
            for r in rows]


def manifest_entry_or_loose(path: Path, manifest: dict[str, ReportEntry]) -> ReportEntry:
    """The manifest entry for a file when it is the same file, else a loose entry."""
    known = manifest.get(path.stem)
    return known if known and known.path == path.resolve() else loose_entry(path)
