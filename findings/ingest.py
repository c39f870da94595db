"""Ingest: report files (from the manifest or loose) into the store, idempotent by hash."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import warnings
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from tqdm import tqdm

import corpus
from corpus.documents import file_hash, load_document, loose_entry
from corpus.extract import DecodingWarning, NotAReport
from corpus.gazetteer import read_gazetteer
from corpus.manifest import ReportEntry, read_manifest
from findings.executors import Executor, as_executor
from findings.store import reads, transaction, writes

EXTRACTION_MODULES = ("documents.py", "extract.py", "normalise.py", "gazetteer.py", "metadata.py",
                      "collections.json")


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)  # every document id read from the manifest or paths
    warnings: dict[str, str] = field(default_factory=dict)  # documents read with a doubt, and why


def extraction_version() -> str:
    """A hash of the text-extraction code: stored documents are read again when it changes.

    A file's own hash says whether the file changed; this says whether the way we turn files
    into normalised text changed (a fix to the normaliser must reach documents already stored).
    """
    digest = hashlib.sha256()
    for name in EXTRACTION_MODULES:
        digest.update((Path(corpus.__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def expand_paths(paths: list[str | Path]) -> list[ReportEntry]:
    """Loose files and folders (searched recursively) as manifest-less entries.

    Every file of a folder is an entry, hidden ones (``.name``) apart: one of a type that is not
    read is then refused with its reason, not skipped in silence.
    """
    entries = []
    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                       ) if path.is_dir() else [path]
        entries.extend(loose_entry(f) for f in files)
    return entries


def extract_entry(entry: ReportEntry, councils: tuple = ()) -> tuple[ReportEntry, dict | None, str]:
    """Worker: extract one entry; returns (entry, document row or None, reason or warning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DecodingWarning)
        try:
            document = load_document(entry, councils)
        except NotAReport as exc:
            return entry, None, str(exc)
        except Exception as exc:  # noqa: BLE001  (a broken file must not stop the run)
            return entry, None, f"unreadable: {type(exc).__name__}: {exc}"
    warning = "; ".join(str(w.message) for w in caught if issubclass(w.category, DecodingWarning))
    row = {**{k: v for k, v in asdict(entry).items() if k != "grades"},
           "path": str(entry.path), "grades": json.dumps(entry.grades),
           "content_hash": document.content_hash, "text": document.text.text,
           "page_starts": json.dumps(document.text.page_starts)}
    return entry, row, warning


def entries_to_read(conn: sqlite3.Connection, entries: list[ReportEntry], version: str,
                    report: IngestReport) -> list[ReportEntry]:
    """The entries whose file or extraction code changed; the others go into ``report``.

    A document is known by its id and content, not by the folder it was read from: a file seen
    before with the same content, under the same extraction code, is unchanged (or refused again,
    for the reason it was refused), wherever it now lies; its new path is recorded.
    """
    current = reads.get_meta(conn, "extraction_version") == version
    seen = reads.known_contents(conn) if current else {}
    todo = []
    for entry in entries:
        known = seen.get((entry.doc_id, file_hash(entry.path))) if entry.path.is_file() else None
        if known is None:
            todo.append(entry)
            continue
        stored_path, refusal = known
        if stored_path != str(entry.path):
            writes.move_document(conn, entry.doc_id, str(entry.path))
        if refusal is None:
            report.unchanged.append(entry.doc_id)
        else:
            report.refused[entry.doc_id] = refusal
    return todo


def ingest(conn: sqlite3.Connection, corpus_dir: str | Path | None, paths: list[str | Path] | None,
           workers: int | Executor, progress: bool = True) -> IngestReport:
    """Read report files into the store.

    Args:
        conn: an open store.
        corpus_dir: a corpus folder with ``reports.csv`` (used when ``paths`` is empty).
        paths: loose files or folders to ingest without a manifest.
        workers: processes for extraction, or the executor to extract with.
        progress: show a progress bar.

    Returns:
        What was added, left unchanged (same content hash, same extraction code) and refused
        (with reasons).

    """
    corpus = Path(corpus_dir) if corpus_dir else None
    if not paths and corpus is None:
        raise ValueError("give a corpus folder with reports.csv, or files to ingest")
    entries = expand_paths(paths) if paths else read_manifest(corpus)
    version = extraction_version()
    report = IngestReport(seen=[entry.doc_id for entry in entries])
    todo = entries_to_read(conn, entries, version, report)
    councils = read_gazetteer(corpus)
    with transaction(conn):
        results = as_executor(workers).map(partial(extract_entry, councils=councils), todo, chunksize=4)
        for entry, row, reason in tqdm(results, total=len(todo), desc="ingest", unit="file",
                                       disable=not progress):
            if row is None:
                digest = file_hash(entry.path) if entry.path.is_file() else ""
                writes.record_refusal(conn, str(entry.path), entry.doc_id, digest, reason)
                report.refused[entry.doc_id] = reason
            else:
                writes.upsert_document(conn, row)
                report.added.append(entry.doc_id)
                if reason:
                    report.warnings[entry.doc_id] = reason
        writes.set_meta(conn, "extraction_version", version)
    return report
