"""The API over a small real build, through TestClient."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(built_settings):
    with TestClient(create_app(built_settings)) as test_client:
        yield test_client


def test_health_reports_counts(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["findings"] > 0 and body["vectors"] > 0


def test_search_returns_hits_with_provenance_from_several_councils(client):
    hits = client.get("/search", params={"q": "quality of assessments", "k": 20}).json()
    assert len(hits) == 20
    assert len({h["council"] for h in hits}) >= 2
    first = hits[0]
    assert first["page"] >= 1 and first["published"] and first["doc_id"]
    assert hits == sorted(hits, key=lambda h: -h["score"])


def test_search_label_filter_and_one_per_report(client):
    hits = client.get("/search", params={"q": "supervision", "label": "recommendation",
                                         "one_per": "report"}).json()
    assert hits and {h["label"] for h in hits} == {"recommendation"}
    assert len({h["doc_id"] for h in hits}) == len(hits)


def test_invalid_input_gets_a_clear_4xx(client):
    assert client.get("/search", params={"q": "x", "label": "nonsense"}).status_code == 422
    assert client.get("/search", params={"q": "x", "k": 0}).status_code == 422
    response = client.get("/search", params={"q": "x", "date_from": "2020-01-01",
                                             "date_to": "2019-01-01"})
    assert response.status_code == 422 and "date_from" in response.text
    assert client.get("/search").status_code == 422
    assert client.get("/findings/nope").status_code == 404
    assert client.get("/reports/nope").status_code == 404


def test_finding_and_similar_from_other_councils(client):
    hit = client.get("/search", params={"q": "management oversight", "label": "weakness"}).json()[0]
    assert client.get(f"/findings/{hit['id']}").json()["text"] == hit["text"]
    similar = client.get(f"/findings/{hit['id']}/similar",
                         params={"label": "recommendation", "exclude_same_council": True}).json()
    assert similar and all(s["council"] != hit["council"] for s in similar)
    assert {s["label"] for s in similar} == {"recommendation"}


def test_report_and_councils(client):
    report = client.get("/reports/ilacs-wiltshire-2023-12-12").json()
    assert report["council"] == "Wiltshire" and report["pages"] == 12
    assert report["grades"]["overall_effectiveness"] == "outstanding"
    assert report["source_url"].startswith("https://")
    councils = {c["council"] for c in client.get("/councils").json()}
    assert {"Torbay", "Wiltshire", "Bromsgrove"} <= councils


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert "/search" in client.get("/openapi.json").json()["paths"]


def test_the_api_explorer_loads_nothing_from_the_internet(client):
    import re

    page = client.get("/docs").text
    sources = re.findall(r"""(?:src|href)=["']([^"']+)""", page) + re.findall(r"""url: ?["']([^"']+)""", page)
    assert sources and all(not re.match(r"(https?:)?//", s) for s in sources), sources
    assert '"validatorUrl": null' in page  # else Swagger UI fetches a badge from validator.swagger.io
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
