"""The API through HTTP, over both stores, on a graph built by reconciling lab reports."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.analysis import ImpactAnalyzer
from api.auth import Role, TokenVerifier, create_token, list_tokens, revoke_token, verify_token
from api.impact import ChangeType
from graph.store import GraphStore
from tests.api.labgraph import T0, datacentre, discover, later, store_config

Headers = dict[Role, dict[str, str]]


def uid_of(client: TestClient, headers: dict[str, str], name: str) -> str:
    page = client.get("/api/cis", params={"q": name}, headers=headers).json()
    matches = [c["uid"] for c in page["items"] if c["name"] == name]
    assert len(matches) == 1, page
    return matches[0]


@pytest.fixture
def lab(store: GraphStore, client: TestClient, tokens: Headers) -> dict[str, str]:
    """The lab discovered once, plus a business service 'shop' that depends on web."""
    discover(store, datacentre(), "run-1", T0)
    viewer = tokens[Role.VIEWER]
    names = {
        n: uid_of(client, viewer, n)
        for n in ("acc1", "acc2", "agg1", "srv-dual", "srv-single", "srv-other")
    }
    web = f"{names['srv-dual']}/app/web"
    shop = client.post(
        "/api/cis",
        json={"ci_class": "BusinessService", "name": "Shop", "criticality": "critical"},
        headers=tokens[Role.CONFIG_MANAGER],
    )
    assert shop.status_code == 201, shop.text
    names["shop"] = shop.json()["uid"]
    names["web"] = web
    linked = client.post(
        "/api/relationships",
        json={"source": names["shop"], "type": "DEPENDS_ON", "target": web},
        headers=tokens[Role.CONFIG_MANAGER],
    )
    assert linked.status_code == 201, linked.text
    return names


def impact(
    client: TestClient, headers: dict[str, str], uid: str, change: str = "reboot"
) -> dict[str, Any]:
    response = client.post(
        "/api/impact", json={"cis": [uid], "change_type": change}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def states(result: dict[str, Any]) -> dict[str, str]:
    return {i["uid"]: i["state"] for i in result["impacted"]}


def test_access_switch_reboot(client: TestClient, tokens: Headers, lab: dict[str, str]) -> None:
    result = impact(client, tokens[Role.VIEWER], lab["acc1"])
    got = states(result)
    assert got[lab["acc1"]] == "OUTAGE"
    assert got[lab["srv-dual"]] == "DEGRADED"  # second uplink through acc2
    assert got[lab["srv-single"]] == "OUTAGE"  # its only link was to acc1
    assert got[f"{lab['srv-single']}/app/db"] == "OUTAGE"
    assert got[lab["web"]] == "OUTAGE"  # discovered dependencies are each required
    assert lab["srv-other"] not in got and lab["agg1"] not in got
    (shop,) = result["services"]
    assert shop["uid"] == lab["shop"] and shop["state"] == "OUTAGE"
    path = shop["paths"][0]
    assert path["nodes"][0] == lab["acc1"] and path["nodes"][-1] == lab["shop"]
    assert "CONNECTED_TO" in path["rels"] and path["rels"][-1] == "DEPENDS_ON"
    # An API write is seen by the next analysis (the cached snapshot is dropped).
    unlink = {"source": lab["shop"], "type": "DEPENDS_ON", "target": lab["web"]}
    assert (
        client.delete(
            "/api/relationships", params=unlink, headers=tokens[Role.CONFIG_MANAGER]
        ).status_code
        == 204
    )
    assert impact(client, tokens[Role.VIEWER], lab["acc1"])["services"] == []


def test_dual_homed_server_keeps_service_degraded_only_via_its_links(
    client: TestClient, tokens: Headers, lab: dict[str, str]
) -> None:
    result = impact(client, tokens[Role.VIEWER], lab["acc2"])
    got = states(result)
    assert got[lab["srv-dual"]] == "DEGRADED"
    assert got[lab["srv-other"]] == "OUTAGE"
    assert got[lab["web"]] == "OUTAGE"  # cache (on srv-other) is gone
    server = impact(client, tokens[Role.VIEWER], lab["srv-dual"], "config_change")
    assert server["effect"] == "at_risk"
    assert states(server)[lab["shop"]] == "OUTAGE"


def test_spofs_and_paths(client: TestClient, tokens: Headers, lab: dict[str, str]) -> None:
    viewer = tokens[Role.VIEWER]
    spofs = client.get(f"/api/services/{lab['shop']}/spofs", headers=viewer)
    assert spofs.status_code == 200, spofs.text
    found = {c["uid"] for c in spofs.json()["spofs"]}
    assert {lab["web"], lab["srv-dual"], lab["srv-single"], lab["acc1"], lab["acc2"]} <= found
    assert lab["agg1"] not in found
    paths = client.get(
        "/api/paths", params={"a": lab["srv-dual"], "b": lab["agg1"]}, headers=viewer
    )
    assert paths.status_code == 200 and paths.json()
    deps = client.get(
        f"/api/cis/{lab['web']}/dependencies",
        params={"direction": "down", "depth": 2},
        headers=viewer,
    )
    assert lab["srv-dual"] in {c["uid"] for c in deps.json()["cis"]}


def test_roles_and_tokens(client: TestClient, tokens: Headers, lab: dict[str, str]) -> None:
    edit = {"owner": "network team"}
    assert client.patch(f"/api/cis/{lab['acc1']}", json=edit).status_code == 401
    bad = {"Authorization": "Bearer cmdb_0000.nope"}
    assert client.get("/api/cis", headers=bad).status_code == 401
    assert (
        client.patch(f"/api/cis/{lab['acc1']}", json=edit, headers=tokens[Role.VIEWER]).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/cis/{lab['acc1']}", json=edit, headers=tokens[Role.CHANGE_MANAGER]
        ).status_code
        == 403
    )
    done = client.patch(f"/api/cis/{lab['acc1']}", json=edit, headers=tokens[Role.CONFIG_MANAGER])
    assert done.status_code == 200 and done.json()["attributes"]["owner"] == "network team"
    change = {
        "cis": [lab["acc1"]],
        "change_type": "reboot",
        "window_start": later(1).isoformat(),
        "window_end": later(2).isoformat(),
    }
    assert (
        client.post("/api/changes", json=change, headers=tokens[Role.CONFIG_MANAGER]).status_code
        == 403
    )
    assert client.post("/api/changes", json=change, headers=tokens[Role.ADMIN]).status_code == 201


def test_review_and_history(client: TestClient, tokens: Headers, lab: dict[str, str]) -> None:
    viewer, cm = tokens[Role.VIEWER], tokens[Role.CONFIG_MANAGER]
    queue = client.get("/api/review", headers=viewer).json()
    assert lab["acc1"] in {c["uid"] for c in queue["new"]}
    approved = client.post(f"/api/cis/{lab['acc1']}/review", json={"state": "approved"}, headers=cm)
    assert (
        approved.json()["review_state"] == "approved"
        and approved.json()["reviewed_by"] == "test-config-manager"
    )
    ci = client.get(f"/api/cis/{lab['acc1']}", headers=viewer).json()
    assert ci["provenance"]["serial"]["source"] == "snmp"
    assert client.get(f"/api/cis/{lab['acc1']}/history", headers=viewer).json()
    page = client.get(
        "/api/cis", params={"ci_class": "Interface", "limit": 5, "offset": 5}, headers=viewer
    ).json()
    assert len(page["items"]) == 5 and page["total"] == 26


def test_change_request_risk_conflicts_and_approval(
    client: TestClient, tokens: Headers, lab: dict[str, str]
) -> None:
    cm = tokens[Role.CHANGE_MANAGER]
    body = {
        "cis": [lab["acc1"]],
        "change_type": "reboot",
        "window_start": later(24).isoformat(),
        "window_end": later(25).isoformat(),
        "description": "upgrade",
    }
    first = client.post("/api/changes", json=body, headers=cm).json()
    assert first["services"][0]["uid"] == lab["shop"] and first["risk_level"] == "high"
    assert first["spof_services"] == [lab["shop"]]
    other = {**body, "cis": [lab["srv-other"]], "window_start": later(24.5).isoformat()}
    second = client.post("/api/changes", json=other, headers=cm).json()
    assert second["conflicts"] == [first["id"]]
    decided = client.post(
        f"/api/changes/{first['id']}/approve", json={"comment": "ok"}, headers=cm
    ).json()
    assert decided["status"] == "approved" and decided["decided_by"] == "test-change-manager"
    again = client.post(f"/api/changes/{first['id']}/reject", json={}, headers=cm)
    assert again.status_code == 409


def test_unauthorized_changes(
    store: GraphStore, client: TestClient, tokens: Headers, lab: dict[str, str]
) -> None:
    viewer, cm = tokens[Role.VIEWER], tokens[Role.CHANGE_MANAGER]
    store_config(store, lab["acc1"], "hostname acc1\n", "run-1", T0)
    store_config(store, lab["acc2"], "hostname acc2\n", "run-1", T0)
    # acc2's work is approved for a window before run-2; acc1 and agg1 change without approval.
    body = {
        "cis": [lab["acc2"]],
        "change_type": "config_change",
        "window_start": later(2).isoformat(),
        "window_end": later(3).isoformat(),
    }
    change = client.post("/api/changes", json=body, headers=cm).json()
    client.post(f"/api/changes/{change['id']}/approve", json={}, headers=cm)
    discover(store, datacentre(), "run-2", later(24), changed_os={"agg1": "4.31", "acc2": "4.31"})
    store_config(store, lab["acc1"], "hostname acc1\nvlan 66\n", "run-2", later(24))
    store_config(store, lab["acc2"], "hostname acc2\nvlan 10\n", "run-2", later(24))
    found = client.get("/api/audit/unauthorized", headers=viewer).json()
    flagged = {(f["uid"], f["kind"], f.get("attribute")) for f in found}
    assert (lab["agg1"], "attribute", "os_version") in flagged
    assert (lab["acc1"], "config", None) in flagged
    assert not any(uid == lab["acc2"] for uid, _k, _a in flagged)
    agg = next(f for f in found if f["uid"] == lab["agg1"])
    assert (agg["old"], agg["new"], agg["run_id"]) == ("4.30", "4.31", "run-2")
    diff = client.get(
        f"/api/cis/{lab['acc1']}/configs/diff",
        params={"from_version": 1, "to_version": 2},
        headers=viewer,
    ).json()
    assert "+vlan 66" in diff["diff"]
    runs = client.get("/api/runs", headers=viewer).json()
    assert [r["uid"] for r in runs] == ["run:run-1", "run:run-2"]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/cis/nope", None),
        ("get", "/api/cis/nope/history", None),
        ("get", "/api/cis?limit=0", None),
        ("get", "/api/cis?ci_class=Bogus", None),
        ("get", "/api/cis?since=yesterday", None),
        ("post", "/api/impact", {"cis": [], "change_type": "reboot"}),
        ("post", "/api/impact", {"cis": ["nope"], "change_type": "explode"}),
        ("post", "/api/impact", {"cis": ["nope"], "change_type": "reboot"}),
        (
            "post",
            "/api/changes",
            {
                "cis": ["x"],
                "change_type": "reboot",
                "window_start": "2026-01-02T00:00:00Z",
                "window_end": "2026-01-01T00:00:00Z",
            },
        ),
        ("post", "/api/cis", {"ci_class": "NetworkDevice", "name": "fake"}),
        (
            "post",
            "/api/cis",
            {"ci_class": "BusinessService", "name": "x", "criticality": "extreme"},
        ),
        ("post", "/api/relationships", {"source": "nope", "type": "DEPENDS_ON", "target": "nope"}),
        ("post", "/api/cis/merge", {"keep": "a", "drop": "a"}),
        ("get", "/api/changes/CHG-none", None),
        ("get", "/api/paths?a=x", None),
    ],
)
def test_bad_input_is_4xx(
    client: TestClient, tokens: Headers, lab: dict[str, str], method: str, url: str, body: Any
) -> None:
    response = client.request(method, url, json=body, headers=tokens[Role.ADMIN])
    assert 400 <= response.status_code < 500, response.text
    assert "detail" in response.json()


def test_bad_link_between_classes_is_422(
    client: TestClient, tokens: Headers, lab: dict[str, str]
) -> None:
    body = {"source": lab["acc1"], "type": "RUNS_ON", "target": lab["shop"]}
    assert (
        client.post("/api/relationships", json=body, headers=tokens[Role.ADMIN]).status_code == 422
    )


def test_cached_and_store_modes_agree(store: GraphStore, lab: dict[str, str]) -> None:
    """The whole-graph snapshot and the per-query bounded traversal give the same answers."""
    cached, bounded = ImpactAnalyzer(store, mode="cached"), ImpactAnalyzer(store, mode="store")
    for name in ("acc1", "acc2", "agg1", "srv-dual", "srv-single", "web"):
        for change in (ChangeType.REBOOT, ChangeType.CONFIG_CHANGE):
            a, b = cached.analyze([lab[name]], change), bounded.analyze([lab[name]], change)
            assert a == b, name
    assert cached.service_closure(lab["shop"]).spofs(lab["shop"]) == bounded.service_closure(
        lab["shop"]
    ).spofs(lab["shop"])


def test_as_of_diff_and_merge(
    store: GraphStore, client: TestClient, tokens: Headers, lab: dict[str, str]
) -> None:
    viewer, cm = tokens[Role.VIEWER], tokens[Role.CONFIG_MANAGER]
    discover(store, datacentre(), "run-2", later(24), changed_os={"agg1": "4.31"})
    agg = lab["agg1"]
    before = client.get(
        f"/api/cis/{agg}/as-of", params={"at": later(1).isoformat()}, headers=viewer
    ).json()
    assert before["attributes"]["os_version"] == "4.30"
    assert (
        client.get(f"/api/cis/{agg}", headers=viewer).json()["attributes"]["os_version"] == "4.31"
    )
    diff = client.get(
        f"/api/cis/{agg}/diff",
        params={"t1": later(1).isoformat(), "t2": later(25).isoformat()},
        headers=viewer,
    ).json()
    assert diff["changes"]["os_version"] == ["4.30", "4.31"]
    too_early = client.get(
        f"/api/cis/{agg}/as-of", params={"at": later(-24).isoformat()}, headers=viewer
    )
    assert too_early.status_code == 404
    copy = client.post(
        "/api/cis", json={"ci_class": "BusinessService", "name": "Shop copy"}, headers=cm
    ).json()
    merged = client.post(
        "/api/cis/merge", json={"keep": lab["shop"], "drop": copy["uid"]}, headers=cm
    )
    assert merged.status_code == 200, merged.text
    dropped = client.get(f"/api/cis/{copy['uid']}", headers=viewer).json()
    assert dropped["merged_into"] == lab["shop"] and dropped["status"] == "retired"


def test_tokens_are_stored_hashed_and_can_be_revoked(store: GraphStore) -> None:
    token = create_token(store, "someone", Role.CHANGE_MANAGER)
    token_id = token.removeprefix("cmdb_").split(".", 1)[0]
    record = store.get_record("token", token_id)
    assert (
        record is not None
        and token not in str(record)
        and token.split(".", 1)[1] not in str(record)
    )
    principal = verify_token(store, token)
    assert principal is not None and (principal.name, principal.role) == (
        "someone",
        Role.CHANGE_MANAGER,
    )
    assert verify_token(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert revoke_token(store, token_id)
    assert verify_token(store, token) is None
    assert TokenVerifier(store, ttl=0).verify(token) is None
    assert [t["name"] for t in list_tokens(store) if t["id"] == token_id] == ["someone"]
