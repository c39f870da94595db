"""Pages beside the JSON over the tiny store: negotiation, headers, downloads, error pages."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

import api.main
from api.web import wants_html
from findings.settings import Settings

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture()
def client(tiny_engine):
    app = api.main.create_app(Settings(reload_interval=0), loader=lambda s: tiny_engine)
    with TestClient(app) as test_client:
        yield test_client


def test_a_browser_gets_a_page_where_other_clients_keep_their_json(client, tiny_engine):
    finding = client.get("/search", params={"q": "supervision"}).json()[0]
    page = client.get(f"/findings/{finding['id']}", headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html") and finding["text"] in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get(f"/findings/{finding['id']}").json()["id"] == finding["id"]
    assert client.get(f"/findings/{finding['id']}", headers=BROWSER, params={"format": "json"}).json()
    report = client.get(f"/reports/{finding['doc_id']}", headers=BROWSER)
    assert report.status_code == 200 and "Recommendations" in report.text
    assert client.get(f"/reports/{finding['doc_id']}").json()["doc_id"] == finding["doc_id"]
    council = client.get("/councils/torbay").json()
    assert council["reports"][0]["doc_id"] == "doc-a" and "persisting" in council


def test_the_search_page_filters_facets_and_downloads_the_matched_set(client):
    params = {"q": "supervision of social workers", "label": "weakness", "collection": "", "date_from": ""}
    page = client.get("/", params=params, headers=BROWSER)
    assert page.status_code == 200 and 'data-facet="label"' in page.text
    assert "irregular and" in page.text and "Improve the" not in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/", params={**params, "format": "csv"}).text)))
    assert rows and {r["label"] for r in rows} == {"weakness"}
    assert [h["id"] for h in client.get("/", params=params).json()] == [r["id"] for r in rows]
    assert client.get("/", params={**params, "format": "parquet"}).content[:4] == b"PAR1"


def test_the_search_page_names_the_query_words_no_finding_uses(client):
    page = client.get("/", params={"q": "supervision of social wrokers"}, headers=BROWSER).text
    assert 'id="absent"' in page and "No finding uses &#39;wrokers&#39;" in page
    assert "the search rests" in page
    assert 'id="absent"' not in client.get("/", params={"q": "supervision"}, headers=BROWSER).text


def test_errors_are_pages_for_a_browser_and_the_error_shape_otherwise(client):
    missing = client.get("/findings/nope", headers=BROWSER)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert client.get("/findings/nope").json()["detail"]
    assert client.get("/", params={"q": "x", "date_from": "2024-02-30"}).status_code == 422
    assert client.get("/councils/nowhere").status_code == 404


def test_the_static_files_are_served():
    app = api.main.create_app(Settings(reload_interval=0))
    with TestClient(app) as test_client:
        assert "font" in test_client.get("/static/app.css").text


class FakeRequest:
    def __init__(self, accept: str, **params: str) -> None:
        self.headers = {"accept": accept}
        self.query_params = params


@pytest.mark.parametrize(("accept", "params", "html"), [
    (BROWSER["accept"], {}, True), ("*/*", {}, False), ("application/json, text/html", {}, False),
    (BROWSER["accept"], {"format": "json"}, False), ("", {}, False)])
def test_negotiation(accept, params, html):
    assert wants_html(FakeRequest(accept, **params)) is html
