"""The project's own labelled units, kept as references into the corpus, never as report text.

A reference is ``doc_id``, a character span of the document's normalised text, a label, a
``mixed`` flag and a short hash of the span's text. :func:`resolve_references` reads the
documents and gives back units in the shape of ``../shared/gold/findings-dev.jsonl`` (``doc_id``,
``unit``, ``text``, ``label``, ``mixed``), finding a unit the normaliser has moved by its hash
and setting aside one whose text is gone.

Units for labelling come from :func:`simple_units`, a splitter that knows nothing of the
project's segmenter (blocks at blank lines, then sentences), so labels on them measure
segmentation as well as classification.

    python -m corpus.gold units DOC_ID... --out DIR --corpus C # units to label, one file per document
    python -m corpus.gold refs DIR --out R.jsonl --corpus C # labelled units back to references
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from corpus.documents import load_document
from corpus.manifest import manifest_by_id

HASH_LENGTH = 12
JOINED_COVER = 0.9
SENTENCE_END = re.compile(r"(?<=[.!?;:])[’”\")]*\s+(?=[\"“‘(•\-–]?[A-Z0-9])")
BLOCK = re.compile(r"[^\n]+")


def text_hash(text: str) -> str:
    """A short SHA-256 of a unit's text (whitespace as in the span)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def simple_units(text: str) -> list[tuple[int, int]]:
    """Character spans of the text's units: each non-empty line, split at sentence ends."""
    spans = []
    for block in BLOCK.finditer(text):
        start = block.start()
        for end_match in SENTENCE_END.finditer(block.group()):
            spans.append((start, block.start() + end_match.start()))
            start = block.start() + end_match.end()
        spans.append((start, block.end()))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def read_jsonl(path: str | Path) -> list[dict]:
    """Read a JSON-lines file."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_references(path: str | Path) -> list[dict]:
    """The references of a JSON-lines file (none when the file does not exist)."""
    return read_jsonl(path) if Path(path).is_file() else []


def resolve_references(references: Iterable[dict], corpus_dir: str | Path | None = None
                       ) -> tuple[list[dict], list[dict]]:
    """Gold units (``doc_id``, ``unit``, ``text``, ``label``, ``mixed``) from references.

    A reference whose span no longer holds its text is looked for among the document's current
    simple units by its hash (the normaliser may have moved it); one found nowhere is stale.

    Returns:
        The resolved gold units, and the stale references.

    Raises:
        KeyError: a reference names a document the manifest does not have.

    """
    manifest = manifest_by_id(corpus_dir)
    by_doc: dict[str, list[dict]] = {}
    for ref in references:
        by_doc.setdefault(ref["doc_id"], []).append(ref)
    resolved, stale = [], []
    for doc_id, refs in by_doc.items():
        if doc_id not in manifest:
            raise KeyError(f"gold reference to {doc_id}, which is not in the corpus manifest")
        text = load_document(manifest[doc_id]).text.text
        moved = {text_hash(text[s:e]): (s, e) for s, e in simple_units(text)}
        for ref in refs:
            start, end = ref["start"], ref["end"]
            if text_hash(text[start:end]) != ref["hash"]:
                if ref["hash"] not in moved:
                    stale.append(ref)
                    continue
                start, end = moved[ref["hash"]]
            resolved.append({"doc_id": doc_id, "unit": ref["unit"], "text": text[start:end].strip(),
                             "label": ref["label"], "mixed": bool(ref.get("mixed", False))})
    return resolved, stale


def units_for_labelling(doc_id: str, corpus_dir: str | Path | None = None) -> list[dict]:
    """A document's simple units, with their spans, ready for a labeller."""
    entry = manifest_by_id(corpus_dir)[doc_id]
    text = load_document(entry).text.text
    return [{"doc_id": doc_id, "unit": i, "start": s, "end": e, "text": text[s:e]}
            for i, (s, e) in enumerate(simple_units(text))]


def reference_of(unit: dict, label: str, mixed: bool = False) -> dict:
    """The reference that stands for a labelled unit (its text reduced to a hash)."""
    return {"doc_id": unit["doc_id"], "unit": unit["unit"], "start": unit["start"],
            "end": unit["end"], "label": label, "mixed": mixed, "hash": text_hash(unit["text"])}


