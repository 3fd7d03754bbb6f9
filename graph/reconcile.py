"""Reconciliation: one run's observations + the current graph -> a reviewable ChangeSet.

Pure: no I/O, no clock. Three steps:

1. *Observe*: turn DeviceReports (and dependency observations) into observed CIs and
   relationships with deterministic uids. Reports about the same box (SNMP and SSH, or a new
   IP) are clustered by identification keys and resolved against the known CIs
   (``graph.identity``); neighbours that name an unknown box become placeholders.
2. *Compare*: per attribute, a value replaces the current one only if its source's precedence
   is at least that of the current value's source (or the current value is absent). Manual
   attributes and authored CIs/relationships are never touched.
3. *Stale*: a known CI/relationship that was not observed is counted missing only when a
   source that had reported it reached its scope (device + section) in this run; K misses in
   a row retire it. Counting happens once per run id, so re-applying a run changes nothing.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from discovery.observations import (
    DependencyObservation,
    DeviceKind,
    DeviceReport,
    NeighborObservation,
    Section,
    Source,
)
from graph import identity as ident
from graph.bulk import gc_paused
from graph.model import (
    CI,
    ChangeSet,
    CIStatus,
    CIUpdate,
    Confirmation,
    GraphState,
    Provenance,
    Relationship,
    RelStatus,
    RelUpdate,
    RunContext,
    StatusChange,
    rel_key,
    scope_key,
)
from graph.schema import CLASSES, AttrType

# ----------------------------------------------------------------------------- observed


@dataclass(slots=True)
class ObservedCI:
    uid: str
    ci_class: str
    values: dict[str, tuple[Any, str, bool]] = field(default_factory=dict)  # value, source, weak
    scope: str | None = None
    keys: set[str] = field(default_factory=set)
    placeholder: bool = False  # only named by a neighbour
    weak: bool = True  # only implied (by an address, a link or a dependency)


@dataclass(slots=True)
class ObservedRel:
    type: str
    source: str
    target: str
    attrs: dict[str, Any] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)


class Observed:
    """Everything seen in one run, merged by uid; order of additions does not matter."""

    def __init__(self, state: GraphState, precedence: dict[str, int]) -> None:
        self._precedence = precedence
        self._merged = {uid: ci.merged_into for uid, ci in state.cis.items() if ci.merged_into}
        self.cis: dict[str, ObservedCI] = {}
        self.rels: dict[tuple[str, str, str], ObservedRel] = {}

    def live(self, uid: str) -> str:
        """Follow merges: observations of a merged-away CI land on the CI it was merged into."""
        hops = 0
        while uid in self._merged and hops < 100:
            uid, hops = self._merged[uid], hops + 1
        return uid

    def _wins(self, value: Any, source: str, weak: bool, current: tuple[Any, str, bool]) -> bool:
        """Does (value, source, weak) beat the value already observed for an attribute?

        Reported beats implied, then higher precedence; equal ranks are settled by the
        value's text, so that the order of reports never matters.
        """
        old_value, old_source, old_weak = current
        if value == old_value and source == old_source and weak == old_weak:
            return False  # the common case: the same thing seen again
        if weak != old_weak:
            return old_weak
        mine, theirs = self._precedence.get(source, 0), self._precedence.get(old_source, 0)
        if mine != theirs:
            return mine > theirs
        return value != old_value and repr(value) > repr(old_value)

    def add_ci(
        self,
        uid: str,
        ci_class: str,
        values: dict[str, Any],
        source: str,
        scope: str | None,
        keys: Iterable[str] = (),
        placeholder: bool = False,
        weak: bool = False,
    ) -> str:
        uid = self.live(uid)
        obs = self.cis.get(uid)
        if obs is None:
            obs = self.cis[uid] = ObservedCI(uid, ci_class, scope=scope, placeholder=placeholder)
        elif obs.weak and not weak:
            obs.ci_class, obs.scope = ci_class, scope
        obs.placeholder = obs.placeholder and placeholder
        obs.weak = obs.weak and weak
        obs.keys.update(keys)
        for name, value in values.items():
            if value is None:
                continue
            current = obs.values.get(name)
            if current is None or self._wins(value, source, weak, current):
                obs.values[name] = (value, source, weak)
        return uid

    def add_rel(
        self,
        rel_type: str,
        source: str,
        target: str,
        attrs: dict[str, Any],
        origin: str,
        scope: str,
    ) -> None:
        source, target = self.live(source), self.live(target)
        if source == target:
            return
        if rel_type == "CONNECTED_TO":
            source, target = sorted((source, target))
        key = (rel_type, source, target)
        rel = self.rels.get(key)
        if rel is None:
            rel = self.rels[key] = ObservedRel(rel_type, source, target)
        rel.sources.add(origin)
        rel.scopes.add(scope)
        for name, value in attrs.items():
            if isinstance(value, list):
                rel.attrs[name] = sorted(set(rel.attrs.get(name, [])) | set(value))
            elif value is not None:
                rel.attrs[name] = value


# ----------------------------------------------------------------------------- clustering


@dataclass(slots=True)
class Cluster:
    """Reports about one box in one run (typically its SNMP and its SSH report)."""

    reports: list[DeviceReport]
    keys: set[str]
    uid: str = ""


def _cluster_reports(reports: Iterable[DeviceReport]) -> list[Cluster]:
    """Group reachable reports that share an identification key without contradicting."""
    clusters: dict[int, Cluster] = {}
    by_key: dict[str, set[int]] = defaultdict(set)
    for number, report in enumerate(sorted(reports, key=lambda r: (r.target, r.source.value))):
        assert report.device is not None
        keys = {
            k
            for k in ident.device_keys(report.device, report.target)
            if ident.key_kind(k) != "host"
        }
        joined = Cluster([report], keys)
        for other_id in sorted({c for k in keys for c in by_key.get(k, ()) if c in clusters}):
            other = clusters[other_id]
            if not _contradict(other.keys, joined.keys):
                del clusters[other_id]
                joined = Cluster(other.reports + joined.reports, other.keys | joined.keys)
        clusters[number] = joined
        for key in joined.keys:
            by_key[key].add(number)
    return list(clusters.values())


def _contradict(a: set[str], b: set[str]) -> bool:
    for kind in ident.STRONG_KINDS:
        mine = {k for k in a if ident.key_kind(k) == kind}
        theirs = {k for k in b if ident.key_kind(k) == kind}
        if mine and theirs and not mine & theirs:
            return True
    return False


def _all_device_keys(cluster: Cluster) -> set[str]:
    keys: set[str] = set()
    for report in cluster.reports:
        assert report.device is not None
        keys.update(ident.device_keys(report.device, report.target))
    return keys


# ----------------------------------------------------------------------------- observe


class _Observer:
    """Builds the Observed set for one run."""

    def __init__(self, state: GraphState, run: RunContext) -> None:
        self.state = state
        self.run = run
        self.obs = Observed(state, run.precedence)
        self.index = ident.IdentityIndex.build(state.cis.values())
        self.run_index = ident.IdentityIndex()
        self.reached: set[tuple[str, str, str]] = set()
        self.clusters: list[Cluster] = []
        self.device_class: dict[str, str] = {}
        self._ports: dict[str, list[tuple[str, set[str], str | None]]] = {}

    def _prec(self, source: str) -> int:
        return self.run.precedence.get(source, 0)

    # devices ------------------------------------------------------------------------
    def resolve_devices(self, reports: list[DeviceReport]) -> None:
        usable = [r for r in reports if r.reachable and r.device is not None]
        usable = [r for r in usable if r.device and ident.device_keys(r.device, r.target)]
        self.clusters = _cluster_reports(usable)
        taken: set[str] = set()
        for cluster in sorted(self.clusters, key=lambda c: ident.sort_keys(c.keys)):
            keys = _all_device_keys(cluster)
            uid = self.index.resolve(keys)
            if uid is None:
                uid = ident.device_uid(sorted(keys))
                while uid in self.state.cis or uid in taken:
                    uid += "~"
            taken.add(uid)
            cluster.uid = uid
            self.run_index.add(uid, keys)
            for report in cluster.reports:
                for section in report.sections:
                    self.reached.add((uid, section.value, report.source.value))

    def observe_clusters(self) -> None:
        for cluster in self.clusters:
            lead = max(cluster.reports, key=lambda r: self._prec(r.source.value))
            assert lead.device is not None
            cls = "Server" if lead.device.kind is DeviceKind.SERVER else "NetworkDevice"
            self.device_class[cluster.uid] = cls
            for report in cluster.reports:
                _DeviceObserver(self, cluster.uid, cls, report).observe()

    # neighbours ---------------------------------------------------------------------
    def observe_neighbors(self) -> None:
        links = [
            (cluster.uid, report, nb)
            for cluster in self.clusters
            for report in cluster.reports
            for nb in report.neighbors
        ]
        self._ports = self._port_index()
        remote_uids = self._resolve_remotes([(nb, report.source.value) for _, report, nb in links])
        for uid, report, nb in links:
            remote = remote_uids.get(id(nb))
            if remote is None or remote == uid:
                continue
            self._observe_link(uid, report, nb, remote)

    def _resolve_remotes(self, neighbors: list[tuple[NeighborObservation, str]]) -> dict[int, str]:
        """Remote device uid per neighbour observation; unknown remotes become placeholders."""
        resolved: dict[int, str] = {}
        unknown: list[tuple[NeighborObservation, set[str]]] = []
        sources = {id(nb): source for nb, source in neighbors}
        for nb, _source in neighbors:
            keys = set(ident.neighbor_keys(nb))
            if not keys:
                continue
            uid = self.run_index.resolve(keys, host_matches_any=True) or self.index.resolve(
                keys, host_matches_any=True
            )
            if uid is None:
                unknown.append((nb, keys))
            else:
                resolved[id(nb)] = uid
        groups: list[tuple[list[NeighborObservation], set[str]]] = []
        for nb, keys in unknown:
            strong = {k for k in keys if ident.key_kind(k) != "host"}
            joined: tuple[list[NeighborObservation], set[str]] = ([nb], set(keys))
            for group in list(groups):
                if {
                    k for k in group[1] if ident.key_kind(k) != "host"
                } & strong and not _contradict(group[1], keys):
                    groups.remove(group)
                    joined = (group[0] + joined[0], group[1] | joined[1])
            groups.append(joined)
        for members, keys in groups:
            uid = ident.device_uid(sorted(keys))
            while uid in self.state.cis and self.state.cis[uid].status is not CIStatus.PLACEHOLDER:
                uid += "~"
            for nb in members:
                resolved[id(nb)] = uid
            self.run_index.add(uid, keys, placeholder=True)
            source = max((sources[id(nb)] for nb in members), key=self._prec)
            self._observe_placeholder(uid, members, keys, source)
        return resolved

    def _observe_placeholder(
        self, uid: str, members: list[NeighborObservation], keys: set[str], source: str
    ) -> None:
        """A device named by neighbours only: a placeholder that its own discovery completes."""
        nb = min(members, key=lambda n: (n.remote_system_name or "", n.remote_chassis_id or ""))
        caps = {c.lower() for c in nb.capabilities}
        cls = "Server" if caps and caps <= {"station", "host"} else "NetworkDevice"
        name = nb.remote_system_name or nb.remote_chassis_id or nb.remote_mgmt_address or uid
        values = {
            "name": name,
            "sys_name": name.split(".", 1)[0] if nb.remote_system_name else None,
            "chassis_id": nb.remote_chassis_id if ident.is_mac(nb.remote_chassis_id) else None,
            "mgmt_ip": nb.remote_mgmt_address,
            "sys_descr": nb.remote_description,
        }
        existing = self.state.cis.get(uid)
        if existing is not None and existing.status is not CIStatus.PLACEHOLDER:
            return
        self.obs.add_ci(uid, cls, values, source, None, keys, placeholder=True, weak=True)

    def _observe_link(
        self, uid: str, report: DeviceReport, nb: NeighborObservation, remote: str
    ) -> None:
        source = report.source.value
        scope = scope_key(uid, Section.NEIGHBORS.value)
        local_if = self.obs.add_ci(
            ident.interface_uid(uid, nb.local_interface),
            "Interface",
            {"name": nb.local_interface},
            source,
            scope_key(uid, Section.INTERFACES.value),
            weak=True,
        )
        self.obs.add_rel("HAS_INTERFACE", uid, local_if, {}, source, scope)
        port = self._remote_port(remote, nb)
        if port is None:
            return
        remote_if = self.obs.add_ci(
            ident.interface_uid(remote, port),
            "Interface",
            {"name": port},
            source,
            scope,
            weak=True,
        )
        self.obs.add_rel("HAS_INTERFACE", remote, remote_if, {}, source, scope)
        self.obs.add_rel(
            "CONNECTED_TO", local_if, remote_if, {"protocols": [nb.protocol]}, source, scope
        )

    def _port_index(self) -> dict[str, list[tuple[str, set[str], str | None]]]:
        """Per device: its known interfaces' names, the other texts that may designate them
        (MAC, ifDescr, ifAlias) and their ifIndex, this run's reports first, then the graph."""
        index: dict[str, list[tuple[str, set[str], str | None]]] = {}
        for uid, o in self.obs.cis.items():
            if o.ci_class == "Interface" and not o.weak and "/if/" in uid:
                values = {a: v[0] for a, v in o.values.items()}
                index.setdefault(uid.split("/if/", 1)[0], []).append(
                    (str(values["name"]), *_port_aliases(values))
                )
        for uid, ci in self.state.cis.items():
            if ci.ci_class == "Interface" and uid not in self.obs.cis and "/if/" in uid:
                name = str(ci.attributes.get("name", uid.split("/if/", 1)[1]))
                index.setdefault(uid.split("/if/", 1)[0], []).append(
                    (name, *_port_aliases(ci.attributes))
                )
        return index

    def _remote_port(self, remote: str, nb: NeighborObservation) -> str | None:
        """The remote interface's name: the port id, or the known interface it designates.

        In order: the port id is an interface name; the port description is one; the port
        id is another text of one interface (MAC, ifDescr, ifAlias); a numeric port id is an
        ifIndex (Junos sends its ifIndex as a "local" port id).
        """
        port = nb.remote_port or nb.remote_port_description
        if port is None:
            return None
        known = self._ports.get(remote, [])
        names = {name for name, _aliases, _if_index in known}
        if port in names:
            return port
        if nb.remote_port_description in names:
            return nb.remote_port_description
        wanted = port.lower()
        by_alias = next((name for name, aliases, _ in known if wanted in aliases), None)
        if by_alias is not None:
            return by_alias
        by_index = next((name for name, _, if_index in known if if_index == port), None)
        return by_index or port

    # dependencies -------------------------------------------------------------------
    def observe_dependencies(self, dependencies: Iterable[DependencyObservation]) -> None:
        for dep in dependencies:
            consumer = self._host(dep.consumer_host)
            provider = self._host(dep.provider_host)
            if consumer is None or provider is None or consumer == provider:
                continue
            scope = scope_key(consumer, Section.CONNECTIONS.value)
            source = Source.SSH.value
            c_end = self._process_ci(consumer, dep.consumer_process, scope, source)
            p_end = self._process_ci(provider, dep.provider_process, scope, source)
            attrs = {"port": dep.port, "protocol": dep.protocol}
            self.obs.add_rel("DEPENDS_ON", c_end, p_end, attrs, source, scope)

    def _host(self, address: str) -> str | None:
        try:
            key = f"ip:{ipaddress.ip_address(ident.target_address(address)).compressed}"
        except ValueError:
            return None
        return self.run_index.resolve([key]) or self.index.resolve([key])

    def _cls(self, uid: str) -> str | None:
        if uid in self.device_class:
            return self.device_class[uid]
        ci = self.state.cis.get(uid)
        return ci.ci_class if ci else None

    def _process_ci(self, host: str, process: str | None, scope: str, source: str) -> str:
        if process is None or self._cls(host) != "Server":
            return host
        app = self.obs.add_ci(
            ident.application_uid(host, process),
            "Application",
            {"name": process, "process": process},
            source,
            scope,
            weak=True,
        )
        self.obs.add_rel("RUNS_ON", app, host, {}, source, scope)
        return app


