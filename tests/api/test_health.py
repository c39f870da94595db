"""``/health`` over the tiny store: 200 when store, index and engine agree, 503 otherwise."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import api.main
from findings.settings import Settings
from findings.store import writes


@pytest.fixture()
def client(tiny_engine):
    app = api.main.create_app(Settings(reload_interval=0), loader=lambda s: tiny_engine)
    with TestClient(app) as test_client:
        yield test_client


def test_health_is_ok_when_store_and_index_agree(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.json()["findings"] == 12


def test_health_is_503_once_the_store_changed_under_the_loaded_index(client, tiny_engine, tmp_path):
    writes.replace_findings(tiny_engine.conn, "doc-a", [], "test")
    tiny_engine.conn.commit()
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "stale"


def test_health_is_503_without_a_store_and_names_no_path(tmp_path):
    def missing(settings):
        raise FileNotFoundError(f"no findings database at {tmp_path}/secret/findings.db")

    settings = Settings(data_dir=tmp_path / "none", reload_interval=0)
    with TestClient(api.main.create_app(settings, loader=missing)) as client:
        response = client.get("/health")
        assert response.status_code == 503 and response.json()["status"] == "unavailable"
        assert "secret" not in response.text and str(tmp_path) not in response.text
        assert client.get("/search", params={"q": "x"}).status_code == 503
        assert "secret" not in client.get("/search", params={"q": "x"}).text
