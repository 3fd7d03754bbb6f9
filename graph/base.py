"""What both stores share: people's edits, history folding and config versions.

The rules of an edit (validation by the schema, provenance "manual", the history event) are
written once here. A store only provides a few primitives: read a CI / relationship, list a
CI's relationships and children, and ``_write`` CIs, relationships, deletions and events in
one transaction.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from discovery.observations import ConfigSnapshot
from graph import identity as ident
from graph.apply import own_copy
from graph.history import created_event, fold, rel_event, snapshot_diff
from graph.model import (
    CI,
    CIStatus,
    ConfigVersion,
    EventKind,
    GraphState,
    HistoryEvent,
    Provenance,
    Relationship,
    RelStatus,
    ReviewState,
    Subgraph,
    rel_key,
)
from graph.schema import (
    CLASSES,
    DEVICE_CLASSES,
    SchemaError,
    ci_class,
    rel_type,
    validate_attrs,
    validate_rel,
)
from graph.store import Conflict, Direction, NotFound

MANUAL = "manual"
# Classes people may create by hand, and how their uid is formed.
_AUTHORABLE = {
    "BusinessService": ident.business_service_uid,
    "Application": lambda name: f"app:{ident.slug(name)}",
    "Location": ident.location_uid,
}


def now() -> datetime:
    return datetime.now(UTC)


class StoreBase(abc.ABC):
    """People's edits expressed over a handful of storage primitives."""

    # primitives -------------------------------------------------------------------------
    @abc.abstractmethod
    def get_ci(self, uid: str) -> CI | None: ...

    @abc.abstractmethod
    def _get_rel(self, key: str) -> Relationship | None: ...

    @abc.abstractmethod
    def relationships(
        self, uid: str, direction: Direction = "both", types: Iterable[str] | None = None
    ) -> list[Relationship]: ...

    @abc.abstractmethod
    def _children(self, uid: str) -> list[CI]:
        """CIs whose uid was derived from ``uid`` (``uid/...``)."""

    @abc.abstractmethod
    def _write(
        self,
        cis: list[CI],
        rels: list[Relationship],
        deleted: list[Relationship],
        events: list[HistoryEvent],
    ) -> None:
        """Upsert CIs and relationships, delete relationships, append events: atomically."""

    @abc.abstractmethod
    def history(
        self,
        uid: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        limit: int = 1000,
    ) -> list[HistoryEvent]: ...

    @abc.abstractmethod
    def config_versions(self, device_uid: str) -> list[ConfigVersion]: ...

    @abc.abstractmethod
    def _insert_config(self, version: ConfigVersion) -> None: ...

    # helpers ----------------------------------------------------------------------------
    def _require(self, uid: str) -> CI:
        ci = self.get_ci(uid)
        if ci is None:
            raise NotFound(f"no CI {uid!r}")
        return ci

    # history ----------------------------------------------------------------------------
    def ci_as_of(self, uid: str, at: datetime) -> CI | None:
        return fold(uid, self.history(uid, until=at, limit=1_000_000))

    def diff(self, uid: str, t1: datetime, t2: datetime) -> dict[str, tuple[Any, Any]]:
        events = self.history(uid, until=max(t1, t2), limit=1_000_000)
        before = fold(uid, (e for e in events if e.at <= min(t1, t2)))
        return (
            snapshot_diff(before, fold(uid, events))
            if t1 <= t2
            else snapshot_diff(fold(uid, events), before)
        )

    # edits --------------------------------------------------------------------------------
    def set_manual_attrs(self, uid: str, attrs: dict[str, Any], user: str) -> CI:
        ci = self._require(uid)
        validate_attrs(ci_class(ci.ci_class), attrs, manual=not ci.authored)
        at = now()
        changes: dict[str, list[Any]] = {}
        for name, value in attrs.items():
            old = ci.attributes.get(name)
            if old == value:
                continue
            changes[name] = [old, value]
            if value is None:
                ci.attributes.pop(name, None)
                ci.provenance.pop(name, None)
            else:
                ci.attributes[name] = value
                ci.provenance[name] = Provenance(MANUAL, None, at, actor=user)
        if changes:
            ci.name = str(ci.attributes.get("name") or ci.uid)
            ci.changed_at = at
            event = HistoryEvent(uid, "ci", EventKind.MANUAL, changes, MANUAL, user, at)
            self._write([ci], [], [], [event])
        return ci

    def set_review(self, uid: str, state: ReviewState, user: str) -> CI:
        ci = self._require(uid)
        state = ReviewState(state)
        at = now()
        changes: dict[str, list[Any]] = {
            "review_state": [ci.review_state.value, state.value],
            "reviewed_by": [ci.reviewed_by, user],
        }
        ci.review_state, ci.reviewed_by, ci.reviewed_at = state, user, at
        self._write(
            [ci], [], [], [HistoryEvent(uid, "ci", EventKind.REVIEW, changes, MANUAL, user, at)]
        )
        return ci

    def create_ci(self, ci_class_name: str, attrs: dict[str, Any], user: str) -> CI:
        cls = ci_class(ci_class_name)
        make_uid = _AUTHORABLE.get(cls.name)
        if make_uid is None:
            raise SchemaError(f"{cls.name} CIs are discovered, not created by hand")
        validate_attrs(cls, attrs, manual=False)
        name = attrs.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SchemaError(f"a {cls.name} needs a name")
        uid = make_uid(name)
        if self.get_ci(uid) is not None:
            raise Conflict(f"{uid!r} already exists")
        at = now()
        values = {k: v for k, v in attrs.items() if v is not None}
        ci = CI(
            uid=uid,
            ci_class=cls.name,
            name=name,
            attributes=values,
            provenance={k: Provenance(MANUAL, None, at, actor=user) for k in values},
            review_state=ReviewState.APPROVED,
            reviewed_by=user,
            reviewed_at=at,
            first_seen=at,
            last_seen=at,
            changed_at=at,
            authored=True,
        )
        self._write([ci], [], [], [created_event(ci, MANUAL, user, at)])
        return ci

    def link(
        self, source: str, rel: str, target: str, attrs: dict[str, Any] | None, user: str
    ) -> Relationship:
        src, dst = self._require(source), self._require(target)
        rt = validate_rel(rel, src.ci_class, dst.ci_class)
        values = {k: v for k, v in (attrs or {}).items()}
        for name, value in values.items():
            spec = next((a for a in rt.attrs if a.name == name), None)
            if spec is None or not spec.accepts(value):
                raise SchemaError(f"{rel} has no attribute {name!r} of that type")
        if rt.symmetric:
            source, target = sorted((source, target))
        at = now()
        existing = self._get_rel(rel_key(rel, source, target))
        if existing is not None:
            changes = {
                k: [existing.attributes.get(k), v]
                for k, v in values.items()
                if existing.attributes.get(k) != v
            }
            existing.attributes.update({k: v for k, v in values.items() if v is not None})
            existing.manual = True
            changes["manual"] = [False, True]
            event = rel_event(existing, EventKind.REL_UPDATED, changes, MANUAL, user, at)
            self._write([], [existing], [], [event])
            return existing
        new = Relationship(
            type=rel,
            source=source,
            target=target,
            attributes={k: v for k, v in values.items() if v is not None},
            sources=[MANUAL],
            manual=True,
            first_seen=at,
            last_seen=at,
            created_by=user,
        )
        changes = {k: [None, v] for k, v in new.attributes.items()} | {"status": [None, "active"]}
        self._write([], [new], [], [rel_event(new, EventKind.REL_ADDED, changes, MANUAL, user, at)])
        return new

    def unlink(self, source: str, rel: str, target: str, user: str) -> None:
        rt = validate_rel(rel, self._require(source).ci_class, self._require(target).ci_class)
        if rt.symmetric:
            source, target = sorted((source, target))
        existing = self._get_rel(rel_key(rel, source, target))
        if existing is None:
            raise NotFound(f"no {rel} from {source!r} to {target!r}")
        if not existing.manual:
            raise Conflict("discovered relationships are retired by discovery, not removed by hand")
        event = rel_event(
            existing,
            EventKind.REL_REMOVED,
            {"status": [existing.status.value, None]},
            MANUAL,
            user,
            now(),
        )
        self._write([], [], [existing], [event])

    def merge(self, keep_uid: str, drop_uid: str, user: str) -> CI:
        keep, drop = self._require(keep_uid), self._require(drop_uid)
        if keep_uid == drop_uid or drop.merged_into or keep.merged_into:
            raise Conflict("a CI cannot be merged into itself or twice")
        same_kind = keep.ci_class == drop.ci_class or {keep.ci_class, drop.ci_class} <= set(
            DEVICE_CLASSES
        )
        if not same_kind:
            raise Conflict(f"cannot merge a {drop.ci_class} into a {keep.ci_class}")
        at = now()
        events: list[HistoryEvent] = []
        moved, deleted = self._move_rels(keep_uid, drop_uid, user, at, events)
        old_keys = list(keep.identity_keys)
        keep.identity_keys = ident.sort_keys(set(keep.identity_keys) | set(drop.identity_keys))
        filled = self._fill_attrs(keep, drop)
        keep.changed_at = at
        keep_changes: dict[str, list[Any]] = {name: [None, value] for name, value in filled.items()}
        keep_changes["identity_keys"] = [old_keys, keep.identity_keys]
        events.append(
            HistoryEvent(
                keep_uid, "ci", EventKind.MERGED, keep_changes, MANUAL, user, at, [drop_uid]
            )
        )
        drop_changes: dict[str, list[Any]] = {
            "status": [drop.status.value, CIStatus.RETIRED.value],
            "merged_into": [None, keep_uid],
            "identity_keys": [drop.identity_keys, []],
        }
        events.append(
            HistoryEvent(
                drop_uid, "ci", EventKind.MERGED, drop_changes, MANUAL, user, at, [keep_uid]
            )
        )
        drop.status, drop.merged_into, drop.identity_keys, drop.changed_at = (
            CIStatus.RETIRED,
            keep_uid,
            [],
            at,
        )
        children = self._rescope_children(keep_uid, drop_uid)
        self._write([keep, drop, *children], moved, deleted, events)
        return keep

    def _fill_attrs(self, keep: CI, drop: CI) -> dict[str, Any]:
        """Attributes keep lacks and drop has (a person merging duplicates wants both halves)."""
        filled: dict[str, Any] = {}
        spec = CLASSES[keep.ci_class]
        for name, value in drop.attributes.items():
            if name not in keep.attributes and spec.attr(name) is not None:
                keep.attributes[name] = value
                if name in drop.provenance:
                    keep.provenance[name] = drop.provenance[name]
                filled[name] = value
        return filled

    def _move_rels(
        self, keep_uid: str, drop_uid: str, user: str, at: datetime, events: list[HistoryEvent]
    ) -> tuple[list[Relationship], list[Relationship]]:
        moved: dict[str, Relationship] = {}
        deleted: list[Relationship] = []
        for rel in self.relationships(drop_uid, "both"):
            deleted.append(rel)
            events.append(
                rel_event(
                    rel,
                    EventKind.REL_REMOVED,
                    {"status": [rel.status.value, None]},
                    MANUAL,
                    user,
                    at,
                )
            )
            new = own_copy(rel)
            new.source = keep_uid if rel.source == drop_uid else rel.source
            new.target = keep_uid if rel.target == drop_uid else rel.target
            if new.source == new.target:
                continue
            if self._is_symmetric(rel.type):
                new.source, new.target = sorted((new.source, new.target))
            new.scopes = sorted({_rescope(s, keep_uid, drop_uid) for s in rel.scopes})
            current = moved.get(new.key) or self._get_rel(new.key)
            if current is not None:
                current.sources = sorted(set(current.sources) | set(new.sources))
                current.scopes = sorted(set(current.scopes) | set(new.scopes))
                new = current
            moved[new.key] = new
            changes = {"status": [None, new.status.value], "merged_from": [None, drop_uid]}
            events.append(rel_event(new, EventKind.REL_ADDED, changes, MANUAL, user, at))
        return list(moved.values()), deleted

    @staticmethod
    def _is_symmetric(rel_type: str) -> bool:
        from graph.schema import rel_type as lookup

        return lookup(rel_type).symmetric

    def _rescope_children(self, keep_uid: str, drop_uid: str) -> list[CI]:
        """Drop's children are now seen (or not) from keep's sections."""
        children = []
        for child in self._children(drop_uid):
            if child.scope and child.scope.startswith(drop_uid + "#"):
                child.scope = _rescope(child.scope, keep_uid, drop_uid)
                children.append(child)
        return children

    # configuration versions ------------------------------------------------------------------
    def put_config_snapshot(
        self, device_uid: str, snapshot: ConfigSnapshot, run_id: str | None, at: datetime
    ) -> ConfigVersion | None:
        self._require(device_uid)
        versions = self.config_versions(device_uid)
        if versions and versions[-1].sha256 == snapshot.sha256:
            return None
        version = ConfigVersion(
            device_uid=device_uid,
            version=(versions[-1].version + 1) if versions else 1,
            sha256=snapshot.sha256,
            text=snapshot.text,
            format=snapshot.format,
            run_id=run_id,
            at=at,
        )
        self._insert_config(version)
        return version

    def get_config_version(self, device_uid: str, version: int) -> ConfigVersion | None:
        return next((v for v in self.config_versions(device_uid) if v.version == version), None)


