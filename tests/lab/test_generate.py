"""The generated lab is consistent: what one device's recording says about its neighbours is
what the neighbours' own recordings say about themselves, for every link, at several sizes.

These tests read the written ``.snmprec`` files back (no agent involved), so a wrong OID,
a mismatched port id or an unsorted file fails here before any discovery test sees it.
"""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest

from deploy.lab.corpus import read_snmprec, text
from deploy.lab.generate import GENERATED_NET, Plan, build_topology, write_recordings
from deploy.lab.topology import Topology

Recording = dict[str, str | bytes]

LLDP_LOC = "1.0.8802.1.1.2.1.3"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
LLDP_REM_MAN = "1.0.8802.1.1.2.1.4.2.1"
CDP_CACHE = "1.3.6.1.4.1.9.9.23.1.2.1.1"
CISCO_PREFIX = "1.3.6.1.4.1.9."


class Generated:
    """A generated topology and its recordings, read back from disk."""

    def __init__(self, topology: Topology, directory: Path):
        self.topology = topology
        self.recordings: dict[str, Recording] = {
            d.name: read_snmprec(directory / f"{d.name}.snmprec") for d in topology.devices
        }
        self.lines: dict[str, list[str]] = {
            d.name: (directory / f"{d.name}.snmprec").read_text().splitlines()
            for d in topology.devices
        }

    def by_chassis(self) -> dict[bytes | str, str]:
        return {rec[f"{LLDP_LOC}.2.0"]: name for name, rec in self.recordings.items()}


def rows(recording: Recording, column_prefix: str) -> dict[tuple[int, ...], str | bytes]:
    """Index (as an int tuple) -> value of one table column."""
    start = column_prefix + "."
    return {
        tuple(int(x) for x in oid[len(start) :].split(".")): value
        for oid, value in recording.items()
        if oid.startswith(start)
    }


def local_ports(recording: Recording) -> dict[int, tuple[str, str | bytes, str]]:
    """lldpLocPortNum -> (subtype, port id, port description)."""
    subtypes = rows(recording, f"{LLDP_LOC}.7.1.2")
    ids = rows(recording, f"{LLDP_LOC}.7.1.3")
    descs = rows(recording, f"{LLDP_LOC}.7.1.4")
    return {k[0]: (text(subtypes[k]), ids[k], text(descs[k])) for k in subtypes}


@pytest.fixture(scope="module", params=[10, 30, 200])
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Generated:
    topology = build_topology(request.param, seed=7, snmp_port=16100)
    directory = tmp_path_factory.mktemp(f"gen{request.param}")
    write_recordings(topology, directory)
    return Generated(topology, directory)


def test_size_and_shape(generated: Generated) -> None:
    devices = generated.topology.devices
    roles = Counter(d.role for d in devices)
    plan = Plan.for_devices(len(devices))
    assert roles["core"] == 2
    assert roles["aggregation"] == 2 * plan.agg_pairs
    assert roles["access"] == 2 * plan.racks
    assert roles["server"] == plan.servers
    assert len({d.address for d in devices}) == len(devices)
    assert all(ipaddress.IPv4Address(d.address) in GENERATED_NET for d in devices)


def test_servers_single_and_dual_homed_both_exist(generated: Generated) -> None:
    uplinks = Counter(
        link.a_device
        for link in generated.topology.links
        if generated.topology.device(link.a_device).role == "server"
    )
    servers = [d.name for d in generated.topology.devices if d.role == "server"]
    homing = Counter(uplinks[name] for name in servers)
    assert set(homing) == {1, 2}
    assert homing[2] > homing[1]  # most servers are dual-homed


def test_every_access_switch_is_dual_uplinked_to_its_aggregation_pair(generated: Generated) -> None:
    topology = generated.topology
    for device in (d for d in topology.devices if d.role == "access"):
        peers = {k.b_device for k in topology.links if k.a_device == device.name}
        peers |= {k.a_device for k in topology.links if k.b_device == device.name}
        aggs = {p for p in peers if topology.device(p).role == "aggregation"}
        assert len(aggs) == 2, device.name
        assert {a[:-1] for a in aggs} == {next(iter(aggs))[:-1]}  # one pair: agg-NNa and agg-NNb


