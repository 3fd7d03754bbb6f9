"""The embedded store: the graph in memory (networkx), persisted write-through to SQLite.

For the demo and small sites: no server. Reads are answered from memory; every write
(``apply`` or a person's edit) is one SQLite transaction that stores the touched CIs and
relationships as JSON documents plus the history events. Opening the store loads the
documents back. ``memory://`` uses an in-memory SQLite database (tests).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path as FsPath
from typing import Any

import networkx as nx

from graph.apply import apply_to_state, own_copy
from graph.base import StoreBase, check_filters, check_types, export_state
from graph.history import events_for
from graph.model import (
    CI,
    ApplySummary,
    ChangeSet,
    CIStatus,
    ConfigVersion,
    GraphState,
    HistoryEvent,
    Page,
    Path,
    Relationship,
    RelStatus,
    ReviewState,
    Subgraph,
    utc_text,
)
from graph.schema import rel_type
from graph.settings import Settings
from graph.store import Direction, TraverseDirection

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cis (uid TEXT PRIMARY KEY, ci_class TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rels (key TEXT PRIMARY KEY, type TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, subject TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE INDEX IF NOT EXISTS events_actor ON events (actor, seq);
CREATE TABLE IF NOT EXISTS event_refs (uid TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (uid, seq));
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS config_versions (device_uid TEXT NOT NULL, version INTEGER NOT NULL,
    sha256 TEXT NOT NULL, text TEXT NOT NULL, format TEXT NOT NULL, run_id TEXT, at TEXT NOT NULL,
    PRIMARY KEY (device_uid, version));
"""


ts = utc_text


