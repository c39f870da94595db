"""``/search`` over the tiny store (no model, no corpus): filters, caching, shutdown."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import api.main
from findings.settings import Settings


@pytest.fixture()
def client(tiny_engine):
    with TestClient(api.main.create_app(Settings(), loader=lambda s: tiny_engine)) as test_client:
        yield test_client


def test_search_applies_the_label_filter_and_reuses_the_query_embedding(client, tiny_engine):
    params = {"q": "supervision of social workers", "label": "weakness"}
    first = client.get("/search", params=params).json()
    assert first and {h["label"] for h in first} == {"weakness"}
    assert client.get("/search", params=params).json() == first
    assert tiny_engine.encoder.calls == [["supervision of social workers"]]


def test_health_and_blank_queries(client):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/search", params={"q": "   "}).status_code == 422


def test_similar_to_a_free_text_keeps_the_label_and_leaves_out_a_council(client):
    params = {"q": "supervision is not reflective", "label": "weakness"}
    everyone = client.get("/similar", params=params).json()
    assert {h["label"] for h in everyone} == {"weakness"} and {h["council"] for h in everyone} == {
        "Torbay", "Wiltshire"}
    others = client.get("/similar", params={**params, "exclude_council": "torbay"}).json()
    assert others and {h["council"] for h in others} == {"Wiltshire"}
    assert client.get("/similar", params={"q": "  "}).status_code == 422
