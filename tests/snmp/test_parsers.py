"""SNMP parsers on real device recordings, checked against LibreNMS's expected results.

Every recording in ../shared/corpus/librenms is parsed; the values we compare with come
from LibreNMS's JSON for the same device, not from copies in this file. Where LibreNMS
normalises differently, the difference is named in ``KNOWN_DIFFERENCES`` and the test
checks that it is still exactly that difference (so the list cannot silently go stale).
"""

from __future__ import annotations

import json
import re
from functools import cache
from ipaddress import IPv4Address
from typing import Any

import pytest

from deploy.bench.snmp_agreement import DEFAULT_CORPUS, EXPLANATIONS, compare, parse_corpus
from discovery.observations import DeviceKind
from discovery.snmp.parse import ParsedDevice, parse_walk
from discovery.snmp.snmprec import load_snmprec, parse_snmprec
from discovery.snmp.walk import ObjectId

CORPUS = DEFAULT_CORPUS
NAMES = sorted(p.stem for p in (CORPUS / "snmprec").glob("*.snmprec"))

# (device, LibreNMS field) pairs where LibreNMS reports something else on purpose; see
# deploy/bench/snmp_agreement.EXPLANATIONS for why.
KNOWN_DIFFERENCES = {
    ("arubaos-cx_10.10", "hardware"),
    ("dell-os10", "hardware"),
    ("fortigate_60f3g4g", "hardware"),
    ("linux_icecast", "hardware"),
    ("dell-os10", "version"),
    ("edgecos_ecs2100-10t", "version"),
    ("fs-switch_s3900", "version"),
}

pytestmark = pytest.mark.skipif(not NAMES, reason=f"no recordings in {CORPUS}")


@cache
def parsed(name: str) -> ParsedDevice:
    return parse_walk(load_snmprec(CORPUS / "snmprec" / f"{name}.snmprec"))


@cache
def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / "expected" / f"{name}.json").read_text())
    return data


def rows(name: str, module: str, table: str) -> list[dict[str, Any]]:
    section = expected(name).get(module) or {}
    for phase in ("poller", "discovery"):
        found = section.get(phase)
        if isinstance(found, dict) and isinstance(found.get(table), list):
            return list(found[table])
    return []


def test_snmprec_loader_decodes_types() -> None:
    walk = parse_snmprec(
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1\n"
        "1.3.6.1.2.1.2.2.1.6.1|4x|001c73b3bd72\n"
        "1.3.6.1.2.1.4.20.1.3.10.0.0.1|64|255.255.255.0\n"
        "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615\n"
        "broken line\n"
    )
    assert walk[(1, 3, 6, 1, 2, 1, 1, 2, 0)] == ObjectId((1, 3, 6, 1, 4, 1, 9, 1, 1))
    assert walk[(1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 1)] == bytes.fromhex("001c73b3bd72")
    assert walk[(1, 3, 6, 1, 2, 1, 4, 20, 1, 3, 10, 0, 0, 1)] == IPv4Address("255.255.255.0")
    assert walk[(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1)] == 2**64 - 1
    assert len(walk) == 4


@pytest.mark.parametrize("name", NAMES)
def test_device_identity(name: str) -> None:
    want = rows(name, "os", "devices")[0]
    device = parsed(name).device
    assert device.sys_name == want["sysName"]
    assert device.sys_descr == (want["sysDescr"].strip() or None)
    assert device.sys_object_id == want["sysObjectID"].lstrip(".")
    ours = {"hardware": device.model, "serial": device.serial, "version": device.os_version}
    for field, value in ours.items():
        if not want[field]:
            continue
        if (name, field) in KNOWN_DIFFERENCES:
            assert value != want[field], (
                f"{name} {field} now agrees: drop it from KNOWN_DIFFERENCES"
            )
        else:
            assert value == want[field], field


@pytest.mark.parametrize("name", NAMES)
def test_vendor_and_family_found(name: str) -> None:
    device = parsed(name).device
    assert device.os_name is not None
    if device.kind is DeviceKind.NETWORK_DEVICE:
        assert device.vendor is not None


