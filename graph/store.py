"""The ``GraphStore`` protocol: the one contract both stores (embedded and Neo4j) fulfil.

Everything outside ``graph/`` talks to the graph through this protocol; only
``graph.reconcile`` decides *what* changes, and ``GraphStore.apply`` is the single write path
for discovery. People's edits go through the explicit methods below (manual attributes,
review, merge, authored CIs and relationships), each of which records history.

``open_store(url, settings)`` picks the implementation from the URL:
``sqlite:///path`` or ``memory://`` -> embedded store; ``bolt://``/``neo4j://`` -> Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from discovery.observations import ConfigSnapshot
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
    ReviewState,
    Subgraph,
)

if TYPE_CHECKING:
    import networkx as nx

    from graph.settings import Settings

Direction = Literal["out", "in", "both"]
TraverseDirection = Literal["up", "down", "both"]


class NotFound(LookupError):
    """The named CI, relationship or record does not exist."""


class Conflict(ValueError):
    """The request contradicts the graph (e.g. merging a CI into itself or across classes)."""


@runtime_checkable
class GraphStore(Protocol):
    """The CI graph. Times are timezone-aware datetimes; uids are strings.

    Traversal direction: "down" follows relationships in their declared direction
    (source -> target, e.g. device -> interface, consumer -> provider); "up" follows them
    backwards; symmetric types (CONNECTED_TO) are followed both ways in every direction.
    """

    # lifecycle ------------------------------------------------------------------------
    def setup(self) -> None:
        """Create constraints and indexes (idempotent). Call once before first use."""

    def close(self) -> None: ...

    # discovery write path -------------------------------------------------------------
    def load_state(self) -> GraphState:
        """Every CI (any status) and relationship, as reconciliation needs them."""

    def prefetch_state(self) -> None:
        """Start reading what ``load_state`` returns in the background, where that is slow.

        A hint: ``load_state`` gives the same result with or without it, only sooner.
        """

    def apply(self, changes: ChangeSet, actor: str, at: datetime) -> ApplySummary:
        """Write a change set with its history events, atomically (or in idempotent batches)."""

    # reads ------------------------------------------------------------------------------
    def get_ci(self, uid: str) -> CI | None: ...

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
        """Search CIs, ordered by uid.

        text: case-insensitive substring of the name or uid. filters: exact values of
        attributes (indexed ones are fast; must be attributes of the schema). since: CIs
        whose ``changed_at`` (creation, attribute or status change) is at or after it.
        """

    def count_cis(self, ci_class: str | None = None, status: CIStatus | None = None) -> int: ...

    def relationships(
        self, uid: str, direction: Direction = "both", types: Iterable[str] | None = None
    ) -> list[Relationship]: ...

    def neighbors(self, uid: str, depth: int = 1, types: Iterable[str] | None = None) -> Subgraph:
        """CIs within ``depth`` hops in either direction, with the relationships among them."""

    def traverse(
        self,
        uids: Iterable[str],
        direction: TraverseDirection = "down",
        rel_types: Iterable[str] | None = None,
        depth: int = 3,
    ) -> Subgraph:
        """CIs reachable from ``uids`` (included) within ``depth`` hops, and the rels used."""

    def paths(
        self,
        a: str,
        b: str,
        rel_types: Iterable[str] | None = None,
        max_depth: int = 6,
        limit: int = 10,
    ) -> list[Path]:
        """Shortest-first simple paths between two CIs, ignoring relationship direction."""

    def export_graph(self, include_retired: bool = False) -> Subgraph:
        """The whole graph (by default without retired CIs and relationships)."""

    # history ----------------------------------------------------------------------------
    def history(
        self,
        uid: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        limit: int = 1000,
    ) -> list[HistoryEvent]:
        """Events oldest first: of one CI (its own and its relationships') or of everything."""

    def ci_as_of(self, uid: str, at: datetime) -> CI | None:
        """The CI as it was at ``at`` (from history); None if it did not exist yet."""

    def diff(self, uid: str, t1: datetime, t2: datetime) -> dict[str, tuple[Any, Any]]:
        """Attributes (and status) that differ between the CI at t1 and at t2."""

    # people's edits ---------------------------------------------------------------------
    def set_manual_attrs(self, uid: str, attrs: dict[str, Any], user: str) -> CI:
        """Set (None removes) manual attributes; validated by the schema, recorded in history."""

    def set_review(self, uid: str, state: ReviewState, user: str) -> CI: ...

    def merge(self, keep_uid: str, drop_uid: str, user: str) -> CI:
        """Move drop's relationships and identity keys to keep; drop is retired, merged_into keep."""

    def create_ci(self, ci_class: str, attrs: dict[str, Any], user: str) -> CI:
        """Create an authored CI (BusinessService, manual Application...)."""

    def link(
        self, source: str, rel: str, target: str, attrs: dict[str, Any] | None, user: str
    ) -> Relationship:
        """Create (or update the attributes of) a manual relationship."""

    def unlink(self, source: str, rel: str, target: str, user: str) -> None:
        """Remove a manual relationship (discovered ones are retired by discovery, not by hand)."""

    # API records and configuration versions -------------------------------------------
    def put_record(self, kind: str, key: str, doc: dict[str, Any]) -> None: ...

    def get_record(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def list_records(self, kind: str, offset: int = 0, limit: int = 100) -> Page[dict[str, Any]]:
        """Records of one kind ordered by key."""

    def delete_record(self, kind: str, key: str) -> bool: ...

    def put_config_snapshot(
        self, device_uid: str, snapshot: ConfigSnapshot, run_id: str | None, at: datetime
    ) -> ConfigVersion | None:
        """Store a new version when the hash differs from the latest; None when unchanged."""

    def config_versions(self, device_uid: str) -> list[ConfigVersion]:
        """All versions of one device, oldest first."""

    def get_config_version(self, device_uid: str, version: int) -> ConfigVersion | None: ...


def to_networkx(subgraph: Subgraph) -> nx.MultiDiGraph:
    """A networkx MultiDiGraph of a subgraph: node attrs = CI fields, edge key = rel type."""
    import networkx as nx

    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for ci in subgraph.cis:
        g.add_node(ci.uid, ci=ci, ci_class=ci.ci_class, name=ci.name, status=ci.status.value)
    for rel in subgraph.rels:
        g.add_edge(rel.source, rel.target, key=rel.type, rel=rel, **rel.attributes)
    return g


def open_store(url: str, settings: Settings | None = None) -> GraphStore:
    """The store named by ``url``; ``setup()`` has been called on it."""
    from graph.settings import get_settings

    settings = settings or get_settings()
    store: GraphStore
    if url.startswith("sqlite://") or url.startswith("memory://"):
        from graph.memory_store import EmbeddedStore

        path = url.removeprefix("sqlite:///") if url.startswith("sqlite://") else None
        store = EmbeddedStore(path, settings)
    elif url.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://")):
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore(url, settings)
    else:
        raise ValueError(
            f"unsupported store URL {url!r}: use sqlite:///PATH, memory://, bolt:// or neo4j://"
        )
    store.setup()
    return store