class _DeviceObserver:
    """Observations of one report about one resolved device."""

    def __init__(self, observer: _Observer, uid: str, cls: str, report: DeviceReport) -> None:
        self.o = observer
        self.obs = observer.obs
        self.uid = uid
        self.cls = cls
        self.report = report
        self.source = report.source.value

    def scope(self, section: Section) -> str:
        return scope_key(self.uid, section.value)

    def observe(self) -> None:
        self.device()
        self.components()
        self.interfaces()
        self.addresses()
        self.software()
        self.services()

    def device(self) -> None:
        dev = self.report.device
        assert dev is not None
        values: dict[str, Any] = {
            "name": dev.sys_name or dev.mgmt_ip or ident.target_address(self.report.target),
            "sys_name": dev.sys_name,
            "domain": dev.domain,
            "role": dev.role,
            "vendor": dev.vendor,
            "model": dev.model,
            "serial": ident.clean_serial(dev.serial),
            "os_name": dev.os_name,
            "os_version": dev.os_version,
            "chassis_id": dev.chassis_id,
            "mgmt_ip": dev.mgmt_ip,
            "sys_object_id": dev.sys_object_id,
            "sys_descr": dev.sys_descr,
            "contact": dev.contact,
            "location": dev.location,
            "platform": dev.platform,
        }
        if self.cls == "Server":
            values |= {
                "kernel": dev.kernel,
                "memory_bytes": dev.memory_bytes,
                "cpu_count": dev.cpu_count,
            }
        keys = ident.device_keys(dev, self.report.target)
        self.obs.add_ci(self.uid, self.cls, values, self.source, None, keys)
        system = self.scope(Section.SYSTEM)
        if dev.os_name:
            sw = self.obs.add_ci(
                ident.software_uid(dev.os_name, dev.os_version),
                "Software",
                {"name": dev.os_name, "version": dev.os_version, "kind": "os"},
                self.source,
                None,
            )
            self.obs.add_rel("INSTALLED_ON", sw, self.uid, {}, self.source, system)
        if dev.location and dev.location.strip():
            loc = self.obs.add_ci(
                ident.location_uid(dev.location),
                "Location",
                {"name": " ".join(dev.location.split())},
                self.source,
                None,
            )
            self.obs.add_rel("LOCATED_IN", self.uid, loc, {}, self.source, system)

    def components(self) -> None:
        indexes = {c.index for c in self.report.components}
        for comp in self.report.components:
            scope = self.scope(comp.section)
            uid = self.obs.add_ci(
                ident.component_uid(self.uid, comp.index),
                "HardwareComponent",
                {
                    "name": comp.name or comp.description or comp.index,
                    "component_class": comp.component_class,
                    "description": comp.description,
                    "model": comp.model,
                    "serial": ident.clean_serial(comp.serial),
                    "vendor": comp.vendor,
                    "hardware_rev": comp.hardware_rev,
                    "firmware_rev": comp.firmware_rev,
                    "software_rev": comp.software_rev,
                    "size_bytes": comp.size_bytes,
                },
                self.source,
                scope,
            )
            parent = (
                ident.component_uid(self.uid, comp.parent_index)
                if comp.parent_index in indexes and comp.parent_index != comp.index
                else self.uid
            )
            self.obs.add_rel("HAS_COMPONENT", parent, uid, {}, self.source, scope)

    def interfaces(self) -> None:
        scope = self.scope(Section.INTERFACES)
        for itf in self.report.interfaces:
            uid = self.obs.add_ci(
                ident.interface_uid(self.uid, itf.name),
                "Interface",
                {
                    "name": itf.name,
                    "if_index": itf.if_index,
                    "description": itf.description,
                    "alias": itf.alias,
                    "if_type": itf.if_type,
                    "speed_bps": itf.speed_bps,
                    "mac": itf.mac,
                    "admin_status": itf.admin_status,
                    "oper_status": itf.oper_status,
                    "mtu": itf.mtu,
                },
                self.source,
                scope,
            )
            self.obs.add_rel("HAS_INTERFACE", self.uid, uid, {}, self.source, scope)

    def addresses(self) -> None:
        scope = self.scope(Section.ADDRESSES)
        for addr in self.report.addresses:
            try:
                uid = ident.address_uid(self.uid, addr.address)
            except ValueError:
                continue
            text = ipaddress.ip_address(addr.address).compressed
            self.obs.add_ci(
                uid,
                "IPAddress",
                {
                    "name": text,
                    "address": text,
                    "prefix_length": addr.prefix_length,
                    "version": addr.version,
                },
                self.source,
                scope,
            )
            if addr.interface:
                itf = self.obs.add_ci(
                    ident.interface_uid(self.uid, addr.interface),
                    "Interface",
                    {"name": addr.interface},
                    self.source,
                    self.scope(Section.INTERFACES),
                    weak=True,
                )
                self.obs.add_rel("HAS_INTERFACE", self.uid, itf, {}, self.source, scope)
                self.obs.add_rel("ASSIGNED_TO", uid, itf, {}, self.source, scope)

    def software(self) -> None:
        scope = self.scope(Section.SOFTWARE)
        for sw in self.report.software:
            uid = self.obs.add_ci(
                ident.software_uid(sw.name, sw.version),
                "Software",
                {"name": sw.name, "version": sw.version, "kind": sw.kind},
                self.source,
                None,
            )
            self.obs.add_rel("INSTALLED_ON", uid, self.uid, {}, self.source, scope)

    def services(self) -> None:
        if self.cls != "Server":
            return
        scope = self.scope(Section.SERVICES)
        ports: dict[str, set[str]] = {}
        for svc in self.report.services:
            if svc.process:
                ports.setdefault(svc.process, set()).add(f"{svc.protocol}/{svc.port}")
        for process, listening in ports.items():
            uid = self.obs.add_ci(
                ident.application_uid(self.uid, process),
                "Application",
                {"name": process, "process": process, "ports": sorted(listening)},
                self.source,
                scope,
            )
            self.obs.add_rel("RUNS_ON", uid, self.uid, {}, self.source, scope)


