"""The GraphStore contract: every test runs unchanged against both stores (see conftest)."""

from __future__ import annotations

from datetime import timedelta

import networkx as nx
import pytest

from discovery.observations import ConfigSnapshot, Section, Source, Status
from graph.model import CIStatus, EventKind, RelStatus, ReviewState, rel_key
from graph.reconcile import reconcile
from graph.schema import SchemaError
from graph.store import Conflict, GraphStore, NotFound, to_networkx
from tests.graph.builders import SRV, SW1, SW2, T0, discover, lab, run, server, switch1, switch2

SW1_G1 = f"{SW1}/if/Gi1/0/1"
SW2_E1 = f"{SW2}/if/Ethernet1"


def test_apply_then_same_reports_again_changes_nothing(store: GraphStore) -> None:
    first = discover(store, lab(), 1)
    assert first.creates and not first.updates
    second = reconcile(store.load_state(), lab(), [], run(2))
    assert second.is_empty, second.counts()
    assert len(second.confirmations) == len(first.creates)
    store.apply(second, "run-2", run(2).at)
    ci = store.get_ci(SW1)
    assert ci is not None and ci.last_run == "run-2" and ci.last_seen == run(2).at
    assert ci.provenance["vendor"].run_id == "run-2"
    assert ci.first_seen == run(1).at


def test_prefetch_is_only_a_hint(store: GraphStore) -> None:
    discover(store, lab(), 1)
    expected = store.load_state()
    store.prefetch_state()
    store.prefetch_state()  # asking twice is harmless
    assert store.load_state() == expected
    assert reconcile(store.load_state(), lab(), [], run(2)).is_empty


def test_state_round_trips_through_the_store(store: GraphStore) -> None:
    changes = discover(store, lab(), 1)
    state = store.load_state()
    assert {c.uid for c in changes.creates} == set(state.cis)
    assert {r.key for r in changes.rel_adds} == set(state.rels)
    created = {c.uid: c for c in changes.creates}
    for uid, ci in state.cis.items():
        assert ci.attributes == created[uid].attributes
        assert ci.provenance == created[uid].provenance
        assert ci.identity_keys == created[uid].identity_keys
    link = state.rels[rel_key("CONNECTED_TO", *sorted((SW1_G1, SW2_E1)))]
    assert link.attributes == {"protocols": ["lldp"]}
    assert sorted(link.scopes) == [f"{SW1}#neighbors", f"{SW2}#neighbors"]


def test_find_with_class_text_filters_and_paging(store: GraphStore) -> None:
    discover(store, lab(), 1)
    interfaces = store.find_cis(ci_class="Interface", limit=2)
    assert interfaces.total == 6 and len(interfaces.items) == 2
    rest = store.find_cis(ci_class="Interface", offset=2, limit=10)
    uids = [c.uid for c in interfaces.items + rest.items]
    assert uids == sorted(uids) and len(set(uids)) == 6
    assert [c.uid for c in store.find_cis(filters={"serial": "JPE2222B2BB"}).items] == [SW2]
    assert [
        c.uid for c in store.find_cis(ci_class="NetworkDevice", filters={"vendor": "Cisco"})
    ] == [SW1]
    assert [c.uid for c in store.find_cis(text="SRV1", ci_class="Server")] == [SRV]
    assert store.find_cis(status=CIStatus.MISSING).total == 0
    assert store.find_cis(since=run(1).at + timedelta(seconds=1)).total == 0
    assert store.find_cis(since=run(1).at).total == store.count_cis()
    assert store.count_cis("Location") == 1
    with pytest.raises(SchemaError):
        store.find_cis(filters={"no_such_attribute": 1})


def test_relationships_by_direction_and_type(store: GraphStore) -> None:
    discover(store, lab(), 1)
    out = store.relationships(SW1, "out", ["HAS_INTERFACE"])
    assert {r.target for r in out} == {f"{SW1}/if/{n}" for n in ("Gi1/0/1", "Gi1/0/2", "Gi1/0/3")}
    incoming = store.relationships(SW1, "in")
    assert {r.type for r in incoming} == {"INSTALLED_ON"}
    assert {r.type for r in store.relationships(SW1, "both")} == {
        "HAS_INTERFACE",
        "INSTALLED_ON",
        "LOCATED_IN",
    }
    with pytest.raises(SchemaError):
        store.relationships(SW1, "out", ["NOT_A_TYPE"])


