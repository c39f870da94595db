"""A bounded load test on loopback: the served sample store answers 16 clients for a few seconds
with no error, every answer a list of hits whose spans cut their text out of their report."""

from __future__ import annotations

import json
import threading
import time

import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.main import create_app
from api.server import BoundedHttpToolsProtocol
from bench.api_load import client_loop
from bench.load_workloads import FilterMix
from findings.store import connect, reads

pytestmark = pytest.mark.slow
QUERIES = [{"q": "management oversight of casework", "label": "weakness"}, {"q": "care leavers housing"},
           {"q": "the quality of assessments", "label": "recommendation"},
           {"q": "children missing education"}]


@pytest.fixture(scope="module")
def port(built_settings):
    app = create_app(built_settings.model_copy(update={"reload_interval": 0}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, http=BoundedHttpToolsProtocol,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def test_sixteen_clients_with_mixed_filters_get_no_error(port, built_settings):
    conn = connect(built_settings.db_path, read_only=True)
    councils = [c["council"] for c in reads.councils(conn)]
    workload, latencies, errors = FilterMix(QUERIES, councils, seed=7), [], []
    until = time.monotonic() + 5
    clients = [threading.Thread(target=client_loop, args=(port, workload, until, latencies, errors,
                                                           f"127.0.0.{10 + i}", 2_000))
               for i in range(16)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert errors == [] and len(latencies) >= 50


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=st.sampled_from([q["q"] for q in QUERIES]), k=st.integers(1, 20),
       one_per=st.sampled_from([None, "report", "council"]))
def test_every_hit_s_span_cuts_its_text_out_of_its_report(port, built_settings, query, k, one_per):
    import http.client
    from urllib.parse import urlencode

    params = {"q": query, "k": k, **({"one_per": one_per} if one_per else {})}
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    client.request("GET", "/search?" + urlencode(params))
    hits = json.loads(client.getresponse().read())
    conn = connect(built_settings.db_path, read_only=True)
    assert 0 < len(hits) <= k
    for hit in hits:
        report = reads.report(conn, doc_id=hit["doc_id"])
        text = conn.execute("SELECT text FROM documents WHERE doc_id = ?", (hit["doc_id"],)).fetchone()[0]
        assert report is not None and text[hit["span"][0] : hit["span"][1]] == hit["text"]
