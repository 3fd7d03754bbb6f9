"""Change-impact analysis over a CI graph: a pure function of a networkx graph.

Nothing here knows about stores, HTTP or time; the API builds a (bounded) networkx graph
from the store and asks :class:`ImpactModel` what a change would do.

Input graph (``networkx.MultiDiGraph``):
    node attributes ``ci_class``, ``name``, ``role``, ``criticality``, ``status`` (any may be
    missing); edge attribute ``rel`` (a relationship type declared in ``graph.schema``) plus
    the relationship's own attributes (``redundancy_group``...).

Propagation follows the declaration of each relationship type (``RelType.propagation``),
never relationship names:

CONTAINS ``(a)-[R]->(b)``
    a OUTAGE -> b OUTAGE (a switch that reboots takes its interfaces with it).
REQUIRES ``(a)-[R]->(b)``
    The providers of ``a`` are grouped by ``(rel, redundancy_group)``; an edge without a
    ``redundancy_group`` is a group of its own, i.e. a consumer needs *each* of its
    ungrouped providers (an application that talks to a database and to a cache needs
    both). ``a`` is OUTAGE when every provider of some group is OUTAGE, and DEGRADED when
    it is not OUTAGE but a provider is OUTAGE or DEGRADED (it runs on reduced redundancy).
LINK ``(a)-[R]-(b)`` (physical links between interfaces)
    Evaluated as reachability over the device-level link graph (each interface stands for
    the device that contains it). Every connected part of the network has roots (see
    :func:`find_roots`): a device that no longer reaches a surviving root is OUTAGE; a
    device that still reaches one but lost one of its uplinks (a link towards the roots,
    i.e. to a neighbour closer to them) is DEGRADED. A dual-homed server whose access
    switch reboots is therefore DEGRADED, a single-homed one OUTAGE.
NONE
    Nothing travels (``LOCATED_IN``, ``INSTALLED_ON``).

The three kinds are iterated to a fixpoint: an isolated server takes down the applications
that run on it, which degrade or take down the business services depending on them, and
so on. States only ever rise (UP < DEGRADED < OUTAGE), so the iteration terminates.
"""

from __future__ import annotations

import enum
import heapq
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.model import CI, Relationship
from graph.schema import RELS, Propagation

ROOT_ROLES: tuple[str, ...] = ("core",)
RETIRED_STATUSES: tuple[str, ...] = ("retired",)
MAX_PATHS = 3


class ChangeType(enum.StrEnum):
    CONFIG_CHANGE = "config_change"
    REBOOT = "reboot"
    REPLACE = "replace"
    DECOMMISSION = "decommission"


class Effect(enum.StrEnum):
    """What a change type does to the changed CIs themselves."""

    DOWN = "down"  # the changed CIs stop working (for the window, or for good)
    AT_RISK = "at_risk"  # they keep working if the change goes well


@dataclass(frozen=True, slots=True)
class ChangeSpec:
    """How a change type is assessed.

    A configuration change does not take anything down when it goes well, but a bad one
    takes the changed CI down; its assessment is therefore the same propagation as an
    outage of the changed CIs (the worst case), reported with effect ``at_risk`` and
    weighted lower in the risk score (``risk_weight``).
    """

    effect: Effect
    permanent: bool
    risk_weight: float
    description: str


CHANGE_SPECS: dict[ChangeType, ChangeSpec] = {
    ChangeType.CONFIG_CHANGE: ChangeSpec(
        Effect.AT_RISK,
        False,
        0.5,
        "Configuration change: worst case is an outage of the changed CIs",
    ),
    ChangeType.REBOOT: ChangeSpec(
        Effect.DOWN, False, 1.0, "Reboot: the changed CIs are down during the window"
    ),
    ChangeType.REPLACE: ChangeSpec(
        Effect.DOWN, False, 1.0, "Hardware replacement: the changed CIs are down during the window"
    ),
    ChangeType.DECOMMISSION: ChangeSpec(
        Effect.DOWN, True, 1.5, "Decommission: the changed CIs are gone for good"
    ),
}


class ImpactState(enum.StrEnum):
    DEGRADED = "DEGRADED"
    OUTAGE = "OUTAGE"


_RANK: dict[ImpactState | None, int] = {None: 0, ImpactState.DEGRADED: 1, ImpactState.OUTAGE: 2}


