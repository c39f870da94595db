"""The API's contract over the tiny store: one error shape, validated dates and choices, documented codes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import api.main
from findings.settings import Settings


@pytest.fixture()
def client(tiny_engine):
    app = api.main.create_app(Settings(reload_interval=0), loader=lambda s: tiny_engine)
    with TestClient(app) as test_client:
        yield test_client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize("q", ["\x00", "?!…", "\u200b", "- -"])
def test_a_query_with_no_words_is_refused(client, q):
    assert "q: give some words" in error_of(client.get("/search", params={"q": q}), 422)["detail"]
    error_of(client.get("/similar", params={"q": q}), 422)


def test_enumerated_filters_match_any_case_or_list_the_allowed_values(client):
    assert client.get("/search", params={"q": "supervision", "grade": "Good"}).status_code == 200
    assert client.get("/search", params={"q": "supervision", "label": "WEAKNESS"}).json()
    body = error_of(client.get("/search", params={"q": "supervision", "theme": "Leadership"}), 422)
    assert "leadership and governance" in body["detail"]
    ok = client.get("/search", params={"q": "supervision", "theme": "Leadership  and GOVERNANCE"})
    assert ok.status_code == 200
    error_of(client.get("/search", params={"q": "x", "collection": "nope"}), 422)


def test_dates_are_validated_as_dates(client):
    body = error_of(client.get("/search", params={"q": "plans", "date_from": "2024-02-30"}), 422)
    assert body["errors"][0]["field"] == "date_from"
    error_of(client.get("/search", params={"q": "plans", "date_from": "2024-03-01", "date_to": "2024-02-01"}),
             422)
    assert client.get("/search", params={"q": "plans", "date_from": "2019-12-31"}).status_code == 200


def test_not_found_and_invalid_parameters_share_the_error_shape(client):
    assert "no finding" in error_of(client.get("/findings/nope"), 404)["detail"]
    error_of(client.get("/findings/nope/similar"), 404)
    error_of(client.get("/reports/nope"), 404)
    body = error_of(client.get("/search", params={"q": "plans", "k": 0}), 422)
    assert body["errors"] == [{"field": "k", "message": body["errors"][0]["message"]}]
    error_of(client.get("/search"), 422)


def test_every_error_code_is_documented(client):
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            codes = set(operation["responses"])
            assert "503" in codes, (path, codes)
            assert "422" in codes or not operation.get("parameters"), (path, codes)
            if "{" in path:
                assert "404" in codes, path
    label = next(p for p in spec["paths"]["/search"]["get"]["parameters"] if p["name"] == "label")
    assert label["schema"]["enum"] == ["strength", "weakness", "recommendation", "action"]
