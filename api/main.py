"""The application: heavy objects load once in ``lifespan``; routers per resource."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.routers import councils, findings, health, reports, search
from findings.settings import Settings, get_settings


def load_engine(settings: Settings):
    """Open the store and vector index and warm the encoder."""
    from findings.encoding import encode
    from findings.retrieval import SearchEngine

    engine = SearchEngine.open(settings)
    encode(["warm-up"], engine.encoder)
    return engine


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = None
        try:
            app.state.engine = load_engine(settings or get_settings())
        except FileNotFoundError as exc:
            app.state.load_error = str(exc)
        yield
        if app.state.engine is not None:
            app.state.engine.close()

    app = FastAPI(title="findings", version="0.1.0", lifespan=lifespan,
                  description="Search findings (strengths, weaknesses, recommendations, actions) "
                              "mined from public-sector inspection reports.")
    for module in (search, findings, reports, councils, health):
        app.include_router(module.router)
    return app


app = create_app()
