"""The ``store`` fixture: every contract test runs once per GraphStore implementation.

``embedded`` is the networkx + SQLite store on a temporary file; ``neo4j`` is the Neo4j
store on the real server named by the shared fixtures (tests/fixtures/neo4j.py), emptied
before each test. Without that server the neo4j half skips locally and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store


def _settings(**values: object) -> Settings:
    return get_settings(batch_size=50, missing_runs_before_retire=2, **values)


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "embedded":
        opened = open_store(f"sqlite:///{tmp_path / 'graph.sqlite'}", _settings())
    else:
        uri: str = request.getfixturevalue("neo4j_uri")
        auth: tuple[str, str] | None = request.getfixturevalue("neo4j_auth")
        request.getfixturevalue("clean_neo4j")
        settings = _settings(
            neo4j_user=auth[0] if auth else "neo4j",
            neo4j_password=SecretStr(auth[1]) if auth else None,
        )
        opened = open_store(uri, settings)
    yield opened
    opened.close()
