"""Impact analysis, paths between CIs and single points of failure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AnalyzerDep, StoreDep, Viewer
from api.impact import ImpactedCI, ImpactResult, ImpactState
from api.models import (
    CIPublic,
    ImpactedCIPublic,
    ImpactPathPublic,
    ImpactRequest,
    ImpactResponse,
    ImpactSummary,
    PathPublic,
    RelationshipPublic,
    RelTypeName,
    SpofResponse,
)
from api.routers.cis import Uid, get_or_404
from graph.store import NotFound

router = APIRouter(tags=["impact"])


def _public(i: ImpactedCI) -> ImpactedCIPublic:
    return ImpactedCIPublic(
        uid=i.uid,
        ci_class=i.ci_class,
        name=i.name,
        state=i.state,
        changed=i.changed,
        criticality=i.criticality,
        paths=[ImpactPathPublic(nodes=list(p.nodes), rels=list(p.rels)) for p in i.paths],
    )


def impact_response(result: ImpactResult) -> ImpactResponse:
    outage = ImpactState.OUTAGE
    services = result.services
    return ImpactResponse(
        change_type=result.change_type,
        effect=result.effect,
        changed=list(result.changed),
        unknown=list(result.unknown),
        summary=ImpactSummary(
            outage=sum(i.state is outage for i in result.impacted),
            degraded=sum(i.state is not outage for i in result.impacted),
            services_outage=sum(s.state is outage for s in services),
            services_degraded=sum(s.state is not outage for s in services),
        ),
        services=[_public(s) for s in services],
        impacted=[_public(i) for i in result.impacted],
    )


@router.post("/impact", response_model=ImpactResponse, summary="Impact of a change")
def impact(analyzer: AnalyzerDep, _who: Viewer, body: ImpactRequest) -> ImpactResponse:
    """Impacted CIs and business services, OUTAGE or DEGRADED, with the paths carrying the impact.

    Reading only: any role may ask. Unknown CIs are listed in ``unknown``; if none of the
    requested CIs exists the answer is 404.
    """
    result = analyzer.analyze(body.cis, body.change_type)
    if not result.changed:
        raise NotFound(f"none of the CIs exist: {', '.join(result.unknown)}")
    return impact_response(result)


@router.get("/paths", response_model=list[PathPublic], tags=["dependencies"])
def paths(
    store: StoreDep,
    _who: Viewer,
    a: Annotated[str, Query(max_length=1000)],
    b: Annotated[str, Query(max_length=1000)],
    types: Annotated[list[RelTypeName] | None, Query()] = None,
    max_depth: Annotated[int, Query(ge=1, le=10)] = 6,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[PathPublic]:
    """Shortest-first paths between two CIs, ignoring relationship direction."""
    get_or_404(store, a)
    get_or_404(store, b)
    found = store.paths(a, b, [t.value for t in types] if types else None, max_depth, limit)
    return [
        PathPublic(uids=p.uids, relationships=[RelationshipPublic.of(r) for r in p.rels])
        for p in found
    ]


@router.get("/services/{uid:path}/spofs", response_model=SpofResponse)
def spofs(store: StoreDep, analyzer: AnalyzerDep, _who: Viewer, uid: Uid) -> SpofResponse:
    """CIs whose failure alone is an outage of the service (checked by simulating each)."""
    get_or_404(store, uid)
    model = analyzer.service_closure(uid)
    found = [store.get_ci(u) for u in model.spofs(uid)]
    return SpofResponse(service=uid, spofs=[CIPublic.of(c) for c in found if c is not None])
