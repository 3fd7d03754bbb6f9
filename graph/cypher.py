"""Every Cypher statement the Neo4j store runs, generated from ``graph.schema``.

Values are always parameters. Labels, relationship types and property names cannot be
parameters in Cypher, so they are taken only from the schema declarations (``label``,
``reltype`` and ``prop`` refuse anything the schema does not declare), never from data.
Exact-text tests (tests/graph/test_cypher.py) pin the generated statements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graph.schema import CLASSES, RELS, CIClass, indexed_attrs

# Properties of a CI node that are not schema attributes (a test pins that no attribute
# of the schema uses one of these names).
CI_META_PROPS = (
    "uid",
    "ci_class",
    "status",
    "review_state",
    "reviewed_by",
    "reviewed_at",
    "missing_runs",
    "first_seen",
    "last_seen",
    "last_run",
    "changed_at",
    "scope",
    "identity_keys",
    "merged_into",
    "authored",
    "provenance",
)
REL_META_PROPS = (
    "key",
    "sources",
    "scopes",
    "status",
    "manual",
    "missing_runs",
    "first_seen",
    "last_seen",
    "last_run",
    "created_by",
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OTHER_LABELS = {"CI", "Device", "HistoryBatch", "Record", "ConfigVersion", "GraphMeta"}


def label(name: str) -> str:
    """A node label declared by the schema (or one of the store's own), else ValueError."""
    known = _OTHER_LABELS | set(CLASSES) | {lbl for c in CLASSES.values() for lbl in c.extra_labels}
    if name not in known or not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a declared label")
    return name


def reltype(name: str) -> str:
    if name not in RELS or not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a declared relationship type")
    return name


def prop(name: str) -> str:
    """A property name declared by the schema (attribute or meta property)."""
    declared = (
        {a.name for c in CLASSES.values() for a in c.all_attrs}
        | {a.name for r in RELS.values() for a in r.attrs}
        | set(CI_META_PROPS)
        | set(REL_META_PROPS)
    )
    if name not in declared or not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a declared property")
    return name


def labels_of(cls: CIClass) -> str:
    return ":".join(label(lbl) for lbl in cls.labels)


# ----------------------------------------------------------------------------- setup


def constraints() -> list[str]:
    """Uniqueness constraints; created before anything else (MERGE relies on them)."""
    return [
        "CREATE CONSTRAINT ci_uid IF NOT EXISTS FOR (n:CI) REQUIRE n.uid IS UNIQUE",
        "CREATE CONSTRAINT record_rid IF NOT EXISTS FOR (n:Record) REQUIRE n.rid IS UNIQUE",
        "CREATE CONSTRAINT config_cid IF NOT EXISTS FOR (n:ConfigVersion) REQUIRE n.cid IS UNIQUE",
        "CREATE CONSTRAINT graph_meta_id IF NOT EXISTS FOR (n:GraphMeta) REQUIRE n.id IS UNIQUE",
    ]


def indexes() -> list[str]:
    """Indexes on the schema's indexed attributes, the CI fields the API filters on,
    relationship keys, and history/record lookups."""
    stmts = [
        f"CREATE INDEX {cls.name.lower()}_{attr.name} IF NOT EXISTS "
        f"FOR (n:{label(cls.name)}) ON (n.{prop(attr.name)})"
        for cls, attr in indexed_attrs()
    ]
    stmts += [
        f"CREATE INDEX ci_{p} IF NOT EXISTS FOR (n:CI) ON (n.{prop(p)})"
        for p in ("ci_class", "status", "review_state", "changed_at", "name")
    ]
    stmts += [
        f"CREATE INDEX rel_{rt.lower()}_key IF NOT EXISTS FOR ()-[r:{reltype(rt)}]-() ON (r.key)"
        for rt in RELS
    ]
    stmts += [
        f"CREATE INDEX history_{p} IF NOT EXISTS FOR (b:HistoryBatch) ON (b.{p})"
        for p in ("at", "last_at")
    ]
    stmts += [
        "CREATE INDEX record_kind IF NOT EXISTS FOR (n:Record) ON (n.kind, n.key)",
        "CREATE INDEX config_device IF NOT EXISTS FOR (n:ConfigVersion) ON (n.device_uid)",
    ]
    return stmts


# Relationships first, then nodes: a DETACH DELETE of well-connected nodes (a Software CI
# installed on thousands of servers) can outgrow a small server's transaction memory.
WIPE = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)
# A counter of graph writes, bumped inside every writing transaction (see load_state's cache).
BUMP_VERSION = (
    "MERGE (m:GraphMeta {id: 'graph'})\n"
    "SET m.version = coalesce(m.version, 0) + 1\n"
    "RETURN m.version AS version"
)
GET_VERSION = "OPTIONAL MATCH (m:GraphMeta {id: 'graph'}) RETURN m.version AS version"

