"""THE deployment test: prefect.yaml registered on a real Prefect server, run by a real worker.

Start ``prefect server`` (SQLite, 127.0.0.1, free port), create the process work pool,
``prefect deploy`` deploy/prefect.yaml from the project root, start a worker on the lab's work
queue, trigger the deployment with ``run_deployment`` and wait for it; then the CIs of the lab
must be in the store the run wrote to, with a DiscoveryRun recording the run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from graph.model import CIStatus
from graph.store import open_store
from tests.flows.prefect_processes import PrefectServer

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_FILE = ROOT / "deploy" / "prefect.yaml"

pytestmark = [pytest.mark.slow, pytest.mark.lab]


def deployment_spec() -> dict[str, Any]:
    doc = yaml.safe_load(DEPLOY_FILE.read_text())
    return next(d for d in doc["deployments"] if d["name"] == "lab")


def test_prefect_yaml_declares_a_nightly_zoned_schedule_on_a_process_pool() -> None:
    spec = deployment_spec()
    assert spec["entrypoint"] == "flows/nightly.py:nightly_discovery"
    (schedule,) = spec["schedules"]
    assert schedule["cron"] == "0 2 * * *" and schedule["timezone"]
    assert set(spec["parameters"]) == {"inventory", "store"}


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path / "prefect-home", ROOT)
    server.home.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_deployment_runs_on_a_worker_and_fills_the_store(
    prefect_server: PrefectServer, lab_inventory: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    spec = deployment_spec()
    pool = spec["work_pool"]["name"]
    queue = spec["work_pool"]["work_queue_name"]
    prefect_server.cli("work-pool", "create", pool, "--type", "process")
    prefect_server.cli("--no-prompt", "deploy", "--prefect-file", str(DEPLOY_FILE), "--all")
    # snmpsim is one Python process per shard: the simulated lab takes 16 parallel walks.
    worker = prefect_server.worker(pool, queue, {"CMDB_SNMP_CONCURRENCY": "16"})
    store_url = f"sqlite:///{tmp_path / 'cmdb.sqlite'}"
    try:
        with temporary_settings({PREFECT_API_URL: prefect_server.api_url}):
            run: FlowRun = run_deployment(  # type: ignore[assignment]
                "nightly-discovery/lab",
                parameters={"inventory": str(lab_inventory), "store": store_url},
                timeout=600,
                poll_interval=2,
            )
        assert run.state is not None
        assert run.state.is_completed(), f"{run.state}\n--- worker log ---\n{worker.tail(80)}"
    finally:
        worker.stop()
    elapsed = time.monotonic() - started
    print(f"\ndeployment test: server up to run completed in {elapsed:.1f} s")

    store = open_store(store_url)
    try:
        devices = store.count_cis("NetworkDevice", CIStatus.ACTIVE) + store.count_cis(
            "Server", CIStatus.ACTIVE
        )
        assert devices >= 3, f"only {devices} devices arrived"
        assert store.count_cis("Interface") > devices
        runs = store.find_cis("DiscoveryRun").items
        assert [r.attributes["state"] for r in runs] == ["completed"]
        assert runs[0].uid == f"run:{run.id}"
    finally:
        store.close()
