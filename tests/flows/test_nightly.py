"""The nightly-discovery flow against the real lab, into an embedded store (no Prefect server).

One run fills an empty store; a second identical run changes nothing; a run that crashes
between two applies and is re-run leaves the same graph as one clean run; secrets never reach
a log record, the Prefect API's logs, the artifact or the store.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
)

import flows.nightly as nightly
from deploy.lab.topology import Topology
from graph.model import ApplySummary, ChangeSet, CIStatus
from graph.settings import Settings
from graph.store import GraphStore, open_store
from tests.flows.conftest import derived_inventory, lab_secrets

pytestmark = [pytest.mark.lab, pytest.mark.usefixtures("prefect_harness")]

DEAD_TARGET = "127.29.255.254"  # nothing listens there: a device that fails


class Capture(logging.Handler):
    """Every log record of every logger, formatted as it would be written."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter("%(name)s %(message)s").format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def graph_snapshot(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The comparable content of a graph: CIs and relationships without run stamps."""
    store = open_store(url)
    try:
        graph = store.export_graph(include_retired=True)
    finally:
        store.close()
    cis = {
        c.uid: (c.ci_class, c.status.value, c.attributes)
        for c in graph.cis
        if c.ci_class != "DiscoveryRun"
    }
    rels = {r.key: (r.status.value, r.attributes, sorted(r.sources)) for r in graph.rels}
    return cis, rels


@dataclass
class Run:
    result: dict[str, Any]
    seconds: float


def run_flow(inventory: Path, url: str, **params: Any) -> Run:
    started = time.monotonic()
    result = nightly.nightly_discovery(inventory=str(inventory), store=url, **params)
    return Run(result, time.monotonic() - started)


def live_host_addresses(lab_inventory: Path) -> set[str]:
    """Agents that describe a live machine (the real net-snmp agent on this host).

    Their process and interface tables change between two runs for real (other processes come
    and go), so they are left out where a test needs two runs to see the same network.
    """
    topology = Topology.load(lab_inventory.parent / "topology.json")
    return {d.address for d in topology.devices if d.source == "snmpd"}