# ----------------------------------------------------------------------------- compare


_ATTRS = {name: {a.name: a for a in cls.all_attrs} for name, cls in CLASSES.items()}


def _clean_values(cls: str, obs: ObservedCI) -> dict[str, tuple[Any, str]]:
    """Observed values of discovered schema attributes only (type-checked)."""
    spec = _ATTRS[cls]
    out: dict[str, tuple[Any, str]] = {}
    for name, (value, source, _weak) in obs.values.items():
        attr = spec.get(name)
        if attr is None or not attr.discovered or not attr.accepts(value):
            continue
        if attr.type is AttrType.LIST:
            value = sorted(value)
        out[name] = (value, source)
    return out


class _Comparer:
    def __init__(self, state: GraphState, run: RunContext, changes: ChangeSet) -> None:
        self.state = state
        self.run = run
        self.changes = changes

    def _prec(self, source: str) -> int:
        return self.run.precedence.get(source, 0)

    def ci(self, obs: ObservedCI) -> None:
        existing = self.state.cis.get(obs.uid)
        if existing is None:
            self._create(obs)
        elif existing.authored or existing.merged_into:
            return
        elif obs.placeholder and existing.status is not CIStatus.PLACEHOLDER:
            return  # a neighbour names a known box: that is not a discovery of it
        else:
            self._update(existing, obs)

    def _create(self, obs: ObservedCI) -> None:
        values = _clean_values(obs.ci_class, obs)
        at, run_id = self.run.at, self.run.run_id
        attrs = {name: value for name, (value, _s) in values.items()}
        self.changes.creates.append(
            CI(
                uid=obs.uid,
                ci_class=obs.ci_class,
                name=str(attrs.get("name") or obs.uid),
                attributes=attrs,
                provenance={
                    name: Provenance(src, run_id, at) for name, (_v, src) in values.items()
                },
                status=CIStatus.PLACEHOLDER if obs.placeholder else CIStatus.ACTIVE,
                first_seen=at,
                last_seen=at,
                last_run=run_id,
                changed_at=at,
                scope=obs.scope,
                identity_keys=ident.sort_keys(obs.keys),
            )
        )

    def _update(self, existing: CI, obs: ObservedCI) -> None:
        cls = existing.ci_class
        if existing.status is CIStatus.PLACEHOLDER and not obs.placeholder and obs.ci_class != cls:
            cls = obs.ci_class
        values = _clean_values(cls, obs)
        attr_changes, provenance = self._merge_values(existing, values)
        keys = (
            ident.sort_keys(set(existing.identity_keys) | obs.keys)
            if obs.keys and not obs.keys.issubset(existing.identity_keys)
            else existing.identity_keys
        )
        new_scope = (
            obs.scope if not obs.weak and obs.scope and obs.scope != existing.scope else None
        )
        class_change = (existing.ci_class, cls) if cls != existing.ci_class else None
        new_name = str(attr_changes["name"][1]) if "name" in attr_changes else None
        if attr_changes or keys != existing.identity_keys or class_change or new_scope:
            self.changes.updates.append(
                CIUpdate(
                    uid=existing.uid,
                    changes=attr_changes,
                    provenance=provenance,
                    source=self._update_source(attr_changes, values),
                    identity_keys=keys if keys != existing.identity_keys else None,
                    ci_class=class_change,
                    name=(existing.name, new_name)
                    if new_name and new_name != existing.name
                    else None,
                    scope=new_scope,
                )
            )
        else:
            self.changes.confirmations.append(Confirmation(existing.uid, provenance))
        self._status(existing, obs)

    def _update_source(
        self, attr_changes: dict[str, tuple[Any, Any]], values: dict[str, tuple[Any, str]]
    ) -> str:
        """The source recorded in history for an update: the strongest that changed something."""
        sources = [values[n][1] for n in attr_changes if n in values] or [
            s for _v, s in values.values()
        ]
        return max(sorted(sources), key=self._prec, default="system")

    def _merge_values(
        self, existing: CI, values: dict[str, tuple[Any, str]]
    ) -> tuple[dict[str, tuple[Any, Any]], dict[str, Provenance]]:
        """Apply source precedence attribute by attribute."""
        changes: dict[str, tuple[Any, Any]] = {}
        provenance = dict(existing.provenance)
        prec = self.run.precedence.get
        stamps: dict[str, Provenance] = {}  # one (immutable in practice) stamp per source
        for name, (value, source) in values.items():
            old = existing.attributes.get(name)
            held = existing.provenance.get(name)
            if old is not None and held is not None and prec(held.source, 0) > prec(source, 0):
                continue
            if old != value:
                changes[name] = (old, value)
            stamp = stamps.get(source)
            if stamp is None:
                stamp = stamps[source] = Provenance(source, self.run.run_id, self.run.at)
            provenance[name] = stamp
        return changes, provenance

    def _status(self, existing: CI, obs: ObservedCI) -> None:
        if existing.status is CIStatus.PLACEHOLDER and not obs.placeholder:
            self.changes.completed.append(
                StatusChange(existing.uid, existing.status, CIStatus.ACTIVE, 0)
            )
        elif existing.status in (CIStatus.MISSING, CIStatus.RETIRED) and not obs.placeholder:
            self.changes.reappeared.append(
                StatusChange(existing.uid, existing.status, CIStatus.ACTIVE, 0)
            )

    def rel(self, obs: ObservedRel, key: str, live: set[str]) -> None:
        if obs.source not in live or obs.target not in live:
            return
        existing = self.state.rels.get(key)
        at, run_id = self.run.at, self.run.run_id
        if existing is None:
            self.changes.rel_adds.append(
                Relationship(
                    type=obs.type,
                    source=obs.source,
                    target=obs.target,
                    attributes=dict(sorted(obs.attrs.items())),
                    sources=sorted(obs.sources),
                    scopes=sorted(obs.scopes),
                    first_seen=at,
                    last_seen=at,
                    last_run=run_id,
                )
            )
            return
        if existing.manual:
            return
        self._rel_update(existing, obs)
        if existing.status is not RelStatus.ACTIVE:
            self.changes.rel_reappeared.append(
                StatusChange(key, existing.status, RelStatus.ACTIVE, 0)
            )
        self.changes.rel_confirmations.append((existing.type, key))

    def _rel_update(self, existing: Relationship, obs: ObservedRel) -> None:
        changes: dict[str, tuple[Any, Any]] = {}
        for name, value in obs.attrs.items():
            old = existing.attributes.get(name)
            new = sorted(set(old or []) | set(value)) if isinstance(value, list) else value
            if new != old:
                changes[name] = (old, new)
        # Stored lists are sorted unions, so nothing new observed leaves them as they are.
        sources, scopes = existing.sources, existing.scopes
        if not obs.sources.issubset(sources):
            sources = sorted(obs.sources.union(sources))
        if not obs.scopes.issubset(scopes):
            scopes = sorted(obs.scopes.union(scopes))
        if changes or sources is not existing.sources or scopes is not existing.scopes:
            self.changes.rel_updates.append(
                RelUpdate(existing.key, existing.type, changes, sources, scopes)
            )


