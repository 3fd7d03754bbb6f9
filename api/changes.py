"""Change requests: stored with their impact assessment, risk score and conflicts.

Records of kind ``change`` (key = change id). The assessment is frozen at creation (what
the change was approved against); conflicts are recomputed on every read, because a
change created later can conflict with an earlier one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from api.analysis import ImpactAnalyzer
from api.impact import CHANGE_SPECS, ChangeType, ImpactResult, ImpactState
from api.models import ChangeRequestCreate, ChangeRequestPublic
from graph.store import Conflict, GraphStore, NotFound

CHANGE_KIND = "change"
CRITICALITY_WEIGHT = {"low": 1.0, "medium": 2.0, "high": 3.0, "critical": 5.0}
DEFAULT_WEIGHT = 2.0
SPOF_POINTS = 10.0


def risk_score(result: ImpactResult, spof_services: set[str]) -> float:
    """0-100: each service hit counts its criticality (double for an outage), each service a
    changed CI is a single point of failure of adds more, scaled by the change type's weight
    (a configuration change is only a possible outage)."""
    raw = 0.0
    for service in result.services:
        weight = CRITICALITY_WEIGHT.get(service.criticality or "", DEFAULT_WEIGHT)
        raw += weight * (2.0 if service.state is ImpactState.OUTAGE else 1.0)
    raw += SPOF_POINTS * len(spof_services)
    return round(min(100.0, raw * 2.0 * CHANGE_SPECS[result.change_type].risk_weight), 1)


def risk_level(score: float) -> str:
    return "high" if score >= 40 else "medium" if score >= 15 else "low"


def spof_services(analyzer: ImpactAnalyzer, result: ImpactResult) -> set[str]:
    """Services that some changed CI takes down on its own."""
    down = {s.uid for s in result.services if s.state is ImpactState.OUTAGE}
    if len(result.changed) == 1:
        return down
    found: set[str] = set()
    model = analyzer.model_for(list(result.changed))
    for uid in result.changed:
        states = model.outage_states([uid])
        found |= {s for s in down if states.get(s) is ImpactState.OUTAGE}
    return found


def create_change(
    store: GraphStore, analyzer: ImpactAnalyzer, body: ChangeRequestCreate, user: str
) -> dict[str, Any]:
    result = analyzer.analyze(body.cis, body.change_type)
    if result.unknown:
        raise NotFound(f"unknown CIs: {', '.join(result.unknown)}")
    spofs = spof_services(analyzer, result)
    score = risk_score(result, spofs)
    now = datetime.now(UTC)
    change_id = f"CHG-{now:%Y%m%d}-{secrets.token_hex(3)}"
    doc: dict[str, Any] = {
        "id": change_id,
        "cis": list(result.changed),
        "change_type": body.change_type.value,
        "window_start": body.window_start.isoformat(),
        "window_end": body.window_end.isoformat(),
        "description": body.description,
        "status": "pending",
        "created_by": user,
        "created_at": now.isoformat(),
        "risk_score": score,
        "risk_level": risk_level(score),
        "services": [
            {"uid": s.uid, "name": s.name, "state": s.state.value, "criticality": s.criticality}
            for s in result.services
        ],
        "spof_services": sorted(spofs),
        "impacted": [i.uid for i in result.impacted],
        "impacted_count": len(result.impacted),
    }
    store.put_record(CHANGE_KIND, change_id, doc)
    return doc


def all_changes(store: GraphStore) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = store.list_records(CHANGE_KIND, offset=offset, limit=200)
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def conflicts(doc: dict[str, Any], others: list[dict[str, Any]]) -> list[str]:
    """Open (pending or approved) changes with a shared service or CI and an overlapping window."""
    mine = {s["uid"] for s in doc["services"]} | set(doc["cis"])
    start, end = _dt(doc["window_start"]), _dt(doc["window_end"])
    found = []
    for other in others:
        if other["id"] == doc["id"] or other["status"] == "rejected":
            continue
        theirs = {s["uid"] for s in other["services"]} | set(other["cis"])
        if mine & theirs and _dt(other["window_start"]) < end and start < _dt(other["window_end"]):
            found.append(other["id"])
    return sorted(found)


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def public(doc: dict[str, Any], others: list[dict[str, Any]]) -> ChangeRequestPublic:
    fields = {k: v for k, v in doc.items() if k != "impacted"}
    return ChangeRequestPublic.model_validate({**fields, "conflicts": conflicts(doc, others)})


def decide(
    store: GraphStore, change_id: str, approve: bool, user: str, comment: str
) -> dict[str, Any]:
    doc = store.get_record(CHANGE_KIND, change_id)
    if doc is None:
        raise NotFound(f"no change request {change_id!r}")
    if doc["status"] != "pending":
        raise Conflict(f"change {change_id} is already {doc['status']}")
    doc = {
        **doc,
        "status": "approved" if approve else "rejected",
        "decided_by": user,
        "decided_at": datetime.now(UTC).isoformat(),
        "comment": comment or None,
    }
    store.put_record(CHANGE_KIND, change_id, doc)
    return doc


def approved_covering(
    changes: list[dict[str, Any]], uids: set[str], start: datetime | None, end: datetime
) -> str | None:
    """The id of an approved change whose CIs (or impacted CIs) include one of ``uids`` and
    whose window overlaps ``(start, end]``; None if there is none."""
    for doc in changes:
        if doc["status"] != "approved":
            continue
        covered = set(doc["cis"]) | set(doc.get("impacted", []))
        if not covered & uids:
            continue
        w_start, w_end = _dt(doc["window_start"]), _dt(doc["window_end"])
        if w_start <= end and (start is None or w_end > start):
            return str(doc["id"])
    return None


def change_type_of(doc: dict[str, Any]) -> ChangeType:
    return ChangeType(doc["change_type"])