def test_same_seed_same_topology_other_seed_other_mix() -> None:
    def plain(t: Topology) -> str:
        t.snmpv3 = {}
        return json.dumps(asdict(t))

    assert plain(build_topology(100, seed=3)) == plain(build_topology(100, seed=3))
    assert plain(build_topology(100, seed=3)) != plain(build_topology(100, seed=4))


def test_recordings_are_sorted_without_duplicates(generated: Generated) -> None:
    for name, lines in generated.lines.items():
        oids = [tuple(int(x) for x in line.split("|", 1)[0].split(".")) for line in lines]
        assert oids == sorted(oids), name
        assert len(set(oids)) == len(oids), name


def test_system_group_matches_topology(generated: Generated) -> None:
    for device in generated.topology.devices:
        rec = generated.recordings[device.name]
        expected_name = f"{device.name}.{device.domain}" if device.domain else device.name
        assert text(rec["1.3.6.1.2.1.1.5.0"]) == expected_name
        assert text(rec["1.3.6.1.2.1.1.1.0"]) == device.sys_descr
        assert text(rec["1.3.6.1.2.1.1.2.0"]) == device.sys_object_id


def test_if_mib_indexes_are_consistent(generated: Generated) -> None:
    for device in generated.topology.devices:
        rec = generated.recordings[device.name]
        if_index = rows(rec, "1.3.6.1.2.1.2.2.1.1")
        assert all(int(text(v)) == k[0] for k, v in if_index.items())
        indexes = {k[0] for k in if_index}
        assert indexes == {i.if_index for i in device.interfaces}
        assert {k[0] for k in rows(rec, "1.3.6.1.2.1.31.1.1.1.1")} == indexes
        assert int(text(rec["1.3.6.1.2.1.2.1.0"])) == len(indexes)
        assert {int(text(v)) for v in rows(rec, "1.3.6.1.2.1.4.20.1.2").values()} <= indexes
        assert {int(text(v)) for v in rows(rec, "1.3.6.1.2.1.4.34.1.3").values()} <= indexes
        aliased = {
            int(text(v).rsplit(".", 1)[1]) for v in rows(rec, "1.3.6.1.2.1.47.1.3.2.1.2").values()
        }
        assert aliased <= indexes
        names = {k[0]: text(v) for k, v in rows(rec, "1.3.6.1.2.1.31.1.1.1.1").items()}
        assert names == {i.if_index: i.if_name or i.name for i in device.interfaces}


def test_ipv6_addresses_exist(generated: Generated) -> None:
    v6 = [
        k
        for rec in generated.recordings.values()
        for k in rows(rec, "1.3.6.1.2.1.4.34.1.3")
        if k[0] == 2
    ]
    assert v6


def test_entity_serials_unique_and_chassis_serial_matches(generated: Generated) -> None:
    serials: list[str] = []
    for device in generated.topology.devices:
        rec = generated.recordings[device.name]
        classes = rows(rec, "1.3.6.1.2.1.47.1.1.1.1.5")
        if device.role == "server":
            assert not classes  # net-snmp on Linux has no ENTITY-MIB
            continue
        values = {k: text(v) for k, v in rows(rec, "1.3.6.1.2.1.47.1.1.1.1.11").items()}
        serials += [v for v in values.values() if v]
        chassis = [k for k, c in classes.items() if text(c) == "3"]
        assert [values[k] for k in chassis] == [device.serial]
        assert {text(classes[k]) for k in classes} >= {"3", "6", "7", "9", "10"}
        contained_in = {k: int(text(v)) for k, v in rows(rec, "1.3.6.1.2.1.47.1.1.1.1.4").items()}
        assert all(parent == 0 or (parent,) in classes for parent in contained_in.values())
    duplicates = [s for s, n in Counter(serials).items() if n > 1]
    assert not duplicates


