"""Rebuild while serving: every answer during and after a rebuild is current and correct, no restart.

A report added last to the sample store (so that its findings hold the highest rowids, the ones
a store that reuses rowids gives out again) is changed and rebuilt in a thread while requests go on.
Each hit is checked against the index entry it came from: rowids are never reused, so the vector
indexed under a finding's rowid must be the embedding of that finding's text, in whichever engine
answered. After the build the server swaps in the new store by itself.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from findings.build import build
from findings.encoding import model_name
from findings.store import connect, reads
from tests.conftest import copy_store

pytestmark = pytest.mark.slow
OLD = " - Employment of lean systems specialist."
NEW = " - Employment of a dedicated family hub coordinator for Rubery and Hagley by March."
BROMSGROVE = "audit-commission/bromsgrove-2009-06-cpa-response.txt"
LOOSE_ID = "zz-district-response"


@pytest.fixture()
def served(built_settings, corpus_dir, tmp_path):
    report = tmp_path / f"{LOOSE_ID}.txt"
    text = (corpus_dir / BROMSGROVE).read_text(encoding="utf-8")
    report.write_text("Zedshire District Council: response to the CPA report\n\n" + text, encoding="utf-8")
    assert OLD in report.read_text(encoding="utf-8")
    settings = built_settings.model_copy(update={"reload_interval": 0.2,
                                                 "data_dir": copy_store(built_settings, tmp_path / "data")})
    build(settings, [str(report)], progress=False)
    with TestClient(create_app(settings)) as client:
        yield client, settings, report


def wrong_hits(hits: list[dict], engines: list, conn, model: str) -> list[str]:
    """Hits whose indexed vector (in any engine that indexes them) is not their text's embedding."""
    wrong, cached = [], reads.cached_vectors(conn, model=model)
    for hit in hits:
        row = reads.finding_row(conn, finding_id=hit["id"])
        if row is None:
            continue  # removed by the rebuild since it was answered
        if row["text"] != hit["text"]:
            wrong.append(hit["id"])
            continue
        text_hash = reads.finding_text_hash(conn, rowid=row["rowid"])
        vector = cached.get(text_hash)
        for engine in engines:
            try:
                indexed = engine.index.vector_of(row["rowid"])
            except KeyError:
                continue
            if vector is None or float(np.dot(indexed, vector)) < 0.999:
                wrong.append(hit["id"])
    return wrong


def test_answers_stay_correct_through_a_rebuild_and_the_new_store_is_served(served):
    client, settings, report = served
    conn = connect(settings.db_path, read_only=True)
    model = model_name(settings.encoder_backend, settings.encoder)
    first = client.app.state.engine
    engines, answers, failures = [first], 0, []
    assert client.get("/health").json()["status"] == "ok"
    report.write_text(report.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    builder = threading.Thread(target=build, args=(settings, [str(report)]), kwargs={"progress": False})
    builder.start()
    while builder.is_alive() or answers < 20:
        for path, params in (("/search", {"q": "lean systems specialist", "k": 10}),
                             ("/similar", {"q": OLD.strip(" -"), "k": 10}),
                             ("/search", {"q": "family hub coordinator", "k": 5, "label": "action"})):
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            if client.app.state.engine not in engines:
                engines.append(client.app.state.engine)
            failures += wrong_hits(response.json(), engines, conn, model)
            answers += 1
    builder.join()
    deadline = time.monotonic() + 30
    while client.get("/health").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/health").json()["generation"] > first.state.generation
    assert client.app.state.engine is not first  # swapped in without a restart
    hits = client.get("/search", params={"q": "family hub coordinator for Rubery", "k": 3}).json()
    assert hits[0]["doc_id"] == LOOSE_ID and "Rubery" in hits[0]["text"]
    failures += wrong_hits(hits, [client.app.state.engine], conn, model)
    assert failures == [] and answers >= 20
    conn.close()
