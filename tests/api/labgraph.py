"""A lab topology turned into the reports discovery would produce, reconciled into a store.

The topology is ``deploy.lab.topology.Topology`` (the lab's ground truth); every device
answers with its system data, interfaces and LLDP neighbours, servers also with their
listening services, and applications depend on each other through observed connections.
The graph in the store is therefore built by the real reconciliation and apply path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from deploy.lab.topology import LabDevice, LabInterface, LabLink, Topology
from discovery.observations import (
    ConfigSnapshot,
    DependencyObservation,
    DeviceKind,
    DeviceObservation,
    DeviceReport,
    InterfaceObservation,
    NeighborObservation,
    Section,
    ServiceObservation,
    Source,
    Status,
)
from flows.apply import discovery_run_changes
from graph.model import RunContext
from graph.reconcile import reconcile
from graph.store import GraphStore

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
APPS = {"srv-dual": ("web", 443), "srv-single": ("db", 5432), "srv-other": ("cache", 6379)}


def _device(name: str, role: str, n: int) -> LabDevice:
    kind = "server" if role == "server" else "switch"
    return LabDevice(
        name=name,
        role=role,
        address=f"127.30.0.{n}",
        snmp_port=161,
        community=name,
        vendor="Linux" if kind == "server" else "Arista",
        model="VM" if kind == "server" else "DCS-7050",
        serial=f"SN{n:04d}",
        os_name="Debian" if kind == "server" else "EOS",
        os_version="12" if kind == "server" else "4.30",
        sys_object_id="1.3.6.1.4.1.30065.1",
        chassis_mac=f"02:00:00:00:00:{n:02x}",
        platform="linux" if kind == "server" else "arista_eos",
    )


def datacentre() -> Topology:
    """Two cores, two aggregation and two access switches; a dual-homed and two single-homed servers."""
    roles = [
        ("core1", "core"),
        ("core2", "core"),
        ("agg1", "aggregation"),
        ("agg2", "aggregation"),
        ("acc1", "access"),
        ("acc2", "access"),
        ("srv-dual", "server"),
        ("srv-single", "server"),
        ("srv-other", "server"),
    ]
    topo = Topology(devices=[_device(name, role, i + 1) for i, (name, role) in enumerate(roles)])
    pairs = [
        ("core1", "core2"),
        ("agg1", "core1"),
        ("agg1", "core2"),
        ("agg2", "core1"),
        ("agg2", "core2"),
        ("acc1", "agg1"),
        ("acc1", "agg2"),
        ("acc2", "agg1"),
        ("acc2", "agg2"),
        ("srv-dual", "acc1"),
        ("srv-dual", "acc2"),
        ("srv-single", "acc1"),
        ("srv-other", "acc2"),
    ]
    for a, b in pairs:
        ia, ib = _port(topo.device(a)), _port(topo.device(b))
        topo.links.append(LabLink(a, ia.name, b, ib.name))
    return topo


def _port(device: LabDevice) -> LabInterface:
    n = len(device.interfaces) + 1
    name = f"eth{n - 1}" if device.role == "server" else f"Ethernet{n}"
    iface = LabInterface(
        name=name, if_index=n, mac=device.chassis_mac[:-2] + f"{n:02x}", speed_bps=10**10
    )
    device.interfaces.append(iface)
    return iface


def reports(
    topo: Topology, at: datetime, changed_os: dict[str, str] | None = None, roles: bool = True
) -> list[DeviceReport]:
    """What discovery would report about every lab device.

    changed_os: altered OS versions per device name; roles=False reports no role (as SNMP
    discovery usually cannot tell a core switch from an access switch).
    """
    out = []
    for d in topo.devices:
        server = d.role == "server"
        neighbors = []
        for link in topo.links:
            for here, local, there, remote in (
                (link.a_device, link.a_interface, link.b_device, link.b_interface),
                (link.b_device, link.b_interface, link.a_device, link.a_interface),
            ):
                if here == d.name:
                    far = topo.device(there)
                    neighbors.append(
                        NeighborObservation(
                            "lldp",
                            local,
                            remote_system_name=far.name,
                            remote_chassis_id=far.chassis_mac,
                            remote_port=remote,
                        )
                    )
        app = APPS.get(d.name)
        services = [ServiceObservation("tcp", app[1], "0.0.0.0", app[0])] if app else []
        out.append(
            DeviceReport(
                target=d.address,
                source=Source.SSH if server else Source.SNMP,
                status=Status.OK,
                observed_at=at,
                device=DeviceObservation(
                    kind=DeviceKind.SERVER if server else DeviceKind.NETWORK_DEVICE,
                    role=d.role if roles else None,
                    sys_name=d.name,
                    vendor=d.vendor,
                    model=d.model,
                    serial=d.serial,
                    os_name=d.os_name,
                    os_version=(changed_os or {}).get(d.name, d.os_version),
                    chassis_id=d.chassis_mac,
                    mgmt_ip=d.address,
                    platform=d.platform,
                ),
                sections={Section.SYSTEM, Section.INTERFACES, Section.NEIGHBORS}
                | ({Section.SERVICES, Section.CONNECTIONS} if server else set()),
                interfaces=[
                    InterfaceObservation(
                        i.name,
                        i.if_index,
                        mac=i.mac,
                        speed_bps=i.speed_bps,
                        admin_status="up",
                        oper_status="up",
                    )
                    for i in d.interfaces
                ],
                neighbors=neighbors,
                services=services,
            )
        )
    return out


def dependencies(topo: Topology) -> list[DependencyObservation]:
    """web talks to db and to cache (in the hand-made data centre)."""
    if not any(d.name == "srv-dual" for d in topo.devices):
        return []
    web = topo.device("srv-dual").address
    return [
        DependencyObservation(web, "web", topo.device("srv-single").address, "db", 5432),
        DependencyObservation(web, "web", topo.device("srv-other").address, "cache", 6379),
    ]


def discover(
    store: GraphStore,
    topo: Topology,
    run_id: str,
    at: datetime,
    changed_os: dict[str, str] | None = None,
    roles: bool = True,
) -> None:
    """One discovery run: reconcile the reports with the store and apply the change set."""
    run = RunContext(run_id=run_id, at=at)
    found = reports(topo, at, changed_os, roles)
    changes = reconcile(store.load_state(), found, dependencies(topo), run)
    store.apply(changes, run_id, at)
    counts = json.dumps(changes.counts())
    store.apply(discovery_run_changes(run_id, run_id, at, at, "completed", counts), run_id, at)


def store_config(store: GraphStore, uid: str, text: str, run_id: str, at: datetime) -> None:
    import hashlib

    snap = ConfigSnapshot(text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    store.put_config_snapshot(uid, snap, run_id, at)


def later(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)
