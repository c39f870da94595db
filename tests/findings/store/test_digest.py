from findings.store import connect, writes
from findings.store.digest import state_digest
from tests.conftest import build_tiny_store


def test_the_digest_moves_with_the_findings_and_the_reports_metadata(tiny_store):
    first = state_digest(tiny_store)
    assert state_digest(tiny_store) == first
    tiny_store.execute("UPDATE documents SET council = 'Somewhere else' WHERE doc_id = 'doc-a'")
    renamed = state_digest(tiny_store)
    writes.advance_generation(tiny_store)
    assert len({first, renamed, state_digest(tiny_store)}) == 3


def test_a_store_made_again_with_the_same_counters_is_another_store(tmp_path):
    first, second = build_tiny_store(tmp_path / "one.db"), build_tiny_store(tmp_path / "two.db")
    assert state_digest(first) != state_digest(second)
    first.close()
    assert state_digest(connect(tmp_path / "one.db", read_only=True)) == state_digest(
        connect(tmp_path / "one.db"))  # the id is drawn once, not at each connection
