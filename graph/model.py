"""Typed records of the CI graph: what the stores keep and what reconciliation produces.

Plain dataclasses, so that the pure reconciliation code, both stores and the API share one
vocabulary. ``to_json``/``from_json`` helpers give a JSON-compatible dict form (datetimes as
ISO-8601 text) used by the embedded store's SQLite tables, the Neo4j provenance property and
the API.

Vocabulary:
- *uid*: stable identifier of a CI (see ``graph.identity`` and ``CIClass.key_doc``).
- *scope*: ``"<device uid>#<section>"``, the place a discovered CI or relationship is seen
  from. Stale handling only marks something missing when a run reached that scope.
- *rel key*: ``"<source uid>-[TYPE]->(target uid)"``, unique per relationship.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar


class CIStatus(enum.StrEnum):
    ACTIVE = "active"
    MISSING = "missing"  # not seen although the run reached where it would have been seen
    RETIRED = "retired"  # missing K runs in a row (or merged away); never deleted
    PLACEHOLDER = "placeholder"  # named by a neighbour, not discovered itself (yet)


class RelStatus(enum.StrEnum):
    ACTIVE = "active"
    MISSING = "missing"
    RETIRED = "retired"


class ReviewState(enum.StrEnum):
    NEW = "new"
    APPROVED = "approved"
    REJECTED = "rejected"


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def utc_text(at: datetime) -> str:
    """Fixed-width UTC text of a time: text order is time order (stores compare it as text)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def rel_key(rel_type: str, source: str, target: str) -> str:
    """The unique key of a relationship; symmetric types must be given in canonical order."""
    return f"{source}-[{rel_type}]->({target})"


def scope_key(device_uid: str, section: str) -> str:
    return f"{device_uid}#{section}"


@dataclass(slots=True)
class Provenance:
    """Where an attribute's current value came from and when it was last confirmed."""

    source: str  # "snmp" / "ssh" / "manual" (or any configured source name)
    run_id: str | None  # discovery run id, or None for manual edits
    confirmed_at: datetime
    actor: str | None = None  # user who set a manual value

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "source": self.source,
            "run_id": self.run_id,
            "confirmed_at": _dt(self.confirmed_at),
        }
        if self.actor is not None:
            doc["actor"] = self.actor
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Provenance:
        at = _parse_dt(doc["confirmed_at"])
        assert at is not None
        return cls(doc["source"], doc.get("run_id"), at, doc.get("actor"))


def provenance_to_json(prov: dict[str, Provenance]) -> dict[str, Any]:
    return {name: p.to_json() for name, p in prov.items()}


def provenance_from_json(doc: dict[str, Any]) -> dict[str, Provenance]:
    return {name: Provenance.from_json(p) for name, p in doc.items()}


@dataclass(slots=True)
class CI:
    """One configuration item.

    ``attributes`` holds schema attributes only (discovered and manual), never None values.
    ``identity_keys`` are the identification keys (``serial:...``, ``mac:...``, ``name:...``,
    ``ip:...``, ``host:...``) that map observations to this CI; merge moves them.
    """

    uid: str
    ci_class: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    status: CIStatus = CIStatus.ACTIVE
    review_state: ReviewState = ReviewState.NEW
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    missing_runs: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_run: str | None = None  # last run that confirmed it or counted it missing
    changed_at: datetime | None = None  # last change of attributes or status
    scope: str | None = None  # "<device uid>#<section>" for discovered children; None otherwise
    identity_keys: list[str] = field(default_factory=list)
    merged_into: str | None = None
    authored: bool = False  # created by a person (BusinessService, manual Application)

    def to_json(self) -> dict[str, Any]:
        doc = {f.name: getattr(self, f.name) for f in fields(self)}
        doc["status"] = self.status.value
        doc["review_state"] = self.review_state.value
        doc["provenance"] = provenance_to_json(self.provenance)
        doc["attributes"] = dict(self.attributes)
        doc["identity_keys"] = list(self.identity_keys)
        for name in ("reviewed_at", "first_seen", "last_seen", "changed_at"):
            doc[name] = _dt(doc[name])
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> CI:
        return cls(
            uid=doc["uid"],
            ci_class=doc["ci_class"],
            name=doc["name"],
            attributes=dict(doc.get("attributes") or {}),
            provenance=provenance_from_json(doc.get("provenance") or {}),
            status=CIStatus(doc.get("status", "active")),
            review_state=ReviewState(doc.get("review_state", "new")),
            reviewed_by=doc.get("reviewed_by"),
            reviewed_at=_parse_dt(doc.get("reviewed_at")),
            missing_runs=int(doc.get("missing_runs") or 0),
            first_seen=_parse_dt(doc.get("first_seen")),
            last_seen=_parse_dt(doc.get("last_seen")),
            last_run=doc.get("last_run"),
            changed_at=_parse_dt(doc.get("changed_at")),
            scope=doc.get("scope"),
            identity_keys=list(doc.get("identity_keys") or []),
            merged_into=doc.get("merged_into"),
            authored=bool(doc.get("authored", False)),
        )


