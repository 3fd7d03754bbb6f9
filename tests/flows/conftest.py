"""Fixtures for the flow tests: one Prefect test backend per session, the lab's inventory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API (SQLite) for local flow runs, started once per session."""
    with prefect_test_harness(server_startup_timeout=120):
        yield


def _inventory_of(lab: Any) -> Path:
    """The inventory the lab wrote (attribute name tolerant: ``inventory`` or the workdir's)."""
    for name in ("inventory", "inventory_path"):
        value = getattr(lab, name, None)
        if value is not None:
            return Path(value)
    workdir = getattr(lab, "workdir", None) or getattr(lab, "work_dir", None)
    if workdir is None:
        raise AssertionError(f"the lab fixture {lab!r} names no inventory or workdir")
    return Path(workdir) / "inventory.yaml"


@pytest.fixture(scope="session")
def lab_inventory(request: pytest.FixtureRequest) -> Path:
    """The running lab's inventory file (the lab fixture skips locally / fails in CI)."""
    try:
        lab = request.getfixturevalue("lab")
    except pytest.FixtureLookupError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no `lab` fixture (tests/fixtures/lab.py) available")
    path = _inventory_of(lab)
    assert path.is_file(), f"lab inventory {path} missing"
    return path


def derived_inventory(base: Path, target: Path, **changes: Any) -> Path:
    """A copy of ``base`` with ``changes`` applied; the credentials file stays where it is."""
    doc = yaml.safe_load(base.read_text())
    creds = doc.get("credentials_file")
    if creds and not Path(creds).is_absolute():
        doc["credentials_file"] = str((base.parent / creds).resolve())
    for key, value in changes.items():
        doc[key] = value(doc.get(key)) if callable(value) else value
    target.write_text(yaml.safe_dump(doc))
    return target


def lab_secrets(inventory: Path) -> list[str]:
    """Every secret value in the lab's credentials file (what must never be logged)."""
    doc = yaml.safe_load(inventory.read_text())
    creds = Path(doc["credentials_file"])
    creds = creds if creds.is_absolute() else inventory.parent / creds
    found: list[str] = []
    for profile in yaml.safe_load(creds.read_text()).get("profiles", []):
        for key in ("community", "auth_key", "priv_key", "password", "secret"):
            if profile.get(key):
                found.append(str(profile[key]))
    return found
