"""The nightly discovery flow: inventory in, reconciled CI graph and a DiscoveryRun out.

Steps: sweep the inventory's ranges (SNMP sysObjectID get, short timeout), collect seeds and
responders over SNMP, follow LLDP/CDP neighbours inside ``scope`` up to ``max_depth`` hops,
collect over SSH where a platform and SSH credentials are known, derive dependencies,
reconcile against the configured store and apply the change set in ordered parts, then record
the run (DiscoveryRun CI + Prefect markdown artifact).

Orchestration only: discovery lives in ``discovery/``, graph logic in ``graph/``. A device
that fails is a reported failure, never a failed flow; only an unusable inventory or store
fails the run. Logs name addresses, profile names and reasons, never secrets.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from discovery.credentials import SnmpProfile
from discovery.observations import (
    DependencyObservation,
    DeviceReport,
    Section,
    SectionError,
    Source,
    Status,
)
from flows import tasks
from flows.apply import discovery_run_changes, split_changes
from flows.inventory import IPAddress, ResolvedInventory, SnmpTarget, load_inventory
from flows.plan import (
    SshCandidate,
    balanced,
    neighbor_frontier,
    report_address,
    ssh_candidates,
)
from flows.progress import Progress, publish
from flows.summary import Failure, RunCounts, count_failures, devices_found, failure_of
from flows.summary import render_markdown as render_summary
from graph.model import RunContext
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store

# Batch task runs in flight at once; each runs its own asyncio loop and semaphore.
PARALLEL_BATCHES = 4
DEFAULT_BATCH_SIZE = 256
DEFAULT_APPLY_BATCH_SIZE = 5000
SWEEP_TIMEOUT = 1.0  # seconds: an absent address should cost little
DEVICE_RETRY_DELAY = 3.0  # seconds before devices that failed transiently are tried again

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class RunRecord:
    """What the run has gathered so far (reports of every collector, and the counts)."""

    run_id: str
    started: datetime
    counts: RunCounts = field(default_factory=RunCounts)
    snmp: list[DeviceReport] = field(default_factory=list)
    ssh: list[DeviceReport] = field(default_factory=list)

    @property
    def reports(self) -> list[DeviceReport]:
        return [*self.snmp, *self.ssh]

    def failures(self) -> list[Failure]:
        return [f for f in map(failure_of, self.reports) if f is not None]


@dataclass(slots=True)
class Tally:
    """Progress of one phase, published after every finished batch."""

    phase: str
    total: int
    done: int = 0
    ok: int = 0
    failed: int = 0

    def reports(self, batch: Sequence[object], reports: list[DeviceReport]) -> None:
        self.add(
            len(batch), sum(r.reachable for r in reports), sum(not r.reachable for r in reports)
        )

    def add(self, done: int, ok: int, failed: int = 0) -> None:
        self.done, self.ok, self.failed = self.done + done, self.ok + ok, self.failed + failed
        publish(Progress(self.phase, self.total, self.done, self.ok, self.failed))


# ----------------------------------------------------------------------------- batching


def _run_batches(
    submit: Callable[[list[T]], PrefectFuture[list[R]]],
    batches: Sequence[list[T]],
    on_crash: Callable[[list[T], BaseException], list[R]],
    on_done: Callable[[list[T], list[R]], None],
) -> list[R]:
    """Submit every batch, gather results as they finish; a crashed batch becomes reports."""
    futures = {submit(batch): batch for batch in batches}
    results: list[R] = []
    for future in as_completed(list(futures)):
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            get_run_logger().error(
                "batch of %d failed after retries (%s); its devices are reported as failed",
                len(futures[future]),
                type(outcome).__name__,
            )
            outcome = on_crash(futures[future], outcome)
        results.extend(outcome)
        on_done(futures[future], outcome)
    return results


def _crashed(targets: Iterable[str], source: Source, error: BaseException) -> list[DeviceReport]:
    """Reports for the devices of a batch that crashed: errors, so nothing is marked missing."""
    reason = SectionError(Section.SYSTEM, "batch_crashed", type(error).__name__)
    return [DeviceReport(t, source, Status.ERROR, errors=[reason]) for t in targets]


# ----------------------------------------------------------------------------- steps


def _snmp_options(settings: Settings) -> tasks.SnmpOptions:
    return tasks.SnmpOptions(
        concurrency=max(1, settings.snmp_concurrency // PARALLEL_BATCHES),
        timeout=settings.snmp_timeout,
        retries=settings.snmp_retries,
        sweep_timeout=min(SWEEP_TIMEOUT, settings.snmp_timeout),
    )


def sweep_ranges(
    inv: ResolvedInventory, options: tasks.SnmpOptions, batch_size: int, record: RunRecord
) -> list[DeviceReport]:
    """Probe every range address in batches; returns the reports of those that answered."""
    port = inv.inventory.snmp_port
    addresses = [SnmpTarget(address=a, port=port) for a in inv.inventory.sweep_addresses()]
    if not addresses:
        return []
    profiles = inv.snmp_profiles
    record.counts.swept = len(addresses)
    tally = Tally("sweep", len(addresses))
    responders = _run_batches(
        lambda batch: tasks.sweep_batch.submit(batch, profiles, options),
        balanced(addresses, batch_size, PARALLEL_BATCHES),
        lambda batch, exc: [],
        lambda batch, found: tally.add(len(batch), len(found)),
    )
    record.counts.responders = len(responders)
    get_run_logger().info("sweep: %d of %d addresses answered", len(responders), len(addresses))
    return responders


def collect_snmp_targets(
    targets: list[SnmpTarget],
    inv: ResolvedInventory,
    options: tasks.SnmpOptions,
    batch_size: int,
    record: RunRecord,
    phase: str,
) -> list[DeviceReport]:
    """Full SNMP collection of ``targets`` in batches, then one gentler retry of the devices
    that failed transiently (no reply, a reply cut short), as a busy agent or a lost datagram
    is no reason to leave a device out of tonight's graph. Rejected credentials are final."""
    profiles = inv.snmp_profiles
    tally = Tally(phase, len(targets))
    reports = _run_batches(
        lambda batch: tasks.snmp_batch.submit(batch, profiles, options),
        balanced(targets, batch_size, PARALLEL_BATCHES),
        lambda batch, exc: _crashed([str(t) for t in batch], Source.SNMP, exc),
        tally.reports,
    )
    reports = _retry_transient(reports, profiles, options, batch_size)
    record.snmp.extend(reports)
    record.counts.snmp_targets += len(targets)
    return reports


