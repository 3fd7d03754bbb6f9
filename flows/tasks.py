"""Prefect tasks of the nightly discovery: each wraps one plain function (tests call ``.fn``).

One task run per BATCH of devices, never per address: a /16 sweep is 256 task runs, not
65,536. Inside a batch, asyncio (bounded by a semaphore in the collectors) does the
concurrency. Tasks are retried with exponential backoff only when they failed transiently
(``flows.retry``); a device that cannot be reached is a *report*, not an exception.

Task inputs carry credential profiles (``SecretStr``), so no task caches or persists its
inputs or results: nothing of a run is written anywhere but the graph.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from discovery.credentials import SnmpProfile, SshProfile
from discovery.observations import DependencyObservation, DeviceReport, Status
from discovery.snmp.collector import CollectOptions, collect_many
from discovery.snmp.collector import SnmpTarget as CollectorTarget
from flows.inventory import SnmpTarget
from flows.plan import SshCandidate
from flows.retry import retry_if_transient
from graph.model import ApplySummary, ChangeSet, GraphState, RunContext
from graph.reconcile import reconcile
from graph.store import GraphStore

# Nothing a task sees (profiles, reports) is hashed into a cache key or persisted.
_STATELESS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
# Transient failures only, after 2 s, 4 s (with jitter).
_RETRY: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_if_transient,
}


@dataclass(frozen=True, slots=True)
class SnmpOptions:
    concurrency: int
    timeout: float
    retries: int
    sweep_timeout: float


@dataclass(frozen=True, slots=True)
class SshOptions:
    concurrency: int
    timeout: float


# ----------------------------------------------------------------------------- collection


async def _collect(
    targets: list[SnmpTarget],
    profiles: list[SnmpProfile],
    concurrency: int,
    options: CollectOptions,
) -> list[DeviceReport]:
    found = collect_many(
        [CollectorTarget(str(t.address), t.port) for t in targets],
        profiles,
        concurrency=concurrency,
        options=options,
    )
    return [report async for report in found]


@task(name="sweep-batch", task_run_name="sweep {targets[0]}+", **_STATELESS, **_RETRY)
def sweep_batch(
    targets: list[SnmpTarget], profiles: list[SnmpProfile], options: SnmpOptions
) -> list[DeviceReport]:
    """Reports of the addresses that answered at all (short timeout, no retries).

    The probe is the collector's own first step (a GET of the system group with each
    profile), so a responder on a fast network is fully collected by the sweep already;
    silent addresses cost one short timeout per profile and are dropped here.
    """
    sweep = CollectOptions(timeout=options.sweep_timeout, retries=0)
    reports = asyncio.run(_collect(targets, profiles, options.concurrency, sweep))
    return [r for r in reports if r.status not in (Status.TIMEOUT, Status.UNREACHABLE)]


@task(name="snmp-batch", task_run_name="snmp {targets[0]}+", **_STATELESS, **_RETRY)
def snmp_batch(
    targets: list[SnmpTarget], profiles: list[SnmpProfile], options: SnmpOptions
) -> list[DeviceReport]:
    """Full SNMP collection of each target; one report per target, failures included."""
    full = CollectOptions(timeout=options.timeout, retries=options.retries)
    return asyncio.run(_collect(targets, profiles, options.concurrency, full))


@task(name="ssh-batch", task_run_name="ssh {candidates[0].target}+", **_STATELESS, **_RETRY)
def ssh_batch(
    candidates: list[SshCandidate],
    profiles: list[SshProfile],
    default: list[str],
    options: SshOptions,
) -> list[DeviceReport]:
    """SSH collection of each candidate with its platform's driver; failures are reports.

    ``default`` names the profiles (in order) for candidates that do not name their own.
    """
    from discovery.ssh.collect import SshOptions as CollectorOptions
    from discovery.ssh.collect import SshTarget, collect_ssh_many

    targets = [
        SshTarget(str(c.address), c.port, c.platform, tuple(c.credentials or default))
        for c in candidates
    ]
    return asyncio.run(
        collect_ssh_many(
            targets,
            profiles,
            concurrency=options.concurrency,
            options=CollectorOptions(timeout=options.timeout),
        )
    )


@task(name="derive-dependencies", **_STATELESS)
def derive_dependencies(reports: list[DeviceReport]) -> list[DependencyObservation]:
    """Consumer -> provider dependencies joined across the hosts collected over SSH."""
    if not any(r.reachable for r in reports):
        return []
    from discovery.ssh.dependencies import derive_dependencies as derive

    return derive(reports)


# ----------------------------------------------------------------------------- graph


@task(name="reconcile", **_STATELESS, **_RETRY)
def reconcile_run(
    store: GraphStore,
    reports: list[DeviceReport],
    dependencies: list[DependencyObservation],
    run: RunContext,
) -> ChangeSet:
    """Load the graph and compute this run's change set (pure comparison after one read)."""
    state: GraphState = store.load_state()
    return reconcile(state, reports, dependencies, run)


@task(name="apply", task_run_name="apply part {part_no}", **_STATELESS, **_RETRY)
def apply_part(
    store: GraphStore, part: ChangeSet, actor: str, at: datetime, part_no: int = 1
) -> ApplySummary:
    """One transaction: a bounded part of the run's change set (see ``flows.apply``)."""
    return store.apply(part, actor, at)
