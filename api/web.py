"""The web page for reviewers and change managers: static files under ``/ui/`` and ``GET /api/me``.

The page is plain HTML + ES modules (``api/web/``), no build step. Every file is served with
a strict Content-Security-Policy (scripts and styles only from this origin, no inline code,
no plugins, no framing): even if a discovered string slipped into the DOM as markup, the
browser would refuse to run it. The page itself builds the DOM with ``textContent``.

``GET /api/me`` tells the page who the token belongs to and what that role may do, so the
page offers only the actions the API would accept (the API still checks every write).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from api.auth import Principal, Role
from api.deps import get_principal
from graph.store import NotFound

WEB_DIR = Path(__file__).with_name("web")

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

# The only files served, with their media types: nothing else under api/web/ is reachable.
ASSETS: dict[str, str] = {
    "app.js": "text/javascript",
    "graph.js": "text/javascript",
    "dom.js": "text/javascript",
    "style.css": "text/css",
}

router = APIRouter(include_in_schema=False)
me_router = APIRouter(tags=["auth"])


class Capabilities(BaseModel):
    review: bool = Field(description="approve, reject, merge CIs; edit owner/criticality/notes")
    change: bool = Field(description="create, approve and reject change requests")


class Me(BaseModel):
    name: str
    role: Role
    may: Capabilities


@me_router.get("/api/me", response_model=Me, summary="Who the bearer token belongs to")
def me(principal: Annotated[Principal, Depends(get_principal)]) -> Me:
    """The token's name and role, and which kinds of writes that role may do."""
    return Me(
        name=principal.name,
        role=principal.role,
        may=Capabilities(
            review=principal.may(Role.CONFIG_MANAGER), change=principal.may(Role.CHANGE_MANAGER)
        ),
    )


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type=media_type, headers=SECURITY_HEADERS)


@router.get("/")
def root() -> RedirectResponse:
    """The API's root shows the page."""
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/")
def index() -> FileResponse:
    return _file("index.html", "text/html; charset=utf-8")


@router.get("/ui/{name}")
def asset(name: str) -> FileResponse:
    """One of the page's files; anything else is a 404 (no path is joined from user input)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"no file {name!r}")
    return _file(name, media_type)


router.include_router(me_router)