def test_traverse_down_up_and_over_symmetric_links(store: GraphStore) -> None:
    discover(store, lab(), 1)
    down = store.traverse([SW1], "down", ["HAS_INTERFACE", "CONNECTED_TO"], depth=2)
    assert SW2_E1 in down.uids() and SW2 not in down.uids()
    up = store.traverse([SW2_E1], "up", ["HAS_INTERFACE", "CONNECTED_TO"], depth=2)
    assert {SW2, SW1_G1, SW1} <= up.uids()
    assert store.traverse([SW1], "down", ["HAS_INTERFACE"], depth=1).uids() == {SW1} | {
        f"{SW1}/if/{n}" for n in ("Gi1/0/1", "Gi1/0/2", "Gi1/0/3")
    }
    both = store.traverse([SRV], "both", depth=6)  # eth0, Ethernet2, sw2, Ethernet1, Gi1/0/1, sw1
    assert SW1 in both.uids() and SW1 not in store.traverse([SRV], "both", depth=5).uids()
    assert all(r.source in both.uids() and r.target in both.uids() for r in both.rels)


def test_neighbors_and_paths(store: GraphStore) -> None:
    discover(store, lab(), 1)
    near = store.neighbors(SW2, depth=1)
    assert near.uids() == {SW2, f"{SW2}/if/Ethernet1", f"{SW2}/if/Ethernet2"}
    assert {r.type for r in near.rels} == {"HAS_INTERFACE"}
    paths = store.paths(SW1, SRV, ["HAS_INTERFACE", "CONNECTED_TO"], max_depth=8)
    assert paths[0].uids == [SW1, SW1_G1, SW2_E1, SW2, f"{SW2}/if/Ethernet2", f"{SRV}/if/eth0", SRV]
    assert [r.type for r in paths[0].rels] == ["HAS_INTERFACE", "CONNECTED_TO", "HAS_INTERFACE"] * 2
    assert store.paths(SW1, SRV, ["HAS_INTERFACE", "CONNECTED_TO"], max_depth=3) == []


def test_history_as_of_and_diff(store: GraphStore) -> None:
    discover(store, [switch1()], 1)
    discover(store, [switch1(vendor="Cisco Systems")], 2)
    events = store.history(SW1)
    assert [e.kind for e in events if e.subject == SW1] == [EventKind.CREATED, EventKind.UPDATED]
    update = [e for e in events if e.kind is EventKind.UPDATED][0]
    assert update.changes == {"vendor": ["Cisco", "Cisco Systems"]}
    assert update.actor == "run-2" and update.source == "snmp" and update.at == run(2).at
    assert any(e.kind is EventKind.REL_ADDED for e in events)  # its relationships too
    before = store.ci_as_of(SW1, run(1).at + timedelta(hours=1))
    assert before is not None and before.attributes["vendor"] == "Cisco"
    assert store.ci_as_of(SW1, run(1).at - timedelta(seconds=1)) is None
    assert store.diff(SW1, run(1).at, run(2).at) == {"vendor": ("Cisco", "Cisco Systems")}
    assert [e.actor for e in store.history(since=run(2).at)] == ["run-2"]
    assert len(store.history(actor="run-1")) == len(store.history(until=run(1).at))


def test_manual_attributes_survive_discovery(store: GraphStore) -> None:
    discover(store, lab(), 1)
    ci = store.set_manual_attrs(SW1, {"owner": "netops", "criticality": "high"}, "alice")
    assert ci.attributes["owner"] == "netops" and ci.provenance["owner"].source == "manual"
    discover(store, lab(), 2)
    again = store.get_ci(SW1)
    assert again is not None and again.attributes["owner"] == "netops"
    assert again.attributes["criticality"] == "high" and again.provenance["owner"].actor == "alice"
    with pytest.raises(SchemaError):
        store.set_manual_attrs(SW1, {"vendor": "Juniper"}, "alice")
    with pytest.raises(SchemaError):
        store.set_manual_attrs(SW1, {"criticality": "extreme"}, "alice")
    cleared = store.set_manual_attrs(SW1, {"owner": None}, "bob")
    assert "owner" not in cleared.attributes
    manual = [e for e in store.history(SW1) if e.kind is EventKind.MANUAL]
    assert [e.actor for e in manual] == ["alice", "bob"]
    assert manual[1].changes == {"owner": ["netops", None]}
    with pytest.raises(NotFound):
        store.set_manual_attrs("dev:nope", {"owner": "x"}, "alice")


def test_review_state(store: GraphStore) -> None:
    discover(store, lab(), 1)
    assert store.find_cis(review_state=ReviewState.NEW).total == store.count_cis()
    ci = store.set_review(SW2, ReviewState.APPROVED, "carol")
    assert ci.review_state is ReviewState.APPROVED and ci.reviewed_by == "carol" and ci.reviewed_at
    assert [c.uid for c in store.find_cis(review_state=ReviewState.APPROVED)] == [SW2]
    event = store.history(SW2)[-1]
    assert event.kind is EventKind.REVIEW and event.changes["review_state"] == ["new", "approved"]