@pytest.fixture(scope="module")
def inventory(lab_inventory: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lab's SNMP inventory without live hosts, plus one seed that never answers.

    The lab's SSH targets include devices that fail on purpose (bad password, silent, menu
    prompt); the SSH side of the flow has tests of its own (test_ssh_flow.py), so these
    SNMP runs leave SSH out and a complete run is one whose only failure is the dead seed."""
    live = live_host_addresses(lab_inventory)

    def targets(old: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        kept = [t for t in old or [] if str(t["address"]) not in live]
        return [*kept, {"address": DEAD_TARGET}]

    target = tmp_path_factory.mktemp("inv") / "inventory.yaml"
    return derived_inventory(lab_inventory, target, targets=targets, ssh=[])


@pytest.fixture(autouse=True)
def lab_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    """snmpsim answers from one Python process per shard: 64 parallel walks on a 2-core
    machine time out. Real agents take the default; the simulated lab takes 16."""
    monkeypatch.setenv("CMDB_SNMP_CONCURRENCY", "16")


def complete(run: Run, expected: dict[str, int] | None = None) -> bool:
    """Every device was collected completely, except the expected failures (the dead seed)."""
    return bool(run.result["failed"] == ({"snmp:timeout": 1} if expected is None else expected))


def complete_run(
    inventory: Path, url: str, expected: dict[str, int] | None = None, **params: Any
) -> Run:
    """Run until a run is complete (at most 3 tries). A missed reply on a loaded machine is a
    real, reported failure, but the comparisons that use this are about complete runs."""
    for _ in range(3):
        run = run_flow(inventory, url, **params)
        if complete(run, expected):
            return run
    raise AssertionError(f"no complete run in 3 tries: {run.result['failed']}")


def test_first_run_fills_the_store_and_second_run_changes_nothing(
    inventory: Path, lab_inventory: Path, tmp_path: Path, capture: Capture
) -> None:
    url = f"sqlite:///{tmp_path / 'cmdb.sqlite'}"
    flow_runs = [run_flow(inventory, url), run_flow(inventory, url)]
    first = flow_runs[0]
    print(f"\nlab flow: first run {first.seconds:.1f} s, second run {flow_runs[1].seconds:.1f} s")
    # "Nothing changes" is a claim about a run that follows a COMPLETE run. On a loaded
    # machine an agent may miss a reply; what the next run then adds is a real change.
    if not complete(first):
        flow_runs.append(run_flow(inventory, url))
    before, after = flow_runs[-2], flow_runs[-1]

    created = first.result["changes"]
    assert created["created"] > 0 and created["rels_added"] > 0
    assert first.result["devices_found"] >= 3
    # the dead seed is a reported failure, not a failed flow
    assert first.result["failed"].get("snmp:timeout", 0) >= 1

    assert complete(before), f"two incomplete runs in a row: {before.result['failed']}"
    again = after.result["changes"]
    for key in ("created", "updated", "missing", "retired", "rels_added", "rels_updated"):
        assert again[key] == 0, (key, again)
    assert after.result["devices_found"] == before.result["devices_found"]

    store = open_store(url)
    try:
        runs = sorted(
            store.find_cis("DiscoveryRun").items, key=lambda c: c.attributes["started_at"]
        )
        assert [r.uid for r in runs] == [f"run:{r.result['run_id']}" for r in flow_runs]
        counts = json.loads(runs[0].attributes["counts"])
        assert counts["changes"]["created"] == created["created"]
        assert counts["failed"] == first.result["failed"]
        devices = store.count_cis("NetworkDevice", CIStatus.ACTIVE) + store.count_cis(
            "Server", CIStatus.ACTIVE
        )
        assert devices >= first.result["devices_found"] - 1
        exported = json.dumps([c.to_json() for c in store.export_graph(include_retired=True).cis])
    finally:
        store.close()

    secrets = lab_secrets(lab_inventory)
    assert secrets, "the lab's credentials file has no secrets to look for"
    artifacts, api_logs = prefect_records(UUID(first.result["run_id"]))
    assert any("# Discovery run" in a for a in artifacts)
    assert any(DEAD_TARGET in a for a in artifacts)  # the failure is in the summary
    assert capture.texts and api_logs
    for secret in secrets:
        for where, texts in (
            ("log", capture.texts),
            ("api log", api_logs),
            ("artifact", artifacts),
        ):
            leaks = [t for t in texts if secret in t]
            assert not leaks, f"secret found in {where}: {leaks[:1]}"
    # A dictionary-word community ("public") legitimately occurs in device data (a package
    # named publicsuffix-list); the generated keys and passwords must not occur anywhere.
    keys = [secret for secret in secrets if len(secret) >= 12]
    assert keys, "the lab has no generated keys to look for"
    for secret in keys:
        assert secret not in exported


def prefect_records(flow_run_id: UUID) -> tuple[list[str], list[str]]:
    """The run's artifacts and the log lines the Prefect API stored for it."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
    return [str(a.data) for a in artifacts], [entry.message for entry in logs]