def _port_aliases(values: dict[str, Any]) -> tuple[set[str], str | None]:
    aliases = {str(values[a]).lower() for a in ("mac", "description", "alias") if values.get(a)}
    if_index = values.get("if_index")
    return aliases, (str(if_index) if if_index is not None else None)


# ----------------------------------------------------------------------------- stale


def _missing_step(status: str, missing_runs: int, retire_after: int) -> tuple[str, int]:
    count = missing_runs + 1 if status == "missing" else 1
    return ("retired" if count >= retire_after else "missing"), count


def _stale_cis(
    state: GraphState,
    seen: set[str],
    reached: set[tuple[str, str, str]],
    run: RunContext,
    changes: ChangeSet,
) -> None:
    for ci in state.cis.values():
        if ci.uid in seen or ci.scope is None or ci.authored or ci.merged_into:
            continue
        if ci.status not in (CIStatus.ACTIVE, CIStatus.MISSING) or ci.last_run == run.run_id:
            continue
        device, section = ci.scope.rsplit("#", 1)
        sources = {p.source for p in ci.provenance.values()}
        if not any((device, section, s) in reached for s in sources):
            continue
        new, count = _missing_step(ci.status.value, ci.missing_runs, run.retire_after)
        target = changes.retired if new == "retired" else changes.missing
        target.append(StatusChange(ci.uid, ci.status.value, new, count))


