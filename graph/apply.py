"""Applying a ChangeSet to an in-memory GraphState.

The embedded store's write path, and the reference semantics the Neo4j store's Cypher
follows (the contract suite checks that both agree). Returns what it touched so that a
store can persist exactly those records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

from graph.bulk import gc_paused
from graph.model import CI, ChangeSet, CIStatus, GraphState, Relationship, RelStatus, StatusChange


@dataclass(slots=True)
class Touched:
    cis: set[str] = field(default_factory=set)
    rels: set[str] = field(default_factory=set)


R = TypeVar("R", CI, Relationship)


# Every field of a record, in declaration order: ``cls(*_FIELDS[cls](record))`` is a shallow
# copy, several times faster than copy.copy on a slotted dataclass.
_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    cls: attrgetter(*(f.name for f in fields(cls))) for cls in (CI, Relationship)
}


def own_copy(record: R) -> R:
    """A copy whose dicts and lists are not shared with the caller's (cheaper than deepcopy).

    Provenance objects are shared: nothing mutates them in place, they are only replaced.
    """
    cls = type(record)
    dup = cls(*_FIELDS[cls](record))
    dup.attributes = dict(record.attributes)
    if isinstance(dup, CI) and isinstance(record, CI):
        dup.provenance = dict(record.provenance)
        dup.identity_keys = list(record.identity_keys)
    elif isinstance(dup, Relationship) and isinstance(record, Relationship):
        dup.sources, dup.scopes = list(record.sources), list(record.scopes)
    return dup


def apply_to_state(state: GraphState, changes: ChangeSet) -> Touched:
    """Update ``state`` by ``changes``; idempotent (applying the same set twice is harmless).

    Entries about unknown CIs/relationships are skipped, and a relationship is only added
    when both ends exist (the Neo4j store's MATCH ... MERGE does the same). Relationship
    confirmations are counted but not written (see ``ChangeSet.rel_confirmations``).

    Copy-on-write: changed records are replaced by new objects, never mutated, so a
    GraphState handed out earlier (``load_state``) keeps describing the graph it was taken of.
    """
    with gc_paused():
        return _apply(state, changes)


def _apply(state: GraphState, changes: ChangeSet) -> Touched:
    touched = Touched()
    at, run_id = changes.at, changes.run_id
    for ci in changes.creates:
        state.cis[ci.uid] = own_copy(ci)
        touched.cis.add(ci.uid)
    for upd in changes.updates:
        if upd.uid not in state.cis:
            continue  # unknown CI (a part applied out of order): nothing to update
        ci = state.cis[upd.uid] = own_copy(state.cis[upd.uid])
        for name, (_old, new) in upd.changes.items():
            if new is None:
                ci.attributes.pop(name, None)
            else:
                ci.attributes[name] = new
        ci.provenance = dict(upd.provenance)
        if upd.identity_keys is not None:
            ci.identity_keys = list(upd.identity_keys)
        if upd.ci_class:
            ci.ci_class = upd.ci_class[1]
        if upd.scope is not None:
            ci.scope = upd.scope
        ci.name = str(ci.attributes.get("name") or ci.uid)
        ci.last_seen, ci.last_run, ci.changed_at = at, run_id, at
        touched.cis.add(upd.uid)
    for conf in changes.confirmations:
        if conf.uid not in state.cis:
            continue
        ci = state.cis[conf.uid] = own_copy(state.cis[conf.uid])
        ci.provenance = dict(conf.provenance)
        ci.last_seen, ci.last_run = at, run_id
        touched.cis.add(conf.uid)
    for sc in (*changes.missing, *changes.retired, *changes.reappeared, *changes.completed):
        if sc.subject not in state.cis:
            continue
        state.cis[sc.subject] = own_copy(state.cis[sc.subject])
        _ci_status(state.cis[sc.subject], sc, changes)
        touched.cis.add(sc.subject)
    _apply_rels(state, changes, touched)
    return touched


def _ci_status(ci: CI, sc: StatusChange, changes: ChangeSet) -> None:
    ci.status = CIStatus(sc.new)
    ci.missing_runs = sc.missing_runs
    ci.last_run = changes.run_id
    ci.changed_at = changes.at
    if ci.status is CIStatus.ACTIVE:
        ci.last_seen = changes.at


def _apply_rels(state: GraphState, changes: ChangeSet, touched: Touched) -> None:
    for rel in changes.rel_adds:
        if rel.source not in state.cis or rel.target not in state.cis:
            continue  # both ends must exist, as in Neo4j
        state.rels[rel.key] = own_copy(rel)
        touched.rels.add(rel.key)
    for ru in changes.rel_updates:
        if ru.key not in state.rels:
            continue
        existing = state.rels[ru.key] = own_copy(state.rels[ru.key])
        for name, (_old, new) in ru.changes.items():
            if new is None:
                existing.attributes.pop(name, None)
            else:
                existing.attributes[name] = new
        existing.sources, existing.scopes = list(ru.sources), list(ru.scopes)
        touched.rels.add(ru.key)
    for sc in (*changes.rel_missing, *changes.rel_retired, *changes.rel_reappeared):
        if sc.subject not in state.rels:
            continue
        state.rels[sc.subject] = own_copy(state.rels[sc.subject])
        _rel_status(state.rels[sc.subject], sc, changes)
        touched.rels.add(sc.subject)


def _rel_status(rel: Relationship, sc: StatusChange, changes: ChangeSet) -> None:
    rel.status = RelStatus(sc.new)
    rel.missing_runs = sc.missing_runs
    rel.last_run = changes.run_id
    if rel.status is RelStatus.ACTIVE:
        rel.last_seen = changes.at
