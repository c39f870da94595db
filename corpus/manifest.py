"""The corpus manifest (``reports.csv``): one entry per document, with its metadata."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from corpus.collections import LOOSE, grade_columns


@dataclass
class ReportEntry:
    """One document's metadata, from the manifest or inferred for a loose file."""

    doc_id: str
    path: Path
    collection: str = LOOSE
    doc_type: str = ""
    publisher: str = ""
    council: str = ""
    council_code: str = ""
    published: str = ""
    source_url: str = ""
    licence: str = ""
    sha256: str = ""
    grades: dict[str, str] = field(default_factory=dict)
    inspected: str = ""  # the last day of the inspection or visit
    outcome: str = ""  # an area SEND inspection's outcome
    area_of_practice: str = ""  # what a focused visit looked at


def read_manifest(corpus_dir: str | Path) -> list[ReportEntry]:
    """Read ``reports.csv`` from the corpus folder.

    Args:
        corpus_dir: the folder holding ``reports.csv``.

    Returns:
        One entry per manifest row, with absolute paths.

    Raises:
        FileNotFoundError: no manifest in the folder.

    """
    corpus_dir = Path(corpus_dir)
    manifest = corpus_dir / "reports.csv"
    if not manifest.is_file():
        raise FileNotFoundError(f"no manifest at {manifest} (set --corpus or FINDINGS_CORPUS)")
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [entry_from_row(row, corpus_dir) for row in csv.DictReader(handle)]


def entry_from_row(row: dict[str, str], corpus_dir: Path) -> ReportEntry:
    """Build a :class:`ReportEntry` from one manifest row."""
    return ReportEntry(
        doc_id=row["doc_id"],
        path=(corpus_dir / row["path"]).resolve(),
        collection=row.get("collection", ""),
        doc_type=row.get("doc_type", ""),
        publisher=row.get("publisher", ""),
        council=row.get("body", ""),
        council_code=row.get("body_code", ""),
        published=row.get("published", ""),
        source_url=row.get("source_url", ""),
        licence=row.get("licence", ""),
        sha256=row.get("sha256", ""),
        grades={c: row[c] for c in grade_columns() if row.get(c)},
        inspected=row.get("inspection_end", ""),
    )


def manifest_by_id(corpus_dir: str | Path | None) -> dict[str, ReportEntry]:
    """The manifest keyed by ``doc_id`` (empty if there is no corpus folder or no manifest)."""
    if corpus_dir is None:
        return {}
    try:
        return {entry.doc_id: entry for entry in read_manifest(corpus_dir)}
    except FileNotFoundError:
        return {}
