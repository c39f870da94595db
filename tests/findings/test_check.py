"""``findings check`` finds what is damaged; ``findings build`` repairs it (copies of the sample store)."""

from __future__ import annotations

import pytest

from findings.build import build, leftovers, remove
from findings.check import check
from findings.retrieval.vector_file import INDEX_FILE
from findings.store import connect, reads
from tests.conftest import copy_store

pytestmark = pytest.mark.slow


@pytest.fixture()
def settings(built_settings, tmp_path):
    data_dir = copy_store(built_settings, tmp_path / "data", "copy")
    return built_settings.model_copy(update={"data_dir": data_dir})


def test_a_built_store_checks_clean(settings):
    assert check(settings) == []


def test_a_truncated_index_and_encoder_and_leftovers_are_found_then_repaired(settings):
    index = settings.index_dir / INDEX_FILE
    index.write_bytes(index.read_bytes()[:1000])
    encoder = settings.encoder_cache / "minilm-int8-token.onnx"
    encoder.write_bytes(encoder.read_bytes()[:1000])
    (settings.index_dir / "tmpabc.tmp").write_bytes(b"x" * 100)
    (settings.encoder_cache / "tmpxyz").mkdir()
    (settings.array_cache_dir / "v1-some-state" / ".filters.abc").mkdir(parents=True)  # a killed write
    problems = " | ".join(p.what for p in check(settings))
    assert "vector index file is not the one" in problems and "minilm-int8-token.onnx is damaged" in problems
    assert "3 temporary files" in problems
    report = build(settings, progress=False)
    assert report.index_written and report.segment.segmented == 0 and report.embedded == 0
    assert check(settings) == [] and leftovers(settings) == []


def test_removing_a_document_takes_it_out_of_every_index(settings):
    conn = connect(settings.db_path, read_only=True)
    doc_id = "bromsgrove-2009-06-cpa-response"
    before = reads.counts(conn)
    gone = reads.report(conn, doc_id=doc_id)["findings"]
    assert remove(settings, [doc_id, "not-there"]) == [doc_id]
    assert reads.counts(conn)["findings"] == before["findings"] - sum(gone.values())
    state = reads.index_state(conn)
    assert state.current and state.index_count == reads.counts(conn)["findings"]
    assert check(settings) == []
    again = build(settings, progress=False, prune=False)
    assert again.ingest.added == [doc_id]  # still in the manifest: a build takes it in again
    assert build(settings, progress=False).ingest.added == []
    conn.close()