def _stale_rels(
    state: GraphState,
    seen: set[str],
    reached: set[tuple[str, str, str]],
    run: RunContext,
    changes: ChangeSet,
) -> None:
    for key, rel in state.rels.items():
        if rel.manual or key in seen or rel.last_run == run.run_id:
            continue
        if rel.status not in (RelStatus.ACTIVE, RelStatus.MISSING):
            continue
        scopes = [s.rsplit("#", 1) for s in rel.scopes]
        if not any((d, sec, src) in reached for d, sec in scopes for src in rel.sources):
            continue
        new, count = _missing_step(rel.status.value, rel.missing_runs, run.retire_after)
        target = changes.rel_retired if new == "retired" else changes.rel_missing
        target.append(StatusChange(key, rel.status.value, new, count))


# ----------------------------------------------------------------------------- entry point


def observe(
    existing: GraphState,
    reports: list[DeviceReport],
    dependencies: Iterable[DependencyObservation],
    run: RunContext,
) -> tuple[Observed, set[tuple[str, str, str]]]:
    """Step 1 alone: what the run saw, and which (device, section, source) scopes it reached."""
    observer = _Observer(existing, run)
    observer.resolve_devices(reports)
    observer.observe_clusters()
    observer.observe_neighbors()
    observer.observe_dependencies(dependencies)
    return observer.obs, observer.reached


