"""One error shape for every 4xx and 5xx answer: ``{"detail": "...", "errors": [...]}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from api.params import WORD, ParameterError
from api.web import page, wants_html


class FieldError(BaseModel):
    """One invalid parameter."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """What every error answer holds: a sentence, and the invalid parameters if any."""

    detail: str
    errors: list[FieldError] = []


def documented(*codes: int) -> dict[int, dict]:
    """OpenAPI ``responses`` entries in the error shape, for a route's possible error codes."""
    meaning = {403: "refused (a read-only deployment, or a form without its token)", 404: "not found",
               422: "invalid parameters", 429: "too many requests from this client",
               503: "no store loaded, or it is being rebuilt"}
    return {code: {"model": ErrorOut, "description": meaning.get(code, "error")} for code in codes}


def field_name(location: tuple) -> str:
    """A parameter's name from a validation error's location (``("query", "k")`` -> ``k``)."""
    parts = [str(p) for p in location if p not in ("query", "path", "body", "header")]
    return ".".join(parts) or "request"


def error_page(request: Request, status: int, detail: str):
    """The error as a page, for a browser."""
    titles = {403: "Not allowed", 404: "Not found", 422: "Check what you asked", 503: "Not available yet"}
    return page(request, "error.html", status_code=status, status=status,
                title=titles.get(status, "Something went wrong"), detail=detail)


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """An ``HTTPException`` in the error shape (a page for a browser)."""
    detail = exc.detail if isinstance(exc.detail, str) else "invalid request"
    if wants_html(request) and exc.status_code in (403, 404, 422, 503):
        return error_page(request, exc.status_code, detail)
    errors = [FieldError(field=exc.field, message=exc.message)] if isinstance(exc, ParameterError) else []
    return JSONResponse(ErrorOut(detail=detail, errors=errors).model_dump(), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


def message_of(error: dict) -> str:
    """A validation error's message, in words for the patterns this API uses."""
    if error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == WORD:
        return "give some words (at least one letter or digit)"
    return error.get("msg", "invalid")


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Invalid parameters (422) in the error shape, each with its message."""
    errors = [FieldError(field=field_name(tuple(e.get("loc", ()))), message=message_of(e))
              for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "invalid request"
    if wants_html(request):
        return error_page(request, 422, detail)
    return JSONResponse(ErrorOut(detail=detail, errors=errors).model_dump(), status_code=422)


def install(app: FastAPI) -> None:
    """Answer every error of the app in the error shape."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