def test_stale_children_go_missing_then_retired_and_come_back(store: GraphStore) -> None:
    gi3 = f"{SW1}/if/Gi1/0/3"
    discover(store, [switch1()], 1)
    two_ports = ("Gi1/0/1", "Gi1/0/2")
    discover(store, [switch1(status=Status.TIMEOUT, interfaces=two_ports)], 2)
    assert store.get_ci(gi3).status is CIStatus.ACTIVE  # type: ignore[union-attr]
    partial = switch1(status=Status.PARTIAL, interfaces=two_ports, sections={Section.SYSTEM})
    assert not discover(store, [partial], 3).missing
    changes = discover(store, [switch1(interfaces=two_ports)], 4)
    assert [(m.subject, m.missing_runs) for m in changes.missing] == [(gi3, 1)]
    assert [m.subject for m in changes.rel_missing] == [rel_key("HAS_INTERFACE", SW1, gi3)]
    assert not reconcile(store.load_state(), [switch1(interfaces=two_ports)], [], run(4)).missing
    changes = discover(store, [switch1(interfaces=two_ports)], 5)
    assert [(m.subject, m.new) for m in changes.retired] == [(gi3, "retired")]
    retired = store.get_ci(gi3)
    assert retired is not None and retired.status is CIStatus.RETIRED and retired.missing_runs == 2
    assert store.find_cis(status=CIStatus.RETIRED).total == 1
    assert gi3 not in store.traverse([SW1], "down", depth=1).uids()
    changes = discover(store, [switch1()], 6)
    assert [r.subject for r in changes.reappeared] == [gi3]
    assert store.get_ci(gi3).status is CIStatus.ACTIVE  # type: ignore[union-attr]
    rel = store.relationships(gi3, "in", ["HAS_INTERFACE"])[0]
    assert rel.status is RelStatus.ACTIVE and rel.missing_runs == 0


def test_placeholder_is_completed_by_discovery(store: GraphStore) -> None:
    changes = discover(store, [switch1()], 1)
    placeholder = [c for c in changes.creates if c.status is CIStatus.PLACEHOLDER]
    assert [c.uid for c in placeholder] == ["dev:mac:00:1c:00:00:00:02"]
    changes = discover(store, [switch1(), switch2()], 2)
    assert [c.subject for c in changes.completed] == ["dev:mac:00:1c:00:00:00:02"]
    sw2 = store.get_ci("dev:mac:00:1c:00:00:00:02")
    assert (
        sw2 is not None
        and sw2.status is CIStatus.ACTIVE
        and sw2.attributes["serial"] == "JPE2222B2BB"
    )
    assert store.count_cis("NetworkDevice", CIStatus.ACTIVE) == 2
    assert not store.find_cis(filters={"serial": "JPE2222B2BB"}, ci_class="NetworkDevice").total > 1
    link = store.relationships("dev:mac:00:1c:00:00:00:02/if/Ethernet1", "both", ["CONNECTED_TO"])
    assert len(link) == 1
    assert link[0].scopes == sorted([f"{SW1}#neighbors", "dev:mac:00:1c:00:00:00:02#neighbors"])


def test_merge_moves_relationships_and_identity(store: GraphStore) -> None:
    # The server also seen over SNMP under another name and address, without serial or MAC.
    first = server(Source.SNMP)
    assert first.device is not None
    from dataclasses import replace

    first.device = replace(
        first.device, serial=None, chassis_id=None, mgmt_ip="10.9.9.9", sys_name="db"
    )
    first.target = "10.9.9.9"
    discover(store, [first, server()], 1)
    dup = "dev:name:db"
    assert store.get_ci(dup) is not None and store.get_ci(SRV) is not None
    keep = store.merge(SRV, dup, "dave")
    assert "ip:10.9.9.9" in keep.identity_keys
    dropped = store.get_ci(dup)
    assert dropped is not None and dropped.status is CIStatus.RETIRED and dropped.merged_into == SRV
    assert store.relationships(dup) == []
    assert {r.source for r in store.relationships(SRV, "in", ["HAS_INTERFACE", "RUNS_ON"])} >= {
        f"{dup}/app/postgres"
    }
    kinds = {e.subject: e.kind for e in store.history(dup) if e.kind is EventKind.MERGED}
    assert kinds == {dup: EventKind.MERGED, SRV: EventKind.MERGED}
    changes = discover(store, [first, server()], 2)
    assert not [c for c in changes.creates if c.ci_class == "Server"]
    with pytest.raises(Conflict):
        store.merge(SRV, dup, "dave")
    with pytest.raises(Conflict):
        store.merge(SRV, f"{SRV}/if/eth0", "dave")


