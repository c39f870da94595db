"""``GET /health``: is the index loaded, and how big is it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from findings.store import reads

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> dict:
    """Status, with document and finding counts when the index is loaded."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return {"status": "unavailable",
                "detail": getattr(request.app.state, "load_error", "not loaded")}
    return {"status": "ok", **reads.counts(engine.conn), "vectors": int(engine.index.ntotal)}