@dataclass(slots=True)
class Relationship:
    """A typed, directed relationship between two CIs (symmetric types in canonical order).

    ``sources`` are the source kinds that reported it (snmp/ssh, or manual); ``scopes`` are the
    places it can be seen from (both ends' neighbour sections for a CONNECTED_TO link).
    """

    type: str
    source: str
    target: str
    attributes: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    status: RelStatus = RelStatus.ACTIVE
    manual: bool = False
    missing_runs: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_run: str | None = None
    created_by: str | None = None  # user, for manual relationships

    @property
    def key(self) -> str:
        return rel_key(self.type, self.source, self.target)

    def to_json(self) -> dict[str, Any]:
        doc = {f.name: getattr(self, f.name) for f in fields(self)}
        doc["status"] = self.status.value
        doc["attributes"] = dict(self.attributes)
        doc["sources"] = list(self.sources)
        doc["scopes"] = list(self.scopes)
        doc["first_seen"] = _dt(self.first_seen)
        doc["last_seen"] = _dt(self.last_seen)
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Relationship:
        return cls(
            type=doc["type"],
            source=doc["source"],
            target=doc["target"],
            attributes=dict(doc.get("attributes") or {}),
            sources=list(doc.get("sources") or []),
            scopes=list(doc.get("scopes") or []),
            status=RelStatus(doc.get("status", "active")),
            manual=bool(doc.get("manual", False)),
            missing_runs=int(doc.get("missing_runs") or 0),
            first_seen=_parse_dt(doc.get("first_seen")),
            last_seen=_parse_dt(doc.get("last_seen")),
            last_run=doc.get("last_run"),
            created_by=doc.get("created_by"),
        )


# --------------------------------------------------------------------------- change sets


@dataclass(slots=True)
class CIUpdate:
    """Changed attributes of an existing CI: ``changes`` maps attribute -> (old, new).

    ``provenance`` is the CI's complete provenance after the update (the stores write it as a
    whole). ``identity_keys`` is the complete new key list when keys were added, else None.
    ``ci_class`` is (old, new) when a placeholder turned out to be of another class.
    """

    uid: str
    changes: dict[str, tuple[Any, Any]]
    provenance: dict[str, Provenance]
    source: str
    identity_keys: list[str] | None = None
    ci_class: tuple[str, str] | None = None
    name: tuple[str, str] | None = None
    scope: str | None = None  # new scope when it moved (an address seen on another device)


@dataclass(slots=True)
class StatusChange:
    """A CI or relationship changing status (or counting one more missing run)."""

    subject: str  # CI uid or rel key
    old: str
    new: str
    missing_runs: int


@dataclass(slots=True)
class Confirmation:
    """Seen again, unchanged: bump last_seen/last_run and the confirmed attributes' provenance."""

    uid: str
    provenance: dict[str, Provenance]


@dataclass(slots=True)
class RelUpdate:
    """Changed attributes / sources / scopes of an existing relationship."""

    key: str
    type: str
    changes: dict[str, tuple[Any, Any]]
    sources: list[str]
    scopes: list[str]


