"""Typed dependencies: the search engine loaded once at start-up, and its store."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.params import ParameterError
from findings.retrieval import Filters, SearchEngine


async def get_engine(request: Request) -> SearchEngine:
    """The engine that ``lifespan`` loaded, or 503 while there is none (async: no thread hop)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:  # why is in the server's log, not in the answer (it names files)
        raise HTTPException(status_code=503, detail="no built store is loaded: run `findings build`")
    return engine


Engine = Annotated[SearchEngine, Depends(get_engine)]


async def get_store(engine: Engine) -> sqlite3.Connection:
    """The engine's open store, for the read functions of :mod:`findings.store.reads`."""
    return engine.conn


Store = Annotated[sqlite3.Connection, Depends(get_store)]


def check_dates(filters: Filters) -> Filters:
    """Reject a date range whose start is after its end."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ParameterError("date_to", f"the range ends (date_to {filters.date_to}) before it starts "
                                        f"(date_from {filters.date_from})")
    return filters
