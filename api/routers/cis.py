"""Configuration items: search, details, history, review, manual edits, authored CIs and links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Body, Path, Query, status
from pydantic import BaseModel, Field

from api.deps import AnalyzerDep, ConfigManager, StoreDep, Viewer
from api.models import (
    CIClassName,
    CICreate,
    CIPublic,
    HistoryEventPublic,
    LinkCreate,
    ManualAttrsUpdate,
    MergeRequest,
    PageOf,
    RelationshipPublic,
    RelTypeName,
    ReviewDecision,
    SubgraphPublic,
)
from graph.model import CI, CIStatus, ReviewState
from graph.schema import DEVICE_CLASSES, RELS, SchemaError, validate_rel
from graph.store import GraphStore, NotFound

router = APIRouter(tags=["configuration items"])

Uid = Annotated[str, Path(max_length=1000, description="CI uid (may contain '/')")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000)]
Text = Annotated[str | None, Query(max_length=200)]


def get_or_404(store: GraphStore, uid: str) -> CI:
    ci = store.get_ci(uid)
    if ci is None:
        raise NotFound(f"no CI {uid!r}")
    return ci


def _filters(
    ci_class: str | None, ip: str | None, serial: str | None, vendor: str | None
) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if ip:
        filters["address" if ci_class == "IPAddress" else "mgmt_ip"] = ip
    if serial:
        filters["serial"] = serial
    if vendor:
        filters["vendor"] = vendor
    return filters


@router.get("/cis", response_model=PageOf[CIPublic], summary="List and search CIs")
def list_cis(
    store: StoreDep,
    _who: Viewer,
    ci_class: CIClassName | None = None,
    q: Text = None,
    ip: Text = None,
    serial: Text = None,
    vendor: Text = None,
    review_state: ReviewState | None = None,
    status: CIStatus | None = None,
    since: Annotated[
        datetime | None, Query(description="changed (created, updated, status) at or after")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOf[CIPublic]:
    """Search by name/uid substring (``q``), class, management IP, serial, vendor, review
    state, status (``missing`` for CIs not seen any more) and last change."""
    cls = ci_class.value if ci_class else None
    if cls is not None or not (ip or serial or vendor):
        page = store.find_cis(
            ci_class=cls,
            text=q,
            filters=_filters(cls, ip, serial, vendor) or None,
            status=status,
            review_state=review_state,
            since=since,
            offset=offset,
            limit=limit,
        )
        return PageOf[CIPublic](
            items=[CIPublic.of(c) for c in page.items], total=page.total, offset=offset, limit=limit
        )
    # Device attributes without a class: search each device class, merge in uid order.
    found: list[CI] = []
    total = 0
    for c in DEVICE_CLASSES:
        page = store.find_cis(
            ci_class=c,
            text=q,
            filters=_filters(c, ip, serial, vendor),
            status=status,
            review_state=review_state,
            since=since,
            offset=0,
            limit=offset + limit,
        )
        found.extend(page.items)
        total += page.total
    found.sort(key=lambda c: c.uid)
    items = [CIPublic.of(c) for c in found[offset : offset + limit]]
    return PageOf[CIPublic](items=items, total=total, offset=offset, limit=limit)


@router.post(
    "/cis",
    response_model=CIPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a CI by hand",
)
def create_ci(
    store: StoreDep, analyzer: AnalyzerDep, who: ConfigManager, body: Annotated[CICreate, Body()]
) -> CIPublic:
    """Create a business service or an application (discovery never overwrites them)."""
    data = cast(BaseModel, body).model_dump(exclude_none=True)
    ci_class = data.pop("ci_class")
    ci = store.create_ci(ci_class, data, who.name)
    analyzer.invalidate()
    return CIPublic.of(ci)


@router.post("/cis/merge", response_model=CIPublic, summary="Merge two duplicate CIs")
def merge(
    store: StoreDep, analyzer: AnalyzerDep, who: ConfigManager, body: MergeRequest
) -> CIPublic:
    """Keep ``keep``; ``drop`` hands over its relationships and identity keys and is retired."""
    get_or_404(store, body.keep)
    get_or_404(store, body.drop)
    ci = store.merge(body.keep, body.drop, who.name)
    analyzer.invalidate()
    return CIPublic.of(ci)


@router.get("/cis/{uid:path}/relationships", response_model=list[RelationshipPublic])
def relationships(
    store: StoreDep,
    _who: Viewer,
    uid: Uid,
    direction: Literal["out", "in", "both"] = "both",
    types: Annotated[list[RelTypeName] | None, Query()] = None,
) -> list[RelationshipPublic]:
    get_or_404(store, uid)
    rels = store.relationships(uid, direction, [t.value for t in types] if types else None)
    return [RelationshipPublic.of(r) for r in rels]


@router.get("/cis/{uid:path}/history", response_model=list[HistoryEventPublic])
def history(
    store: StoreDep,
    _who: Viewer,
    uid: Uid,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[HistoryEventPublic]:
    """Every recorded change of the CI and of its relationships, oldest first."""
    get_or_404(store, uid)
    return [
        HistoryEventPublic.of(e) for e in store.history(uid, since=since, until=until, limit=limit)
    ]


@router.get("/cis/{uid:path}/as-of", response_model=CIPublic)
def as_of(store: StoreDep, _who: Viewer, uid: Uid, at: datetime) -> CIPublic:
    """The CI as it was at ``at``."""
    get_or_404(store, uid)
    ci = store.ci_as_of(uid, at)
    if ci is None:
        raise NotFound(f"{uid!r} did not exist at {at.isoformat()}")
    return CIPublic.of(ci)


class AttributeDiff(BaseModel):
    uid: str
    t1: datetime
    t2: datetime
    changes: dict[str, tuple[Any, Any]] = Field(
        description="attribute -> [value at t1, value at t2]"
    )


@router.get("/cis/{uid:path}/diff", response_model=AttributeDiff)
def diff(store: StoreDep, _who: Viewer, uid: Uid, t1: datetime, t2: datetime) -> AttributeDiff:
    get_or_404(store, uid)
    return AttributeDiff(uid=uid, t1=t1, t2=t2, changes=store.diff(uid, t1, t2))


@router.get("/cis/{uid:path}/dependencies", response_model=SubgraphPublic, tags=["dependencies"])
def dependencies(
    store: StoreDep,
    _who: Viewer,
    uid: Uid,
    direction: Literal["up", "down", "both"] = "down",
    depth: Annotated[int, Query(ge=1, le=10)] = 3,
    types: Annotated[list[RelTypeName] | None, Query()] = None,
) -> SubgraphPublic:
    """Downstream (what it depends on / contains) or upstream (what depends on it)."""
    get_or_404(store, uid)
    sub = store.traverse([uid], direction, [t.value for t in types] if types else None, depth)
    return SubgraphPublic(
        cis=[CIPublic.of(c) for c in sub.cis],
        relationships=[RelationshipPublic.of(r) for r in sub.rels],
    )


@router.post("/cis/{uid:path}/review", response_model=CIPublic, tags=["review"])
def review(store: StoreDep, who: ConfigManager, uid: Uid, body: ReviewDecision) -> CIPublic:
    """Approve or reject a discovered CI (who and when are recorded)."""
    get_or_404(store, uid)
    return CIPublic.of(store.set_review(uid, ReviewState(body.state), who.name))


@router.patch("/cis/{uid:path}", response_model=CIPublic)
def edit(store: StoreDep, who: ConfigManager, uid: Uid, body: ManualAttrsUpdate) -> CIPublic:  # type: ignore[valid-type]
    """Set owner, criticality and notes (null removes a value)."""
    get_or_404(store, uid)
    return CIPublic.of(
        store.set_manual_attrs(uid, cast(BaseModel, body).model_dump(exclude_unset=True), who.name)
    )


@router.get("/cis/{uid:path}", response_model=CIPublic)
def get_ci(store: StoreDep, _who: Viewer, uid: Uid) -> CIPublic:
    """A CI with its attributes, each attribute's source and last confirmation."""
    return CIPublic.of(get_or_404(store, uid))