# ----------------------------------------------------------------------------- writes


def create_cis(cls: CIClass) -> str:
    """New CI nodes of one class (MERGE keeps a repeated apply harmless)."""
    return (
        "UNWIND $rows AS row\n"
        "MERGE (n:CI {uid: row.uid})\n"
        "SET n += row.props\n"
        f"SET n:{labels_of(cls)}"
    )


def upsert_cis(cls: CIClass) -> str:
    """Create or replace whole CI nodes of one class (creates and people's edits)."""
    return (
        "UNWIND $rows AS row\n"
        "MERGE (n:CI {uid: row.uid})\n"
        "SET n = row.props\n"
        f"SET n:{labels_of(cls)}"
    )


def update_cis() -> str:
    """Changed attributes (null removes) and fields of existing CIs."""
    return "UNWIND $rows AS row\nMATCH (n:CI {uid: row.uid})\nSET n += row.props"


def relabel(old: CIClass, new: CIClass) -> str:
    """A placeholder that turned out to be of another class."""
    return (
        "UNWIND $uids AS uid\n"
        "MATCH (n:CI {uid: uid})\n"
        f"REMOVE n:{labels_of(old).removeprefix('CI:')}\n"
        f"SET n:{labels_of(new)}"
    )


def confirm_cis() -> str:
    return (
        "UNWIND $rows AS row\n"
        "MATCH (n:CI {uid: row.uid})\n"
        "SET n.provenance = row.provenance, n.last_seen = $at, n.last_run = $run"
    )


def set_ci_status() -> str:
    return (
        "UNWIND $rows AS row\n"
        "MATCH (n:CI {uid: row.uid})\n"
        "SET n.status = row.status, n.missing_runs = row.missing_runs, n.last_run = $run,\n"
        "    n.changed_at = $at,\n"
        "    n.last_seen = CASE WHEN row.status = 'active' THEN $at ELSE n.last_seen END"
    )


def merge_rels(rel: str) -> str:
    """Create or replace relationships of one type between existing CIs.

    The key is a function of (type, source, target), so the MERGE pattern leaves it out: that
    keeps the planner on Expand(Into) between the two ends. With the key in the pattern, a plan
    made on an empty graph seeks the relationship key index instead, and that seek slows down
    with every relationship the same transaction already created (a first load of 300k
    relationships took minutes instead of seconds).
    """
    return (
        "UNWIND $rows AS row\n"
        "MATCH (a:CI {uid: row.source})\n"
        "MATCH (b:CI {uid: row.target})\n"
        f"MERGE (a)-[r:{reltype(rel)}]->(b)\n"
        "SET r += row.props"
    )


def update_rels(rel: str) -> str:
    return (
        f"UNWIND $rows AS row\nMATCH ()-[r:{reltype(rel)} {{key: row.key}}]->()\nSET r += row.props"
    )


def set_rel_status(rel: str) -> str:
    return (
        "UNWIND $rows AS row\n"
        f"MATCH ()-[r:{reltype(rel)} {{key: row.key}}]->()\n"
        "SET r.status = row.status, r.missing_runs = row.missing_runs, r.last_run = $run,\n"
        "    r.last_seen = CASE WHEN row.status = 'active' THEN $at ELSE r.last_seen END"
    )


def delete_rels(rel: str) -> str:
    return f"UNWIND $keys AS key\nMATCH ()-[r:{reltype(rel)} {{key: key}}]->()\nDELETE r"


def create_history_batch() -> str:
    """The history events of one write batch as one node.

    ``subjects`` lists every CI uid and rel key the events are about (for lookup), ``actors``
    the runs/users, ``events`` is their JSON text. One node per batch instead of one per
    event keeps a first load of 400k events to a few hundred nodes.
    """
    return "CREATE (b:HistoryBatch)\nSET b = $props"


# ----------------------------------------------------------------------------- reads

ALL_CIS = "MATCH (n:CI) RETURN properties(n) AS props"
# Grouped by start node: a few large records decode much faster than one per relationship.
ALL_RELS = (
    "MATCH (a:CI)-[r]->(b:CI)\n"
    "WITH a, collect([type(r), b.uid, properties(r)]) AS out\n"
    "RETURN a.uid AS source, out"
)
GET_CI = "MATCH (n:CI {uid: $uid}) RETURN properties(n) AS props"
CHILDREN = "MATCH (n:CI) WHERE n.uid STARTS WITH $prefix RETURN properties(n) AS props"


def get_rel(rel: str) -> str:
    return (
        f"MATCH (a:CI)-[r:{reltype(rel)} {{key: $key}}]->(b:CI)\n"
        "RETURN type(r) AS type, a.uid AS source, b.uid AS target, properties(r) AS props"
    )