def test_lldp_remote_entries_match_the_far_end(generated: Generated) -> None:
    """Every lldpRemEntry equals the far end's own lldpLoc data, and points back at us."""
    chassis_owner = generated.by_chassis()
    for name, rec in generated.recordings.items():
        my_ports = local_ports(rec)
        for (_, port_num, rem), sysname in rows(rec, f"{LLDP_REM}.9").items():
            key = (0, port_num, rem)
            far_name = chassis_owner[rows(rec, f"{LLDP_REM}.5")[key]]
            far = generated.recordings[far_name]
            assert sysname == far["1.0.8802.1.1.2.1.3.3.0"]
            assert rows(rec, f"{LLDP_REM}.10")[key] == far["1.0.8802.1.1.2.1.3.4.0"]
            assert rows(rec, f"{LLDP_REM}.12")[key] == far["1.0.8802.1.1.2.1.3.6.0"]
            far_ports = local_ports(far)
            port = (
                text(rows(rec, f"{LLDP_REM}.6")[key]),
                rows(rec, f"{LLDP_REM}.7")[key],
                text(rows(rec, f"{LLDP_REM}.8")[key]),
            )
            far_port_num = [n for n, p in far_ports.items() if p == port]
            assert len(far_port_num) == 1, (name, far_name, port)
            # ... and the far end sees us on exactly that port, with our local port id.
            back = [
                k
                for k, v in rows(far, f"{LLDP_REM}.5").items()
                if v == rec[f"{LLDP_LOC}.2.0"] and k[1] == far_port_num[0]
            ]
            assert len(back) == 1, (name, far_name)
            back_port = (
                text(rows(far, f"{LLDP_REM}.6")[back[0]]),
                rows(far, f"{LLDP_REM}.7")[back[0]],
                text(rows(far, f"{LLDP_REM}.8")[back[0]]),
            )
            assert back_port == my_ports[port_num]


def test_lldp_neighbour_count_equals_links(generated: Generated) -> None:
    links = Counter(
        [link.a_device for link in generated.topology.links]
        + [link.b_device for link in generated.topology.links]
    )
    for device in generated.topology.devices:
        assert len(rows(generated.recordings[device.name], f"{LLDP_REM}.5")) == links[device.name]


def test_management_addresses_are_lab_loopback_addresses(generated: Generated) -> None:
    address_of = {d.name: d.address for d in generated.topology.devices}
    chassis_owner = generated.by_chassis()
    for name, rec in generated.recordings.items():
        for key in rows(rec, f"{LLDP_REM_MAN}.3"):
            time_mark, port_num, rem, family, length, *octets = key
            assert (family, length) == (1, 4)
            far = chassis_owner[rows(rec, f"{LLDP_REM}.5")[(time_mark, port_num, rem)]]
            assert ".".join(map(str, octets)) == address_of[far]
        for value in rows(rec, f"{CDP_CACHE}.4").values():
            assert isinstance(value, bytes)
            assert ipaddress.IPv4Address(value) in GENERATED_NET
        local_man = [k[2:] for k in rows(rec, f"{LLDP_LOC}.8.1.3")]
        assert local_man == [tuple(int(x) for x in address_of[name].split("."))]


def test_cdp_only_between_cisco_devices(generated: Generated) -> None:
    cisco = {d.name for d in generated.topology.devices if d.sys_object_id.startswith(CISCO_PREFIX)}
    by_sysname = {
        text(rec["1.3.6.1.2.1.1.5.0"]): name for name, rec in generated.recordings.items()
    }
    seen = 0
    for name, rec in generated.recordings.items():
        device_ids = [text(v) for v in rows(rec, f"{CDP_CACHE}.6").values()]
        if name not in cisco:
            assert not device_ids and "1.3.6.1.4.1.9.9.23.1.3.1.0" not in rec
            continue
        assert all(by_sysname[d] in cisco for d in device_ids)
        cisco_links = [
            k
            for k in generated.topology.links
            if name in (k.a_device, k.b_device) and {k.a_device, k.b_device} <= cisco
        ]
        assert len(device_ids) == len(cisco_links)
        seen += len(device_ids)
    assert seen >= 2  # the two core switches are always Cisco and linked to each other


def test_host_resources_only_on_servers(generated: Generated) -> None:
    for device in generated.topology.devices:
        rec = generated.recordings[device.name]
        software = rows(rec, "1.3.6.1.2.1.25.6.3.1.2")
        processes = rows(rec, "1.3.6.1.2.1.25.4.2.1.2")
        if device.role == "server":
            assert len(software) > 20 and len(processes) > 10
            assert "1.3.6.1.2.1.25.2.2.0" in rec
        else:
            assert not software and not processes


def test_plan_rejects_sizes_out_of_range() -> None:
    with pytest.raises(ValueError):
        Plan.for_devices(9)
    with pytest.raises(ValueError):
        Plan.for_devices(10_001)
