"""Saved searches: ``POST /saved/new`` (a page's form, with a CSRF token), ``GET /saved``, ``/saved/{name}``.

The app's only write, refused (403) when ``FINDINGS_READ_ONLY`` is set. The form carries the
token of the ``csrf`` cookie the search page set (double submit), and the request must come from
this site (``Origin`` or ``Referer``, when the browser sends one).
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from api.dependencies import Engine
from api.errors import documented
from api.web import page, wants_html
from findings.retrieval import Filters
from findings.store import connect
from findings.store.saved import save_search, saved_search, saved_searches

router = APIRouter(tags=["saved searches"])
SEARCH_PARAMS = ("q", "label", "collection", "council", "theme", "grade", "outcome", "date_from", "date_to",
                 "one_per")
CSRF_COOKIE = "csrf"
NEW_SINCE = 50  # hits searched for what is new since a search was saved


def csrf_token(request: Request) -> str:
    """The client's CSRF token (its cookie), or a new one to set."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def keep_token(response, token: str) -> None:
    """Set the CSRF cookie on a page that carries the token in its form."""
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")


def check_write(request: Request, token: str) -> None:
    """Refuse a write when the app is read-only, the token does not match, or it comes from elsewhere."""
    settings = request.app.state.settings
    if settings.read_only:
        raise HTTPException(status_code=403, detail="this deployment is read-only: searches cannot be saved")
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not token or not secrets.compare_digest(cookie, token):
        raise HTTPException(status_code=403,
                            detail="the form's token does not match: reload the page and save again")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and urlsplit(origin).netloc != request.url.netloc:
        raise HTTPException(status_code=403, detail="a search can only be saved from this site's pages")


@router.post("/saved/new", status_code=303, responses=documented(403, 422, 429, 503))
async def save(request: Request, name: Annotated[str, Form(min_length=1, max_length=80)],
               csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    """Save the search the form carries under a name, then show it."""
    check_write(request, csrf)
    form = await request.form()
    params = {k: str(form[k]) for k in SEARCH_PARAMS if form.get(k)}
    if not params.get("q"):
        raise HTTPException(status_code=422, detail="q: a saved search needs words")
    conn = connect(request.app.state.settings.db_path)
    try:
        save_search(conn, name=name.strip(), params=params)
    finally:
        conn.close()
    return RedirectResponse(f"/saved/{name.strip()}", status_code=303)


@router.get("/saved", responses=documented(429, 503))
def list_saved(request: Request, engine: Engine) -> list[dict]:
    """Every saved search."""
    searches = saved_searches(engine.conn)
    if not wants_html(request):
        return searches
    return page(request, "saved.html", searches=searches, search=None, urlencode=urlencode)


@router.get("/saved/{name}", responses=documented(404, 422, 429, 503))
def show_saved(request: Request, engine: Engine, name: str) -> dict:
    """A saved search, and its hits from reports added since it was saved."""
    search = saved_search(engine.conn, name=name)
    if search is None:
        raise HTTPException(status_code=404, detail=f"no saved search named {name!r}")
    params, known = search["params"], set(search.pop("known_reports"))
    filters = Filters(**{k: v for k, v in params.items() if k not in ("q", "one_per")})
    hits = engine.search(params["q"], k=NEW_SINCE, filters=filters, one_per=params.get("one_per"))
    body = {**search, "new": [h for h in hits if h.doc_id not in known]}
    if not wants_html(request):
        return body
    return page(request, "saved.html", searches=[], search=body, urlencode=urlencode)
