"""The engine's life in a running server: loaded once, swapped for a new one after a rebuild.

``findings build`` advances the store's generation when findings change and records the
generation the vector index holds. A watcher checks the store every ``reload_interval`` seconds;
when the store and index agree on a generation the loaded engine does not have, a new engine is
opened off the event loop and swapped in, and the old one is closed once requests in flight
have had time to finish. Rowids are never reused, so the old engine answers with current text
until then (at worst missing findings added since).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from findings.settings import Settings

LOG = logging.getLogger("findings.api")
CLOSE_AFTER = 30.0  # seconds an engine that was swapped out stays open for requests in flight


def load_engine(settings: Settings):
    """Open the store and retrievers, read the vector index's graph and warm the encoder.

    The graph is read here, off the event loop, rather than by the first search that needs it.
    """
    from findings.encoding import encode
    from findings.retrieval import SearchEngine

    engine = SearchEngine.open(settings)
    engine.index.read_graph()
    encode(["warm-up"], engine.encoder)
    return engine


def store_state(app: FastAPI, settings: Settings):
    """The store's index state now (None while there is no store to read)."""
    from findings.store import connect, reads

    engine = app.state.engine
    if engine is not None:
        return reads.index_state(engine.conn)
    if not settings.db_path.is_file():
        return None
    conn = connect(settings.db_path, read_only=True)
    try:
        return reads.index_state(conn)
    finally:
        conn.close()


async def refresh(app: FastAPI, settings: Settings, loader=None) -> bool:
    """Swap in a new engine if the store moved on and its index caught up; True if swapped."""
    loader = loader or app.state.loader
    state = await asyncio.to_thread(store_state, app, settings)
    engine = app.state.engine
    if state is None or not state.current or (engine is not None and engine.state == state):
        return False
    try:
        fresh = await asyncio.to_thread(loader, settings)
    except (FileNotFoundError, OSError, ValueError) as exc:
        app.state.load_error = str(exc)
        LOG.warning("store changed but could not be loaded: %s", exc)
        return False
    app.state.engine, app.state.load_error = fresh, None
    if engine is not None:
        asyncio.get_running_loop().call_later(CLOSE_AFTER, engine.close)
    LOG.info("loaded store generation %s", fresh.state.generation)
    return True


async def watch(app: FastAPI, settings: Settings) -> None:
    """Check the store every ``reload_interval`` seconds, forever (cancelled at shutdown)."""
    while True:
        await asyncio.sleep(settings.reload_interval)
        try:
            await refresh(app, settings)
        except Exception:  # noqa: BLE001  (a failed check must not stop the watcher)
            LOG.exception("checking the store failed")
