"""Small builders of DeviceReports for graph tests (a two-switch, one-server network).

Reports are what collectors produce; the tests feed them through ``reconcile`` and a store,
exactly as the nightly flow does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from discovery.observations import (
    AddressObservation,
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
from graph.model import ApplySummary, ChangeSet, RunContext
from graph.reconcile import reconcile
from graph.store import GraphStore

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
ALL_SECTIONS = {
    Section.SYSTEM,
    Section.INVENTORY,
    Section.INTERFACES,
    Section.ADDRESSES,
    Section.NEIGHBORS,
    Section.SOFTWARE,
    Section.SERVICES,
    Section.CONNECTIONS,
}

SW1 = "dev:serial:FOC1111A1AA"
SW2 = "dev:serial:JPE2222B2BB"
SRV = "dev:serial:VMW-42-SRV"


def switch1(
    source: Source = Source.SNMP,
    interfaces: tuple[str, ...] = ("Gi1/0/1", "Gi1/0/2", "Gi1/0/3"),
    vendor: str = "Cisco",
    address: str = "10.0.0.1",
    status: Status = Status.OK,
    sections: set[Section] | None = None,
) -> DeviceReport:
    return DeviceReport(
        target=address,
        source=source,
        status=status,
        device=DeviceObservation(
            sys_name="sw1",
            domain="lab.example",
            serial="FOC1111A1AA",
            chassis_id="00:1c:00:00:00:01",
            mgmt_ip=address,
            vendor=vendor,
            model="C9300-48P",
            os_name="IOS-XE",
            os_version="17.9.4",
            location="DC1 Room 2",
        ),
        sections=set(ALL_SECTIONS if sections is None else sections),
        interfaces=[
            InterfaceObservation(n, i + 1, speed_bps=1_000_000_000)
            for i, n in enumerate(interfaces)
        ],
        addresses=[AddressObservation("10.0.0.1", 24, "Gi1/0/1")],
        neighbors=[
            NeighborObservation(
                "lldp",
                "Gi1/0/1",
                remote_system_name="sw2.lab.example",
                remote_chassis_id="00:1c:00:00:00:02",
                remote_port="Ethernet1",
            )
        ],
    )


def switch2(source: Source = Source.SNMP) -> DeviceReport:
    return DeviceReport(
        target="10.0.0.2",
        source=source,
        status=Status.OK,
        device=DeviceObservation(
            sys_name="sw2",
            domain="lab.example",
            serial="JPE2222B2BB",
            chassis_id="00:1c:00:00:00:02",
            mgmt_ip="10.0.0.2",
            vendor="Arista",
            model="DCS-7050",
        ),
        sections=set(ALL_SECTIONS),
        interfaces=[InterfaceObservation("Ethernet1", 1), InterfaceObservation("Ethernet2", 2)],
        neighbors=[
            NeighborObservation(
                "lldp",
                "Ethernet1",
                remote_system_name="sw1.lab.example",
                remote_chassis_id="00:1c:00:00:00:01",
                remote_port="Gi1/0/1",
            ),
            NeighborObservation(
                "lldp",
                "Ethernet2",
                remote_system_name="srv1",
                remote_chassis_id="52:54:00:00:00:10",
                remote_port="eth0",
            ),
        ],
    )


def server(source: Source = Source.SSH) -> DeviceReport:
    return DeviceReport(
        target="10.0.0.10",
        source=source,
        status=Status.OK,
        device=DeviceObservation(
            kind=DeviceKind.SERVER,
            role="server",
            sys_name="srv1",
            serial="VMW-42-SRV",
            chassis_id="52:54:00:00:00:10",
            mgmt_ip="10.0.0.10",
            os_name="Debian GNU/Linux",
            os_version="12",
        ),
        sections=set(ALL_SECTIONS),
        interfaces=[InterfaceObservation("eth0", 2, mac="52:54:00:00:00:10")],
        services=[ServiceObservation("tcp", 5432, "0.0.0.0", "postgres")],
    )


def lab() -> list[DeviceReport]:
    return [switch1(), switch2(), server()]


def run(n: int, retire_after: int = 2) -> RunContext:
    return RunContext(f"run-{n}", T0 + timedelta(days=n), retire_after=retire_after)


def discover(
    store: GraphStore, reports: list[DeviceReport], n: int, retire_after: int = 2
) -> ChangeSet:
    """One discovery run into ``store``: reconcile against its state, then apply."""
    ctx = run(n, retire_after)
    changes = reconcile(store.load_state(), reports, [], ctx)
    summary: ApplySummary = store.apply(changes, ctx.run_id, ctx.at)
    assert summary.counts == changes.counts()
    return changes