def _transient(report: DeviceReport) -> bool:
    if report.status in (Status.TIMEOUT, Status.ERROR):
        return True
    return report.status is Status.PARTIAL and all(e.reason == "timeout" for e in report.errors)


def _retry_transient(
    reports: list[DeviceReport],
    profiles: list[SnmpProfile],
    options: tasks.SnmpOptions,
    batch_size: int,
) -> list[DeviceReport]:
    """Collect the transiently failed devices once more, after a pause, at half concurrency."""
    again = [r for r in reports if _transient(r) and _snmp_target(r) is not None]
    if not again:
        return reports
    get_run_logger().info("retrying %d device(s) that failed transiently", len(again))
    time.sleep(DEVICE_RETRY_DELAY)
    gentle = replace(options, concurrency=max(1, options.concurrency // 2))
    targets = [t for r in again if (t := _snmp_target(r)) is not None]
    retried = _run_batches(
        lambda batch: tasks.snmp_batch.submit(batch, profiles, gentle),
        balanced(targets, batch_size, PARALLEL_BATCHES),
        lambda batch, exc: [],
        lambda batch, done: None,
    )
    first = {r.target: r for r in reports}
    better = {r.target: r for r in retried if _better(r, first[r.target])}
    return [better.get(r.target, r) for r in reports]


def _better(new: DeviceReport, old: DeviceReport) -> bool:
    if new.reachable != old.reachable:
        return new.reachable
    return len(new.sections) > len(old.sections)


def _snmp_target(report: DeviceReport) -> SnmpTarget | None:
    """The SNMP target a report came from (``address:port``)."""
    address = report_address(report)
    port = report.target.rpartition(":")[2]
    if address is None or not port.isdigit():
        return None
    return SnmpTarget(address=address, port=int(port))


def follow_neighbors(
    first: list[DeviceReport],
    inv: ResolvedInventory,
    options: tasks.SnmpOptions,
    batch_size: int,
    record: RunRecord,
) -> None:
    """Breadth-first over LLDP/CDP neighbours: depth 1 are neighbours of seeds/responders."""
    follow = inv.inventory.follow_neighbors
    if not follow.enabled:
        return
    known: set[IPAddress] = {a for r in record.snmp if (a := report_address(r)) is not None}
    frontier_reports = first
    for depth in range(1, follow.max_depth + 1):
        frontier = neighbor_frontier(frontier_reports, inv.inventory, known)
        if not frontier:
            break
        get_run_logger().info("neighbours at depth %d: %d new addresses", depth, len(frontier))
        known.update(t.address for t in frontier)
        record.counts.neighbors_followed += len(frontier)
        frontier_reports = collect_snmp_targets(
            frontier, inv, options, batch_size, record, "neighbors"
        )


def _platforms(reports: list[DeviceReport]) -> dict[str, str]:
    """SNMP target -> netmiko platform, from what SNMP found (the SSH collectors' map)."""
    from discovery.ssh.platforms import platform_for_device

    mapping: dict[str, str] = {}
    for report in reports:
        if report.reachable and report.device is not None:
            platform = report.device.platform or platform_for_device(report.device)
            if platform:
                mapping[report.target] = platform
    return mapping


def collect_ssh_targets(
    inv: ResolvedInventory, settings: Settings, batch_size: int, record: RunRecord
) -> None:
    """SSH where SSH profiles are configured, with the platform from inventory or SNMP."""
    default = [p.name for p in inv.ssh_profiles()]
    candidates = [
        c
        for c in ssh_candidates(inv.inventory, record.snmp, _platforms(record.snmp))
        if c.credentials or default
    ]
    if not candidates:
        return
    profiles = inv.credentials.ssh()
    options = tasks.SshOptions(
        max(1, settings.ssh_concurrency // PARALLEL_BATCHES), settings.ssh_timeout
    )
    tally = Tally("ssh", len(candidates))

    def crashed(batch: list[SshCandidate], exc: BaseException) -> list[DeviceReport]:
        return _crashed([c.target for c in batch], Source.SSH, exc)

    reports = _run_batches(
        lambda batch: tasks.ssh_batch.submit(batch, profiles, default, options),
        balanced(candidates, max(1, batch_size // 8), PARALLEL_BATCHES),
        crashed,
        tally.reports,
    )
    record.ssh.extend(reports)
    record.counts.ssh_targets = len(candidates)
    record.counts.ssh_ok = sum(r.reachable for r in reports)


def write_graph(
    store: GraphStore,
    reports: list[DeviceReport],
    dependencies: list[DependencyObservation],
    run: RunContext,
    apply_batch_size: int,
    record: RunRecord,
) -> None:
    """Reconcile once against the whole graph, then apply the change set in ordered parts."""
    changes = tasks.reconcile_run(store, reports, dependencies, run)
    parts = split_changes(changes, apply_batch_size)
    for number, part in enumerate(parts, start=1):
        tasks.apply_part(store, part, run.run_id, run.at, part_no=number)
        record.counts.batches_applied = number
        publish(Progress("apply", len(parts), number, number))
    record.counts.add_changes(changes.counts())
    get_run_logger().info(
        "graph: %s", ", ".join(f"{k}={v}" for k, v in changes.counts().items() if v)
    )


def store_configs(store: GraphStore, reports: list[DeviceReport], run: RunContext) -> int:
    """Keep a new version of each collected (masked) configuration that changed."""
    from graph.identity import IdentityIndex, device_keys

    with_config = [r for r in reports if r.config is not None and r.device is not None]
    if not with_config:
        return 0
    index = IdentityIndex.build(store.load_state().cis.values())
    stored = 0
    for report in with_config:
        assert report.device is not None and report.config is not None
        uid = index.resolve(device_keys(report.device, report.target))
        if uid and store.put_config_snapshot(uid, report.config, run.run_id, run.at) is not None:
            stored += 1
    return stored


def publish_run(store: GraphStore, record: RunRecord, state: str) -> str:
    """Record the run as a DiscoveryRun CI and as a Prefect markdown artifact."""
    finished = datetime.now(UTC)
    counts = record.counts
    counts.devices_found = devices_found(record.reports)
    failures = record.failures()
    counts.failed = count_failures(failures)
    name = f"discovery {record.started:%Y-%m-%d %H:%M} UTC"
    store.apply(
        discovery_run_changes(
            record.run_id, name, record.started, finished, state, counts.to_json()
        ),
        record.run_id,
        finished,
    )
    markdown = render_summary(record.run_id, counts, failures)
    create_markdown_artifact(markdown, key="nightly-discovery", description=f"{name}: {state}")
    return markdown


# ----------------------------------------------------------------------------- the flow


def _check_store_url(url: str) -> str:
    """Refuse credentials inside the URL: flow parameters are shown in Prefect's UI and API."""
    if "@" in urlsplit(url).netloc:
        raise ValueError(
            "the store URL must not contain credentials; set CMDB_NEO4J_USER/CMDB_NEO4J_PASSWORD"
        )
    return url


def _run_id() -> str:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else uuid.uuid4().hex


@flow(
    name="nightly-discovery",
    description="Discover the inventory's network over SNMP/SSH and reconcile it into the CI graph",
    task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_BATCHES),  # type: ignore[arg-type]
    persist_result=False,
    log_prints=False,
)
def nightly_discovery(
    inventory: str,
    store: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    apply_batch_size: int = DEFAULT_APPLY_BATCH_SIZE,
) -> dict[str, Any]:
    """Run one discovery of ``inventory`` into ``store`` (default: ``Settings.store_url``).

    Returns the run's counts (also stored as JSON on the DiscoveryRun CI).
    """
    logger = get_run_logger()
    settings = get_settings()
    inv = load_inventory(inventory)  # an unusable inventory fails the run before any traffic
    record = RunRecord(_run_id(), datetime.now(UTC))
    run = RunContext(
        record.run_id,
        record.started,
        precedence=dict(settings.precedence),
        retire_after=settings.missing_runs_before_retire,
    )
    logger.info(
        "run %s: inventory %s, %d SNMP profile(s)", run.run_id, inventory, len(inv.snmp_profiles)
    )
    graph = open_store(_check_store_url(store or settings.store_url), settings)
    graph.prefetch_state()  # the graph is read while the network is collected
    t0 = time.monotonic()
    try:
        options = _snmp_options(settings)
        swept = sweep_ranges(inv, options, batch_size, record)
        complete = [r for r in swept if r.status is Status.OK]
        record.snmp.extend(complete)
        again = [t for r in swept if r.status is not Status.OK and (t := _snmp_target(r))]
        seeds = _dedupe([*inv.inventory.targets, *again])
        first = complete + collect_snmp_targets(seeds, inv, options, batch_size, record, "snmp")
        follow_neighbors(first, inv, options, batch_size, record)
        collect_ssh_targets(inv, settings, batch_size, record)
        dependencies = tasks.derive_dependencies(record.ssh)
        write_graph(graph, record.reports, dependencies, run, apply_batch_size, record)
        store_configs(graph, record.ssh, run)
        record.counts.duration_seconds = round(time.monotonic() - t0, 3)
        publish_run(graph, record, "completed")
    except BaseException:
        record.counts.duration_seconds = round(time.monotonic() - t0, 3)
        _record_failed_run(graph, record)
        raise
    finally:
        graph.close()
    logger.info(
        "run %s done in %.1f s: %d devices found, failures %s",
        run.run_id,
        record.counts.duration_seconds,
        record.counts.devices_found,
        record.counts.failed or "none",
    )
    return {"run_id": record.run_id, **_as_dict(record.counts)}


def _record_failed_run(graph: GraphStore, record: RunRecord) -> None:
    """Best effort: a crashed run still leaves a DiscoveryRun saying so."""
    try:
        publish_run(graph, record, "failed")
    except Exception:
        get_run_logger().exception("could not record the failed run")


def _dedupe(targets: Iterable[SnmpTarget]) -> list[SnmpTarget]:
    return list({(t.address, t.port): t for t in targets}.values())


def _as_dict(counts: RunCounts) -> dict[str, Any]:
    return asdict(counts)
