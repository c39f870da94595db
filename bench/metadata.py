"""Metadata read from report text against the manifest, per field, over every stored document.

    python -m bench.metadata [--out docs/metadata.md]

For each stored document the report's normalised text is read as if it were a loose file
(:func:`corpus.documents.infer_metadata` on an entry with nothing but its id) and each field is
compared with the manifest: council, report type (collection), publication date, the
inspection's last day and the overall grade (where the manifest has them). Where no manifest
column exists, the share of documents whose text gave a value: a SEND inspection's outcome, a
focused visit's area of practice.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bench.report import write_table
from corpus.documents import infer_metadata
from corpus.gazetteer import read_gazetteer
from corpus.manifest import ReportEntry, manifest_by_id
from findings.settings import get_settings
from findings.store import connect, reads

FIELDS = (("council", "council"), ("collection", "collection"), ("published", "published"),
          ("inspection end", "inspected"))


def same(want: str, got: str) -> bool:
    """Equal ignoring case and "&" for "and" (the gazetteer and the manifest spell a few apart)."""
    return (want or "").lower().replace("&", "and") == (got or "").lower().replace("&", "and")


def compare(documents: list[dict], manifest: dict, pairs: tuple) -> tuple[Counter, Counter, Counter]:
    """Matches, comparisons and misses per field (and per collection for the misses)."""
    matched, compared, missed = Counter(), Counter(), Counter()
    for document in documents:
        known = manifest[document["doc_id"]]
        entry = ReportEntry(doc_id=document["doc_id"], path=Path(document["doc_id"]))
        infer_metadata(entry, document["text"], pairs)
        checks = [(name, getattr(known, attr), getattr(entry, attr)) for name, attr in FIELDS]
        checks.append(("overall grade", known.grades.get("overall_effectiveness", ""),
                       entry.grades.get("overall_effectiveness", "")))
        for name, want, got in checks:
            if not want:
                continue
            compared[name] += 1
            matched[name] += same(want, got)
            missed[(name, known.collection)] += not same(want, got)
        found = (("SEND outcome found", "ofsted-send", entry.outcome),
                 ("area of practice found", "ofsted-focused-visit", entry.area_of_practice))
        for name, collection, value in found:
            if known.collection == collection:
                compared[name] += 1
                matched[name] += bool(value)
    return matched, compared, missed


def main(argv: list[str] | None = None) -> int:
    """Compare and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/metadata.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    manifest = manifest_by_id(settings.corpus)
    documents = [d for d in reads.document_texts(connect(settings.db_path, read_only=True))
                 if d["doc_id"] in manifest]
    matched, compared, missed = compare(documents, manifest, read_gazetteer(settings.corpus))
    lines = [f"# Metadata from the text against the manifest ({len(documents)} documents)\n",
             "| field | documents compared | exact match | rate | misses by collection |",
             "|---|---|---|---|---|"]
    for name in compared:
        misses = ", ".join(f"{c} {n}" for (field, c), n in sorted(missed.items()) if field == name and n)
        lines.append(f"| {name} | {compared[name]} | {matched[name]} | {matched[name] / compared[name]:.3f} "
                     f"| {misses or '-'} |")
    write_table("\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
