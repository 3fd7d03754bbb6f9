"""The review queue: what discovery created, changed or stopped seeing since a date or run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import RUN_PREFIX
from api.deps import StoreDep, Viewer
from api.models import CIPublic, HistoryEventPublic, ReviewQueue
from graph.model import CIStatus, EventKind, ReviewState
from graph.store import GraphStore, NotFound

router = APIRouter(tags=["review"])
_QUEUE_LIMIT = 500


def _run_start(store: GraphStore, run: str) -> datetime:
    ci = store.get_ci(run if run.startswith(RUN_PREFIX) else RUN_PREFIX + run)
    started = ci.attributes.get("started_at") if ci else None
    if not isinstance(started, str):
        raise NotFound(f"no discovery run {run!r}")
    return datetime.fromisoformat(started)


@router.get("/review", response_model=ReviewQueue, summary="Review queue")
def review_queue(
    store: StoreDep,
    _who: Viewer,
    since: datetime | None = None,
    run: Annotated[
        str | None, Query(max_length=200, description="run id: changes since it started")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=_QUEUE_LIMIT)] = 100,
) -> ReviewQueue:
    """New CIs awaiting review, CIs whose discovered attributes changed, and missing CIs."""
    if run is not None:
        since = _run_start(store, run)
    new = store.find_cis(review_state=ReviewState.NEW, since=since, limit=limit).items
    missing = store.find_cis(status=CIStatus.MISSING, since=since, limit=limit).items
    events: dict[str, list[HistoryEventPublic]] = {}
    for event in store.history(since=since, limit=10_000):
        if event.subject_kind == "ci" and event.kind is EventKind.UPDATED:
            events.setdefault(event.subject, []).append(HistoryEventPublic.of(event))
    changed = [ci for uid in list(events)[:limit] if (ci := store.get_ci(uid)) is not None]
    return ReviewQueue(
        since=since,
        new=[CIPublic.of(c) for c in new if c.ci_class != "DiscoveryRun"],
        changed=[CIPublic.of(c) for c in changed],
        missing=[CIPublic.of(c) for c in missing],
        changes={c.uid: events[c.uid] for c in changed},
    )
