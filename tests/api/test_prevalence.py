"""``/prevalence`` over the tiny store with a hand-set relevance model."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

import api.main
from findings.settings import Settings
from tests.findings.relevance.test_counts import cosine_model


@pytest.fixture()
def client(tiny_engine, tmp_path):
    cosine_model().to_disk(tmp_path / "relevance.json")
    settings = Settings(reload_interval=0, relevance_model=tmp_path / "relevance.json")
    with TestClient(api.main.create_app(settings, loader=lambda s: tiny_engine)) as test_client:
        yield test_client


def test_prevalence_answers_as_the_count_command_does(client):
    body = client.get("/prevalence", params={"q": "supervision of social workers is regular",
                                             "cutoff": 0.9, "by": "collection"}).json()
    assert body["totals"]["councils"] == 2 and body["by"] == "collection"
    assert body["findings"] and all(f["probability"] >= 0.9 for f in body["findings"])
    assert {"query", "label", "filters", "cutoff", "estimated", "rows", "trend", "sensitivity",
            "borderline"} <= set(body)
    assert client.get("/prevalence", params={"q": "plans", "label": "Weakness"}).json()["label"] == "weakness"


def test_prevalence_names_the_query_words_no_finding_uses_in_json_and_on_the_page(client):
    params = {"q": "supervision of social wrokers"}
    assert client.get("/prevalence", params=params).json()["absent_terms"] == ["wrokers"]
    page = client.get("/prevalence", params=params, headers={"Accept": "text/html"}).text
    assert 'id="absent"' in page and "No finding uses &#39;wrokers&#39;" in page
    plain = client.get("/prevalence", params={"q": "supervision"}, headers={"Accept": "text/html"}).text
    assert 'id="absent"' not in plain


def test_prevalence_refuses_bad_parameters_with_the_error_shape(client):
    for params in ({"q": "plans", "by": "month"}, {"q": "plans", "cutoff": 0}, {"q": "  "},
                   {"q": "plans", "date_from": "2024-03-01", "date_to": "2024-02-01"}):
        response = client.get("/prevalence", params=params)
        assert response.status_code == 422 and set(response.json()) == {"detail", "errors"}


def test_prevalence_without_a_relevance_model_is_unavailable(tiny_engine, tmp_path):
    settings = Settings(reload_interval=0, relevance_model=tmp_path / "none.json")
    with TestClient(api.main.create_app(settings, loader=lambda s: tiny_engine)) as client:
        response = client.get("/prevalence", params={"q": "plans"})
    assert response.status_code == 503 and "train-relevance" in response.json()["detail"]


def test_the_counts_page_links_each_other_cut_off_to_its_own_count_with_the_same_query(client):
    params = {"q": "supervision of social workers", "label": "strength", "by": "collection"}
    page = client.get("/prevalence", params=params, headers={"Accept": "text/html"}).text
    links = re.findall(r'<a href="([^"]+)">(0\.\d)</a>:', page.split('id="sensitivity"')[1].split("</p>")[0])
    assert [shown for _, shown in links] == ["0.5", "0.7", "0.9"]
    for href, shown in links:
        query = parse_qs(urlsplit(html.unescape(href)).query)
        assert query == {"q": [params["q"]], "label": ["strength"], "by": ["collection"], "cutoff": [shown]}
        assert client.get(html.unescape(href)).json()["cutoff"] == float(shown)
