"""Change requests (change managers) and the configuration audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api import changes as logic
from api.audit import discovery_runs, unauthorized_changes
from api.deps import AnalyzerDep, ChangeManager, StoreDep, Viewer
from api.models import (
    ChangeDecision,
    ChangeRequestCreate,
    ChangeRequestPublic,
    DiscoveryRunPublic,
    PageOf,
    UnauthorizedChange,
)
from graph.store import NotFound

router = APIRouter()
ChangeId = Annotated[str, Path(max_length=100)]


@router.post(
    "/changes",
    response_model=ChangeRequestPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["changes"],
)
def create_change(
    store: StoreDep, analyzer: AnalyzerDep, who: ChangeManager, body: ChangeRequestCreate
) -> ChangeRequestPublic:
    """Create a change request; its impact, risk score and conflicts are assessed and stored."""
    doc = logic.create_change(store, analyzer, body, who.name)
    return logic.public(doc, list(logic.all_changes(store)))


@router.get("/changes", response_model=PageOf[ChangeRequestPublic], tags=["changes"])
def list_changes(
    store: StoreDep,
    _who: Viewer,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOf[ChangeRequestPublic]:
    everything = list(logic.all_changes(store))
    page = everything[offset : offset + limit]
    return PageOf[ChangeRequestPublic](
        items=[logic.public(d, everything) for d in page],
        total=len(everything),
        offset=offset,
        limit=limit,
    )


@router.get("/changes/{change_id}", response_model=ChangeRequestPublic, tags=["changes"])
def get_change(store: StoreDep, _who: Viewer, change_id: ChangeId) -> ChangeRequestPublic:
    doc = store.get_record(logic.CHANGE_KIND, change_id)
    if doc is None:
        raise NotFound(f"no change request {change_id!r}")
    return logic.public(doc, list(logic.all_changes(store)))


@router.post("/changes/{change_id}/approve", response_model=ChangeRequestPublic, tags=["changes"])
def approve(
    store: StoreDep, who: ChangeManager, change_id: ChangeId, body: ChangeDecision
) -> ChangeRequestPublic:
    doc = logic.decide(store, change_id, True, who.name, body.comment)
    return logic.public(doc, list(logic.all_changes(store)))


@router.post("/changes/{change_id}/reject", response_model=ChangeRequestPublic, tags=["changes"])
def reject(
    store: StoreDep, who: ChangeManager, change_id: ChangeId, body: ChangeDecision
) -> ChangeRequestPublic:
    doc = logic.decide(store, change_id, False, who.name, body.comment)
    return logic.public(doc, list(logic.all_changes(store)))


@router.get("/audit/unauthorized", response_model=list[UnauthorizedChange], tags=["audit"])
def unauthorized(
    store: StoreDep,
    _who: Viewer,
    since: datetime | None = None,
    run: Annotated[str | None, Query(max_length=200)] = None,
) -> list[UnauthorizedChange]:
    """Discovered changes of audited attributes or configurations that no approved change covers."""
    return unauthorized_changes(store, since=since, run_id=run)


@router.get("/runs", response_model=list[DiscoveryRunPublic], tags=["audit"])
def runs(store: StoreDep, _who: Viewer) -> list[DiscoveryRunPublic]:
    """Discovery runs with their counts, oldest first."""
    return discovery_runs(store)
