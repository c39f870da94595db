"""The pages in a real browser (Debian's chromium through Playwright) over the small built store.

One flow an inspector follows (search, filter, facet counts move, a finding, a recommendation
another council got, its report, its council), the counts page's chart, the CSV download, no
console errors or failed requests, nothing loaded from outside the app (offline), axe-core's
serious and critical violations, and screenshots of each page type at desktop and phone widths
(written to ``docs/screenshots/``).
"""

from __future__ import annotations

import csv
import io
import shutil
import threading
import time
from pathlib import Path

import pytest
import uvicorn

import api.main
from findings.settings import PROJECT_DIR

CHROMIUM = shutil.which("chromium")
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = PROJECT_DIR / "docs" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make install puts Debian's in)")]


@pytest.fixture(scope="module")
def base_url(built_settings):
    app = api.main.create_app(built_settings.model_copy(update={"reload_interval": 0}))
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{running.servers[0].sockets[0].getsockname()[1]}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Watched:
    """A page whose console errors, failed requests and error responses are recorded."""

    def __init__(self, context) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self.console)
        self.downloads: set[str] = set()
        self.page.on("download", lambda d: self.downloads.add(d.url))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self.response)

    def real_problems(self) -> list[str]:
        """The problems, leaving out downloads (Chromium reports a download's request as aborted)."""
        return [p for p in self.problems if p.removeprefix("failed: ") not in self.downloads]

    def console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")


def facet_count(page, facet: str, value: str) -> int:
    item = page.locator(f'ul[data-facet="{facet}"] li', has_text=value).first
    return int(item.locator(".count").inner_text())


def test_an_inspector_goes_from_a_search_to_a_council(browser, base_url):
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto(f"{base_url}/?q=supervision+of+social+workers")
    labels_before = page.locator('ul[data-facet="label"] li').count()
    assert labels_before > 1
    council_value = page.locator('ul[data-facet="council"] li a').first.inner_text()
    council_before = facet_count(page, "council", council_value)
    page.select_option("#f-label", "weakness")  # htmx swaps the results and facets in place
    page.wait_for_function("() => document.querySelectorAll('ul[data-facet=\"label\"] li').length == 1")
    assert "label=weakness" in page.url
    assert {t.strip() for t in page.locator('ul[data-facet="label"] li a').all_inner_texts()} == {"weakness"}
    assert facet_count(page, "council", council_value) != council_before  # re-ranked under the filter
    page.locator("ol.hits li.hit > a").first.click()
    page.wait_for_url("**/findings/**")
    assert page.locator("h1 .label-weakness").count() == 1
    page.locator("#recommended li.hit > a").first.click()
    page.wait_for_url("**/findings/**")
    assert page.locator("h1 .label-recommendation").count() == 1
    page.locator("main > p.meta a").first.click()
    page.wait_for_url("**/reports/**")
    assert page.locator("#recommendations").count() == 1
    page.locator("table a[href^='/councils/']").first.click()
    page.wait_for_url("**/councils/**")
    assert page.locator("table tbody tr").count() >= 1
    assert watched.real_problems() == []
    context.close()


def test_the_counts_page_draws_its_chart_and_the_csv_has_the_rows_shown(browser, base_url):
    context = browser.new_context(accept_downloads=True)
    watched = Watched(context)
    page = watched.page
    page.goto(f"{base_url}/prevalence?q=management+oversight+of+casework&label=weakness&cutoff=0.3")
    assert page.locator("svg#chart rect.bar").count() >= 1
    assert page.locator("#total strong").inner_text().endswith("councils")
    page.goto(f"{base_url}/?q=management+oversight")
    shown = [a.get_attribute("href").rsplit("/", 1)[1] for a in page.locator("ol.hits li.hit > a").all()]
    with page.expect_download() as download:
        page.locator("a", has_text="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert shown and [r["id"] for r in rows[: len(shown)]] == shown
    assert watched.real_problems() == []
    context.close()


def page_urls(base_url: str) -> dict[str, str]:
    """One URL of each page type, found from the search page."""
    import json
    from urllib.request import Request, urlopen

    hits = json.load(urlopen(Request(f"{base_url}/search?q=supervision&k=1")))
    hit = hits[0]
    return {"search": f"{base_url}/?q=supervision+of+social+workers",
            "finding": f"{base_url}/findings/{hit['id']}", "report": f"{base_url}/reports/{hit['doc_id']}",
            "council": f"{base_url}/councils/{hit['council']}",
            "counts": f"{base_url}/prevalence?q=management+oversight+of+casework&label=weakness"}


def test_every_page_type_passes_axe_and_is_photographed(browser, base_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    serious = {}
    for name, url in page_urls(base_url).items():
        for width, size in WIDTHS.items():
            context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
            page = context.new_page()
            page.goto(url)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=False)
            if width == "desktop":
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                serious[name] = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
                                 if v["impact"] in ("serious", "critical")]
            context.close()
    assert serious == {name: [] for name in serious}


def test_a_search_is_saved_from_its_page_and_run_again(browser, base_url):
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto(f"{base_url}/?q=children+wait+too+long&label=weakness")
    page.fill("#save-name", "waiting weaknesses")
    page.locator("form.save button").click()
    page.wait_for_url("**/saved/waiting%20weaknesses")
    assert page.locator("h1").inner_text() == "Saved search: waiting weaknesses"
    page.locator("#run").click()
    page.wait_for_url("**/?*")
    assert page.locator("#f-q").input_value() == "children wait too long"
    assert page.locator("#f-label").input_value() == "weakness"
    assert watched.real_problems() == []
    context.close()


def test_a_response_document_shows_each_action_under_the_recommendation_it_answers(browser, base_url):
    context = browser.new_context()
    watched = Watched(context)
    page = watched.page
    page.goto(f"{base_url}/reports/bromsgrove-2009-06-cpa-response")
    answered = page.locator("#recommendations + ol > li:has(ul.answers)")
    assert answered.count() >= 1
    assert answered.first.locator("ul.answers .label-action").count() >= 1
    assert watched.real_problems() == []
    context.close()


def test_no_page_loads_anything_from_outside_the_app(browser, base_url):
    """Offline: every script, style, font and image of every page type and /docs is the app's own."""
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base_url, "data:")) else outside.append(r.url))
    for url in [*page_urls(base_url).values(), f"{base_url}/docs"]:
        page.goto(url, wait_until="networkidle")
    assert page.evaluate("() => typeof SwaggerUIBundle") == "function"  # /docs ran the vendored bundle
    page.goto(page_urls(base_url)["search"], wait_until="networkidle")
    assert page.evaluate("() => typeof htmx") == "object"  # the vendored htmx loaded
    assert outside == []
    context.close()
