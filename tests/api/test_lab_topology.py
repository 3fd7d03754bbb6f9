"""Impact of a top-of-rack switch on the lab generator's topology, checked against its links.

The lab's topology is ground truth: a server linked to two ToR switches is DEGRADED when
one of them reboots, a server linked only to the rebooting one is cut off (OUTAGE), and no
other server notices. Reconciled through the real path into both stores, asked over HTTP,
with roles reported (core found by role) and without (core found from the shape).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from deploy.lab.generate import build_topology
from deploy.lab.topology import Topology
from graph.store import GraphStore
from tests.api.labgraph import T0, discover


def uplinks(topo: Topology) -> dict[str, set[str]]:
    """Server name -> the switches it is linked to."""
    servers = {d.name for d in topo.devices if d.role == "server"}
    found: dict[str, set[str]] = defaultdict(set)
    for link in topo.links:
        for here, there in ((link.a_device, link.b_device), (link.b_device, link.a_device)):
            if here in servers:
                found[here].add(there)
    return found


def device_uids(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """Device name -> uid, read page by page through the API."""
    found: dict[str, str] = {}
    for ci_class in ("NetworkDevice", "Server"):
        offset, total = 0, 1
        while offset < total:
            page = client.get(
                "/api/cis",
                params={"ci_class": ci_class, "offset": offset, "limit": 500},
                headers=headers,
            ).json()
            found.update((c["name"], c["uid"]) for c in page["items"])
            offset, total = offset + len(page["items"]), page["total"]
    return found


@pytest.mark.parametrize("roles", [True, False], ids=["roles", "no-roles"])
def test_tor_reboot_matches_the_topology(
    store: GraphStore, client: TestClient, tokens: dict[Role, dict[str, str]], roles: bool
) -> None:
    topo = build_topology(60, seed=7)
    discover(store, topo, "run-1", T0, roles=roles)
    viewer = tokens[Role.VIEWER]
    homes = uplinks(topo)
    single_homed = next(s for s, switches in homes.items() if len(switches) == 1)
    (tor,) = homes[single_homed]
    uids = device_uids(client, viewer)
    response = client.post(
        "/api/impact", json={"cis": [uids[tor]], "change_type": "reboot"}, headers=viewer
    )
    assert response.status_code == 200, response.text
    states = {i["uid"]: i["state"] for i in response.json()["impacted"]}
    expected = {
        uids[server]: ("DEGRADED" if len(switches) > 1 else "OUTAGE")
        for server, switches in homes.items()
        if tor in switches
    }
    assert "OUTAGE" in expected.values() and "DEGRADED" in expected.values()
    got = {u: s for u, s in states.items() if u in {uids[s] for s in homes}}
    assert got == expected
    switches = [d.name for d in topo.devices if d.role != "server" and d.name != tor]
    assert not {uids[s] for s in switches} & set(states)  # losing a ToR degrades no other switch
