"""The Neo4j store: the same contract as the embedded store, on a Neo4j 5 server.

Layout: every CI is a node labelled ``:CI:<Class>`` (plus the class's extra labels, e.g.
``:Device``) with its schema attributes as plain properties, its own fields (status, review,
times, scope, identity keys) as properties listed in ``cypher.CI_META_PROPS``, and the
per-attribute provenance as a JSON text property. Relationships carry a unique ``key``
property (indexed), their attributes and their own fields. History events are written as
one ``:HistoryBatch`` node per write batch (time range and actors indexed, the uids and rel
keys it is about in ``subjects``, the events as JSON), so that a first load's hundreds of
thousands of events cost a few hundred nodes; API records are ``:Record`` nodes;
configuration versions are ``:ConfigVersion`` nodes.

Writes are batched ``UNWIND`` statements run inside managed transactions
(``Session.execute_write`` retries transient errors). A change set that fits in
``TX_BATCHES`` batches is written in one transaction; a bigger one is written batch by batch
in dependency order (nodes, then relationships, then statuses, then events), every batch
idempotent, so an interrupted apply is completed by the next run.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, LiteralString, TypeVar, cast

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl

from graph import cypher
from graph.apply import apply_to_state
from graph.base import StoreBase, check_filters, check_types, export_state
from graph.bulk import gc_paused
from graph.history import events_for
from graph.model import (
    CI,
    ApplySummary,
    ChangeSet,
    CIStatus,
    CIUpdate,
    ConfigVersion,
    Confirmation,
    GraphState,
    HistoryEvent,
    Page,
    Path,
    Provenance,
    Relationship,
    RelStatus,
    RelUpdate,
    ReviewState,
    StatusChange,
    Subgraph,
    utc_text,
)
from graph.schema import CLASSES, RELS, rel_type
from graph.settings import Settings, get_settings
from graph.store import Direction, TraverseDirection

log = logging.getLogger(__name__)

TX_BATCHES = 10  # change sets up to this many batches are written in one transaction

Statement = tuple[str, dict[str, Any]]
# A statement whose parameters are built only when it is about to run (see _run_write).
Deferred = Callable[[], Statement]
PREPARE_AHEAD = 2  # statements built ahead of the one running
T = TypeVar("T")


# Times are stored as fixed-width UTC text (``utc_text``): it compares like time, and the
# Python driver hydrates strings many times faster than DateTime values (14 s against 3 s
# for 100k nodes), which is most of what loading a big graph costs.
_TIME_PROPS = {"reviewed_at", "first_seen", "last_seen", "changed_at", "at"}
_CI_META = frozenset(cypher.CI_META_PROPS)
_REL_META = frozenset(cypher.REL_META_PROPS)


def _t(value: datetime | None) -> str | None:
    return utc_text(value) if value is not None else None


# A graph holds few distinct times (one per run, plus people's edits), so parsing each text
# once takes most of the time out of reading a big graph back. datetimes are immutable.
_parse_time = functools.lru_cache(maxsize=4096)(datetime.fromisoformat)


def _time(value: str | None) -> datetime | None:
    return _parse_time(value) if value is not None else None


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _parse_time(v) if k in _TIME_PROPS and isinstance(v, str) else v for k, v in raw.items()
    }


# ----------------------------------------------------------------------------- mapping


def ci_to_props(ci: CI) -> dict[str, Any]:
    props: dict[str, Any] = {k: v for k, v in ci.attributes.items() if v is not None}
    props.update(
        uid=ci.uid,
        ci_class=ci.ci_class,
        status=ci.status.value,
        review_state=ci.review_state.value,
        reviewed_by=ci.reviewed_by,
        reviewed_at=_t(ci.reviewed_at),
        missing_runs=ci.missing_runs,
        first_seen=_t(ci.first_seen),
        last_seen=_t(ci.last_seen),
        last_run=ci.last_run,
        changed_at=_t(ci.changed_at),
        scope=ci.scope,
        identity_keys=list(ci.identity_keys),
        merged_into=ci.merged_into,
        authored=ci.authored,
        provenance=encode_provenance(ci.provenance),
    )
    return {k: v for k, v in props.items() if v is not None}


# Provenance is stored as one JSON text per CI, grouped by stamp: the attributes confirmed
# by one source in one run share one entry, so the text stays short (a server's 11 SSH
# attributes: 1062 bytes as one entry per attribute, 223 grouped) and is the same for every
# CI of a kind confirmed by the same run.
#   [{"source": "ssh", "run_id": "run-8", "confirmed_at": "2026-...", "attrs": ["name", ...]}]
# (plus "actor" for people's edits). The first layout, an object keyed by attribute, still reads.


def encode_provenance(prov: dict[str, Provenance]) -> str:
    groups: dict[tuple[str, str | None, datetime, str | None], tuple[Provenance, list[str]]] = {}
    for name, p in prov.items():
        groups.setdefault((p.source, p.run_id, p.confirmed_at, p.actor), (p, []))[1].append(name)
    return json.dumps([{**p.to_json(), "attrs": names} for p, names in groups.values()])


def _provenance(text: str | None) -> dict[str, Provenance]:
    return dict(_decode_provenance(text)) if text else {}


# CIs confirmed by the same run share their provenance text, so a graph holds far fewer
# distinct texts than CIs. Provenance objects are never mutated in place (graph.apply
# replaces them), so sharing them is safe.
@functools.lru_cache(maxsize=8192)
def _decode_provenance(text: str) -> dict[str, Provenance]:
    doc = json.loads(text)
    if isinstance(doc, dict):  # the first layout: {"attr": {"source": ..., ...}}
        doc = [{**p, "attrs": [name]} for name, p in doc.items()]
    out: dict[str, Provenance] = {}
    for entry in doc:
        out.update(dict.fromkeys(entry["attrs"], Provenance.from_json(entry)))
    return out


def ci_from_props(raw: dict[str, Any]) -> CI:
    get = raw.get
    attributes = {k: v for k, v in raw.items() if k not in _CI_META}
    return CI(
        uid=raw["uid"],
        ci_class=raw["ci_class"],
        name=str(attributes.get("name") or raw["uid"]),
        attributes=attributes,
        provenance=_provenance(get("provenance")),
        status=CIStatus(get("status", "active")),
        review_state=ReviewState(get("review_state", "new")),
        reviewed_by=get("reviewed_by"),
        reviewed_at=_time(get("reviewed_at")),
        missing_runs=int(get("missing_runs") or 0),
        first_seen=_time(get("first_seen")),
        last_seen=_time(get("last_seen")),
        last_run=get("last_run"),
        changed_at=_time(get("changed_at")),
        scope=get("scope"),
        identity_keys=list(get("identity_keys") or []),
        merged_into=get("merged_into"),
        authored=bool(get("authored", False)),
    )


def rel_to_props(rel: Relationship) -> dict[str, Any]:
    props: dict[str, Any] = {k: v for k, v in rel.attributes.items() if v is not None}
    props.update(
        key=rel.key,
        sources=list(rel.sources),
        scopes=list(rel.scopes),
        status=rel.status.value,
        manual=rel.manual,
        missing_runs=rel.missing_runs,
        first_seen=_t(rel.first_seen),
        last_seen=_t(rel.last_seen),
        last_run=rel.last_run,
        created_by=rel.created_by,
    )
    return {k: v for k, v in props.items() if v is not None}


def rel_from_row(rtype: str, source: str, target: str, raw: dict[str, Any]) -> Relationship:
    get = raw.get
    return Relationship(
        type=rtype,
        source=source,
        target=target,
        attributes={k: v for k, v in raw.items() if k not in _REL_META},
        sources=list(get("sources") or []),
        scopes=list(get("scopes") or []),
        status=RelStatus(get("status", "active")),
        manual=bool(get("manual", False)),
        missing_runs=int(get("missing_runs") or 0),
        first_seen=_time(get("first_seen")),
        last_seen=_time(get("last_seen")),
        last_run=get("last_run"),
        created_by=get("created_by"),
    )


def history_batch_props(events: Sequence[HistoryEvent], ord_: int) -> dict[str, Any]:
    """One :HistoryBatch node's properties for a list of events (see cypher.create_history_batch)."""
    subjects = {e.subject for e in events} | {uid for e in events for uid in e.related}
    return {
        "at": utc_text(min(e.at for e in events)),
        "last_at": utc_text(max(e.at for e in events)),
        "ord": ord_,
        "actors": sorted({e.actor for e in events}),
        "subjects": sorted(subjects),
        "events": json.dumps([e.to_json() for e in events], default=str),
    }