def _rescope(scope: str, keep_uid: str, drop_uid: str) -> str:
    return keep_uid + scope[len(drop_uid) :] if scope.startswith(drop_uid + "#") else scope


def export_state(state: GraphState, include_retired: bool) -> Subgraph:
    """The graph as a subgraph ordered by uid and key; relationships only between kept CIs."""
    cis = [c for c in state.cis.values() if include_retired or c.status is not CIStatus.RETIRED]
    live = {c.uid for c in cis}
    rels = [
        r
        for r in state.rels.values()
        if (include_retired or r.status is not RelStatus.RETIRED)
        and r.source in live
        and r.target in live
    ]
    return Subgraph(sorted(cis, key=lambda c: c.uid), sorted(rels, key=lambda r: r.key))


def check_types(types: Iterable[str] | None) -> set[str] | None:
    if types is None:
        return None
    wanted = set(types)
    for name in wanted:
        rel_type(name)  # refuses unknown types
    return wanted


def check_filters(cls_name: str | None, filters: dict[str, Any]) -> None:
    """Filters must name schema attributes (of the class, or of any class)."""
    classes = [ci_class(cls_name)] if cls_name else list(CLASSES.values())
    for name in filters:
        if not any(c.attr(name) is not None for c in classes):
            raise SchemaError(f"unknown attribute {name!r} for filtering")
