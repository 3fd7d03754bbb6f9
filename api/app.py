"""The FastAPI application: ``create_app(settings, store)``; ``app`` for ``uvicorn api.app:app``.

Run: ``uvicorn api.app:app --host 127.0.0.1 --port 8000`` (settings from ``CMDB_*``), or
``create_app(store=...)`` in tests and the CLI.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api import errors, web
from api.analysis import ImpactAnalyzer, Mode
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


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    impact_mode: Mode = "cached",
) -> FastAPI:
    """The API over ``store`` (or the store named by ``settings.store_url``, opened here and
    closed on shutdown).

    When the app opens its own store (a server), the impact analyzer's snapshot is loaded in
    the background at startup, so that the first impact query does not wait for it.
    """
    settings = settings or get_settings()
    owned = store is None
    the_store = store if store is not None else open_store(settings.store_url, settings)
    analyzer = ImpactAnalyzer(the_store, mode=impact_mode)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if owned:
            threading.Thread(target=analyzer.snapshot, name="impact-warmup", daemon=True).start()
        yield
        if owned:
            the_store.close()

    app = FastAPI(title="CMDB", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.store = the_store
    app.state.settings = settings
    app.state.analyzer = analyzer
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