def _same_text(a: str | None, b: str | None) -> bool:
    """LibreNMS strips spaces before line breaks inside names; we keep the agent's text."""

    def squash(text: str | None) -> str | None:
        return re.sub(r"[ \t]+\n", "\n", text) if text else text

    return squash(a) == squash(b)


@pytest.mark.parametrize("name", NAMES)
def test_interfaces_match_librenms(name: str) -> None:
    ours = {i.if_index: i for i in parsed(name).interfaces}
    ports = rows(name, "ports", "ports")
    assert ports
    for port in ports:
        interface = ours[port["ifIndex"]]
        assert _same_text(interface.name, port["ifName"])
        # LibreNMS fills an empty ifDescr with ifName (FortiOS sends none); we keep None.
        assert interface.description in (port["ifDescr"] or None, None)
        if interface.description is None:
            assert port["ifDescr"] in (None, "", port["ifName"])
        if port["ifSpeed"]:
            assert interface.speed_bps == port["ifSpeed"]
        if port["ifPhysAddress"]:  # LibreNMS keeps all-zero MACs, we report "no MAC"
            want = None if set(port["ifPhysAddress"]) == {"0"} else port["ifPhysAddress"]
            assert (interface.mac.replace(":", "") if interface.mac else None) == want
        if port["ifMtu"]:
            assert interface.mtu == port["ifMtu"]
        if port["ifType"]:
            assert interface.if_type is not None
        if port["ifOperStatus"]:
            assert interface.oper_status == port["ifOperStatus"]


@pytest.mark.parametrize("name", NAMES)
def test_aliases_match_librenms(name: str) -> None:
    """Where the agent sent an ifAlias, it is ours verbatim; LibreNMS shows ifDescr (or, with
    no ifDescr either, ifName) otherwise."""
    ours = {i.if_index: i for i in parsed(name).interfaces}
    for port in rows(name, "ports", "ports"):
        interface = ours[port["ifIndex"]]
        if interface.alias is not None:
            assert interface.alias == port["ifAlias"]
        elif port["ifAlias"]:
            assert port["ifAlias"] == (interface.description or interface.name)


LINK_NAMES = [n for n in NAMES if rows(n, "discovery-protocols", "links")]


@pytest.mark.parametrize("name", LINK_NAMES)
def test_neighbours_match_librenms(name: str) -> None:
    neighbours = parsed(name).neighbors
    for link in rows(name, "discovery-protocols", "links"):
        port = link["remote_port"].rpartition(" (")[0] or link["remote_port"]
        on_port = [
            n
            for n in neighbours
            if n.local_interface == link["ifName"] and n.protocol == link["protocol"]
        ]
        # LibreNMS shows the remote sysDescr as the name when a neighbour sends no sysName.
        named = [
            n
            for n in on_port
            if link["remote_hostname"] in (n.remote_system_name, n.remote_description)
        ]
        assert named, f"no neighbour {link['remote_hostname']} on {link['ifName']}"
        assert any(port in (n.remote_port, n.remote_port_description) for n in named)


@pytest.mark.parametrize("name", [n for n in NAMES if rows(n, "ipv4-addresses", "ipv4_addresses")])
def test_ipv4_addresses_match_librenms(name: str) -> None:
    names = {i.if_index: i.name for i in parsed(name).interfaces}
    ours = {(a.address, a.prefix_length, a.interface) for a in parsed(name).addresses}
    for row in rows(name, "ipv4-addresses", "ipv4_addresses"):
        assert (row["ipv4_address"], row["ipv4_prefixlen"], names.get(row["ifIndex"])) in ours


@pytest.mark.parametrize("name", [n for n in NAMES if rows(n, "ipv6-addresses", "ipv6_addresses")])
def test_ipv6_addresses_match_librenms(name: str) -> None:
    names = {i.if_index: i.name for i in parsed(name).interfaces}
    ours = {a.address: a for a in parsed(name).addresses if a.version == 6}
    for row in rows(name, "ipv6-addresses", "ipv6_addresses"):
        address = ours[row["ipv6_compressed"]]
        assert address.interface == names.get(row["ifIndex"])
        if row["ipv6_prefixlen"]:  # LibreNMS stores 0 when the agent gives no prefix pointer
            assert address.prefix_length == row["ipv6_prefixlen"]


