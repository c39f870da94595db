"""Typed dependencies: the search engine loaded once at start-up, its store, and its counter."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.params import ParameterError
from findings.relevance.counts import Counter
from findings.retrieval import Filters, SearchEngine
from findings.settings import get_settings


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


async def get_counter(request: Request, engine: Engine) -> Counter:
    """The counter over the loaded engine: made on first use after each (re)load, then kept.

    503 when there is no relevance model to count with.
    """
    counter = getattr(request.app.state, "counter", None)
    if counter is None or counter.matcher.engine is not engine:
        settings = getattr(request.app.state, "settings", None) or get_settings()
        try:
            counter = await asyncio.to_thread(Counter.open, engine, settings)
        except (FileNotFoundError, ValueError) as exc:
            raise HTTPException(status_code=503, detail=str(exc).split(": ", 1)[-1]) from exc
        request.app.state.counter = counter
    return counter


Counts = Annotated[Counter, Depends(get_counter)]


def check_dates(filters: Filters) -> Filters:
    """Reject a date range whose start is after its end."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ParameterError("date_to", f"the range ends (date_to {filters.date_to}) before it starts "
                                        f"(date_from {filters.date_from})")
    return filters
