"""Integration: a build over a few real reports; idempotence; adding a report; export; CLI contracts."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from findings.build import build
from findings.cli import main
from findings.store import connect
from findings.store.export import export_parquet
from tests.conftest import SAMPLE_DOCS, copy_store, sample_corpus

pytestmark = pytest.mark.slow


def test_build_refuses_the_non_report_and_indexes_the_rest(built_settings):
    report = built_settings._report
    assert set(report.ingest.refused) == {"ilacs-birmingham-2012-10-19"}
    assert "HTML page" in report.ingest.refused["ilacs-birmingham-2012-10-19"]
    assert len(report.ingest.added) == 4
    assert report.findings > 200 and report.embedded > 0
    assert (built_settings.encoder_cache / "minilm-int8-token.onnx").is_file()  # the query encoder, ready


def test_the_build_keeps_the_arrays_of_the_store_it_leaves(built_settings):
    from findings.store.digest import state_digest

    conn = connect(built_settings.db_path, read_only=True)
    digest = state_digest(conn)
    conn.close()
    (kept,) = (built_settings.data_dir / "arrays").glob(f"v*-{digest}")
    assert {"bm25", "vectors", "filters", "confidences", "documents"} <= {
        p.name.split("-")[0] for p in kept.iterdir()}
    assert "arrays" in built_settings._report.seconds


def test_rebuild_with_nothing_changed_does_nothing(built_settings):
    again = build(built_settings, progress=False)
    assert again.ingest.added == [] and again.segment.segmented == 0 and again.embedded == 0
    assert not again.index_written
    assert again.findings == built_settings._report.findings


def test_finding_ids_are_stable_across_a_resegmentation(built_settings):
    conn = connect(built_settings.db_path)
    before = {r[0] for r in conn.execute("SELECT id FROM findings")}
    conn.execute("UPDATE documents SET segmented_with = NULL")
    conn.commit()
    build(built_settings, progress=False)
    assert {r[0] for r in conn.execute("SELECT id FROM findings")} == before


def test_a_change_to_the_extraction_code_reads_stored_documents_again(built_settings):
    conn = connect(built_settings.db_path)
    before = {r[0] for r in conn.execute("SELECT id FROM findings")}
    conn.execute("UPDATE meta SET value = 'older-normaliser' WHERE key = 'extraction_version'")
    conn.commit()
    again = build(built_settings, progress=False)
    assert len(again.ingest.added) == 4 and again.segment.segmented == 4
    assert {r[0] for r in conn.execute("SELECT id FROM findings")} == before
    assert build(built_settings, progress=False).ingest.added == []


def test_export_writes_one_row_per_finding(built_settings, tmp_path):
    conn = connect(built_settings.db_path, read_only=True)
    rows = export_parquet(conn, tmp_path / "f.parquet")
    frame = pd.read_parquet(tmp_path / "f.parquet")
    assert len(frame) == rows == conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert {"doc_id", "label", "council", "page", "grade_overall_effectiveness"} <= set(frame.columns)


def test_cli_search_json_lines(built_settings, monkeypatch, capsys):
    monkeypatch.setenv("FINDINGS_DATA_DIR", str(built_settings.data_dir))
    from findings.settings import get_settings

    get_settings.cache_clear()
    assert main(["search", "management oversight", "--label", "weakness", "-k", "3", "--json"]) == 0
    get_settings.cache_clear()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert 0 < len(lines) <= 3
    assert all({"doc_id", "text", "label", "score"} <= set(h) for h in lines)
    assert {h["label"] for h in lines} == {"weakness"}
    conn = connect(built_settings.db_path, read_only=True)
    for hit in lines:  # the span locates the finding's sentence in its report's text
        report = conn.execute("SELECT text FROM documents WHERE doc_id = ?", (hit["doc_id"],)).fetchone()
        assert report["text"][hit["span"][0] : hit["span"][1]] == hit["text"]


def test_cli_segment_writes_the_scorer_contract(corpus_dir, tmp_path):
    out = tmp_path / "findings.jsonl"
    source = corpus_dir / "audit-commission" / "bromsgrove-2009-06-cpa-response.txt"
    loose = tmp_path / "some-council-response.txt"
    loose.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["segment", str(source), str(loose), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["doc_id"] for r in rows} == {"bromsgrove-2009-06-cpa-response", "some-council-response"}
    assert {"action", "recommendation"} <= {r["label"] for r in rows}


def test_cli_segment_refuses_bad_files_and_fails_only_when_nothing_was_read(tmp_path, capsys):
    fake = tmp_path / "not-a-report.pdf"
    fake.write_text("<html>Report not found</html>", encoding="utf-8")
    good = tmp_path / "letter.txt"
    good.write_text("Focused visit to Northshire children's services\n\n"
                    "Children are seen regularly by social workers who know them well. Too many "
                    "child protection plans are generic and lack measurable actions.\n\n"
                    "What needs to improve\n\n• The quality of plans.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(fake), str(tmp_path / "missing.pdf"), "--out", str(out)]) == 1
    assert not out.exists()  # nothing segmented: no output file
    assert main(["segment", str(fake), str(good), "--out", str(out)]) == 0
    assert "refused" in capsys.readouterr().err
    assert {json.loads(line)["doc_id"] for line in out.read_text().splitlines()} == {"letter"}


def test_adding_one_report_embeds_only_its_new_texts(built_settings, corpus_dir, tmp_path):
    added_doc = "ofsted-ilacs/ilacs-barnet-2024-07-23.pdf"
    data_dir = copy_store(built_settings, tmp_path / "data")
    (tmp_path / "corpus").mkdir()
    corpus = sample_corpus(tmp_path / "corpus", corpus_dir, (*SAMPLE_DOCS, added_doc))
    conn = connect(data_dir / "findings.db")
    cached = {r[0] for r in conn.execute("SELECT text_hash FROM embeddings")}
    report = build(built_settings.model_copy(update={"corpus": corpus, "data_dir": data_dir}), progress=False)
    new_texts = {r[0] for r in conn.execute(
        "SELECT text_hash FROM findings WHERE doc_id = 'ilacs-barnet-2024-07-23'")}
    assert report.ingest.added == ["ilacs-barnet-2024-07-23"] and report.segment.segmented == 1
    assert report.embedded == len(new_texts - cached) > 100
    assert report.index_written and report.findings > built_settings._report.findings


def test_a_document_is_known_by_its_content_not_its_folder(built_settings, corpus_dir, tmp_path):
    data_dir = copy_store(built_settings, tmp_path / "data")
    (tmp_path / "elsewhere").mkdir()
    moved = sample_corpus(tmp_path / "elsewhere", corpus_dir, SAMPLE_DOCS)
    for link in [p for p in moved.rglob("*") if p.is_symlink()]:  # real copies, in another folder
        target = link.resolve()
        link.unlink()
        shutil.copyfile(target, link)
    settings = built_settings.model_copy(update={"corpus": moved, "data_dir": data_dir})
    again = build(settings, progress=False)
    assert again.ingest.added == [] and again.segment.segmented == 0 and again.embedded == 0
    assert len(again.ingest.unchanged) == 4 and set(again.ingest.refused) == {"ilacs-birmingham-2012-10-19"}
    conn = connect(data_dir / "findings.db", read_only=True)
    paths = {r[0] for r in conn.execute("SELECT path FROM documents")}
    assert all(path.startswith(str(moved)) for path in paths)  # the new folder is recorded



def test_cli_count_json_gives_the_match_set_with_its_basis(built_settings, monkeypatch, capsys):
    monkeypatch.setenv("FINDINGS_DATA_DIR", str(built_settings.data_dir))
    from findings.settings import get_settings

    get_settings.cache_clear()
    assert main(["count", "management oversight of casework", "--label", "weakness", "--cutoff", "0.3",
                 "--json"]) == 0
    get_settings.cache_clear()
    count = json.loads(capsys.readouterr().out)
    assert count["findings"] and all({"doc_id", "text", "probability"} <= set(f) for f in count["findings"])
    assert min(f["probability"] for f in count["findings"]) >= 0.3
    assert all(f["probability"] < 0.3 for f in count["borderline"])
    totals = count["totals"]
    assert 0 < totals["councils_matched"] <= totals["councils"] <= len(SAMPLE_DOCS)
    assert totals["councils_matched"] == len({f["council"] for f in count["findings"]})
    assert count["cutoff"] == 0.3 and count["estimated"]["precision"] is not None
