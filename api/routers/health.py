"""``GET /health``: is the index loaded, and how big is it."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> dict:
    """Status, with document and finding counts when the index is loaded."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return {"status": "unavailable",
                "detail": getattr(request.app.state, "load_error", "not loaded")}
    documents = engine.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    findings = engine.conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    return {"status": "ok", "documents": documents, "findings": findings,
            "vectors": int(engine.index.ntotal)}