@dataclass(frozen=True, slots=True)
class Hop:
    """How impact reached a CI from another one: ``nodes[0]`` is the cause, ``nodes[-1]`` the CI.

    ``rels[i]`` is the relationship type between ``nodes[i]`` and ``nodes[i + 1]`` (whatever
    its stored direction).
    """

    nodes: tuple[str, ...]
    rels: tuple[str, ...]

    @property
    def source(self) -> str:
        return self.nodes[0]


@dataclass(frozen=True, slots=True)
class ImpactPath:
    """A chain from a changed CI to an impacted one."""

    nodes: tuple[str, ...]
    rels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImpactedCI:
    uid: str
    ci_class: str | None
    name: str | None
    state: ImpactState
    changed: bool
    criticality: str | None
    paths: tuple[ImpactPath, ...]


@dataclass(frozen=True, slots=True)
class ImpactResult:
    change_type: ChangeType
    effect: Effect
    changed: tuple[str, ...]
    unknown: tuple[str, ...]  # requested CIs absent from the graph
    impacted: tuple[ImpactedCI, ...]  # every impacted CI, changed ones included, worst first

    @property
    def services(self) -> tuple[ImpactedCI, ...]:
        return tuple(i for i in self.impacted if i.ci_class == "BusinessService")

    def state_of(self, uid: str) -> ImpactState | None:
        return next((i.state for i in self.impacted if i.uid == uid), None)


@dataclass(frozen=True, slots=True)
class _Link:
    """One physical link as seen from ``here`` (an interface of the device)."""

    here: str
    there: str
    rel: str
    neighbour: str  # device owning ``there``


@dataclass
class _Run:
    """Mutable state of one analysis."""

    state: dict[str, ImpactState] = field(default_factory=dict)
    causes: dict[str, list[Hop]] = field(default_factory=dict)
    pending: deque[str] = field(default_factory=deque)

    def raise_to(self, uid: str, new: ImpactState, hops: Iterable[Hop]) -> bool:
        """Raise ``uid`` to ``new`` if that is worse than its state; keep extra causes otherwise."""
        old = self.state.get(uid)
        if _RANK[new] > _RANK[old]:
            self.state[uid] = new
            self.causes[uid] = list(hops)
            self.pending.append(uid)
            return True
        if new == old:
            known = self.causes.setdefault(uid, [])
            known.extend(h for h in hops if h not in known and len(known) < MAX_PATHS)
        return False


def _propagation(rel: str) -> Propagation:
    declared = RELS.get(rel)
    return declared.propagation if declared else Propagation.NONE


def _rel_name(key: Any, data: dict[str, Any]) -> str:
    """The relationship type of an edge: its key (``graph.store.to_networkx``) or ``rel``."""
    if isinstance(key, str) and key in RELS:
        return key
    rel = data.get("rel")
    return str(getattr(rel, "type", rel))


def to_impact_graph(cis: Iterable[CI], rels: Iterable[Relationship]) -> nx.MultiDiGraph:
    """The graph :class:`ImpactModel` reads, from store records (retired ones are skipped)."""
    g = nx.MultiDiGraph()
    for ci in cis:
        g.add_node(
            ci.uid,
            ci_class=ci.ci_class,
            name=ci.name,
            status=ci.status.value,
            role=ci.attributes.get("role"),
            criticality=ci.attributes.get("criticality"),
        )
    for rel in rels:
        if rel.status.value != "retired" and rel.source in g and rel.target in g:
            g.add_edge(rel.source, rel.target, key=rel.type, rel=rel.type, **rel.attributes)
    return g


def find_roots(
    devices: nx.Graph, attrs: dict[str, dict[str, Any]], root_roles: Collection[str]
) -> set[str]:
    """Pick the devices every other device must reach, per connected part of the network.

    A part with devices whose ``role`` is a root role (``core`` by default) uses those.
    Otherwise (discovered roles are often just "switch") it uses the devices farthest from
    the edge: servers (or, without servers, devices with a single link) are the edge, and
    in a hierarchical network the core is the layer farthest from it. A part without an
    edge (a ring) uses its centre.
    """
    roots: set[str] = set()
    for part in nx.connected_components(devices):
        declared = {n for n in part if attrs.get(n, {}).get("role") in root_roles}
        if declared:
            roots |= declared
            continue
        sub = devices.subgraph(part)
        edge = {n for n in part if attrs.get(n, {}).get("ci_class") == "Server"}
        edge = edge or {n for n in part if sub.degree(n) <= 1}
        if not edge or edge == set(part):
            roots |= set(nx.center(sub)) if len(part) > 1 else set(part)
            continue
        depth = nx.multi_source_dijkstra_path_length(sub, edge)
        deepest = max(depth.values())
        roots |= {n for n, d in depth.items() if d == deepest}
    return roots


