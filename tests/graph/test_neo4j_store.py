"""What only the Neo4j store has to show: its state cache never hides another writer's work,
and its storage layouts read back what was written."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from neo4j import Driver
from pydantic import SecretStr

from graph import cypher
from graph.model import Provenance
from graph.neo4j_store import Neo4jStore, ci_from_props, encode_provenance
from graph.reconcile import reconcile
from graph.settings import get_settings
from tests.graph.builders import SW1, discover, lab, run, switch1


def _store(uri: str, auth: tuple[str, str] | None) -> Neo4jStore:
    settings = get_settings(
        neo4j_user=auth[0] if auth else "neo4j",
        neo4j_password=SecretStr(auth[1]) if auth else None,
    )
    store = Neo4jStore(uri, settings)
    store.setup()
    return store


def test_cached_state_follows_own_applies_and_reloads_after_other_writers(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, clean_neo4j: Driver
) -> None:
    worker, api = _store(neo4j_uri, neo4j_auth), _store(neo4j_uri, neo4j_auth)
    try:
        discover(worker, lab(), 1)
        cached = worker.load_state()
        assert reconcile(cached, lab(), [], run(2)).is_empty
        discover(worker, [switch1(vendor="Cisco Systems")], 2)  # kept current in memory
        assert worker.load_state().cis[SW1].attributes["vendor"] == "Cisco Systems"
        assert worker.load_state().cis == api.load_state().cis

        api.set_manual_attrs(SW1, {"owner": "netops"}, "alice")  # another process writes
        assert worker.load_state().cis[SW1].attributes["owner"] == "netops"
    finally:
        worker.close()
        api.close()


def test_prefetched_state_is_read_once_in_the_background_and_stays_current(
    neo4j_uri: str,
    neo4j_auth: tuple[str, str] | None,
    clean_neo4j: Driver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a new flow-run process does: read the graph while discovery collects."""
    worker, other = _store(neo4j_uri, neo4j_auth), _store(neo4j_uri, neo4j_auth)
    try:
        discover(other, lab(), 1)
        full_reads: list[str] = []
        read = worker._read

        def counting(query: str, **params: Any) -> Any:
            if query == cypher.ALL_CIS:
                full_reads.append(threading.current_thread().name)
            return read(query, **params)

        monkeypatch.setattr(worker, "_read", counting)
        worker.prefetch_state()
        state = worker.load_state()
        assert full_reads == ["cmdb-state-prefetch"]  # load_state waited for it, read nothing
        assert state.cis == other.load_state().cis and state.rels == other.load_state().rels
        assert reconcile(state, lab(), [], run(2)).is_empty

        other.set_manual_attrs(SW1, {"owner": "netops"}, "alice")  # the graph moves on
        assert worker.load_state().cis[SW1].attributes["owner"] == "netops"
        assert full_reads == ["cmdb-state-prefetch", threading.current_thread().name]
    finally:
        worker.close()
        other.close()


def test_provenance_groups_attributes_by_stamp_and_reads_both_layouts() -> None:
    run_at = datetime(2026, 1, 8, 2, 0, tzinfo=UTC)
    edit_at = datetime(2026, 1, 3, 9, 30, tzinfo=UTC)
    snmp = Provenance("snmp", "run-8", run_at)
    prov = {
        "name": snmp,
        "serial": snmp,
        "owner": Provenance("manual", None, edit_at, actor="alice"),
    }
    text = encode_provenance(prov)
    assert json.loads(text) == [
        {
            "source": "snmp",
            "run_id": "run-8",
            "confirmed_at": "2026-01-08T02:00:00+00:00",
            "attrs": ["name", "serial"],
        },
        {
            "source": "manual",
            "run_id": None,
            "confirmed_at": "2026-01-03T09:30:00+00:00",
            "actor": "alice",
            "attrs": ["owner"],
        },
    ]
    node = {"uid": "u1", "ci_class": "Server", "name": "a", "provenance": text}
    assert ci_from_props(node).provenance == prov
    first_layout = json.dumps({name: p.to_json() for name, p in prov.items()})
    assert ci_from_props({**node, "provenance": first_layout}).provenance == prov
    assert ci_from_props({**node, "provenance": "[]"}).provenance == {}
