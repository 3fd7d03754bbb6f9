"""Impact analysis over a store: fetch a bounded subgraph, then ask :mod:`api.impact`.

A query never loads the whole graph. Two parts are combined:

- the *network* (every physical link, its interfaces and their devices), which link
  reachability needs as a whole; it is small next to the CI graph (no addresses, software,
  components or unlinked interfaces), built once and cached for ``ttl`` seconds (API writes
  drop the cache);
- the *neighbourhood* of the change, fetched from the store by directed traversals that
  follow the declared propagation: down CONTAINS relationships, up REQUIRES relationships
  (consumers), plus one step down REQUIRES from those consumers (their other providers, for
  redundancy). Devices the analysis finds cut off or degraded are expanded the same way in
  a further round, until no new device is impacted (``max_rounds``).
"""

from __future__ import annotations

import threading
import time

from api.impact import ChangeType, ImpactModel, ImpactResult, LinkTopology, to_impact_graph
from graph.model import CI, Relationship, Subgraph
from graph.schema import DEVICE_CLASSES, REL_TYPES, Propagation
from graph.store import GraphStore

CONTAINS = [r.name for r in REL_TYPES if r.propagation is Propagation.CONTAINS]
REQUIRES = [r.name for r in REL_TYPES if r.propagation is Propagation.REQUIRES]
LINKS = [r.name for r in REL_TYPES if r.propagation is Propagation.LINK]


class _Graph:
    """CIs and relationships collected from several store reads, de-duplicated."""

    def __init__(self) -> None:
        self.cis: dict[str, CI] = {}
        self.rels: dict[str, Relationship] = {}

    def add(self, sub: Subgraph) -> None:
        self.cis.update((c.uid, c) for c in sub.cis)
        self.rels.update((r.key, r) for r in sub.rels)

    def model(self, topology: LinkTopology) -> ImpactModel:
        return ImpactModel(to_impact_graph(self.cis.values(), self.rels.values()), topology=topology)


class ImpactAnalyzer:
    """Answers impact questions for one store (thread-safe; one per app)."""

    def __init__(self, store: GraphStore, *, ttl: float = 300.0, depth: int = 6, max_rounds: int = 4) -> None:
        self.store = store
        self.ttl = ttl
        self.depth = depth
        self.max_rounds = max_rounds
        self._lock = threading.Lock()
        self._topology: LinkTopology | None = None
        self._built_at = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._topology = None

    def topology(self) -> LinkTopology:
        """The cached link topology (rebuilt when older than ``ttl`` or after an API write)."""
        with self._lock:
            if self._topology is None or time.monotonic() - self._built_at > self.ttl:
                network = self._load_network()
                self._topology = LinkTopology(to_impact_graph(network.cis, network.rels))
                self._built_at = time.monotonic()
            return self._topology

    def _load_network(self) -> Subgraph:
        whole = self.store.export_graph()
        links = [r for r in whole.rels if r.type in LINKS]
        ends = {u for r in links for u in (r.source, r.target)}
        owners = [r for r in whole.rels if r.type in CONTAINS and r.target in ends]
        wanted = ends | {r.source for r in owners}
        return Subgraph([c for c in whole.cis if c.uid in wanted], links + owners)

    def analyze(self, changed: list[str], change_type: ChangeType) -> ImpactResult:
        """Impact of a change, over the network plus the change's neighbourhood."""
        return self._collect(changed)[1].analyze(changed, change_type)

    def model_for(self, uids: list[str]) -> ImpactModel:
        """A model holding everything an outage of ``uids`` can reach (for SPOF questions)."""
        return self._collect(uids)[1]

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
            frontier = {u for u in states if u not in expanded and self._is_device(graph, topology, u)}
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
        topology = self.topology()
        graph = _Graph()
        providers = self.store.traverse([service], "down", REQUIRES, self.depth)
        graph.add(providers)
        devices = [c.uid for c in providers.cis if c.ci_class in DEVICE_CLASSES]
        if devices:
            graph.add(self.store.traverse(devices, "down", CONTAINS, self.depth))
        return graph.model(topology)