def _edges_by_kind(
    graph: nx.MultiDiGraph, alive: Collection[str]
) -> Iterator[tuple[str, str, str, Propagation, dict[str, Any]]]:
    for a, b, key, data in graph.edges(keys=True, data=True):
        if a in alive and b in alive:
            rel = _rel_name(key, data)
            yield a, b, rel, _propagation(rel), data


def _alive_nodes(
    graph: nx.MultiDiGraph, ignore_statuses: Collection[str]
) -> dict[str, dict[str, Any]]:
    return {n: d for n, d in graph.nodes(data=True) if d.get("status") not in ignore_statuses}


class LinkTopology:
    """The physical network as impact analysis sees it: devices joined by links.

    Built once per graph (or once for a whole store and cached, see ``api.analysis``):
    every LINK relationship, the device that contains each linked interface, the roots and
    each device's distance to them (links towards smaller distances are uplinks).
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        roots: Collection[str] | None = None,
        root_roles: Collection[str] = ROOT_ROLES,
        ignore_statuses: Collection[str] = RETIRED_STATUSES,
    ) -> None:
        attrs = _alive_nodes(graph, ignore_statuses)
        container: dict[str, tuple[str, str]] = {}
        raw: list[tuple[str, str, str]] = []
        for a, b, rel, kind, _data in _edges_by_kind(graph, attrs):
            if kind is Propagation.CONTAINS:
                container.setdefault(b, (a, rel))
            elif kind is Propagation.LINK:
                raw.append((a, b, rel))
        self.contained_by: dict[str, tuple[str, str]] = {}  # linked interface -> (device, rel)
        self.links: dict[str, list[_Link]] = {}  # interface -> its links
        self.device_ifaces: dict[str, list[str]] = {}
        for a, b, rel in raw:
            for here, there in ((a, b), (b, a)):
                self.links.setdefault(here, []).append(
                    _Link(here, there, rel, self._owner(there, container))
                )
        for iface in self.links:
            device = self._owner(iface, container)
            self.device_ifaces.setdefault(device, []).append(iface)
            if iface in container:
                self.contained_by[iface] = container[iface]
        self.devices = nx.Graph()
        for device, ifaces in self.device_ifaces.items():
            self.devices.add_node(device)
            for iface in ifaces:
                self.devices.add_edges_from(
                    (device, link.neighbour)
                    for link in self.links[iface]
                    if link.neighbour != device
                )
        chosen = {r for r in roots or () if r in self.devices}
        self.roots: set[str] = chosen or find_roots(self.devices, attrs, root_roles)
        self.distance: dict[str, int] = (
            dict(nx.multi_source_dijkstra_path_length(self.devices, self.roots))
            if self.roots
            else {}
        )

    @staticmethod
    def _owner(uid: str, container: dict[str, tuple[str, str]]) -> str:
        """The outermost container of ``uid`` (the device of an interface), or ``uid`` itself."""
        seen = {uid}
        while uid in container and container[uid][0] not in seen:
            uid = container[uid][0]
            seen.add(uid)
        return uid

    def device_links(self, device: str) -> Iterator[_Link]:
        """Every link of ``device``, through any of its interfaces."""
        for iface in self.device_ifaces.get(device, ()):
            yield from self.links[iface]

    def containing_rel(self, iface: str) -> str:
        return self.contained_by.get(iface, ("", "CONTAINS"))[1]


class ImpactModel:
    """A graph prepared for impact questions.

    ``topology`` lets many models share one prepared network (the API builds it once per
    store); without it the network is taken from ``graph`` itself.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        topology: LinkTopology | None = None,
        roots: Collection[str] | None = None,
        root_roles: Collection[str] = ROOT_ROLES,
        ignore_statuses: Collection[str] = RETIRED_STATUSES,
    ) -> None:
        self.graph = graph
        self.attrs = _alive_nodes(graph, ignore_statuses)
        self.children: dict[str, list[tuple[str, str]]] = {}
        self.consumers: dict[str, list[tuple[str, str]]] = {}
        self.providers: dict[str, dict[tuple[str, str], list[str]]] = {}
        self.container: dict[str, str] = {}
        self._index_edges()
        self.topology = topology or LinkTopology(
            graph, roots=roots, root_roles=root_roles, ignore_statuses=ignore_statuses
        )
        self.devices = self.topology.devices
        self.roots = self.topology.roots
        self.distance = self.topology.distance
        self.links = self.topology.links

    def _index_edges(self) -> None:
        for a, b, rel, kind, data in _edges_by_kind(self.graph, self.attrs):
            if kind is Propagation.CONTAINS:
                self.children.setdefault(a, []).append((b, rel))
                self.container.setdefault(b, a)
            elif kind is Propagation.REQUIRES:
                group = data.get("redundancy_group")
                gkey = (rel, f"group:{group}") if group else (rel, f"edge:{b}")
                self.providers.setdefault(a, {}).setdefault(gkey, []).append(b)
                self.consumers.setdefault(b, []).append((a, rel))

    def owner(self, uid: str) -> str:
        """The outermost container of ``uid`` in this graph, or ``uid`` itself."""
        seen = {uid}
        while uid in self.container and self.container[uid] not in seen:
            uid = self.container[uid]
            seen.add(uid)
        return uid

    def device_links(self, device: str) -> Iterator[_Link]:
        return self.topology.device_links(device)

    # -- analysis ----------------------------------------------------------------------

    def analyze(self, changed: Iterable[str], change_type: ChangeType) -> ImpactResult:
        """Impact of ``change_type`` applied to ``changed`` (see the module docstring)."""
        spec = CHANGE_SPECS[change_type]
        wanted = list(dict.fromkeys(changed))
        known = [u for u in wanted if self.knows(u)]
        run = self._simulate(known)
        return ImpactResult(
            change_type=change_type,
            effect=spec.effect,
            changed=tuple(known),
            unknown=tuple(u for u in wanted if not self.knows(u)),
            impacted=self._report(run, set(known)),
        )

    def knows(self, uid: str) -> bool:
        """In the graph, or a device or linked interface of the (shared) network."""
        return uid in self.attrs or uid in self.topology.device_ifaces or uid in self.links

    def outage_states(self, changed: Iterable[str]) -> dict[str, ImpactState]:
        """Just the states (no paths): what an outage of ``changed`` does."""
        return self._simulate([u for u in changed if self.knows(u)]).state

    def _simulate(self, changed: list[str]) -> _Run:
        run = _Run()
        for uid in changed:
            run.raise_to(uid, ImpactState.OUTAGE, ())
        while True:
            self._propagate_local(run)
            if not self._evaluate_links(run):
                return run

    def _propagate_local(self, run: _Run) -> None:
        while run.pending:
            uid = run.pending.popleft()
            if run.state[uid] is ImpactState.OUTAGE:
                for child, rel in self.children.get(uid, ()):
                    run.raise_to(child, ImpactState.OUTAGE, [Hop((uid, child), (rel,))])
            for consumer, _rel in self.consumers.get(uid, ()):
                self._evaluate_consumer(run, consumer)

    def _evaluate_consumer(self, run: _Run, consumer: str) -> None:
        worst: ImpactState | None = None
        hops: list[Hop] = []
        for (rel, _group), members in self.providers.get(consumer, {}).items():
            states = [run.state.get(m) for m in members]
            hit = [Hop((m, consumer), (rel,)) for m, s in zip(members, states, strict=True) if s]
            if not hit:
                continue
            group_down = all(s is ImpactState.OUTAGE for s in states)
            state = ImpactState.OUTAGE if group_down else ImpactState.DEGRADED
            if _RANK[state] > _RANK[worst]:
                worst, hops = state, hit
            elif state == worst:
                hops.extend(hit)
        if worst is not None:
            run.raise_to(consumer, worst, hops)

    def _link_failed(self, run: _Run, link: _Link) -> bool:
        down = ImpactState.OUTAGE
        return (
            run.state.get(link.here) is down
            or run.state.get(link.there) is down
            or run.state.get(link.neighbour) is down
        )

    def _evaluate_links(self, run: _Run) -> bool:
        """Apply reachability to the current states; True if some state rose.

        Only the neighbourhood of failures is examined: a part of the network cut off from
        every root must border a failed element (it was connected before), so searching
        from each alive device next to a failure finds every isolated device.
        """
        near = self._near_failures(run)
        if not self.roots or not near:
            return False
        reachable, isolated = self._classify(run, near)
        raised = self._isolate(run, isolated)
        for device in near & reachable:
            lost = [link for link in self._uplinks(device) if self._link_failed(run, link)]
            if lost:
                hops = [self._link_hop(run, link, device) for link in lost]
                raised = run.raise_to(device, ImpactState.DEGRADED, hops) or raised
        return raised

    def _near_failures(self, run: _Run) -> set[str]:
        """Alive devices on the far side of a failed link end or next to a failed device."""
        near: set[str] = set()
        for uid, state in run.state.items():
            if state is not ImpactState.OUTAGE:
                continue
            for link in self.links.get(uid, ()):
                near.add(link.neighbour)
            for link in self.device_links(uid):
                near.add(link.neighbour)
        return {d for d in near if run.state.get(d) is not ImpactState.OUTAGE}

    def _classify(self, run: _Run, starts: set[str]) -> tuple[set[str], set[str]]:
        """Split the parts of the network around ``starts`` into reachable and isolated.

        Best-first search towards the roots (by the intact distance), so a device that still
        has a way up is confirmed in a few steps; a search that exhausts its part without
        meeting an alive root proves the whole part isolated.
        """
        reachable: set[str] = set()
        isolated: set[str] = set()
        for start in starts:
            if start in reachable or start in isolated:
                continue
            seen = {start}
            heap = [(self.distance.get(start, 0), start)]
            found = False
            while heap and not found:
                _d, device = heapq.heappop(heap)
                found = device in reachable or device in self.roots
                if found:
                    break
                for link in self.device_links(device):
                    nxt = link.neighbour
                    if nxt not in seen and not self._link_failed(run, link):
                        seen.add(nxt)
                        heapq.heappush(heap, (self.distance.get(nxt, 0), nxt))
            # Everything seen is joined to ``start`` by working links: it shares its fate.
            (reachable if found else isolated).update(seen)
        return reachable, isolated

    def _uplinks(self, device: str) -> Iterator[_Link]:
        mine = self.distance.get(device)
        if mine is None:
            return
        for link in self.device_links(device):
            theirs = self.distance.get(link.neighbour)
            if theirs is not None and theirs < mine:
                yield link

    def _link_hop(self, run: _Run, link: _Link, device: str) -> Hop:
        """The hop from the failed element of ``link`` (far device or an interface) to ``device``.

        The chain is far device -> far interface -> near interface -> ``device``, starting at
        the first element that is down (the far device when nothing on the link itself is).
        """
        chain = [link.neighbour, link.there, link.here, device]
        rels = [self._containing_rel(link.there), link.rel, self._containing_rel(link.here)]
        down = ImpactState.OUTAGE
        if run.state.get(link.neighbour) is not down:
            start = next((i for i in (1, 2) if run.state.get(chain[i]) is down), 0)
            chain, rels = chain[start:], rels[start:]
        nodes: list[str] = [chain[0]]
        kept: list[str] = []
        for node, rel in zip(chain[1:], rels, strict=True):
            if node != nodes[-1]:
                nodes.append(node)
                kept.append(rel)
        return Hop(tuple(nodes), tuple(kept))

    def _containing_rel(self, uid: str) -> str:
        return self.topology.containing_rel(uid)

    def _isolate(self, run: _Run, isolated: set[str]) -> bool:
        """Mark ``isolated`` devices OUTAGE, each caused by the nearest failed element (BFS)."""
        if not isolated:
            return False
        parent: dict[str, Hop] = {}
        queue: deque[str] = deque()
        for device in isolated:
            for link in self.device_links(device):
                if link.neighbour not in isolated and self._link_failed(run, link):
                    parent[device] = self._link_hop(run, link, device)
                    queue.append(device)
                    break
        while queue:
            device = queue.popleft()
            for link in self.device_links(device):
                nxt = link.neighbour
                if nxt in isolated and nxt not in parent:
                    back = _Link(link.there, link.here, link.rel, device)
                    parent[nxt] = self._link_hop(run, back, nxt)
                    queue.append(nxt)
        raised = False
        for device in isolated:
            hop = parent.get(device)
            raised = run.raise_to(device, ImpactState.OUTAGE, [hop] if hop else []) or raised
        return raised

    # -- reporting ---------------------------------------------------------------------

    def _report(self, run: _Run, changed: set[str]) -> tuple[ImpactedCI, ...]:
        out = []
        for uid, state in run.state.items():
            data = self.attrs.get(uid, {})
            out.append(
                ImpactedCI(
                    uid=uid,
                    ci_class=data.get("ci_class"),
                    name=data.get("name"),
                    state=state,
                    changed=uid in changed,
                    criticality=data.get("criticality"),
                    paths=tuple(self._paths(run, uid, changed)),
                )
            )
        out.sort(key=lambda i: (not i.changed, -_RANK[i.state], i.ci_class or "", i.uid))
        return tuple(out)

    def _paths(self, run: _Run, uid: str, changed: set[str]) -> list[ImpactPath]:
        """Up to MAX_PATHS chains of hops from a changed CI to ``uid``."""
        if uid in changed:
            return [ImpactPath((uid,), ())]
        found: list[ImpactPath] = []

        def walk(
            node: str, nodes: tuple[str, ...], rels: tuple[str, ...], seen: frozenset[str]
        ) -> None:
            if len(found) >= MAX_PATHS:
                return
            if node in changed:
                found.append(ImpactPath(nodes, rels))
                return
            for hop in run.causes.get(node, ()):
                if hop.source in seen:
                    continue
                walk(hop.source, hop.nodes[:-1] + nodes, hop.rels + rels, seen | set(hop.nodes))

        walk(uid, (uid,), (), frozenset({uid}))
        return found

    # -- single points of failure ------------------------------------------------------

    def spof_candidates(self, target: str) -> set[str]:
        """CIs that might take ``target`` down on their own (checked by simulation after).

        Everything ``target`` transitively requires, their containers, and on the network
        side the articulation points and bridge-link interfaces lying on the shortest path
        from each of those devices to its nearest root (a cut separating a device from all
        roots lies on every such path) plus the roots themselves.
        """
        closure = self._required_closure(target)
        candidates = set(closure)
        for uid in closure:
            parent = self.container.get(uid)
            while parent is not None and parent not in candidates:
                candidates.add(parent)
                parent = self.container.get(parent)
        devices = {self.owner(u) for u in candidates} & set(self.devices)
        if devices:
            candidates |= self._network_cuts(devices)
        candidates.discard(target)
        return candidates

    def _required_closure(self, target: str) -> set[str]:
        seen = {target}
        stack = [target]
        while stack:
            for members in self.providers.get(stack.pop(), {}).values():
                for m in members:
                    if m not in seen:
                        seen.add(m)
                        stack.append(m)
        return seen

    def _network_cuts(self, devices: set[str]) -> set[str]:
        articulation = set(nx.articulation_points(self.devices))
        bridges = {frozenset(e) for e in nx.bridges(self.devices)}
        found: set[str] = set(self.roots & {r for d in devices for r in self._component_roots(d)})
        for device in devices:
            path = self._path_to_root(device)
            found |= {p for p in path if p in articulation or p == device}
            for a, b in zip(path, path[1:], strict=False):
                if frozenset((a, b)) in bridges:
                    found |= {link.here for link in self.device_links(a) if link.neighbour == b}
                    found |= {link.there for link in self.device_links(a) if link.neighbour == b}
        return found

    def _component_roots(self, device: str) -> set[str]:
        return self.roots & nx.node_connected_component(self.devices, device)

    def _path_to_root(self, device: str) -> list[str]:
        roots = self._component_roots(device)
        if not roots:
            return [device]
        _dist, path = nx.multi_source_dijkstra(self.devices, roots, target=device)
        return list(reversed(path))

    def spofs(self, target: str) -> list[str]:
        """CIs whose failure on its own is an OUTAGE of ``target`` (a business service...)."""
        if target not in self.attrs:
            return []
        return sorted(
            c
            for c in self.spof_candidates(target)
            if self.outage_states([c]).get(target) is ImpactState.OUTAGE
        )
