"""The API under test, over both stores, with a token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.auth import Role, create_token
from graph.settings import get_settings
from graph.store import GraphStore, open_store


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty store: the embedded one, and the real Neo4j server (emptied first)."""
    if request.param == "embedded":
        opened = open_store("memory://")
    else:
        uri: str = request.getfixturevalue("neo4j_uri")
        auth: tuple[str, str] | None = request.getfixturevalue("neo4j_auth")
        request.getfixturevalue("clean_neo4j")
        settings = get_settings(
            neo4j_user=auth[0] if auth else "neo4j",
            neo4j_password=SecretStr(auth[1]) if auth else None,
        )
        opened = open_store(uri, settings)
    yield opened
    opened.close()


@pytest.fixture
def client(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(), store=store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(store: GraphStore) -> dict[Role, dict[str, str]]:
    """Authorization headers per role."""
    return {
        role: {"Authorization": f"Bearer {create_token(store, f'test-{role.value}', role)}"}
        for role in Role
    }