def _has_entity_mib(name: str) -> bool:
    """LibreNMS builds Junos inventory from JUNIPER-MIB jnxContentsTable, not ENTITY-MIB."""
    walk = load_snmprec(CORPUS / "snmprec" / f"{name}.snmprec")
    return any(True for _ in walk.subtree((1, 3, 6, 1, 2, 1, 47, 1, 1, 1)))


@pytest.mark.parametrize(
    "name",
    [n for n in NAMES if rows(n, "entity-physical", "entPhysical") and _has_entity_mib(n)],
)
def test_entity_inventory_matches_librenms(name: str) -> None:
    ours = {c.index: c for c in parsed(name).components}
    for row in rows(name, "entity-physical", "entPhysical"):
        component = ours[str(row["entPhysicalIndex"])]
        assert component.serial == (row["entPhysicalSerialNum"].strip() or None)
        assert component.model == (row["entPhysicalModelName"].strip() or None)
        parent = row["entPhysicalContainedIn"]
        assert component.parent_index == (str(parent) if str(parent) in ours else None)
        if row["entPhysicalClass"] == "powerSupply":
            assert component.component_class == "power_supply"
        if row["entPhysicalClass"] == "chassis":
            assert component.component_class == "chassis"


def test_host_resources_storage_matches_librenms() -> None:
    name = "linux_icecast"
    storage = {c.name: c for c in parsed(name).components if c.component_class == "storage"}
    for row in rows(name, "storage", "storage"):
        if row["type"] == "hrstorage" and row["storage_type"] == "hrStorageFixedDisk":
            assert storage[row["storage_descr"]].size_bytes == row["storage_size"]


def test_host_resources_memory_cpus_and_packages() -> None:
    """The recording has no hrSWRun; processes are tested on the real snmpd (test_collector)."""
    result = parsed("linux_icecast")
    walk = load_snmprec(CORPUS / "snmprec" / "linux_icecast.snmprec")
    memory_kib = walk.scalar((1, 3, 6, 1, 2, 1, 25, 2, 2))
    assert isinstance(memory_kib, int)
    assert result.device.memory_bytes == memory_kib * 1024
    cpus = [c for c in result.components if c.component_class == "cpu"]
    assert result.device.cpu_count == len(cpus) >= 1
    packages = [s for s in result.software if s.kind == "package"]
    installed = list(walk.subtree((1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2)))
    assert len(packages) == len(installed)
    kernel = next(p for p in packages if p.name == "kernel")
    assert kernel.version is not None and kernel.version.startswith("4.18.0")


def test_cdp_neighbour_decoded() -> None:
    """Cisco Business Wireless sends CDP only: address, port, platform come from cdpCacheTable."""
    (neighbour,) = [n for n in parsed("ciscowlc_cbw240ac").neighbors if n.protocol == "cdp"]
    walk = load_snmprec(CORPUS / "snmprec" / "ciscowlc_cbw240ac.snmprec")
    (raw,) = [v for _, v in walk.subtree((1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1, 4))]
    assert isinstance(raw, bytes)
    assert neighbour.remote_mgmt_address == str(IPv4Address(raw))
    assert neighbour.remote_port and neighbour.remote_system_name
    assert neighbour.local_interface in {i.name for i in parsed("ciscowlc_cbw240ac").interfaces}


def test_total_agreement_at_least_90_percent() -> None:
    results = []
    for name, device in parse_corpus(CORPUS).items():
        results += compare(name, expected(name), device)
    agreeing = sum(r.ok for r in results)
    assert agreeing / len(results) >= 0.90
    unexplained = {r.category for r in results if not r.ok} - set(EXPLANATIONS)
    assert not unexplained, f"differences without an explanation: {unexplained}"
