"""Saved searches over the tiny store: the token, the write, the list, what is new, read-only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import api.main
from findings.settings import Settings
from findings.store import saved as saved_store
from tests.api.test_pages import BROWSER


def app_client(tiny_engine, tmp_path, **settings):
    app = api.main.create_app(Settings(reload_interval=0, data_dir=tmp_path, **settings),
                              loader=lambda s: tiny_engine)
    return TestClient(app)


@pytest.fixture()
def client(tiny_engine, tmp_path):
    with app_client(tiny_engine, tmp_path) as test_client:
        yield test_client


def token_of(client) -> str:
    page = client.get("/", params={"q": "supervision", "label": "weakness"}, headers=BROWSER)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_a_search_is_saved_with_its_token_and_lists_what_is_new(client, monkeypatch):
    token = token_of(client)
    saved = client.post("/saved/new", data={"csrf": token, "name": "oversight", "q": "supervision",
                                        "label": "weakness"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/saved/oversight"
    assert [s["name"] for s in client.get("/saved").json()] == ["oversight"]
    assert client.get("/saved/oversight").json()["new"] == []  # every report was known when it was saved
    monkeypatch.setattr(saved_store, "document_ids", lambda conn: ["doc-a"])  # as if doc-b came later
    client.post("/saved/new", data={"csrf": token, "name": "later", "q": "supervision", "label": "weakness"})
    new = client.get("/saved/later").json()["new"]
    assert new and {h["doc_id"] for h in new} == {"doc-b"} and {h["label"] for h in new} == {"weakness"}
    page = client.get("/saved/later", headers=BROWSER)
    assert page.status_code == 200 and "Run it now" in page.text and "irregular" in page.text


def test_a_write_without_the_token_or_on_a_read_only_app_is_refused(client, tiny_engine, tmp_path):
    token_of(client)
    assert client.post("/saved/new", data={"csrf": "forged", "name": "x", "q": "plans"}).status_code == 403
    evil = client.post("/saved/new", data={"csrf": token_of(client), "name": "x", "q": "plans"},
                       headers={"origin": "http://elsewhere.example"})
    assert evil.status_code == 403
    assert client.get("/saved/x").status_code == 404
    with app_client(tiny_engine, tmp_path, read_only=True) as read_only:
        page = read_only.get("/", params={"q": "plans"}, headers=BROWSER)
        assert 'action="/saved/new"' not in page.text
        read_only.cookies.set("csrf", "t")
        assert read_only.post("/saved/new", data={"csrf": "t", "name": "x", "q": "plans"}).status_code == 403