def reconcile(
    existing: GraphState,
    reports: list[DeviceReport],
    dependencies: Iterable[DependencyObservation],
    run: RunContext,
) -> ChangeSet:
    """The change set that brings ``existing`` in line with this run's observations."""
    with gc_paused():
        return _reconcile(existing, reports, dependencies, run)


def _reconcile(
    existing: GraphState,
    reports: list[DeviceReport],
    dependencies: Iterable[DependencyObservation],
    run: RunContext,
) -> ChangeSet:
    observed, reached = observe(existing, reports, dependencies, run)
    changes = ChangeSet(run.run_id, run.at)
    comparer = _Comparer(existing, run, changes)
    for obs in _sorted(observed.cis):
        comparer.ci(observed.cis[obs])
    live = {uid for uid, ci in existing.cis.items() if ci.merged_into is None} | set(observed.cis)
    seen_rels: set[str] = set()
    for ends in sorted(observed.rels):
        key = rel_key(*ends)
        comparer.rel(observed.rels[ends], key, live)
        seen_rels.add(key)
    seen = {uid for uid, o in observed.cis.items() if not o.placeholder}
    _stale_cis(existing, seen, reached, run, changes)
    _stale_rels(existing, seen_rels, reached, run, changes)
    return changes


def _sorted(items: Iterable[str]) -> Iterator[str]:
    return iter(sorted(items))
