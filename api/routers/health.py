"""``GET /health``: 200 when the loaded engine, the store and its index agree; 503 otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from findings.store import reads

router = APIRouter(tags=["health"])


UNHEALTHY = {503: {"description": "no store loaded, or the store and its index disagree"}}


@router.get("/health", responses=UNHEALTHY)
def health(request: Request) -> JSONResponse:
    """Status, with document, finding and vector counts and the store's generation.

    ``unavailable`` (503): no built store could be loaded. ``stale`` (503): the store changed
    since its index was built, or since this server loaded it (a rebuild is under way or was
    interrupted; the server swaps in the new store once its index is built).
    """
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return JSONResponse({"status": "unavailable", "detail": "no built store: run `findings build`"},
                            status_code=503)
    state = reads.index_state(engine.conn)
    body = {**reads.counts(engine.conn), "vectors": int(engine.index.ntotal), "generation": state.generation}
    if not state.current or state != engine.state:
        return JSONResponse({"status": "stale", **body,
                             "detail": "the store changed since its index was built or loaded"},
                            status_code=503)
    return JSONResponse({"status": "ok", **body})
