"""deploy/neo4j's own behaviour: failures are explained, state is found again, env is sourceable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deploy.neo4j.server import (
    Connection,
    Layout,
    Neo4jServerError,
    ServerOptions,
    connection,
    jars_cached,
    start,
    stop,
)


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    if not jars_cached():
        pytest.skip("Neo4j jars not fetched: run deploy/setup.sh")
    layout = Layout(run_dir=tmp_path)

    with pytest.raises(Neo4jServerError) as raised:
        start(layout, ServerOptions(pagecache="lots", startup_timeout=120))

    assert "exited with status" in str(raised.value)
    assert "'lots' is not a valid size" in str(raised.value)  # from the server's own log
    assert connection(layout) is None


def test_nothing_running_in_an_empty_run_dir(tmp_path: Path) -> None:
    layout = Layout(run_dir=tmp_path)

    assert connection(layout) is None
    assert stop(layout) is False


def test_env_lines_export_the_connection_to_a_shell() -> None:
    lines = Connection(uri="bolt://127.0.0.1:7999", user="neo4j", password="pw 1$x").env_lines()

    script = (
        "\n".join(lines)
        + '\nprintf "%s|%s|%s" "$CMDB_TEST_NEO4J_URI" "$CMDB_TEST_NEO4J_USER" "$CMDB_TEST_NEO4J_PASSWORD"'
    )
    shown = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)

    assert shown.stdout == "bolt://127.0.0.1:7999|neo4j|pw 1$x"


def test_without_auth_the_auth_variables_are_empty() -> None:
    unauthenticated = Connection(uri="bolt://127.0.0.1:7999", user=None, password=None)

    assert unauthenticated.auth is None
    assert "export CMDB_TEST_NEO4J_PASSWORD=''" in unauthenticated.env_lines()
