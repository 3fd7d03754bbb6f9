"""What only the Neo4j store has to show: its state cache never hides another writer's work."""

from __future__ import annotations

from neo4j import Driver
from pydantic import SecretStr

from graph.neo4j_store import Neo4jStore
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
