from findings.store import writes
from findings.store.digest import state_digest


def test_the_digest_moves_with_the_findings_and_the_reports_metadata(tiny_store):
    first = state_digest(tiny_store)
    assert state_digest(tiny_store) == first
    tiny_store.execute("UPDATE documents SET council = 'Somewhere else' WHERE doc_id = 'doc-a'")
    renamed = state_digest(tiny_store)
    writes.advance_generation(tiny_store)
    assert len({first, renamed, state_digest(tiny_store)}) == 3
