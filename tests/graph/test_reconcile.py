"""Reconciliation as a pure function: identification, precedence, stale handling, properties.

Real observations come from the SNMP parsers run on the LibreNMS recordings in
../shared/corpus/librenms; hand-built reports cover the cases the corpus cannot show
(one box over SNMP and SSH, a box under a new address, a link seen from both ends).
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.observations import (
    ComponentObservation,
    DependencyObservation,
    DeviceObservation,
    DeviceReport,
    InterfaceObservation,
    NeighborObservation,
    Section,
    Source,
    Status,
)
from discovery.snmp.parse import parse_walk
from discovery.snmp.snmprec import load_snmprec
from graph.apply import apply_to_state
from graph.identity import device_keys, is_junk_serial
from graph.model import ChangeSet, CIStatus, GraphState, rel_key
from graph.reconcile import Observed, reconcile
from tests.graph.builders import ALL_SECTIONS, SRV, SW1, SW2, lab, run, server, switch1, switch2

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms" / "snmprec"
RECORDINGS = sorted(CORPUS.glob("*.snmprec"))
SNMP_SECTIONS = {
    Section.SYSTEM,
    Section.INVENTORY,
    Section.INTERFACES,
    Section.ADDRESSES,
    Section.NEIGHBORS,
    Section.SOFTWARE,
}


@cache
def _parsed(path: Path) -> Any:
    return parse_walk(load_snmprec(path))


def corpus_report(path: Path, address: str) -> DeviceReport:
    """What the SNMP collector reports for the recorded device, reached on ``address``."""
    parsed = _parsed(path)
    return DeviceReport(
        target=address,
        source=Source.SNMP,
        status=Status.OK,
        device=replace(parsed.device, mgmt_ip=address),
        sections=set(SNMP_SECTIONS),
        components=list(parsed.components),
        interfaces=list(parsed.interfaces),
        addresses=list(parsed.addresses),
        neighbors=list(parsed.neighbors),
        software=list(parsed.software),
    )


def corpus_reports() -> list[DeviceReport]:
    return [corpus_report(p, f"127.30.0.{i + 1}") for i, p in enumerate(RECORDINGS)]


def applied(reports: list[DeviceReport], n: int = 1, state: GraphState | None = None) -> GraphState:
    state = state if state is not None else GraphState()
    apply_to_state(state, reconcile(state, reports, [], run(n)))
    return state


def devices(changes: ChangeSet) -> list[str]:
    return sorted(c.uid for c in changes.creates if c.ci_class in ("NetworkDevice", "Server"))


# ----------------------------------------------------------------------------- real recordings

needs_corpus = pytest.mark.skipif(not RECORDINGS, reason=f"no recordings in {CORPUS}")


@needs_corpus
def test_each_recorded_device_is_one_active_ci() -> None:
    changes = reconcile(GraphState(), corpus_reports(), [], run(1))
    active = [
        c
        for c in changes.creates
        if c.ci_class in ("NetworkDevice", "Server") and c.status is CIStatus.ACTIVE
    ]
    assert len(active) == len(RECORDINGS)
    # Every recording shares the anonymised sysName "<private>": a junk name never merges boxes.
    assert {_parsed(p).device.sys_name for p in RECORDINGS} == {"<private>"}


@needs_corpus
def test_reconciling_the_corpus_twice_changes_nothing() -> None:
    reports = corpus_reports()
    state = applied(reports)
    again = reconcile(state, corpus_reports(), [], run(2))
    assert again.is_empty, again.counts()
    assert len(again.confirmations) == len(state.cis) - sum(
        1 for c in state.cis.values() if c.status is CIStatus.PLACEHOLDER
    )


@needs_corpus
def test_recorded_device_seen_over_snmp_then_ssh_is_one_ci() -> None:
    path = next(p for p in RECORDINGS if p.stem.startswith("iosxe"))
    snmp = corpus_report(path, "127.30.0.9")
    assert snmp.device is not None and snmp.device.serial
    state = applied([snmp])
    ssh = DeviceReport(
        target="127.30.0.9:22",
        source=Source.SSH,
        status=Status.OK,
        device=DeviceObservation(
            sys_name="ie3200-lab",
            serial=snmp.device.serial,
            os_version="17.12.01",
            platform="cisco_ios",
        ),
        sections={Section.SYSTEM},
    )
    changes = reconcile(state, [ssh], [], run(2))
    assert not devices(changes)
    [update] = [u for u in changes.updates if u.uid == f"dev:serial:{snmp.device.serial.upper()}"]
    assert update.changes["sys_name"] == ("<private>", "ie3200-lab")
    assert update.changes["platform"] == (snmp.device.platform, "cisco_ios")
    assert update.provenance["os_version"].source == "ssh"
    apply_to_state(state, changes)
    # SNMP alone in the next run cannot take the SSH values back.
    back = reconcile(state, [corpus_report(path, "127.30.0.9")], [], run(3))
    assert not [u for u in back.updates if u.uid == update.uid], back.updates


@needs_corpus
def test_unreachable_recorded_device_marks_nothing_missing() -> None:
    reports = corpus_reports()
    state = applied(reports)
    down = [
        replace(r, status=Status.TIMEOUT, sections=set(), interfaces=[], components=[])
        for r in reports
    ]
    changes = reconcile(state, down, [], run(2))
    assert changes.is_empty and not changes.confirmations


# ----------------------------------------------------------------------------- identification


def test_same_box_over_snmp_and_ssh_in_one_run_is_one_ci() -> None:
    ssh = switch1(Source.SSH, vendor="Cisco Systems, Inc.", address="10.0.0.1")
    changes = reconcile(GraphState(), [switch1(), ssh], [], run(1))
    [sw1] = [c for c in changes.creates if c.uid == SW1]
    assert (
        sw1.attributes["vendor"] == "Cisco Systems, Inc."
        and sw1.provenance["vendor"].source == "ssh"
    )
    assert [d for d in devices(changes) if not d.startswith("dev:mac")] == [SW1]


def test_box_under_a_new_address_is_the_same_ci() -> None:
    state = applied([switch1()])
    moved = switch1(address="10.50.0.1")
    changes = reconcile(state, [moved], [], run(2))
    assert not devices(changes)
    [update] = [u for u in changes.updates if u.uid == SW1]
    assert update.changes["mgmt_ip"] == ("10.0.0.1", "10.50.0.1")
    assert "ip:10.50.0.1" in (update.identity_keys or [])


def test_new_box_on_a_reused_address_is_a_new_ci() -> None:
    state = applied([switch1()])
    other = switch1()
    assert other.device is not None
    other.device = replace(
        other.device, serial="NEW9999X", chassis_id="00:1c:00:00:00:99", sys_name="sw9"
    )
    assert "ip:10.0.0.1" in device_keys(other.device, other.target)
    assert devices(reconcile(state, [other], [], run(2))) == ["dev:serial:NEW9999X"]


@pytest.mark.parametrize("serial", ["To be filled by O.E.M.", "0000000000", "N/A", " ", "SERIAL"])
def test_junk_serials_neither_identify_nor_merge(serial: str) -> None:
    assert is_junk_serial(serial)
    a = DeviceReport(
        "10.1.0.1", Source.SNMP, Status.OK, device=DeviceObservation(sys_name="a1", serial=serial)
    )
    b = DeviceReport(
        "10.1.0.2", Source.SNMP, Status.OK, device=DeviceObservation(sys_name="b1", serial=serial)
    )
    changes = reconcile(GraphState(), [a, b], [], run(1))
    assert devices(changes) == ["dev:name:a1", "dev:name:b1"]
    assert all("serial" not in c.attributes for c in changes.creates)


def test_link_seen_from_both_ends_is_one_relationship() -> None:
    changes = reconcile(GraphState(), [switch1(), switch2()], [], run(1))
    links = [r for r in changes.rel_adds if r.type == "CONNECTED_TO"]
    ends = sorted((f"{SW1}/if/Gi1/0/1", f"{SW2}/if/Ethernet1"))
    assert rel_key("CONNECTED_TO", *ends) in {r.key for r in links}
    assert len([r for r in links if {r.source, r.target} == set(ends)]) == 1
    assert not [
        c
        for c in changes.creates
        if c.status is CIStatus.PLACEHOLDER and c.uid.startswith("dev:mac:00:1c")
    ]


def test_neighbour_named_box_becomes_a_placeholder_that_discovery_completes() -> None:
    state = applied([switch1()])
    placeholder = state.cis["dev:mac:00:1c:00:00:00:02"]
    assert placeholder.status is CIStatus.PLACEHOLDER and placeholder.scope is None
    changes = reconcile(state, [switch1(), switch2()], [], run(2))
    assert [c.subject for c in changes.completed] == ["dev:mac:00:1c:00:00:00:02"]
    # The only new device is the server that sw2 names as its neighbour: a placeholder.
    assert devices(changes) == ["dev:mac:52:54:00:00:00:10"]
    apply_to_state(state, changes)
    assert reconcile(state, [switch2()], [], run(3)).is_empty


def test_dependencies_link_applications_across_servers() -> None:
    client = server()
    assert client.device is not None
    client.target = "10.0.0.11"
    client.device = replace(
        client.device, sys_name="app1", serial="VMW-43-APP", chassis_id=None, mgmt_ip="10.0.0.11"
    )
    client.services = []
    dep = DependencyObservation("10.0.0.11", "gunicorn", "10.0.0.10", "postgres", 5432)
    changes = reconcile(GraphState(), [server(), client], [dep], run(1))
    [rel] = [r for r in changes.rel_adds if r.type == "DEPENDS_ON"]
    assert (rel.source, rel.target) == ("dev:serial:VMW-43-APP/app/gunicorn", f"{SRV}/app/postgres")
    assert rel.attributes == {"port": 5432, "protocol": "tcp"}


# ----------------------------------------------------------------------------- precedence


def test_lower_precedence_source_fills_but_never_overwrites() -> None:
    state = applied([switch1(Source.SSH, vendor="Cisco Systems")])
    snmp = switch1(Source.SNMP, vendor="ciscoSystems")
    assert snmp.device is not None
    snmp.device = replace(snmp.device, contact="noc@example.net")
    changes = reconcile(state, [snmp], [], run(2))
    [update] = [u for u in changes.updates if u.uid == SW1]
    assert update.changes == {"contact": (None, "noc@example.net")}
    assert (
        update.provenance["vendor"].source == "ssh"
        and update.provenance["contact"].source == "snmp"
    )


def test_precedence_is_configurable() -> None:
    state = applied([switch1(Source.SSH, vendor="Cisco Systems")])
    snmp_first = replace(run(2), precedence={"manual": 30, "snmp": 25, "ssh": 20})
    changes = reconcile(state, [switch1(Source.SNMP, vendor="ciscoSystems")], [], snmp_first)
    [update] = [u for u in changes.updates if u.uid == SW1]
    assert update.changes["vendor"] == ("Cisco Systems", "ciscoSystems")


# ----------------------------------------------------------------------------- stale


def test_partial_collection_marks_only_what_it_reached() -> None:
    state = applied([switch1()])
    no_interfaces = switch1(
        interfaces=("Gi1/0/1",), status=Status.PARTIAL, sections=ALL_SECTIONS - {Section.INTERFACES}
    )
    changes = reconcile(state, [no_interfaces], [], run(2))
    assert not changes.missing
    reached = switch1(interfaces=("Gi1/0/1",))
    changes = reconcile(state, [reached], [], run(2))
    assert sorted(m.subject for m in changes.missing) == [f"{SW1}/if/Gi1/0/2", f"{SW1}/if/Gi1/0/3"]


def test_source_that_never_saw_a_ci_cannot_mark_it_missing() -> None:
    state = applied([switch1(Source.SSH, interfaces=("Gi1/0/1", "Loopback0"))])
    changes = reconcile(state, [switch1(Source.SNMP, interfaces=("Gi1/0/1",))], [], run(2))
    assert f"{SW1}/if/Loopback0" not in {m.subject for m in changes.missing}


def test_failed_storage_walk_marks_no_part_missing_and_a_removed_disk_goes_missing() -> None:
    chassis = ComponentObservation("1", "chassis", name="Chassis", serial="VMW-42-SRV")
    disks = [
        ComponentObservation(f"hrStorage.{i}", "storage", name=f"/data{i}", section=Section.STORAGE)
        for i in (1, 2)
    ]
    full = replace(
        server(), components=[chassis, *disks], sections=ALL_SECTIONS | {Section.STORAGE}
    )
    state = applied([full])
    storage_failed = replace(
        full, status=Status.PARTIAL, components=[chassis], sections=ALL_SECTIONS
    )
    assert not reconcile(state, [storage_failed], [], run(2)).missing
    disk_removed = replace(full, components=[chassis, disks[0]])
    changes = reconcile(state, [disk_removed], [], run(2))
    assert [m.subject for m in changes.missing] == [f"{SRV}/hw/hrStorage.2"]


# ----------------------------------------------------------------------------- properties


def _canonical(changes: ChangeSet) -> dict[str, Any]:
    return {
        "creates": sorted(
            (
                c.uid,
                c.ci_class,
                c.status.value,
                sorted(c.attributes.items(), key=str),
                tuple(c.identity_keys),
            )
            for c in changes.creates
        ),
        "updates": sorted((u.uid, sorted(u.changes.items(), key=str)) for u in changes.updates),
        "status": sorted(
            (s.subject, s.new, s.missing_runs)
            for s in (*changes.missing, *changes.retired, *changes.reappeared, *changes.completed)
        ),
        "rels": sorted(
            (r.key, sorted(r.attributes.items(), key=str), tuple(r.scopes))
            for r in changes.rel_adds
        ),
        "rel_status": sorted(
            (s.subject, s.new) for s in (*changes.rel_missing, *changes.rel_retired)
        ),
    }


_PORTS = ("p1", "p2", "p3")
_SERIALS = ("SER-A1", "SER-B2", "To be filled by O.E.M.", None)


@st.composite
def networks(draw: st.DrawFn) -> list[DeviceReport]:
    """A few boxes, each reported by SNMP and/or SSH, some unreachable or partial, linked by LLDP."""
    count = draw(st.integers(1, 4))
    reports = []
    for i in range(count):
        serial = draw(st.sampled_from(_SERIALS))
        ports = draw(st.lists(st.sampled_from(_PORTS), unique=True))
        for source in draw(
            st.lists(
                st.sampled_from([Source.SNMP, Source.SSH]), min_size=1, max_size=2, unique=True
            )
        ):
            status = draw(st.sampled_from([Status.OK, Status.OK, Status.PARTIAL, Status.TIMEOUT]))
            sections = set(draw(st.lists(st.sampled_from(sorted(ALL_SECTIONS)), unique=True)))
            peer = draw(st.integers(0, count - 1))
            neighbors = [
                NeighborObservation(
                    "lldp", ports[0], remote_system_name=f"box{peer}", remote_port="p1"
                )
                for _ in range(draw(st.integers(0, 1)))
                if ports and peer != i
            ]
            device = DeviceObservation(
                sys_name=f"box{i}",
                serial=serial,
                mgmt_ip=f"10.9.0.{i + 1}",
                vendor=draw(st.sampled_from(["v1", "v2"])),
            )
            reports.append(
                DeviceReport(
                    target=f"10.9.0.{i + 1}",
                    source=source,
                    status=status,
                    device=device,
                    sections=sections if status is Status.PARTIAL else set(ALL_SECTIONS),
                    interfaces=[InterfaceObservation(p) for p in ports],
                    neighbors=neighbors,
                )
            )
    return reports


@settings(max_examples=150, deadline=None)
@given(before=networks(), after=networks())
def test_applying_a_run_then_reconciling_it_again_is_empty(
    before: list[DeviceReport], after: list[DeviceReport]
) -> None:
    state = applied(before, 1)
    changes = reconcile(state, after, [], run(2))
    apply_to_state(state, changes)
    again = reconcile(state, after, [], run(2))
    assert again.is_empty, _canonical(again)


@settings(max_examples=150, deadline=None)
@given(reports=networks())
def test_the_next_run_seeing_the_same_is_empty(reports: list[DeviceReport]) -> None:
    state = applied(reports, 1)
    assert reconcile(state, reports, [], run(2)).is_empty


@settings(max_examples=150, deadline=None)
@given(before=networks(), after=networks(), seed=st.integers(0, 2**16))
def test_report_order_does_not_matter(
    before: list[DeviceReport], after: list[DeviceReport], seed: int
) -> None:
    state = applied(before, 1)
    shuffled = list(after)
    random.Random(seed).shuffle(shuffled)
    assert _canonical(reconcile(state, after, [], run(2))) == _canonical(
        reconcile(state, shuffled, [], run(2))
    )


def test_lab_reconciles_to_the_expected_graph_shape() -> None:
    changes = reconcile(GraphState(), lab(), [], run(1))
    assert devices(changes) == sorted([SW1, SW2, SRV])
    assert {c.uid for c in changes.creates if c.ci_class == "Application"} == {
        f"{SRV}/app/postgres"
    }
    assert {c.uid for c in changes.creates if c.ci_class == "Location"} == {"loc:dc1 room 2"}
    assert {r.type for r in changes.rel_adds} == {
        "HAS_INTERFACE",
        "CONNECTED_TO",
        "ASSIGNED_TO",
        "INSTALLED_ON",
        "RUNS_ON",
        "LOCATED_IN",
    }


def test_a_reported_value_outranks_an_implied_one_seen_before_and_after() -> None:
    """Implied (weak) then reported, with the same value and source: the value is now a
    reported one, so a later implied value does not replace it."""
    obs = Observed(GraphState(), {"snmp": 10, "ssh": 20})
    uid = f"{SW1}/if/Gi1/0/1"
    for value, weak in (("uplink", True), ("uplink", False), ("zz-implied", True)):
        obs.add_ci(uid, "Interface", {"description": value}, "ssh", None, weak=weak)
    assert obs.cis[uid].values["description"] == ("uplink", "ssh", False)