@dataclass(slots=True)
class ChangeSet:
    """The result of reconciling one run's observations with the graph; reviewable before apply."""

    run_id: str
    at: datetime
    creates: list[CI] = field(default_factory=list)
    updates: list[CIUpdate] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)
    missing: list[StatusChange] = field(default_factory=list)
    retired: list[StatusChange] = field(default_factory=list)
    reappeared: list[StatusChange] = field(default_factory=list)  # missing/retired -> active
    completed: list[StatusChange] = field(default_factory=list)  # placeholder -> active
    rel_adds: list[Relationship] = field(default_factory=list)
    rel_updates: list[RelUpdate] = field(default_factory=list)
    # (type, key) of relationships seen again unchanged. Counted, not written: rewriting
    # every relationship each night is most of a no-op run's cost (300k writes on a 100k-CI
    # graph). A relationship's status is kept exact by stale handling; its last_seen/last_run
    # are those of its creation or last change of attributes or status.
    rel_confirmations: list[tuple[str, str]] = field(default_factory=list)
    rel_missing: list[StatusChange] = field(default_factory=list)
    rel_retired: list[StatusChange] = field(default_factory=list)
    rel_reappeared: list[StatusChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when nothing but confirmations: applying it changes no value or status."""
        return not any(
            (
                self.creates,
                self.updates,
                self.missing,
                self.retired,
                self.reappeared,
                self.completed,
                self.rel_adds,
                self.rel_updates,
                self.rel_missing,
                self.rel_retired,
                self.rel_reappeared,
            )
        )

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "confirmed": len(self.confirmations),
            "missing": len(self.missing),
            "retired": len(self.retired),
            "reappeared": len(self.reappeared),
            "completed": len(self.completed),
            "rels_added": len(self.rel_adds),
            "rels_updated": len(self.rel_updates),
            "rels_missing": len(self.rel_missing),
            "rels_retired": len(self.rel_retired),
            "rels_reappeared": len(self.rel_reappeared),
        }


@dataclass(slots=True)
class ApplySummary:
    run_id: str | None
    counts: dict[str, int]
    events: int  # history events written


# --------------------------------------------------------------------------- history


class EventKind(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MISSING = "missing"
    RETIRED = "retired"
    REAPPEARED = "reappeared"
    COMPLETED = "completed"
    MANUAL = "manual"  # a person edited manual attributes
    REVIEW = "review"
    MERGED = "merged"
    REL_ADDED = "rel_added"
    REL_UPDATED = "rel_updated"
    REL_MISSING = "rel_missing"
    REL_RETIRED = "rel_retired"
    REL_REAPPEARED = "rel_reappeared"
    REL_REMOVED = "rel_removed"  # a person unlinked a manual relationship


@dataclass(slots=True)
class HistoryEvent:
    """One recorded change. ``changes`` maps field -> [old, new]; status is field ``status``.

    ``subject`` is a CI uid or a rel key; for relationship events ``related`` holds both end
    uids so that a CI's history includes the relationships it gained and lost.
    """

    subject: str
    subject_kind: str  # "ci" / "rel"
    kind: EventKind
    changes: dict[str, list[Any]]
    source: str  # snmp / ssh / manual / system
    actor: str  # run id or user name
    at: datetime
    related: list[str] = field(default_factory=list)
    ci_class: str | None = None  # for CI events; the rel type for relationship events

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "subject_kind": self.subject_kind,
            "kind": self.kind.value,
            "changes": self.changes,
            "source": self.source,
            "actor": self.actor,
            "at": _dt(self.at),
            "related": list(self.related),
            "ci_class": self.ci_class,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> HistoryEvent:
        at = _parse_dt(doc["at"])
        assert at is not None
        return cls(
            subject=doc["subject"],
            subject_kind=doc["subject_kind"],
            kind=EventKind(doc["kind"]),
            changes={k: list(v) for k, v in (doc.get("changes") or {}).items()},
            source=doc["source"],
            actor=doc["actor"],
            at=at,
            related=list(doc.get("related") or []),
            ci_class=doc.get("ci_class"),
        )


# --------------------------------------------------------------------------- query results

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


@dataclass(slots=True)
class Subgraph:
    """CIs and the relationships among them (a traversal result or a graph export)."""

    cis: list[CI] = field(default_factory=list)
    rels: list[Relationship] = field(default_factory=list)

    def uids(self) -> set[str]:
        return {c.uid for c in self.cis}


@dataclass(slots=True)
class Path:
    """A path between two CIs: ``uids[i]`` and ``uids[i+1]`` are joined by ``rels[i]``."""

    uids: list[str]
    rels: list[Relationship]


@dataclass(slots=True)
class ConfigVersion:
    """One stored version of a device's (masked) configuration."""

    device_uid: str
    version: int  # 1, 2, ... per device
    sha256: str
    text: str
    format: str
    run_id: str | None
    at: datetime

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["at"] = _dt(self.at)
        return doc


# --------------------------------------------------------------------------- reconcile input


@dataclass(slots=True)
class GraphState:
    """What reconciliation needs to know about the graph: every CI and relationship."""

    cis: dict[str, CI] = field(default_factory=dict)
    rels: dict[str, Relationship] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunContext:
    """One discovery run: its id, time, the source precedence and K (retire after K misses)."""

    run_id: str
    at: datetime
    precedence: dict[str, int] = field(
        default_factory=lambda: {"manual": 30, "ssh": 20, "snmp": 10}
    )
    retire_after: int = 3