class EmbeddedStore(StoreBase):
    """GraphStore over networkx + SQLite. Thread-safe through one lock."""

    def __init__(self, path: str | None, settings: Settings | None = None) -> None:
        self._path = path
        if path:
            FsPath(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._state = GraphState()
        self._g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._by_class: dict[str, set[str]] = defaultdict(set)
        self._next_seq = 1
        self._ready = False

    # lifecycle ------------------------------------------------------------------------
    def setup(self) -> None:
        with self._lock:
            self._db.executescript(_SCHEMA)
            if not self._ready:
                self._load()
                self._ready = True

    def _load(self) -> None:
        for (doc,) in self._db.execute("SELECT doc FROM cis"):
            self._put_ci(CI.from_json(json.loads(doc)))
        for (doc,) in self._db.execute("SELECT doc FROM rels"):
            self._put_rel(Relationship.from_json(json.loads(doc)))
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        self._next_seq = int(row[0]) + 1

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # in-memory indexes -----------------------------------------------------------------------
    def _put_ci(self, ci: CI) -> None:
        old = self._state.cis.get(ci.uid)
        if old is not None and old.ci_class != ci.ci_class:
            self._by_class[old.ci_class].discard(ci.uid)
        self._state.cis[ci.uid] = ci
        self._by_class[ci.ci_class].add(ci.uid)
        self._g.add_node(ci.uid)

    def _put_rel(self, rel: Relationship) -> None:
        self._state.rels[rel.key] = rel
        self._g.add_edge(rel.source, rel.target, key=rel.key, rel=rel)

    def _drop_rel(self, rel: Relationship) -> None:
        self._state.rels.pop(rel.key, None)
        if self._g.has_edge(rel.source, rel.target, key=rel.key):
            self._g.remove_edge(rel.source, rel.target, key=rel.key)

    # persistence -------------------------------------------------------------------------
    def _persist(
        self,
        db: sqlite3.Connection,
        cis: Iterable[CI],
        rels: Iterable[Relationship],
        deleted: Iterable[Relationship],
        events: list[HistoryEvent],
    ) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO cis (uid, ci_class, doc) VALUES (?, ?, ?)",
            ((c.uid, c.ci_class, json.dumps(c.to_json())) for c in cis),
        )
        db.executemany(
            "INSERT OR REPLACE INTO rels (key, type, doc) VALUES (?, ?, ?)",
            ((r.key, r.type, json.dumps(r.to_json())) for r in rels),
        )
        db.executemany("DELETE FROM rels WHERE key = ?", ((r.key,) for r in deleted))
        rows: list[tuple[int, str, str, str, str]] = []
        refs: list[tuple[str, int]] = []
        for event in events:
            seq = self._next_seq
            self._next_seq += 1
            rows.append(
                (seq, event.subject, ts(event.at), event.actor, json.dumps(event.to_json()))
            )
            refs.extend((uid, seq) for uid in {event.subject, *event.related})
        db.executemany(
            "INSERT INTO events (seq, subject, at, actor, doc) VALUES (?, ?, ?, ?, ?)", rows
        )
        db.executemany("INSERT OR IGNORE INTO event_refs (uid, seq) VALUES (?, ?)", refs)

    def _write(
        self,
        cis: list[CI],
        rels: list[Relationship],
        deleted: list[Relationship],
        events: list[HistoryEvent],
    ) -> None:
        with self._lock:
            seq = self._next_seq
            try:
                with self._tx() as db:
                    self._persist(db, cis, rels, deleted, events)
            except BaseException:
                self._next_seq = seq
                raise
            for rel in deleted:
                self._drop_rel(rel)
            for ci in cis:
                self._put_ci(own_copy(ci))
            for rel in rels:
                self._put_rel(own_copy(rel))

    # discovery write path -------------------------------------------------------------------
    def prefetch_state(self) -> None:
        """Nothing to do: the graph is in memory already."""

    def load_state(self) -> GraphState:
        with self._lock:
            return GraphState(dict(self._state.cis), dict(self._state.rels))

    def apply(self, changes: ChangeSet, actor: str, at: datetime) -> ApplySummary:
        events = events_for(changes, actor, at)
        with self._lock:
            shadow = GraphState(dict(self._state.cis), dict(self._state.rels))
            touched = apply_to_state(shadow, changes)
            cis = [shadow.cis[uid] for uid in touched.cis]
            rels = [shadow.rels[key] for key in touched.rels]
            seq = self._next_seq
            try:
                with self._tx() as db:
                    self._persist(db, cis, rels, [], events)
            except BaseException:
                self._next_seq = seq
                raise
            for ci in cis:
                self._put_ci(ci)
            for rel in rels:
                self._put_rel(rel)
        return ApplySummary(changes.run_id, changes.counts(), len(events))

    # reads ------------------------------------------------------------------------------------
    def get_ci(self, uid: str) -> CI | None:
        with self._lock:
            ci = self._state.cis.get(uid)
            return own_copy(ci) if ci is not None else None

    def _get_rel(self, key: str) -> Relationship | None:
        with self._lock:
            rel = self._state.rels.get(key)
            return own_copy(rel) if rel is not None else None

    def _children(self, uid: str) -> list[CI]:
        prefix = uid + "/"
        with self._lock:
            return [own_copy(c) for u, c in self._state.cis.items() if u.startswith(prefix)]

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
        needle = text.lower() if text else None
        with self._lock:
            uids = self._by_class.get(ci_class, set()) if ci_class else self._state.cis.keys()
            hits = [
                ci
                for ci in (self._state.cis[u] for u in uids)
                if (status is None or ci.status == status)
                and (review_state is None or ci.review_state == review_state)
                and (since is None or (ci.changed_at is not None and ci.changed_at >= since))
                and (needle is None or needle in ci.name.lower() or needle in ci.uid.lower())
                and all(ci.attributes.get(k) == v for k, v in filters.items())
            ]
        hits.sort(key=lambda c: c.uid)
        page = [own_copy(c) for c in hits[offset : offset + limit]]
        return Page(page, len(hits), offset, limit)

    def count_cis(self, ci_class: str | None = None, status: CIStatus | None = None) -> int:
        with self._lock:
            uids = self._by_class.get(ci_class, set()) if ci_class else self._state.cis.keys()
            return sum(1 for u in uids if status is None or self._state.cis[u].status == status)

    def relationships(
        self, uid: str, direction: Direction = "both", types: Iterable[str] | None = None
    ) -> list[Relationship]:
        wanted = check_types(types)
        with self._lock:
            if uid not in self._g:
                return []
            edges = []
            if direction in ("out", "both"):
                edges.extend(self._g.out_edges(uid, data="rel"))
            if direction in ("in", "both"):
                edges.extend(self._g.in_edges(uid, data="rel"))
            rels = {r.key: r for _a, _b, r in edges if wanted is None or r.type in wanted}
        return [own_copy(r) for _k, r in sorted(rels.items())]

    def _steps(
        self, uid: str, direction: TraverseDirection, wanted: set[str] | None
    ) -> Iterator[tuple[str, Relationship]]:
        """(next uid, rel) for each live relationship to follow from ``uid``."""
        for _a, nxt, rel in self._g.out_edges(uid, data="rel"):
            if _follow(rel, wanted) and (direction != "up" or rel_type(rel.type).symmetric):
                yield nxt, rel
        for prev, _b, rel in self._g.in_edges(uid, data="rel"):
            if _follow(rel, wanted) and (direction != "down" or rel_type(rel.type).symmetric):
                yield prev, rel

    def traverse(
        self,
        uids: Iterable[str],
        direction: TraverseDirection = "down",
        rel_types: Iterable[str] | None = None,
        depth: int = 3,
    ) -> Subgraph:
        wanted = check_types(rel_types)
        with self._lock:
            start = [u for u in uids if u in self._state.cis]
            seen = set(start)
            used: dict[str, Relationship] = {}
            queue = deque((u, 0) for u in start)
            while queue:
                uid, dist = queue.popleft()
                if dist >= depth:
                    continue
                for nxt, rel in self._steps(uid, direction, wanted):
                    used[rel.key] = rel
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append((nxt, dist + 1))
            return self._subgraph(seen, used.values())

    def neighbors(self, uid: str, depth: int = 1, types: Iterable[str] | None = None) -> Subgraph:
        sub = self.traverse([uid], "both", types, depth)
        wanted = check_types(types)
        with self._lock:
            inside = sub.uids()
            rels = {
                r.key: r
                for u in inside
                for _a, b, r in self._g.out_edges(u, data="rel")
                if b in inside and _follow(r, wanted)
            }
            return self._subgraph(inside, rels.values())

    def _subgraph(self, uids: Iterable[str], rels: Iterable[Relationship]) -> Subgraph:
        cis = sorted((own_copy(self._state.cis[u]) for u in uids), key=lambda c: c.uid)
        return Subgraph(cis, sorted((own_copy(r) for r in rels), key=lambda r: r.key))

    def paths(
        self,
        a: str,
        b: str,
        rel_types: Iterable[str] | None = None,
        max_depth: int = 6,
        limit: int = 10,
    ) -> list[Path]:
        wanted = check_types(rel_types)
        with self._lock:
            if a not in self._state.cis or b not in self._state.cis:
                return []
            near = self.traverse([a], "both", wanted, max_depth)
            simple: nx.Graph = nx.Graph()
            for rel in near.rels:
                if not simple.has_edge(rel.source, rel.target):
                    simple.add_edge(rel.source, rel.target, rel=rel)
            if b not in simple or a not in simple:
                return []
            found: list[Path] = []
            for hops in nx.shortest_simple_paths(simple, a, b):
                if len(hops) - 1 > max_depth or len(found) >= limit:
                    break
                rels = [simple.edges[x, y]["rel"] for x, y in zip(hops, hops[1:], strict=False)]
                found.append(Path(list(hops), rels))
            return found

    def export_graph(self, include_retired: bool = False) -> Subgraph:
        with self._lock:
            return export_state(self._state, include_retired)

    # history ----------------------------------------------------------------------------------
    def history(
        self,
        uid: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        limit: int = 1000,
    ) -> list[HistoryEvent]:
        where, params = [], []
        if uid is not None:
            where.append("e.seq IN (SELECT seq FROM event_refs WHERE uid = ?)")
            params.append(uid)
        if since is not None:
            where.append("e.at >= ?")
            params.append(ts(since))
        if until is not None:
            where.append("e.at <= ?")
            params.append(ts(until))
        if actor is not None:
            where.append("e.actor = ?")
            params.append(actor)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        sql = f"SELECT e.doc FROM events e {clause} ORDER BY e.seq LIMIT ?"  # noqa: S608 - fixed fragments
        with self._lock:
            rows = self._db.execute(sql, [*params, limit]).fetchall()
        return [HistoryEvent.from_json(json.loads(doc)) for (doc,) in rows]

    # records ----------------------------------------------------------------------------------
    def put_record(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        text = json.dumps(doc)
        with self._lock, self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO records (kind, key, doc) VALUES (?, ?, ?)",
                (kind, key, text),
            )

    def get_record(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def list_records(self, kind: str, offset: int = 0, limit: int = 100) -> Page[dict[str, Any]]:
        with self._lock:
            total = self._db.execute(
                "SELECT COUNT(*) FROM records WHERE kind = ?", (kind,)
            ).fetchone()[0]
            rows = self._db.execute(
                "SELECT doc FROM records WHERE kind = ? ORDER BY key LIMIT ? OFFSET ?",
                (kind, limit, offset),
            ).fetchall()
        return Page([json.loads(doc) for (doc,) in rows], int(total), offset, limit)

    def delete_record(self, kind: str, key: str) -> bool:
        with self._lock, self._tx() as db:
            cur = db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
            return cur.rowcount > 0

    # configuration versions -----------------------------------------------------------------------
    def config_versions(self, device_uid: str) -> list[ConfigVersion]:
        with self._lock:
            rows = self._db.execute(
                "SELECT device_uid, version, sha256, text, format, run_id, at FROM config_versions "
                "WHERE device_uid = ? ORDER BY version",
                (device_uid,),
            ).fetchall()
        return [
            ConfigVersion(d, int(v), h, t, f, r, datetime.fromisoformat(a))
            for d, v, h, t, f, r, a in rows
        ]

    def _insert_config(self, version: ConfigVersion) -> None:
        with self._lock, self._tx() as db:
            db.execute(
                "INSERT INTO config_versions (device_uid, version, sha256, text, format, run_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    version.device_uid,
                    version.version,
                    version.sha256,
                    version.text,
                    version.format,
                    version.run_id,
                    ts(version.at),
                ),
            )


def _follow(rel: Relationship, wanted: set[str] | None) -> bool:
    return rel.status is not RelStatus.RETIRED and (wanted is None or rel.type in wanted)
