"""FastAPI dependencies: the store, the analyzer, and who is calling with which role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.analysis import ImpactAnalyzer
from api.auth import Principal, Role, TokenVerifier
from graph.store import GraphStore

_bearer = HTTPBearer(auto_error=False, description="a token from `cmdb token create`")


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_analyzer(request: Request) -> ImpactAnalyzer:
    analyzer: ImpactAnalyzer = request.app.state.analyzer
    return analyzer


StoreDep = Annotated[GraphStore, Depends(get_store)]
AnalyzerDep = Annotated[ImpactAnalyzer, Depends(get_analyzer)]


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """401 without a valid bearer token."""
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.verify(credentials.credentials) if credentials else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def require(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers whose role allows ``role`` (403 otherwise)."""

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.may(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {principal.role} may not do this; needs {role}"
            )
        return principal

    return check


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
ConfigManager = Annotated[Principal, Depends(require(Role.CONFIG_MANAGER))]
ChangeManager = Annotated[Principal, Depends(require(Role.CHANGE_MANAGER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
