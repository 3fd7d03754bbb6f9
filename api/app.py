"""The FastAPI application: ``create_app(settings, store)``; ``app`` for ``uvicorn api.app:app``.

Run: ``uvicorn api.app:app --host 127.0.0.1 --port 8000`` (settings from ``CMDB_*``), or
``create_app(store=...)`` in tests and the CLI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api import errors, web
from api.analysis import ImpactAnalyzer
from api.auth import TokenVerifier
from api.routers import changes, cis, configs, impact, review
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store

DESCRIPTION = """\
Configuration items discovered over SNMP and SSH, their relationships and history; impact
analysis of changes; change requests; and the configuration audit.

Authenticate with `Authorization: Bearer <token>`; tokens are made with `cmdb token create`.
Roles: viewer (read), config-manager (review, merge, manual edits, business services),
change-manager (change requests), admin (everything).
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The API over ``store`` (or the store named by ``settings.store_url``, opened here and
    closed on shutdown)."""
    settings = settings or get_settings()
    owned = store is None
    the_store = store if store is not None else open_store(settings.store_url, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_store.close()

    app = FastAPI(title="CMDB", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.store = the_store
    app.state.settings = settings
    app.state.analyzer = ImpactAnalyzer(the_store)
    app.state.verifier = TokenVerifier(the_store)
    errors.install(app)
    for module in (review, configs, impact, cis, changes):
        app.include_router(module.router, prefix="/api")
    app.include_router(web.router)  # the web page (/ui/) and GET /api/me
    return app


def __getattr__(name: str) -> Any:
    """``api.app:app`` is built on first access, from the environment's settings."""
    if name == "app":
        built = create_app()
        globals()["app"] = built
        return built
    raise AttributeError(name)