def test_authored_cis_and_manual_links(store: GraphStore) -> None:
    discover(store, lab(), 1)
    payroll = store.create_ci(
        "BusinessService", {"name": "Payroll", "criticality": "critical"}, "erin"
    )
    assert (
        payroll.uid == "bs:payroll"
        and payroll.authored
        and payroll.review_state is ReviewState.APPROVED
    )
    with pytest.raises(Conflict):
        store.create_ci("BusinessService", {"name": "payroll"}, "erin")
    with pytest.raises(SchemaError):
        store.create_ci("Interface", {"name": "eth9"}, "erin")
    app = f"{SRV}/app/postgres"
    rel = store.link("bs:payroll", "DEPENDS_ON", app, {"redundancy_group": "db"}, "erin")
    assert rel.manual and rel.attributes == {"redundancy_group": "db"}
    with pytest.raises(SchemaError):
        store.link(SW1, "DEPENDS_ON", "loc:dc1 room 2", None, "erin")
    discover(store, lab(), 2)  # discovery leaves authored CIs and manual links alone
    kept = store.relationships("bs:payroll", "out", ["DEPENDS_ON"])
    assert [(r.target, r.manual, r.status) for r in kept] == [(app, True, RelStatus.ACTIVE)]
    assert store.get_ci("bs:payroll").attributes == {"name": "Payroll", "criticality": "critical"}  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        store.unlink(SW1, "HAS_INTERFACE", SW1_G1, "erin")
    store.unlink("bs:payroll", "DEPENDS_ON", app, "erin")
    assert store.relationships("bs:payroll") == []
    kinds = [e.kind for e in store.history("bs:payroll")]
    assert kinds == [EventKind.CREATED, EventKind.REL_ADDED, EventKind.REL_REMOVED]


def test_export_graph_feeds_networkx(store: GraphStore) -> None:
    discover(store, lab(), 1)
    graph = to_networkx(store.export_graph())
    assert graph.number_of_nodes() == store.count_cis()
    assert nx.has_path(graph.to_undirected(as_view=True), SW1, SRV)
    assert graph.nodes[SRV]["ci_class"] == "Server"


def test_records(store: GraphStore) -> None:
    for i in range(5):
        store.put_record("change", f"c{i}", {"n": i, "title": f"change {i}"})
    store.put_record("token", "t1", {"role": "viewer"})
    store.put_record("change", "c1", {"n": 1, "title": "edited"})
    assert store.get_record("change", "c1") == {"n": 1, "title": "edited"}
    assert store.get_record("change", "zz") is None
    page = store.list_records("change", offset=1, limit=2)
    assert page.total == 5 and [d["n"] for d in page.items] == [1, 2]
    assert store.delete_record("change", "c0") and not store.delete_record("change", "c0")
    assert store.list_records("token").total == 1


def test_config_snapshots_keep_changed_versions_only(store: GraphStore) -> None:
    discover(store, [switch1()], 1)
    first = ConfigSnapshot("hostname sw1\n", "a" * 64)
    assert store.put_config_snapshot(SW1, first, "run-1", T0) is not None
    assert store.put_config_snapshot(SW1, first, "run-2", T0 + timedelta(days=1)) is None
    second = ConfigSnapshot("hostname sw1\nntp server 10.0.0.5\n", "b" * 64)
    version = store.put_config_snapshot(SW1, second, "run-3", T0 + timedelta(days=2))
    assert version is not None and version.version == 2
    versions = store.config_versions(SW1)
    assert [(v.version, v.sha256, v.run_id) for v in versions] == [
        (1, "a" * 64, "run-1"),
        (2, "b" * 64, "run-3"),
    ]
    got = store.get_config_version(SW1, 2)
    assert got is not None and got.text == second.text and got.at == T0 + timedelta(days=2)
    with pytest.raises(NotFound):
        store.put_config_snapshot("dev:nope", first, None, T0)


def test_big_change_set_is_written_in_batches(store: GraphStore) -> None:
    """More rows than batch_size (50) x TX_BATCHES: the batch-by-batch path gives the same graph."""
    report = switch1(interfaces=tuple(f"Gi1/0/{i}" for i in range(1, 700)))
    changes = discover(store, [report], 1)
    assert len(changes.creates) > 700
    assert store.count_cis("Interface") == 700  # 699 + the placeholder's port
    assert reconcile(store.load_state(), [report], [], run(2)).is_empty
