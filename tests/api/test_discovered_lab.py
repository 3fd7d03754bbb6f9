"""Impact analysis on the graph that real discovery found in the simulated lab.

The nightly flow discovers the running lab (snmpsim agents with the generator's recordings)
into an embedded store; the API is then asked about a top-of-rack switch, and the answer
is checked against the lab's ground truth (its topology): servers linked to both ToRs of
their rack are DEGRADED, servers linked only to the rebooted one are OUTAGE.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import flows.nightly as nightly
from api.app import create_app
from api.auth import Role, create_token
from graph.settings import get_settings
from graph.store import GraphStore, open_store
from tests.api.test_lab_topology import uplinks
from tests.flows.conftest import lab_inventory, prefect_harness  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.lab, pytest.mark.slow]


@pytest.fixture(scope="module")
def discovered(
    lab: Any,
    lab_inventory: Path,  # noqa: F811  (the imported fixture)
    prefect_harness: None,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GraphStore]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api-lab') / 'cmdb.sqlite'}"
    nightly.nightly_discovery(inventory=str(lab_inventory), store=url)
    store = open_store(url)
    yield store
    store.close()


def test_tor_reboot_on_the_discovered_lab(discovered: GraphStore, lab: Any) -> None:
    client = TestClient(create_app(get_settings(), store=discovered))
    headers = {"Authorization": f"Bearer {create_token(discovered, 'lab-test', Role.VIEWER)}"}
    by_name: dict[str, str] = {}
    for ci_class in ("NetworkDevice", "Server"):
        page = client.get(
            "/api/cis", params={"ci_class": ci_class, "limit": 500}, headers=headers
        ).json()
        for ci in page["items"]:
            by_name[ci["attributes"].get("sys_name") or ci["name"].split(".")[0]] = ci["uid"]
    homes = {s: sw for s, sw in uplinks(lab.topology).items() if s in by_name}
    single = next(s for s, switches in homes.items() if len(switches) == 1)
    (tor,) = homes[single]
    response = client.post(
        "/api/impact", json={"cis": [by_name[tor]], "change_type": "reboot"}, headers=headers
    )
    assert response.status_code == 200, response.text
    states = {i["uid"]: i["state"] for i in response.json()["impacted"]}
    expected = {
        by_name[s]: ("DEGRADED" if len(switches) > 1 else "OUTAGE")
        for s, switches in homes.items()
        if tor in switches
    }
    assert {u: states.get(u) for u in expected} == expected
