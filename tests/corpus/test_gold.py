"""The project's labelled units: the simple splitter, references and their resolution."""

import json
from pathlib import Path

import pytest

from corpus import gold
from corpus.collections import collections
from corpus.manifest import manifest_by_id

TEXT = ("Focused visit to Anytown children's services\n\n"
        "Leaders know their services well. Supervision is not reflective.\n\n"
        "• The quality of plans.\n\n"
        "Yours sincerely\n\n"
        "This letter will be published on the Ofsted website. It sets out what inspectors found "
        "during the visit, and it is written for the director of children's services.")

REFERENCES = Path(__file__).parents[2] / "corpus" / "gold_references.jsonl"


def write_corpus(folder: Path, text: str) -> Path:
    """A one-document corpus (a plain text file and its manifest row)."""
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "fv-anytown.txt").write_text(text, encoding="utf-8")
    (folder / "reports.csv").write_text(
        "doc_id,path,collection,publisher,body\n"
        "fv-anytown,docs/fv-anytown.txt,ofsted-focused-visit,Ofsted,Anytown\n", encoding="utf-8")
    return folder


def test_simple_units_are_lines_split_at_sentence_ends():
    units = [TEXT[s:e] for s, e in gold.simple_units(TEXT)]
    assert units == ["Focused visit to Anytown children's services", "Leaders know their services well.",
                     "Supervision is not reflective.", "• The quality of plans.", "Yours sincerely",
                     "This letter will be published on the Ofsted website.",
                     "It sets out what inspectors found during the visit, and it is written for the "
                     "director of children's services."]


def test_references_hold_no_text_and_resolve_to_gold_units(tmp_path):
    corpus_dir = write_corpus(tmp_path, TEXT)
    units = gold.units_for_labelling("fv-anytown", corpus_dir)
    refs = [gold.reference_of(units[2], "weakness"), gold.reference_of(units[1], "strength", True)]
    assert all("text" not in ref and "reflective" not in json.dumps(ref) for ref in refs)
    resolved, stale = gold.resolve_references(refs, corpus_dir)
    assert stale == []
    assert [(u["text"], u["label"], u["mixed"]) for u in resolved] == [
        ("Supervision is not reflective.", "weakness", False),
        ("Leaders know their services well.", "strength", True)]


def test_a_moved_unit_is_found_by_its_hash_and_a_changed_one_is_stale(tmp_path):
    corpus_dir = write_corpus(tmp_path, TEXT)
    units = gold.units_for_labelling("fv-anytown", corpus_dir)
    refs = [gold.reference_of(units[2], "weakness"), gold.reference_of(units[3], "recommendation")]
    write_corpus(tmp_path, "Ofsted letter\n\n" + TEXT.replace("quality of plans", "quality of planning"))
    resolved, stale = gold.resolve_references(refs, corpus_dir)
    assert [u["text"] for u in resolved] == ["Supervision is not reflective."]
    assert [ref["label"] for ref in stale] == ["recommendation"]


def test_labelled_units_become_references_against_the_current_text(tmp_path):
    corpus_dir = write_corpus(tmp_path / "corpus", TEXT)
    label_dir = tmp_path / "labels"
    gold.main(["units", "fv-anytown", "--out", str(label_dir), "--corpus", str(corpus_dir)])
    (label_dir / "fv-anytown.labels.jsonl").write_text(
        "".join(json.dumps({"unit": i, "label": "other"}) + "\n" for i in range(7)), encoding="utf-8")
    write_corpus(corpus_dir, "New first line\n\n" + TEXT)  # the text moved after labelling
    out = tmp_path / "refs.jsonl"
    gold.main(["refs", str(label_dir), "--out", str(out), "--corpus", str(corpus_dir)])
    refs = gold.read_references(out)
    resolved, stale = gold.resolve_references(refs, corpus_dir)
    assert len(refs) == 7 and not stale and refs[0]["start"] == len("New first line\n\n")


def test_a_reference_to_a_document_outside_the_manifest_is_refused(tmp_path):
    corpus_dir = write_corpus(tmp_path, TEXT)
    with pytest.raises(KeyError, match="not in the corpus manifest"):
        gold.resolve_references([{"doc_id": "elsewhere", "start": 0, "end": 1, "hash": "x",
                                  "unit": 0, "label": "other"}], corpus_dir)


def test_the_committed_references_are_well_formed_and_cover_the_new_report_types():
    refs = gold.read_references(REFERENCES)
    labels = {"strength", "weakness", "recommendation", "action", "other"}
    assert refs and all(set(ref) == {"doc_id", "unit", "start", "end", "label", "mixed", "hash"}
                        for ref in refs)
    assert {ref["label"] for ref in refs} <= labels
    assert len({(ref["doc_id"], ref["start"]) for ref in refs}) == len(refs)
    prefixes = {ref["doc_id"].split("-")[0] for ref in refs}
    assert {"send", "focused"} <= prefixes


@pytest.mark.slow
def test_the_committed_references_resolve_on_the_shared_corpus(corpus_dir):
    resolved, stale = gold.resolve_references(gold.read_references(REFERENCES), corpus_dir)
    assert not stale and len(resolved) == len(gold.read_references(REFERENCES))
    types = {manifest_by_id(corpus_dir)[u["doc_id"]].collection for u in resolved}
    assert {"ofsted-send", "ofsted-focused-visit"} <= types <= set(collections())
