"""Typed dependencies: the search engine loaded once at start-up, its store, and its counter."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request

from api.params import Collection, DateFrom, DateTo, Grade, Outcome, ParameterError, Theme
from findings.relevance.counts import Counter
from findings.retrieval import Filters, SearchEngine
from findings.settings import get_settings

T = TypeVar("T")


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


def kept_value(request: Request, engine: SearchEngine, name: str) -> T | None:
    """The value kept on the app under ``name`` for this engine, if one was made."""
    kept = getattr(request.app.state, name, None)
    return kept[1] if kept is not None and kept[0] is engine else None


def kept_for_engine(request: Request, engine: SearchEngine, name: str, make: Callable[[], T]) -> T:
    """A value made from the loaded engine on first use, kept on the app until another engine is loaded."""
    value = kept_value(request, engine, name)
    if value is None:
        value = make()
        setattr(request.app.state, name, (engine, value))
    return value


async def get_counter(request: Request, engine: Engine) -> Counter:
    """The counter over the loaded engine (made off the event loop once per load).

    503 when there is no relevance model to count with.
    """
    counter = kept_value(request, engine, "counter")
    if counter is not None:  # made already: no thread hop
        return counter
    settings = getattr(request.app.state, "settings", None) or get_settings()
    try:
        return await asyncio.to_thread(kept_for_engine, request, engine, "counter",
                                       lambda: Counter.open(engine, settings))
    except (FileNotFoundError, ValueError) as exc:
        raise HTTPException(status_code=503, detail=str(exc).split(": ", 1)[-1]) from exc


Counts = Annotated[Counter, Depends(get_counter)]


async def report_filters(theme: Theme, grade: Grade, collection: Collection, outcome: Outcome,
                         date_from: DateFrom, date_to: DateTo,
                         council: Annotated[str | None, Query(description="only this council (any case)")]
                         = None) -> Filters:
    """The filters search and counts share (all but the label), the dates checked (async: no thread hop)."""
    return check_dates(Filters(council=council, collection=collection, theme=theme, grade=grade,
                               outcome=outcome, date_from=date_from, date_to=date_to))


ReportFilters = Annotated[Filters, Depends(report_filters)]


def check_dates(filters: Filters) -> Filters:
    """Reject a date range whose start is after its end."""
    try:
        return filters.check_dates()
    except ValueError as exc:
        raise ParameterError("date_to", str(exc)) from None