def find_cis(
    cls: str | None, filters: Iterable[str], *, text: bool, status: bool, review: bool, since: bool
) -> tuple[str, str]:
    """(count query, page query) for a CI search; each filter ``f`` binds ``$f_<f>``."""
    where = [f"n.{prop(f)} = $f_{prop(f)}" for f in sorted(filters)]
    if status:
        where.append("n.status = $status")
    if review:
        where.append("n.review_state = $review_state")
    if since:
        where.append("n.changed_at >= $since")
    if text:
        where.append("(toLower(n.name) CONTAINS $text OR toLower(n.uid) CONTAINS $text)")
    match = f"MATCH (n:{label(cls)})" if cls else "MATCH (n:CI)"
    clause = ("\nWHERE " + "\n  AND ".join(where)) if where else ""
    count = f"{match}{clause}\nRETURN count(n) AS total"
    page = (
        f"{match}{clause}\nRETURN properties(n) AS props\nORDER BY n.uid\nSKIP $offset LIMIT $limit"
    )
    return count, page


def count_cis(cls: str | None, status: bool) -> str:
    match = f"MATCH (n:{label(cls)})" if cls else "MATCH (n:CI)"
    return match + ("\nWHERE n.status = $status" if status else "") + "\nRETURN count(n) AS total"


def step(outgoing: bool, live_only: bool = True) -> str:
    """One hop from a frontier of uids, along (live) relationships of the wanted types."""
    arrow = "-[r]->" if outgoing else "<-[r]-"
    live = " AND r.status <> 'retired'" if live_only else ""
    return (
        "UNWIND $uids AS uid\n"
        f"MATCH (n:CI {{uid: uid}}){arrow}(m:CI)\n"
        f"WHERE ($types IS NULL OR type(r) IN $types){live}\n"
        "RETURN type(r) AS type, startNode(r).uid AS source, endNode(r).uid AS target,\n"
        "       properties(r) AS props"
    )


INDUCED = (
    "UNWIND $uids AS uid\n"
    "MATCH (n:CI {uid: uid})-[r]->(m:CI)\n"
    "WHERE m.uid IN $uids AND ($types IS NULL OR type(r) IN $types) AND r.status <> 'retired'\n"
    "RETURN type(r) AS type, n.uid AS source, m.uid AS target, properties(r) AS props"
)


def get_cis() -> str:
    return "UNWIND $uids AS uid\nMATCH (n:CI {uid: uid})\nRETURN properties(n) AS props"


def shortest_paths(max_depth: int, limit: int) -> str:
    """Up to ``limit`` shortest undirected paths of at most ``max_depth`` hops.

    Quantifiers cannot be parameters; both are checked ints, never text from a request.
    """
    depth, k = int(max_depth), int(limit)
    if not (1 <= depth <= 20 and 1 <= k <= 1000):
        raise ValueError("max_depth must be 1..20 and limit 1..1000")
    return (
        f"MATCH p = SHORTEST {k} (a:CI {{uid: $a}})"
        "(()-[r WHERE ($types IS NULL OR type(r) IN $types) AND r.status <> 'retired']-()){1,"
        f"{depth}}}(b:CI {{uid: $b}})\n"
        "RETURN [n IN nodes(p) | n.uid] AS uids,\n"
        "       [x IN relationships(p) | {type: type(x), source: startNode(x).uid,\n"
        "        target: endNode(x).uid, props: properties(x)}] AS rels\n"
        "ORDER BY length(p)"
    )


def history(uid: bool, since: bool, until: bool, actor: bool) -> str:
    """History batches that may hold matching events (the store filters the events inside)."""
    where = []
    if uid:
        where.append("$uid IN b.subjects")
    if since:
        where.append("b.last_at >= $since")
    if until:
        where.append("b.at <= $until")
    if actor:
        where.append("$actor IN b.actors")
    clause = ("\nWHERE " + "\n  AND ".join(where)) if where else ""
    return f"MATCH (b:HistoryBatch){clause}\nRETURN b.events AS events\nORDER BY b.at, b.ord"


PUT_RECORD = "MERGE (n:Record {rid: $rid})\nSET n.kind = $kind, n.key = $key, n.doc = $doc"
GET_RECORD = "MATCH (n:Record {rid: $rid}) RETURN n.doc AS doc"
COUNT_RECORDS = "MATCH (n:Record {kind: $kind}) RETURN count(n) AS total"
LIST_RECORDS = (
    "MATCH (n:Record {kind: $kind})\nRETURN n.doc AS doc\nORDER BY n.key\nSKIP $offset LIMIT $limit"
)
DELETE_RECORD = "MATCH (n:Record {rid: $rid}) DELETE n RETURN count(*) AS deleted"
CONFIG_VERSIONS = "MATCH (n:ConfigVersion {device_uid: $device_uid})\nRETURN properties(n) AS props\nORDER BY n.version"
INSERT_CONFIG = "CREATE (n:ConfigVersion)\nSET n = $props"
