"""The served app on loopback: an oversized request head is refused at once; one client's flood
gets 429s while another client is served."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest
import uvicorn

import api.main
from api.server import BoundedHttpToolsProtocol
from findings.settings import Settings
from tests.conftest import FakeEncoder

pytestmark = pytest.mark.slow


class SlowEncoder(FakeEncoder):
    """The fake encoder, taking half a second per call (a request stays in flight)."""

    def encode(self, texts, batch_size=16):
        time.sleep(0.5)
        return super().encode(texts, batch_size)


@pytest.fixture()
def server(tiny_engine):
    tiny_engine.encoder = SlowEncoder()
    app = api.main.create_app(Settings(reload_interval=0, client_concurrency=4), loader=lambda s: tiny_engine)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, http=BoundedHttpToolsProtocol, log_level="warning",
                            limit_concurrency=64)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield port
    running.should_exit = True
    thread.join(timeout=10)


def get(port: int, path: str, source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def test_an_oversized_request_head_is_answered_431_at_once(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as raw:
        raw.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        start = time.monotonic()
        try:
            for _ in range(200):  # up to 20 MB, stopped by the server long before
                raw.sendall(b"a" * 100_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = raw.recv(200)
    assert answer.startswith(b"HTTP/1.1 431") and time.monotonic() - start < 5
    assert get(server, "/health") == 200  # the server goes on


def test_one_client_over_its_limit_gets_429_and_others_are_served(server):
    statuses: list[int] = []
    flood = [threading.Thread(target=lambda i=i: statuses.append(get(server, f"/search?q=plans+{i}")))
             for i in range(10)]
    for thread in flood:
        thread.start()
    time.sleep(0.2)
    other = get(server, "/search?q=supervision", source="127.0.0.2")
    for thread in flood:
        thread.join()
    assert statuses.count(429) >= 4 and statuses.count(200) >= 1 and set(statuses) <= {200, 429}
    assert other == 200
