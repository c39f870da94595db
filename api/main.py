"""The application: heavy objects load once in ``lifespan``; routers per resource."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, lifecycle
from api.limits import ClientConcurrencyLimit
from api.routers import api_docs, councils, findings, health, pages, prevalence, reports, saved, search
from api.timing import ServerTiming
from api.web import install_static
from findings.settings import Settings, get_settings


def create_app(settings: Settings | None = None, loader=None) -> FastAPI:
    """Build the FastAPI application.

    Args:
        settings: where the store is (default: the process's settings).
        loader: what opens an engine from settings (default :func:`api.lifecycle.load_engine`; tests give
            one over a small store).

    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        resolved = settings or get_settings()
        app.state.engine, app.state.load_error, app.state.settings = None, None, resolved
        app.state.loader = loader or lifecycle.load_engine
        try:
            app.state.engine = app.state.loader(resolved)
        except (FileNotFoundError, OSError, ValueError) as exc:
            app.state.load_error = str(exc)
            lifecycle.LOG.warning("no store loaded: %s", exc)
        watcher = None
        if resolved.reload_interval > 0:
            watcher = asyncio.create_task(lifecycle.watch(app, resolved))
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if app.state.engine is not None:
            app.state.engine.close()

    app = FastAPI(title="findings", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Search findings (strengths, weaknesses, recommendations, actions) "
                              "mined from public-sector inspection reports.")
    errors.install(app)
    app.add_middleware(ClientConcurrencyLimit, limit=(settings or get_settings()).client_concurrency)
    app.add_middleware(ServerTiming)
    for module in (pages, search, prevalence, findings, reports, councils, saved, health, api_docs):
        app.include_router(module.router)
    install_static(app, (settings or get_settings()).vendor_dir)
    return app


app = create_app()
