"""SNMP discovery of the whole simulated lab, checked against the lab's own ground truth.

The lab (tests/fixtures/lab.py) serves generated switches and servers, the real corpus
recordings and the real snmpd; its ``topology`` says what each device is, which interfaces
it has and how devices are cabled. Discovery must find exactly that, over real UDP.
"""

from __future__ import annotations

from ipaddress import ip_interface

import pytest
from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

from deploy.lab.lab import Lab
from deploy.lab.topology import LabDevice
from discovery.credentials import CredentialStore, SnmpV3Profile
from discovery.observations import DeviceReport, InterfaceObservation, Status
from discovery.snmp.collector import CollectOptions, SnmpTarget, collect_many

pytestmark = [pytest.mark.lab, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
async def lab_reports(lab: Lab) -> dict[str, DeviceReport]:
    """Every lab agent collected once, 16 at a time, with the lab's credential profiles."""
    profiles = CredentialStore.from_yaml(lab.credentials_path).snmp()
    targets = [SnmpTarget(d.address, d.snmp_port) for d in lab.topology.devices if d.snmp_port]
    found = collect_many(
        targets,
        profiles,
        concurrency=16,
        options=CollectOptions(timeout=3.0, retries=1),
        engine=SnmpEngine(),
    )
    by_address = {r.target.rsplit(":", 1)[0]: r async for r in found}
    return {d.name: by_address[d.address] for d in lab.topology.devices if d.snmp_port}


def generated(lab: Lab) -> list[LabDevice]:
    return [d for d in lab.topology.devices if d.source == "generated"]


async def test_every_lab_agent_collected_completely(
    lab: Lab, lab_reports: dict[str, DeviceReport]
) -> None:
    assert set(lab_reports) == {d.name for d in lab.topology.devices if d.snmp_port}
    failed = {n: (r.status, r.errors) for n, r in lab_reports.items() if r.status is not Status.OK}
    assert not failed


async def test_generated_devices_identity(lab: Lab, lab_reports: dict[str, DeviceReport]) -> None:
    for truth in generated(lab):
        device = lab_reports[truth.name].device
        assert device is not None
        assert device.sys_name == truth.name
        assert device.domain == (truth.domain or None)
        assert device.sys_object_id == truth.sys_object_id
        if truth.role == "server":  # SNMP knows the kernel only; distro and DMI come over SSH
            assert device.os_name == "Linux"
            assert device.kernel and device.kernel in truth.sys_descr
            continue
        assert (device.vendor, device.model, device.serial) == (
            truth.vendor,
            truth.model,
            truth.serial,
        )
        assert (device.os_name, device.os_version) == (truth.os_name, truth.os_version)
        assert device.chassis_id == truth.chassis_mac


def _by_index(report: DeviceReport) -> dict[int | None, InterfaceObservation]:
    return {i.if_index: i for i in report.interfaces}


async def test_generated_devices_interfaces(lab: Lab, lab_reports: dict[str, DeviceReport]) -> None:
    for truth in generated(lab):
        ours = _by_index(lab_reports[truth.name])
        for expected in truth.interfaces:
            interface = ours[expected.if_index]
            assert interface.name == (expected.if_name or expected.name)
            assert interface.mac == (expected.mac or None)
            assert interface.alias == (expected.alias or None)
            assert interface.if_type == expected.if_type
            assert interface.mtu == expected.mtu
            assert interface.oper_status == expected.oper_status
            if expected.speed_bps:
                assert interface.speed_bps == expected.speed_bps


async def test_generated_devices_addresses(lab: Lab, lab_reports: dict[str, DeviceReport]) -> None:
    for truth in generated(lab):
        ours = {
            (a.address, a.prefix_length, a.interface) for a in lab_reports[truth.name].addresses
        }
        for expected in truth.interfaces:
            name = expected.if_name or expected.name
            for cidr in expected.ipv4 + expected.ipv6:
                interface = ip_interface(cidr)
                found = (str(interface.ip), interface.network.prefixlen, name)
                assert found in ours, (truth.name, cidr)


async def test_lab_links_seen_from_both_ends(
    lab: Lab, lab_reports: dict[str, DeviceReport]
) -> None:
    """Every cable of the topology shows up as an LLDP neighbour on the right local port,
    naming the right remote device and remote port, from whichever end runs SNMP."""
    devices = {d.name: d for d in lab.topology.devices}
    checked = 0
    for link in lab.topology.links:
        for local, port, remote, remote_port in (
            (link.a_device, link.a_interface, link.b_device, link.b_interface),
            (link.b_device, link.b_interface, link.a_device, link.a_interface),
        ):
            report = lab_reports.get(local)
            if report is None or devices[local].source != "generated":
                continue
            names = {i.name for i in report.interfaces if port in (i.name, i.description)}
            seen = [
                n
                for n in report.neighbors
                if n.protocol == "lldp"
                and n.local_interface in names
                and (n.remote_system_name or "").split(".")[0] == remote
            ]
            assert seen, f"{local} {port} -> {remote} not seen"
            remote_names = {remote_port}
            remote_names |= {
                i.if_name for i in devices[remote].interfaces if i.name == remote_port and i.if_name
            }
            # Port ids by subtype: name, MAC, or (Junos, subtype "local") the remote ifIndex.
            remote_ids = {
                value
                for i in devices[remote].interfaces
                if i.name == remote_port
                for value in (i.mac, str(i.if_index))
            }
            assert any(
                {n.remote_port, n.remote_port_description} & (remote_names | remote_ids)
                for n in seen
            ), (local, port, remote, remote_port, seen)
            checked += 1
    assert checked >= len(lab.topology.links)


async def test_snmpv3_only_profile_reaches_v3_agents(lab: Lab) -> None:
    v3 = [
        p
        for p in CredentialStore.from_yaml(lab.credentials_path).snmp()
        if isinstance(p, SnmpV3Profile)
    ]
    targets = [SnmpTarget(d.address, d.snmp_port) for d in lab.topology.devices if d.snmpv3_user][
        :5
    ]
    assert targets and v3
    reports = [
        r
        async for r in collect_many(
            targets, v3, concurrency=5, options=CollectOptions(timeout=3.0, retries=1)
        )
    ]
    assert {r.status for r in reports} == {Status.OK}
    assert {r.credential for r in reports} == {v3[0].name}
