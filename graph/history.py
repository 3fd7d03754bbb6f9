"""History events: derived from change sets, folded back into a CI as of any date.

Both stores write the same events (``events_for``) and answer "as of" and "diff" by folding
them (``fold``), so history means the same thing whichever store holds it.

An event's ``changes`` maps a field to ``[old, new]``. Fields are schema attributes plus the
CI's own fields in ``META_FIELDS`` (no schema attribute uses those names; a test pins that).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from graph.model import (
    CI,
    ChangeSet,
    CIStatus,
    EventKind,
    HistoryEvent,
    Relationship,
    ReviewState,
    StatusChange,
)

META_FIELDS = (
    "status",
    "review_state",
    "reviewed_by",
    "ci_class",
    "missing_runs",
    "merged_into",
    "identity_keys",
    "scope",
)

_CI_STATUS_KINDS = {
    "missing": EventKind.MISSING,
    "retired": EventKind.RETIRED,
    "reappeared": EventKind.REAPPEARED,
    "completed": EventKind.COMPLETED,
}
_REL_STATUS_KINDS = {
    "rel_missing": EventKind.REL_MISSING,
    "rel_retired": EventKind.REL_RETIRED,
    "rel_reappeared": EventKind.REL_REAPPEARED,
}


def created_event(ci: CI, source: str, actor: str, at: datetime) -> HistoryEvent:
    changes: dict[str, list[Any]] = {name: [None, value] for name, value in ci.attributes.items()}
    changes["status"] = [None, ci.status.value]
    changes["review_state"] = [None, ci.review_state.value]
    changes["ci_class"] = [None, ci.ci_class]
    return HistoryEvent(
        ci.uid, "ci", EventKind.CREATED, changes, source, actor, at, ci_class=ci.ci_class
    )


def rel_event(
    rel: Relationship,
    kind: EventKind,
    changes: dict[str, list[Any]],
    source: str,
    actor: str,
    at: datetime,
) -> HistoryEvent:
    return HistoryEvent(
        rel.key,
        "rel",
        kind,
        changes,
        source,
        actor,
        at,
        related=[rel.source, rel.target],
        ci_class=rel.type,
    )


def _ends(key: str) -> list[str]:
    """Both end uids of a rel key ``src-[TYPE]->(dst)``."""
    head, _, tail = key.partition("-[")
    _rtype, _, rest = tail.partition("]->(")
    return [head, rest[:-1]]


def _sources(ci: CI) -> str:
    """Every source that contributed a value (``snmp,ssh``)."""
    return ",".join(sorted({p.source for p in ci.provenance.values()})) or "system"


def events_for(changes: ChangeSet, actor: str, at: datetime) -> list[HistoryEvent]:
    """Every history event a change set produces (confirmations produce none)."""
    events = [created_event(ci, _sources(ci), actor, at) for ci in changes.creates]
    for upd in changes.updates:
        diff: dict[str, list[Any]] = {name: [old, new] for name, (old, new) in upd.changes.items()}
        if upd.ci_class:
            diff["ci_class"] = list(upd.ci_class)
        if upd.identity_keys is not None:
            diff["identity_keys"] = [None, upd.identity_keys]
        if upd.scope is not None:
            diff["scope"] = [None, upd.scope]
        events.append(HistoryEvent(upd.uid, "ci", EventKind.UPDATED, diff, upd.source, actor, at))
    for list_name, kind in _CI_STATUS_KINDS.items():
        for sc in getattr(changes, list_name):
            events.append(_status_event(sc, "ci", kind, actor, at))
    for rel in changes.rel_adds:
        diff = {name: [None, value] for name, value in rel.attributes.items()}
        diff["status"] = [None, rel.status.value]
        events.append(rel_event(rel, EventKind.REL_ADDED, diff, ",".join(rel.sources), actor, at))
    for ru in changes.rel_updates:
        diff = {name: [old, new] for name, (old, new) in ru.changes.items()}
        diff["sources"] = [None, ru.sources]
        diff["scopes"] = [None, ru.scopes]
        events.append(
            HistoryEvent(
                ru.key,
                "rel",
                EventKind.REL_UPDATED,
                diff,
                ",".join(ru.sources),
                actor,
                at,
                _ends(ru.key),
                ru.type,
            )
        )
    for list_name, kind in _REL_STATUS_KINDS.items():
        for sc in getattr(changes, list_name):
            events.append(_status_event(sc, "rel", kind, actor, at))
    return events


def _status_event(
    sc: StatusChange, subject_kind: str, kind: EventKind, actor: str, at: datetime
) -> HistoryEvent:
    changes: dict[str, list[Any]] = {
        "status": [sc.old, sc.new],
        "missing_runs": [None, sc.missing_runs],
    }
    related = _ends(sc.subject) if subject_kind == "rel" else []
    return HistoryEvent(sc.subject, subject_kind, kind, changes, "system", actor, at, related)


def fold(uid: str, events: Iterable[HistoryEvent]) -> CI | None:
    """The CI rebuilt from its own events (oldest first); None before it was created."""
    ci: CI | None = None
    for event in events:
        if event.subject != uid or event.subject_kind != "ci":
            continue
        if event.kind is EventKind.CREATED:
            ci = CI(uid=uid, ci_class=event.ci_class or "", name=uid, first_seen=event.at)
        if ci is None:
            continue
        _apply_event(ci, event)
    return ci


def _apply_event(ci: CI, event: HistoryEvent) -> None:
    for name, (_old, new) in event.changes.items():
        if name == "status":
            ci.status = CIStatus(new)
        elif name == "review_state":
            ci.review_state = ReviewState(new)
        elif name == "ci_class":
            ci.ci_class = new
        elif name == "missing_runs":
            ci.missing_runs = int(new or 0)
        elif name in ("reviewed_by", "merged_into", "scope"):
            setattr(ci, name, new)
        elif name == "identity_keys":
            ci.identity_keys = list(new or [])
        elif new is None:
            ci.attributes.pop(name, None)
        else:
            ci.attributes[name] = new
    if event.kind is EventKind.REVIEW:
        ci.reviewed_at = event.at
    ci.name = str(ci.attributes.get("name") or ci.uid)
    ci.changed_at = event.at


def snapshot_diff(before: CI | None, after: CI | None) -> dict[str, tuple[Any, Any]]:
    """Attributes, status and review state that differ between two snapshots of a CI."""

    def flat(ci: CI | None) -> dict[str, Any]:
        if ci is None:
            return {}
        return {**ci.attributes, "status": ci.status.value, "review_state": ci.review_state.value}

    a, b = flat(before), flat(after)
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
