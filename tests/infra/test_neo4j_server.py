"""The real Neo4j test server (deploy/neo4j) answers parameterised Cypher and is locked down."""

from __future__ import annotations

import socket
import uuid

from neo4j import Driver

from deploy.neo4j.server import pick_port
from tests.fixtures.neo4j import delete_all_nodes


def test_parameterised_write_then_read(clean_neo4j: Driver) -> None:
    marker = str(uuid.uuid4())
    clean_neo4j.execute_query(
        "CREATE (:InfraProbe {marker: $marker, ports: $ports})", marker=marker, ports=[22, 161]
    )

    records, _, _ = clean_neo4j.execute_query(
        "MATCH (p:InfraProbe {marker: $marker}) RETURN p.ports AS ports, count(*) AS n",
        marker=marker,
    )

    assert [(r["ports"], r["n"]) for r in records] == [([22, 161], 1)]


def test_delete_all_nodes_empties_the_database_but_keeps_indexes(neo4j_driver: Driver) -> None:
    neo4j_driver.execute_query(
        "CREATE INDEX infra_probe_marker IF NOT EXISTS FOR (p:InfraProbe) ON (p.marker)"
    )
    neo4j_driver.execute_query(
        "UNWIND range(1, 50) AS i CREATE (:InfraProbe)-[:LINK]->(:InfraProbe)"
    )

    delete_all_nodes(neo4j_driver)

    nodes, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    indexes, _, _ = neo4j_driver.execute_query(
        "SHOW INDEXES YIELD name WHERE name = $name RETURN name", name="infra_probe_marker"
    )
    neo4j_driver.execute_query("DROP INDEX infra_probe_marker IF EXISTS")
    assert nodes[0]["n"] == 0
    assert len(indexes) == 1


def test_server_is_neo4j_5_26_community(neo4j_driver: Driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
    )

    assert [(r["name"], r["edition"]) for r in records] == [("Neo4j Kernel", "community")]
    assert records[0]["versions"][0].startswith("5.26.")


def test_server_listens_on_loopback_only_and_never_phones_home(neo4j_driver: Driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
        names=["server.bolt.listen_address", "server.http.enabled", "dbms.usage_report.enabled"],
        database_="system",
    )
    settings = {r["name"]: r["value"] for r in records}

    assert settings["server.bolt.listen_address"].startswith("127.0.0.1:")
    assert settings["server.http.enabled"] == "false"
    assert settings["dbms.usage_report.enabled"] == "false"


def test_pick_port_avoids_a_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]

        chosen = pick_port(preferred=taken)

    assert chosen != taken
    assert 0 < chosen < 65536
