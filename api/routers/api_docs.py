"""``GET /docs``: the API's Swagger UI, served from the vendored npm package (no CDN: works offline)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER = "/static/vendor/swagger-ui"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``; 503 with the remedy when ``npm ci`` has not been run."""
    if "swagger-ui" not in getattr(request.app.state, "vendored", set()):
        return HTMLResponse("<p>The API explorer needs the npm package swagger-ui-dist: run "
                            "<code>npm ci</code>. The schema itself is at "
                            "<a href=\"/openapi.json\">/openapi.json</a>.</p>", status_code=503)
    return get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} API",
                               swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                               swagger_css_url=f"{SWAGGER}/swagger-ui.css", swagger_favicon_url="data:,",
                               swagger_ui_parameters={"validatorUrl": None})  # no validator.swagger.io badge