def _matches(
    event: HistoryEvent,
    uid: str | None,
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
) -> bool:
    return (
        (uid is None or event.subject == uid or uid in event.related)
        and (since is None or event.at >= since)
        and (until is None or event.at <= until)
        and (actor is None or event.actor == actor)
    )


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _key_type(key: str) -> str:
    """The relationship type a rel key names (``src-[TYPE]->(dst)``), or "" if none."""
    _source, found, rest = key.partition("-[")
    return rest.split("]->(", 1)[0] if found else ""


def _ready(query: str, params: dict[str, Any]) -> Deferred:
    return lambda: (query, params)


def _prepared_ahead(statements: Sequence[Deferred]) -> Iterator[Statement]:
    """Each statement in order, built in a helper thread while the ones before it run.

    Building rows (props dicts, provenance and history JSON) is Python work; running them
    is the server's. Overlapping the two keeps both busy (the driver releases the GIL while
    it waits on the socket). At most ``PREPARE_AHEAD`` built statements wait in memory.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="cmdb-neo4j-prepare") as pool:
        rest = iter(statements)
        pending = deque(pool.submit(make) for make in itertools.islice(rest, PREPARE_AHEAD))
        try:
            while pending:
                statement = pending.popleft().result()
                following = next(rest, None)
                if following is not None:
                    pending.append(pool.submit(following))
                yield statement
        finally:
            for future in pending:
                future.cancel()


# Row builders: one UNWIND row per change-set entry (see the statements in graph.cypher).


def _ci_row(ci: CI) -> dict[str, Any]:
    return {"uid": ci.uid, "props": ci_to_props(ci)}


def _update_row(upd: CIUpdate, at: str, run: str) -> dict[str, Any]:
    props: dict[str, Any] = {name: new for name, (_old, new) in upd.changes.items()}
    props |= {
        "provenance": encode_provenance(upd.provenance),
        "last_seen": at,
        "last_run": run,
        "changed_at": at,
    }
    if upd.identity_keys is not None:
        props["identity_keys"] = upd.identity_keys
    if upd.scope is not None:
        props["scope"] = upd.scope
    if upd.ci_class:
        props["ci_class"] = upd.ci_class[1]
    return {"uid": upd.uid, "props": props}


def _confirm_row(conf: Confirmation) -> dict[str, Any]:
    return {"uid": conf.uid, "provenance": encode_provenance(conf.provenance)}


def _ci_status_row(sc: StatusChange) -> dict[str, Any]:
    return {"uid": sc.subject, "status": sc.new, "missing_runs": sc.missing_runs}


def _rel_status_row(sc: StatusChange) -> dict[str, Any]:
    return {"key": sc.subject, "status": sc.new, "missing_runs": sc.missing_runs}


def _rel_row(rel: Relationship) -> dict[str, Any]:
    return {"key": rel.key, "source": rel.source, "target": rel.target, "props": rel_to_props(rel)}


def _rel_update_row(ru: RelUpdate) -> dict[str, Any]:
    props = {name: new for name, (_old, new) in ru.changes.items()}
    return {"key": ru.key, "props": {**props, "sources": ru.sources, "scopes": ru.scopes}}


# ----------------------------------------------------------------------------- the store


class Neo4jStore(StoreBase):
    """GraphStore on Neo4j (driver 6, sync API)."""

    def __init__(self, url: str, settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()
        password = self._settings.neo4j_password
        auth = (self._settings.neo4j_user, password.get_secret_value()) if password else None
        self._driver = GraphDatabase.driver(url, auth=auth)
        self._database = self._settings.neo4j_database
        self._batch = self._settings.batch_size
        # The last loaded state, valid while the graph's version is the one it was read at.
        self._cache: GraphState | None = None
        self._cache_version: int | None = None
        self._prefetch: threading.Thread | None = None

    # plumbing ------------------------------------------------------------------------
    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        records, _summary, _keys = self._driver.execute_query(
            cast(LiteralString, query),
            parameters_=params,
            routing_=RoutingControl.READ,
            database_=self._database,
        )
        return list(records)

    def _column(self, query: str, **params: Any) -> Iterator[Any]:
        return (record[0] for record in self._read(query, **params))

    @staticmethod
    def _work(tx: ManagedTransaction, statements: list[Statement], bump: bool) -> int | None:
        """Run the statements; with ``bump``, also count one more version of the graph."""
        for query, params in statements:
            tx.run(cast(LiteralString, query), params).consume()
        if not bump:
            return None
        record = tx.run(cypher.BUMP_VERSION).single()
        return int(record["version"]) if record else None

    def _run_write(self, statements: Sequence[Deferred], bump: bool = True) -> int | None:
        """Small sets in one transaction; big ones batch by batch (each idempotent, in order).

        Returns the graph version after the write (``bump``) or None. A big set's statements
        are built in a helper thread while the one before runs on the server.
        """
        if not statements:
            return None
        with self._driver.session(database=self._database) as session:
            if len(statements) <= TX_BATCHES:
                built = [make() for make in statements]
                return cast(int | None, session.execute_write(self._work, built, bump))
            self._cache = None  # a failure half-way must not leave a stale cache behind
            for statement in _prepared_ahead(statements):
                session.execute_write(self._work, [statement], False)
            return cast(int | None, session.execute_write(self._work, [], bump))

    def _batched(
        self,
        query: str,
        items: Sequence[T],
        to_row: Callable[[T], Any],
        key: str = "rows",
        **extra: Any,
    ) -> list[Deferred]:
        """One deferred UNWIND statement per batch of ``items`` (rows built when it runs)."""

        def deferred(chunk: Sequence[T]) -> Deferred:
            return lambda: (query, {key: [to_row(item) for item in chunk], **extra})

        return [deferred(chunk) for chunk in _chunks(items, self._batch)]

    # lifecycle ------------------------------------------------------------------------
    def setup(self) -> None:
        with self._driver.session(database=self._database) as session:
            for stmt in cypher.constraints() + cypher.indexes():
                session.run(cast(LiteralString, stmt)).consume()
            session.run("CALL db.awaitIndexes(300)").consume()

    def close(self) -> None:
        self._await_prefetch()
        self._driver.close()

    def wipe(self) -> None:
        """Delete every node of the database (benchmarks and tests only), in batches."""
        self._await_prefetch()
        self._cache = None
        with self._driver.session(database=self._database) as session:
            for statement in cypher.WIPE:
                session.run(statement).consume()

    # discovery write path ---------------------------------------------------------------
    def _version(self) -> int:
        rows = self._read(cypher.GET_VERSION)
        return int(rows[0]["version"]) if rows and rows[0]["version"] is not None else 0

    def prefetch_state(self) -> None:
        """Read the whole graph into the state cache in a background thread.

        A discovery run starts it before collecting, so that the read (5 s for 100k CIs)
        overlaps minutes of network I/O instead of following them. ``load_state`` and every
        write wait for it; a failed read only leaves the cache empty.
        """
        if self._prefetch is not None:
            return

        def read() -> None:
            try:
                self._load_state()
            except Exception:  # load_state will read again, and report the error then
                log.debug("state prefetch failed", exc_info=True)

        self._prefetch = threading.Thread(target=read, name="cmdb-state-prefetch", daemon=True)
        self._prefetch.start()

    def _await_prefetch(self) -> None:
        if self._prefetch is not None and self._prefetch is not threading.current_thread():
            self._prefetch.join()
            self._prefetch = None

    def load_state(self) -> GraphState:
        """The whole graph; from the in-process cache when no one wrote since it was read.

        Every write (this process's or another's) bumps a version number in the same
        transaction, so one small read tells whether the cache is current. A long-lived
        worker thus pays the full read (the Python driver's record decoding is most of a
        no-op run's cost on a big graph) only when the graph changed behind its back.
        """
        self._await_prefetch()
        return self._load_state()

    def _load_state(self) -> GraphState:
        version = self._version()
        if self._cache is not None and self._cache_version == version:
            return GraphState(dict(self._cache.cis), dict(self._cache.rels))
        with gc_paused():
            cis = {ci.uid: ci for ci in map(ci_from_props, self._column(cypher.ALL_CIS))}
            rels = {}
            for source, out in self._read(cypher.ALL_RELS):
                for rtype, target, props in out:
                    rel = rel_from_row(rtype, source, target, props)
                    rels[rel.key] = rel
        self._cache, self._cache_version = GraphState(cis, rels), version
        return GraphState(dict(cis), dict(rels))

    def apply(self, changes: ChangeSet, actor: str, at: datetime) -> ApplySummary:
        self._await_prefetch()
        with gc_paused():
            events = events_for(changes, actor, at)
            statements = self._ci_statements(changes) + self._rel_statements(changes)
            statements += self._event_statements(events)
            if not statements:  # nothing to write (relationship confirmations are only counted)
                return ApplySummary(changes.run_id, changes.counts(), 0)
            expected = self._cache_version + 1 if self._cache_version is not None else None
            cache = self._cache
            try:
                version = self._run_write(statements)
            except BaseException:
                self._cache = None
                raise
            if cache is not None and version is not None and version == expected:
                apply_to_state(cache, changes)  # the same change, in memory: still current
                self._cache, self._cache_version = cache, version
            else:
                self._cache = None
        return ApplySummary(changes.run_id, changes.counts(), len(events))

    def _ci_statements(self, changes: ChangeSet) -> list[Deferred]:
        run: dict[str, Any] = {"at": utc_text(changes.at), "run": changes.run_id}
        stmts: list[Deferred] = []
        by_class: dict[str, list[CI]] = defaultdict(list)
        for ci in changes.creates:
            by_class[ci.ci_class].append(ci)
        for cls_name in sorted(by_class):
            stmts += self._batched(
                cypher.create_cis(CLASSES[cls_name]), by_class[cls_name], _ci_row
            )
        relabels: dict[tuple[str, str], list[str]] = defaultdict(list)
        for upd in changes.updates:
            if upd.ci_class:
                relabels[upd.ci_class].append(upd.uid)
        stmts += self._batched(
            cypher.update_cis(), changes.updates, functools.partial(_update_row, **run)
        )
        for (old, new), uids in sorted(relabels.items()):
            stmts.append(_ready(cypher.relabel(CLASSES[old], CLASSES[new]), {"uids": uids}))
        stmts += self._batched(cypher.confirm_cis(), changes.confirmations, _confirm_row, **run)
        statuses = [*changes.missing, *changes.retired, *changes.reappeared, *changes.completed]
        stmts += self._batched(cypher.set_ci_status(), statuses, _ci_status_row, **run)
        return stmts

    def _rel_statements(self, changes: ChangeSet) -> list[Deferred]:
        run: dict[str, Any] = {"at": utc_text(changes.at), "run": changes.run_id}
        adds: dict[str, list[Relationship]] = defaultdict(list)
        for rel in changes.rel_adds:
            adds[rel.type].append(rel)
        updates: dict[str, list[RelUpdate]] = defaultdict(list)
        for ru in changes.rel_updates:
            updates[ru.type].append(ru)
        statuses: dict[str, list[StatusChange]] = defaultdict(list)
        for sc in (*changes.rel_missing, *changes.rel_retired, *changes.rel_reappeared):
            statuses[_key_type(sc.subject)].append(sc)
        stmts: list[Deferred] = []
        for rtype in sorted(adds):
            stmts += self._batched(cypher.merge_rels(rtype), adds[rtype], _rel_row)
        for rtype in sorted(updates):
            stmts += self._batched(cypher.update_rels(rtype), updates[rtype], _rel_update_row)
        for rtype in sorted(statuses):
            stmts += self._batched(
                cypher.set_rel_status(rtype), statuses[rtype], _rel_status_row, **run
            )
        return stmts

    def _event_statements(self, events: list[HistoryEvent]) -> list[Deferred]:
        base = time.time_ns()

        def deferred(chunk: Sequence[HistoryEvent], ord_: int) -> Deferred:
            return lambda: (
                cypher.create_history_batch(),
                {"props": history_batch_props(chunk, ord_)},
            )

        return [deferred(chunk, base + i) for i, chunk in enumerate(_chunks(events, self._batch))]

    def _write(
        self,
        cis: list[CI],
        rels: list[Relationship],
        deleted: list[Relationship],
        events: list[HistoryEvent],
    ) -> None:
        stmts: list[Statement] = []
        for ci in cis:
            stmts.append((cypher.upsert_cis(CLASSES[ci.ci_class]), {"rows": [_ci_row(ci)]}))
        for rel in deleted:
            stmts.append((cypher.delete_rels(rel.type), {"keys": [rel.key]}))
        for rel in rels:
            stmts.append((cypher.merge_rels(rel.type), {"rows": [_rel_row(rel)]}))
        stmts += [make() for make in self._event_statements(events)]
        self._await_prefetch()
        self._cache = None
        with self._driver.session(database=self._database) as session:
            session.execute_write(self._work, stmts, True)

    # reads --------------------------------------------------------------------------------
    def get_ci(self, uid: str) -> CI | None:
        rows = self._read(cypher.GET_CI, uid=uid)
        return ci_from_props(rows[0]["props"]) if rows else None

    def _get_cis(self, uids: Iterable[str]) -> list[CI]:
        rows = self._read(cypher.get_cis(), uids=sorted(set(uids)))
        return sorted((ci_from_props(r["props"]) for r in rows), key=lambda c: c.uid)

    def _get_rel(self, key: str) -> Relationship | None:
        rtype = _key_type(key)
        if rtype not in RELS:
            return None
        rows = self._read(cypher.get_rel(rtype), key=key)
        return (
            rel_from_row(rows[0]["type"], rows[0]["source"], rows[0]["target"], rows[0]["props"])
            if rows
            else None
        )

    def _children(self, uid: str) -> list[CI]:
        return [ci_from_props(r["props"]) for r in self._read(cypher.CHILDREN, prefix=uid + "/")]

    def find_cis(
        self,
        ci_class: str | None = None,
        text: str | None = None,
        filters: dict[str, Any] | None = None,
        status: CIStatus | None = None,
        review_state: ReviewState | None = None,
        since: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[CI]:
        filters = dict(filters or {})
        check_filters(ci_class, filters)
        count_q, page_q = cypher.find_cis(
            ci_class,
            filters,
            text=bool(text),
            status=status is not None,
            review=review_state is not None,
            since=since is not None,
        )
        params: dict[str, Any] = {f"f_{k}": v for k, v in filters.items()}
        params |= {
            "text": text.lower() if text else None,
            "status": CIStatus(status).value if status is not None else None,
            "review_state": ReviewState(review_state).value if review_state is not None else None,
            "since": _t(since),
        }
        total = int(self._read(count_q, **params)[0]["total"])
        rows = self._read(page_q, **params, offset=int(offset), limit=int(limit))
        return Page([ci_from_props(r["props"]) for r in rows], total, offset, limit)

    def count_cis(self, ci_class: str | None = None, status: CIStatus | None = None) -> int:
        query = cypher.count_cis(ci_class, status is not None)
        value = CIStatus(status).value if status is not None else None
        return int(self._read(query, status=value)[0]["total"])

    def relationships(
        self, uid: str, direction: Direction = "both", types: Iterable[str] | None = None
    ) -> list[Relationship]:
        wanted = check_types(types)
        typelist = sorted(wanted) if wanted is not None else None
        rels: dict[str, Relationship] = {}
        for outgoing in (True, False):
            if direction == ("in" if outgoing else "out"):
                continue
            for r in self._read(cypher.step(outgoing, live_only=False), uids=[uid], types=typelist):
                rel = rel_from_row(r["type"], r["source"], r["target"], r["props"])
                rels[rel.key] = rel
        return [rels[k] for k in sorted(rels)]

    def _hop(
        self, frontier: list[str], direction: TraverseDirection, wanted: set[str] | None
    ) -> list[Relationship]:
        """Live relationships to follow from the frontier in ``direction``."""
        symmetric = {t for t in (wanted or RELS) if rel_type(t).symmetric}
        plan: list[tuple[bool, set[str] | None]] = []
        forward_all = direction in ("down", "both")
        backward_all = direction in ("up", "both")
        plan.append((True, wanted if forward_all else symmetric))
        plan.append((False, wanted if backward_all else symmetric))
        found = []
        for outgoing, types in plan:
            if types is not None and not types:
                continue
            rows = self._read(
                cypher.step(outgoing),
                uids=frontier,
                types=sorted(types) if types is not None else None,
            )
            found += [rel_from_row(r["type"], r["source"], r["target"], r["props"]) for r in rows]
        return found

    def traverse(
        self,
        uids: Iterable[str],
        direction: TraverseDirection = "down",
        rel_types: Iterable[str] | None = None,
        depth: int = 3,
    ) -> Subgraph:
        wanted = check_types(rel_types)
        start = [c.uid for c in self._get_cis(uids)]
        seen = set(start)
        used: dict[str, Relationship] = {}
        frontier = start
        for _hop in range(depth):
            if not frontier:
                break
            nxt: set[str] = set()
            for rel in self._hop(frontier, direction, wanted):
                used[rel.key] = rel
                for end in (rel.source, rel.target):
                    if end not in seen:
                        seen.add(end)
                        nxt.add(end)
            frontier = sorted(nxt)
        return Subgraph(self._get_cis(seen), [used[k] for k in sorted(used)])

    def neighbors(self, uid: str, depth: int = 1, types: Iterable[str] | None = None) -> Subgraph:
        sub = self.traverse([uid], "both", types, depth)
        wanted = check_types(types)
        inside = sorted(sub.uids())
        rows = self._read(
            cypher.INDUCED, uids=inside, types=sorted(wanted) if wanted is not None else None
        )
        rels = sorted(
            (rel_from_row(r["type"], r["source"], r["target"], r["props"]) for r in rows),
            key=lambda r: r.key,
        )
        return Subgraph(sub.cis, rels)

    def paths(
        self,
        a: str,
        b: str,
        rel_types: Iterable[str] | None = None,
        max_depth: int = 6,
        limit: int = 10,
    ) -> list[Path]:
        wanted = check_types(rel_types)
        if a == b:
            return []
        rows = self._read(
            cypher.shortest_paths(max_depth, limit),
            a=a,
            b=b,
            types=sorted(wanted) if wanted is not None else None,
        )
        return [
            Path(
                list(r["uids"]),
                [rel_from_row(x["type"], x["source"], x["target"], x["props"]) for x in r["rels"]],
            )
            for r in rows
        ]

    def export_graph(self, include_retired: bool = False) -> Subgraph:
        return export_state(self.load_state(), include_retired)

    # history ---------------------------------------------------------------------------------
    def history(
        self,
        uid: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        limit: int = 1000,
    ) -> list[HistoryEvent]:
        query = cypher.history(
            uid is not None, since is not None, until is not None, actor is not None
        )
        found: list[HistoryEvent] = []
        for row in self._read(query, uid=uid, since=_t(since), until=_t(until), actor=actor):
            for doc in json.loads(row["events"]):
                event = HistoryEvent.from_json(doc)
                if _matches(event, uid, since, until, actor):
                    found.append(event)
        found.sort(key=lambda e: e.at)  # stable: batch order, then order within a batch
        return found[:limit]

    # records -------------------------------------------------------------------------------------
    @staticmethod
    def _rid(kind: str, key: str) -> str:
        return f"{kind}\x1f{key}"

    def put_record(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        params = {"rid": self._rid(kind, key), "kind": kind, "key": key, "doc": json.dumps(doc)}
        self._run_write([_ready(cypher.PUT_RECORD, params)], bump=False)

    def get_record(self, kind: str, key: str) -> dict[str, Any] | None:
        rows = self._read(cypher.GET_RECORD, rid=self._rid(kind, key))
        return json.loads(rows[0]["doc"]) if rows else None

    def list_records(self, kind: str, offset: int = 0, limit: int = 100) -> Page[dict[str, Any]]:
        total = int(self._read(cypher.COUNT_RECORDS, kind=kind)[0]["total"])
        rows = self._read(cypher.LIST_RECORDS, kind=kind, offset=int(offset), limit=int(limit))
        return Page([json.loads(r["doc"]) for r in rows], total, offset, limit)

    def delete_record(self, kind: str, key: str) -> bool:
        records, _s, _k = self._driver.execute_query(
            cypher.DELETE_RECORD,
            parameters_={"rid": self._rid(kind, key)},
            database_=self._database,
        )
        return bool(records and records[0]["deleted"])

    # configuration versions -------------------------------------------------------------------
    def config_versions(self, device_uid: str) -> list[ConfigVersion]:
        versions = []
        for r in self._read(cypher.CONFIG_VERSIONS, device_uid=device_uid):
            p = _props(r["props"])
            versions.append(
                ConfigVersion(
                    p["device_uid"],
                    int(p["version"]),
                    p["sha256"],
                    p["text"],
                    p["format"],
                    p.get("run_id"),
                    p["at"],
                )
            )
        return versions

    def _insert_config(self, version: ConfigVersion) -> None:
        props = {
            "cid": f"{version.device_uid}#{version.version}",
            "device_uid": version.device_uid,
            "version": version.version,
            "sha256": version.sha256,
            "text": version.text,
            "format": version.format,
            "run_id": version.run_id,
            "at": utc_text(version.at),
        }
        row = {"props": {k: v for k, v in props.items() if v is not None}}
        self._run_write([_ready(cypher.INSERT_CONFIG, row)], bump=False)