class CrashingStore:
    """The real store, except that its ``crash_at``-th apply raises (a crash mid-run)."""

    def __init__(self, inner: GraphStore, crash_at: int):
        self._inner = inner
        self._crash_at = crash_at
        self.applies = 0

    def apply(self, changes: ChangeSet, actor: str, at: datetime) -> ApplySummary:
        self.applies += 1
        if self.applies == self._crash_at:
            raise RuntimeError("injected crash between two applies")
        return self._inner.apply(changes, actor, at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_rerun_after_a_crash_between_applies_equals_one_clean_run(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_url = f"sqlite:///{tmp_path / 'clean.sqlite'}"
    crash_url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    complete_run(inventory, clean_url, apply_batch_size=25)

    stores: list[CrashingStore] = []

    def crashing_open(url: str, settings: Settings | None = None) -> GraphStore:
        store = CrashingStore(open_store(url, settings), crash_at=3)
        stores.append(store)
        return store

    with monkeypatch.context() as patched:
        patched.setattr(nightly, "open_store", crashing_open)
        state = nightly.nightly_discovery(
            inventory=str(inventory), store=crash_url, apply_batch_size=25, return_state=True
        )
    assert state.is_failed()
    assert stores[0].applies >= 3  # two parts written, the third crashed
    partial = graph_snapshot(crash_url)
    clean = graph_snapshot(clean_url)
    assert 0 < len(partial[0]) < len(clean[0])  # the crash really left a half-written graph

    complete_run(inventory, crash_url, apply_batch_size=25)
    assert graph_snapshot(crash_url) == clean

    store = open_store(crash_url)
    try:
        states = sorted(c.attributes["state"] for c in store.find_cis("DiscoveryRun").items)
    finally:
        store.close()
    assert states.count("failed") == 1 and "completed" in states


def reachable_from(topology: Topology, seed: str, depth: int) -> set[str]:
    """Ground truth: devices within ``depth`` links of ``seed`` (breadth first over the lab)."""
    adjacent: dict[str, set[str]] = {}
    for link in topology.links:
        adjacent.setdefault(link.a_device, set()).add(link.b_device)
        adjacent.setdefault(link.b_device, set()).add(link.a_device)
    seen, frontier = {seed}, {seed}
    for _ in range(depth):
        frontier = {n for d in frontier for n in adjacent.get(d, set())} - seen
        seen |= frontier
    return seen


def test_one_seed_and_a_sweep_find_the_lab_through_neighbours(
    lab_inventory: Path, tmp_path: Path
) -> None:
    topology = Topology.load(lab_inventory.parent / "topology.json")
    generated = [d for d in topology.devices if d.source == "generated"]
    seed = generated[0]
    corpus_range = ipaddress.ip_network("127.21.0.0/28")
    hosts = set(corpus_range.hosts())  # the sweep skips network and broadcast addresses
    swept = {d.name for d in topology.devices if ipaddress.ip_address(d.address) in hosts}
    linked = {
        name
        for name in reachable_from(topology, seed.name, depth=8)
        if topology.device(name).source == "generated"
    }
    inventory = derived_inventory(
        lab_inventory,
        tmp_path / "seed.yaml",
        targets=[{"address": seed.address, "port": seed.snmp_port}],
        ranges=[str(corpus_range)],
        follow_neighbors={"enabled": True, "max_depth": 8},
        ssh=[],
    )
    url = f"sqlite:///{tmp_path / 'seed.sqlite'}"
    result = complete_run(inventory, url, expected={}).result

    assert result["responders"] == len(swept) > 0
    assert result["neighbors_followed"] == len(linked) - 1 > 0
    assert result["devices_found"] == len(linked) + len(swept)
    store = open_store(url)
    try:
        found = {
            ci.attributes.get("mgmt_ip")
            for cls in ("NetworkDevice", "Server")
            for ci in store.find_cis(cls, status=CIStatus.ACTIVE, limit=1000).items
        }
    finally:
        store.close()
    expected = {topology.device(n).address for n in linked | swept}
    assert expected <= found


@pytest.mark.neo4j
def test_the_flow_writes_into_neo4j_and_a_second_run_changes_nothing(
    inventory: Path,
    clean_neo4j: Any,
    neo4j_uri: str,
    neo4j_auth: tuple[str, str] | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if neo4j_auth is not None:
        monkeypatch.setenv("CMDB_NEO4J_USER", neo4j_auth[0])
        monkeypatch.setenv("CMDB_NEO4J_PASSWORD", neo4j_auth[1])
    first = complete_run(inventory, neo4j_uri)
    second = run_flow(inventory, neo4j_uri)
    print(f"\nlab flow into Neo4j: first run {first.seconds:.1f} s, second {second.seconds:.1f} s")
    assert first.result["changes"]["created"] > 0
    for key in ("created", "updated", "missing", "rels_added", "rels_updated"):
        assert second.result["changes"][key] == 0, (key, second.result["changes"])
    store = open_store(neo4j_uri, Settings())
    try:
        assert store.count_cis("DiscoveryRun") == 2
        assert store.count_cis("Interface") > first.result["devices_found"]
    finally:
        store.close()