def _write_units(doc_ids: list[str], out_dir: Path, corpus_dir: str | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        units = units_for_labelling(doc_id, corpus_dir)
        with (out_dir / f"{doc_id}.units.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(u, ensure_ascii=False) + "\n" for u in units)
        print(f"{doc_id}: {len(units)} units")


def joined_pieces(text: str, labelled: list[dict]) -> list[dict]:
    """The labelled units a text was joined from: longest first, each where no longer one sits.

    Empty unless the pieces cover at least :data:`JOINED_COVER` of the text.
    """
    covered = [False] * len(text)
    pieces = []
    for unit in sorted(labelled, key=lambda u: -len(u["text"])):
        start = text.find(unit["text"])
        while start >= 0 and any(covered[start:start + len(unit["text"])]):
            start = text.find(unit["text"], start + 1)
        if start >= 0 and len(unit["text"].strip()) > 2:
            covered[start:start + len(unit["text"])] = [True] * len(unit["text"])
            pieces.append(unit)
    return pieces if sum(covered) >= JOINED_COVER * len(text.strip()) else []


def carried_labels(labelled: list[dict], labels: dict[int, dict], current: list[dict]
                   ) -> tuple[list[dict], int]:
    """References for the current units from labels given on an earlier cut of the same text.

    A current unit takes the label of the labelled unit with the same text or, when the
    normaliser has since joined pieces into it, the one label its labelled pieces agree on
    (pieces covering at least :data:`JOINED_COVER` of it); the rest stay unlabelled.

    Returns:
        The references, and how many labelled units found no current unit.

    """
    by_text: dict[str, list[dict]] = {}
    for unit in labelled:
        by_text.setdefault(unit["text"], []).append(unit)
    refs, used = [], set()
    for unit in current:
        same = [u for u in by_text.get(unit["text"], []) if u["unit"] not in used]
        pieces = same[:1] or joined_pieces(unit["text"], [u for u in labelled if u["unit"] not in used])
        if not pieces:
            continue
        votes = {labels[u["unit"]]["label"] for u in pieces}
        if len(votes) == 1:
            used.update(u["unit"] for u in pieces)
            mixed = any(labels[u["unit"]].get("mixed", False) for u in pieces)
            refs.append(reference_of(unit, votes.pop(), mixed))
    return refs, len(labelled) - len(used)


def _write_references(label_dir: Path, out: Path, corpus_dir: str) -> None:
    refs, lost = [], 0
    for labels_path in sorted(label_dir.glob("*.labels.jsonl")):
        labelled = read_references(labels_path.with_name(labels_path.name.replace(".labels.", ".units.")))
        labels = {item["unit"]: item for item in read_references(labels_path)}
        current = units_for_labelling(labelled[0]["doc_id"], corpus_dir)
        doc_refs, doc_lost = carried_labels(labelled, labels, current)
        refs.extend(doc_refs)
        lost += doc_lost
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in refs)
    print(f"{len(refs)} references to {out}; {lost} labelled units no longer in the text")


def main(argv: list[str] | None = None) -> None:
    """Write units to label, or turn labelled units into references."""
    parser = argparse.ArgumentParser(prog="python -m corpus.gold", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    units = commands.add_parser("units", help="write each document's units for labelling")
    units.add_argument("doc_ids", nargs="+")
    units.add_argument("--out", type=Path, required=True)
    units.add_argument("--corpus", required=True, help="the corpus folder (with reports.csv)")
    refs = commands.add_parser("refs", help="labelled units (DOC.labels.jsonl) to references")
    refs.add_argument("label_dir", type=Path)
    refs.add_argument("--out", type=Path, required=True)
    refs.add_argument("--corpus", required=True, help="the corpus folder (with reports.csv)")
    args = parser.parse_args(argv)
    if args.command == "units":
        _write_units(args.doc_ids, args.out, args.corpus)
    else:
        _write_references(args.label_dir, args.out, args.corpus)


if __name__ == "__main__":
    main()
