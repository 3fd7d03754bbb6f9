"""Errors as JSON with the right status: store and schema exceptions mapped once, here."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from graph.schema import SchemaError
from graph.store import Conflict, NotFound


def _json(status: int, kind: str, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": str(exc), "error": kind})


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return _json(404, "not_found", exc)


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return _json(409, "conflict", exc)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    return _json(422, "invalid", exc)


def install(app: FastAPI) -> None:
    """NotFound -> 404, Conflict -> 409, SchemaError -> 422 (bad input never becomes a 500)."""
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(SchemaError, _invalid)
