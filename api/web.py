"""Pages beside the JSON: content negotiation, templates, static files and the pages' security headers.

A browser (``Accept`` naming ``text/html`` before JSON) gets a page at the same path where other
clients get JSON. Templates are Jinja2 (``api/templates``); the app's own CSS is in
``api/static``; htmx comes from its npm package (``FINDINGS_VENDOR_DIR``) and is served as a
static file, so the app works offline and without a build step. Pages work without JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from findings.relevance.report import absent_sentence, estimate_sentence, plural

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.globals["plural"] = plural  # "1 council", "3 councils": as the CLI's count text says it
TEMPLATES.env.globals["absent_sentence"] = absent_sentence  # the CLI's words for a query's unused words
TEMPLATES.env.globals["estimate_sentence"] = estimate_sentence  # and for what the cut-off's figures are
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
VENDORED = {"htmx": Path("htmx.org") / "dist",  # served as /static/vendor/<name>/
            "swagger-ui": Path("swagger-ui-dist")}  # the API explorer at /docs (api.routers.api_docs)


def wants_html(request: Request) -> bool:
    """Whether the client asks for a page: ``text/html`` named before any JSON type, no ``format=json``."""
    if request.query_params.get("format") == "json":
        return False
    if request.headers.get("hx-request") == "true":  # htmx asks for the page to take part of
        return True
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    json_at = accept.find("json")
    return json_at < 0 or accept.find("text/html") < json_at


def with_params(request: Request, **changes: str | None) -> str:
    """The current URL's path and query with some parameters changed (None removes one)."""
    params = {k: v for k, v in request.query_params.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def page(request: Request, template: str, status_code: int = 200, **context):
    """A rendered page with the security headers every page carries."""
    vendored = getattr(request.app.state, "vendored", set())
    response = TEMPLATES.TemplateResponse(request, template, {"with_params": with_params,
                                                              "vendored": vendored, **context},
                                          status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def install_static(app: FastAPI, vendor_dir: Path) -> None:
    """Serve ``/static`` (the app's CSS) and ``/static/vendor/<name>/`` (npm libraries, when installed).

    A library that is not installed is left out of the pages (``app.state.vendored``), which work
    without it.
    """
    app.state.vendored = set()
    for name, relative in VENDORED.items():
        if (vendor_dir / relative).is_dir():
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=vendor_dir / relative), name=name)
            app.state.vendored.add(name)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
