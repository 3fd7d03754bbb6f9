"""Run planning on real device data: which neighbours get followed, how work is batched."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from discovery.observations import DeviceReport, Source, Status
from discovery.snmp.parse import parse_walk
from discovery.snmp.snmprec import load_snmprec
from flows.inventory import Inventory
from flows.plan import chunks, neighbor_frontier, report_address, ssh_candidates

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms" / "snmprec"


def report_from_recording(name: str, target: str, status: Status = Status.OK) -> DeviceReport:
    recording = CORPUS / f"{name}.snmprec"
    if not recording.is_file():
        pytest.skip(f"corpus recording {recording} not present")
    parsed = parse_walk(load_snmprec(recording))
    return DeviceReport(
        target=target,
        source=Source.SNMP,
        status=status,
        device=parsed.device,
        neighbors=parsed.neighbors,
    )


def inventory(**doc: object) -> Inventory:
    return Inventory.model_validate({"targets": ["172.31.126.1"], **doc})


def test_frontier_follows_only_in_scope_unknown_unexcluded_neighbours() -> None:
    # aos6 (an Alcatel-Lucent OS6350) has LLDP neighbours in 10.150.134.x and 172.31.x.
    report = report_from_recording("aos6", "172.31.126.1:161")
    inv = inventory(
        scope=["172.31.126.0/24"],
        exclude=["172.31.126.42"],
        snmp_port=1161,
        follow_neighbors={"enabled": True, "max_depth": 2},
    )
    known = {ipaddress.ip_address("172.31.126.41")}
    frontier = neighbor_frontier([report], inv, known)
    assert [str(t) for t in frontier] == [
        "172.31.126.27:1161",
        "172.31.126.43:1161",
        "172.31.126.44:1161",
        "172.31.126.81:1161",
    ]


def test_frontier_ignores_unreachable_reports() -> None:
    report = report_from_recording("aos6", "172.31.126.1:161", status=Status.TIMEOUT)
    inv = inventory(scope=["172.31.0.0/16"], follow_neighbors={"enabled": True})
    assert neighbor_frontier([report], inv, set()) == []


def test_ssh_candidates_from_snmp_platform_and_explicit_entries() -> None:
    snmp = [
        report_from_recording("aos6", "172.31.126.1:161"),
        report_from_recording("arista_eos_vrf", "172.31.126.2:161"),
    ]
    inv = inventory(
        ssh=[
            {"address": "172.31.126.9", "port": 2222, "platform": "linux"},
            {"address": "172.31.126.10"},
        ],
        ssh_port=2022,
        ssh_from_snmp=True,
    )
    platform_of = {"172.31.126.2:161": "arista_eos"}  # aos6 has no CLI driver
    candidates = ssh_candidates(inv, snmp, platform_of)
    assert [(c.target, c.platform) for c in candidates] == [
        ("172.31.126.9:2222", "linux"),
        ("172.31.126.10:22", None),  # neither inventory nor SNMP know it: autodetect
        ("172.31.126.2:2022", "arista_eos"),
    ]
    no_snmp = inv.model_copy(update={"ssh_from_snmp": False})
    assert [c.target for c in ssh_candidates(no_snmp, snmp, platform_of)] == [
        "172.31.126.9:2222",
        "172.31.126.10:22",
    ]


def test_chunks_and_addresses() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []
    with pytest.raises(ValueError):
        list(chunks([1], 0))
    v6 = DeviceReport(target="[2001:db8::1]:161", source=Source.SNMP, status=Status.OK)
    assert report_address(v6) == ipaddress.ip_address("2001:db8::1")