@router.post(
    "/relationships",
    response_model=RelationshipPublic,
    status_code=201,
    tags=["configuration items"],
)
def link(
    store: StoreDep, analyzer: AnalyzerDep, who: ConfigManager, body: LinkCreate
) -> RelationshipPublic:
    """Link CIs by hand (a business service DEPENDS_ON an application...)."""
    source, target = get_or_404(store, body.source), get_or_404(store, body.target)
    rel_type = validate_rel(body.type.value, source.ci_class, target.ci_class)
    for name in body.attributes:
        if not any(a.name == name for a in RELS[rel_type.name].attrs):
            raise SchemaError(f"{rel_type.name} has no attribute {name!r}")
    rel = store.link(body.source, body.type.value, body.target, body.attributes or None, who.name)
    analyzer.invalidate()
    return RelationshipPublic.of(rel)


@router.delete("/relationships", status_code=204, tags=["configuration items"])
def unlink(
    store: StoreDep,
    analyzer: AnalyzerDep,
    who: ConfigManager,
    source: Annotated[str, Query(max_length=1000)],
    type: RelTypeName,  # noqa: A002
    target: Annotated[str, Query(max_length=1000)],
) -> None:
    """Remove a manual relationship."""
    store.unlink(source, type.value, target, who.name)
    analyzer.invalidate()
