"""Property-based requests generated from the OpenAPI document never get a 500.

Runs against the embedded store holding the reconciled lab graph, with an admin token so
that write operations are exercised too; the number of examples is kept small so that the
whole run stays well under two minutes.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.auth import Role, create_token
from graph.settings import get_settings
from graph.store import open_store
from tests.api.labgraph import T0, datacentre, discover


def _schema() -> tuple[Any, dict[str, str]]:
    """The app over an in-memory store (cheap enough to build at collection time)."""
    store = open_store("memory://")
    discover(store, datacentre(), "run-1", T0)
    auth = {"Authorization": f"Bearer {create_token(store, 'fuzzer', Role.ADMIN)}"}
    return schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(get_settings(), store=store)
    ), auth


schema, _AUTH = _schema()


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=_AUTH, checks=[not_a_server_error])
