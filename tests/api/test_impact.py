"""Impact analysis on hand-built graphs whose right answers can be worked out on paper."""

from __future__ import annotations

import networkx as nx
import pytest

from api.impact import ChangeType, Effect, ImpactModel, ImpactState

OUTAGE, DEGRADED = ImpactState.OUTAGE, ImpactState.DEGRADED


class Lab:
    """A small data centre: 2 cores, 2 aggregation, 2 access switches, three servers."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()

    def device(self, uid: str, cls: str = "NetworkDevice", role: str | None = None) -> str:
        self.g.add_node(uid, ci_class=cls, name=uid, role=role, status="active")
        return uid

    def node(self, uid: str, cls: str) -> str:
        self.g.add_node(uid, ci_class=cls, name=uid, status="active")
        return uid

    def iface(self, device: str, name: str) -> str:
        uid = f"{device}/if/{name}"
        self.node(uid, "Interface")
        self.g.add_edge(device, uid, key="HAS_INTERFACE", rel="HAS_INTERFACE")
        return uid

    def link(self, a: str, b: str) -> None:
        n = self.g.number_of_edges()
        self.g.add_edge(
            self.iface(a, f"p{n}"),
            self.iface(b, f"p{n + 1}"),
            key="CONNECTED_TO",
            rel="CONNECTED_TO",
        )

    def rel(self, a: str, rel: str, b: str, **attrs: str) -> None:
        self.g.add_edge(a, b, key=rel, rel=rel, **attrs)


def datacentre(core_role: str | None = "core") -> Lab:
    lab = Lab()
    for c in ("core1", "core2"):
        lab.device(c, role=core_role)
    lab.link("core1", "core2")
    for agg in ("agg1", "agg2"):
        lab.device(agg, role="aggregation")
        lab.link(agg, "core1")
        lab.link(agg, "core2")
    for acc in ("acc1", "acc2"):
        lab.device(acc, role="access")
        lab.link(acc, "agg1")
        lab.link(acc, "agg2")
    lab.device("dual", "Server", "server")
    lab.link("dual", "acc1")
    lab.link("dual", "acc2")
    lab.device("single", "Server", "server")
    lab.link("single", "acc1")
    lab.device("other", "Server", "server")
    lab.link("other", "acc2")
    for srv, app in (("dual", "web"), ("single", "db"), ("other", "db2")):
        lab.node(app, "Application")
        lab.rel(app, "RUNS_ON", srv)
    lab.node("shop", "BusinessService")
    lab.rel("shop", "DEPENDS_ON", "web")
    lab.rel("web", "DEPENDS_ON", "db", redundancy_group="db")
    lab.rel("web", "DEPENDS_ON", "db2", redundancy_group="db")
    return lab


@pytest.mark.parametrize("core_role", ["core", None])
def test_access_switch_reboot_degrades_dual_homed_and_cuts_single_homed(
    core_role: str | None,
) -> None:
    model = ImpactModel(datacentre(core_role).g)
    assert model.roots == {"core1", "core2"}  # declared, or found as the centre of the network
    result = model.analyze(["acc1"], ChangeType.REBOOT)
    assert result.effect is Effect.DOWN
    assert result.state_of("acc1") is OUTAGE
    assert result.state_of("acc1/if/p0") is None or result.state_of("acc1/if/p0") is OUTAGE
    assert result.state_of("dual") is DEGRADED
    assert result.state_of("single") is OUTAGE
    assert result.state_of("db") is OUTAGE  # runs on the isolated server
    assert result.state_of("web") is DEGRADED  # db down, but db2 is in the same redundancy group
    assert result.state_of("shop") is DEGRADED
    for untouched in ("agg1", "agg2", "core1", "acc2", "other", "db2"):
        assert result.state_of(untouched) is None, untouched
    (shop,) = result.services
    assert all(p.nodes[0] == "acc1" and p.nodes[-1] == "shop" for p in shop.paths)
    assert shop.paths, "the service's impact comes with the path that carries it"


def test_paths_name_the_relationships_that_carry_the_impact() -> None:
    result = ImpactModel(datacentre().g).analyze(["acc1"], ChangeType.REBOOT)
    db = next(i for i in result.impacted if i.uid == "db")
    (path,) = db.paths
    assert path.nodes[0] == "acc1" and path.nodes[-2:] == ("single", "db")
    assert (
        path.rels[0] == "HAS_INTERFACE"
        and "CONNECTED_TO" in path.rels
        and path.rels[-1] == "RUNS_ON"
    )
    assert len(path.rels) == len(path.nodes) - 1


def test_server_reboot_without_redundancy_is_an_outage_of_its_service() -> None:
    model = ImpactModel(datacentre().g)
    result = model.analyze(["dual"], ChangeType.REPLACE)
    assert result.state_of("web") is OUTAGE
    assert result.state_of("shop") is OUTAGE
    assert result.state_of("acc1") is None  # losing a leaf does not degrade its switch


def test_both_members_of_a_redundancy_group_down_is_an_outage() -> None:
    result = ImpactModel(datacentre().g).analyze(["single", "other"], ChangeType.DECOMMISSION)
    assert result.state_of("web") is OUTAGE
    assert result.state_of("shop") is OUTAGE


def test_ungrouped_providers_are_each_required() -> None:
    lab = datacentre()
    lab.node("cache", "Application")
    lab.rel("cache", "RUNS_ON", "other")
    lab.rel("web", "DEPENDS_ON", "cache")  # no redundancy group: needed on its own
    result = ImpactModel(lab.g).analyze(["other"], ChangeType.REBOOT)
    assert result.state_of("web") is OUTAGE


def test_aggregation_reboot_degrades_access_switches_only() -> None:
    result = ImpactModel(datacentre().g).analyze(["agg1"], ChangeType.REBOOT)
    assert result.state_of("acc1") is DEGRADED and result.state_of("acc2") is DEGRADED
    assert result.state_of("dual") is None and result.state_of("single") is None
    assert result.services == ()


def test_config_change_is_assessed_as_worst_case_at_risk() -> None:
    model = ImpactModel(datacentre().g)
    config = model.analyze(["acc1"], ChangeType.CONFIG_CHANGE)
    reboot = model.analyze(["acc1"], ChangeType.REBOOT)
    assert config.effect is Effect.AT_RISK
    assert [(i.uid, i.state) for i in config.impacted] == [
        (i.uid, i.state) for i in reboot.impacted
    ]


def test_unknown_and_retired_cis_are_reported_not_analysed() -> None:
    lab = datacentre()
    lab.g.nodes["db2"]["status"] = "retired"  # a retired provider is no alternative
    result = ImpactModel(lab.g).analyze(["single", "nope"], ChangeType.REBOOT)
    assert result.unknown == ("nope",)
    assert result.state_of("web") is OUTAGE


def test_spofs_of_a_service() -> None:
    model = ImpactModel(datacentre().g)
    spofs = set(model.spofs("shop"))
    # web and its server are single; the dual-homed server survives any one switch; the
    # databases are redundant.
    assert {"web", "dual"} <= spofs
    assert not spofs & {"acc1", "acc2", "agg1", "agg2", "core1", "core2", "db", "db2", "single"}
    for uid in spofs:
        assert model.outage_states([uid]).get("shop") is OUTAGE


def test_single_core_is_a_spof_of_everything() -> None:
    lab = datacentre()
    lab.g.remove_node("core2")
    model = ImpactModel(lab.g)
    assert "core1" in model.spofs("shop")
    assert model.analyze(["core1"], ChangeType.REBOOT).state_of("dual") is OUTAGE
