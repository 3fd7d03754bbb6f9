"""Reconciling the generated lab's SNMP recordings reproduces the lab's cabling exactly.

The recordings are parsed by the real SNMP parsers, so every vendor's LLDP port-id convention
is exercised: IOS-XE and EOS send interface names or port numbers, Junos sends its ifIndex as
a "local" port id, Linux sends its MAC. Each must resolve to the far end's real interface; a
port id that is not resolved would show up as a phantom interface (named "501") and a second
link beside the real one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from deploy.lab.generate import RECORDINGS_DIR, generate
from deploy.lab.topology import Topology
from discovery.observations import DeviceReport, Section, Source, Status
from discovery.snmp.parse import parse_walk
from discovery.snmp.snmprec import load_snmprec
from graph.model import ChangeSet, GraphState, RunContext
from graph.reconcile import reconcile

SECTIONS = {Section.SYSTEM, Section.INVENTORY, Section.INTERFACES, Section.NEIGHBORS}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[Topology, ChangeSet]:
    out: Path = tmp_path_factory.mktemp("lab")
    topology = generate(out, 30)
    reports = []
    for device in topology.devices:
        parsed = parse_walk(load_snmprec(out / RECORDINGS_DIR / f"{device.name}.snmprec"))
        reports.append(
            DeviceReport(
                target=device.address,
                source=Source.SNMP,
                status=Status.OK,
                device=parsed.device,
                sections=set(SECTIONS),
                components=parsed.components,
                interfaces=parsed.interfaces,
                neighbors=parsed.neighbors,
            )
        )
    changes = reconcile(GraphState(), reports, [], RunContext("run-1", datetime.now(UTC)))
    return topology, changes


def _names(changes: ChangeSet) -> dict[str, str]:
    return {c.uid: str(c.attributes["name"]) for c in changes.creates}


def test_every_link_of_the_lab_is_one_connected_to_between_real_interfaces(
    lab: tuple[Topology, ChangeSet],
) -> None:
    topology, changes = lab
    names = _names(changes)
    owner = {
        rel.target: names[rel.source] for rel in changes.rel_adds if rel.type == "HAS_INTERFACE"
    }
    found = {
        frozenset({(owner[r.source], names[r.source]), (owner[r.target], names[r.target])})
        for r in changes.rel_adds
        if r.type == "CONNECTED_TO"
    }

    def end(device: str, interface: str) -> tuple[str, str]:
        lab_if = next(i for i in topology.device(device).interfaces if i.name == interface)
        return device, lab_if.if_name or lab_if.name

    expected = {
        frozenset({end(link.a_device, link.a_interface), end(link.b_device, link.b_interface)})
        for link in topology.links
    }
    assert len(expected) == len(topology.links) > 0
    assert found == expected


def test_no_interface_is_named_by_a_bare_port_number(lab: tuple[Topology, ChangeSet]) -> None:
    _, changes = lab
    interfaces = [c for c in changes.creates if c.ci_class == "Interface"]
    assert interfaces
    assert [c.uid for c in interfaces if str(c.attributes["name"]).isdigit()] == []


def test_switch_roles_follow_the_product_line(lab: tuple[Topology, ChangeSet]) -> None:
    topology, changes = lab
    roles = {
        c.attributes["sys_name"]: c.attributes.get("role")
        for c in changes.creates
        if c.ci_class == "NetworkDevice"
    }
    switches = {d.name for d in topology.devices if d.role in {"core", "aggregation", "access"}}
    assert switches
    assert {name: roles.get(name) for name in switches} == dict.fromkeys(switches, "switch")
