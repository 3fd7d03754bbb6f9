"""Impact analysis over a store: the questions of :mod:`api.impact`, answered for a store.

Two modes, same answers (the tests hold them to it):

``cached`` (default)
    The propagating skeleton of the whole graph (CIs with the few attributes impact needs,
    and the relationships) is loaded once into an :class:`ImpactModel`; each query then only
    touches what the change reaches (propagation is a worklist from the changed CIs, link
    reachability a local search around the failures), so a query costs milliseconds even
    on 100k CIs. The snapshot is dropped by every API write, and refreshed in the
    background when it is older than ``ttl`` or a discovery run finished since it was taken
    (checked at most every ``check_every`` seconds); queries meanwhile use the old one.
``store``
    Only the link topology is cached; every query fetches the bounded neighbourhood of the
    change from the store by directed traversals that follow the declared propagation: down
    CONTAINS relationships, up REQUIRES relationships (consumers), plus one step down
    REQUIRES from those consumers (their other providers, for redundancy). Devices the
    analysis finds cut off are expanded the same way in a further round, until no new
    device is impacted (``max_rounds``). Always current, but a query costs a few dozen
    store round trips.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Literal

from api.impact import ChangeType, ImpactModel, ImpactResult, LinkTopology, to_impact_graph
from graph.model import CI, Relationship, Subgraph
from graph.schema import DEVICE_CLASSES, REL_TYPES, Propagation
from graph.store import GraphStore

CONTAINS = [r.name for r in REL_TYPES if r.propagation is Propagation.CONTAINS]
REQUIRES = [r.name for r in REL_TYPES if r.propagation is Propagation.REQUIRES]
Mode = Literal["cached", "store"]


class _Graph:
    """CIs and relationships collected from several store reads, de-duplicated."""

    def __init__(self) -> None:
        self.cis: dict[str, CI] = {}
        self.rels: dict[str, Relationship] = {}

    def add(self, sub: Subgraph) -> None:
        self.cis.update((c.uid, c) for c in sub.cis)
        self.rels.update((r.key, r) for r in sub.rels)

    def model(self, topology: LinkTopology) -> ImpactModel:
        return ImpactModel(
            to_impact_graph(self.cis.values(), self.rels.values()), topology=topology
        )


class _Snapshot:
    """What was loaded from the store at one time: the link topology, and in ``cached``
    mode the whole propagating graph."""

    def __init__(self, whole: Subgraph, cached: bool) -> None:
        self.taken_at = datetime.now(UTC)
        self.loaded = time.monotonic()
        self.checked = self.loaded
        graph = to_impact_graph(whole.cis, whole.rels)
        self.topology = LinkTopology(graph)
        self.model = ImpactModel(graph, topology=self.topology) if cached else None


class ImpactAnalyzer:
    """Answers impact questions for one store (thread-safe; one per app)."""

    def __init__(
        self,
        store: GraphStore,
        *,
        mode: Mode = "cached",
        ttl: float = 300.0,
        check_every: float = 5.0,
        depth: int = 6,
        max_rounds: int = 4,
    ) -> None:
        self.store = store
        self.mode = mode
        self.ttl = ttl
        self.check_every = check_every
        self.depth = depth
        self.max_rounds = max_rounds
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._refreshing = False

    def invalidate(self) -> None:
        """Forget the snapshot (after an API write): the next query loads a new one."""
        with self._lock:
            self._snapshot = None

    def snapshot(self) -> _Snapshot:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = _Snapshot(self.store.export_graph(), self.mode == "cached")
            elif not self._refreshing and self._stale(self._snapshot):
                self._refreshing = True
                threading.Thread(target=self._refresh, daemon=True).start()
            return self._snapshot

    def _stale(self, snap: _Snapshot) -> bool:
        now = time.monotonic()
        if now - snap.loaded > self.ttl:
            return True
        if now - snap.checked < self.check_every:
            return False
        snap.checked = now
        return self.store.find_cis(ci_class="DiscoveryRun", since=snap.taken_at, limit=1).total > 0

    def _refresh(self) -> None:
        try:
            fresh = _Snapshot(self.store.export_graph(), self.mode == "cached")
            with self._lock:
                self._snapshot = fresh
        finally:
            self._refreshing = False

    def topology(self) -> LinkTopology:
        return self.snapshot().topology

    def analyze(self, changed: list[str], change_type: ChangeType) -> ImpactResult:
        """Impact of a change on the CIs it can reach."""
        return self.model_for(changed).analyze(changed, change_type)

    def model_for(self, uids: list[str]) -> ImpactModel:
        """A model holding everything an outage of ``uids`` can reach."""
        snap = self.snapshot()
        return snap.model if snap.model is not None else self._collect(uids)[1]

    def _collect(self, changed: list[str]) -> tuple[_Graph, ImpactModel]:
        topology = self.topology()
        graph = _Graph()
        expanded: set[str] = set()
        frontier = set(changed)
        model = graph.model(topology)
        for _ in range(self.max_rounds):
            self._expand(graph, frontier)
            expanded |= frontier
            model = graph.model(topology)
            states = model.outage_states(changed)
            frontier = {
                u for u in states if u not in expanded and self._is_device(graph, topology, u)
            }
            if not frontier:
                break
        return graph, model

    @staticmethod
    def _is_device(graph: _Graph, topology: LinkTopology, uid: str) -> bool:
        ci = graph.cis.get(uid)
        return uid in topology.device_ifaces or (ci is not None and ci.ci_class in DEVICE_CLASSES)

    def _expand(self, graph: _Graph, frontier: set[str]) -> None:
        down = self.store.traverse(frontier, "down", CONTAINS, self.depth)
        graph.add(down)
        bases = frontier | down.uids()
        up = self.store.traverse(bases, "up", REQUIRES, self.depth)
        graph.add(up)
        consumers = up.uids() - bases
        if consumers:
            graph.add(self.store.traverse(consumers, "down", REQUIRES, 1))

    def service_closure(self, service: str) -> ImpactModel:
        """A model of what ``service`` requires, with containers and the network (for SPOFs)."""
        snap = self.snapshot()
        if snap.model is not None:
            return snap.model
        topology = snap.topology
        graph = _Graph()
        providers = self.store.traverse([service], "down", REQUIRES, self.depth)
        graph.add(providers)
        devices = [c.uid for c in providers.cis if c.ci_class in DEVICE_CLASSES]
        if devices:
            graph.add(self.store.traverse(devices, "down", CONTAINS, self.depth))
        return graph.model(topology)
