"""Tasks at the network edge (real sockets on loopback) and the flow's failure isolation."""

from __future__ import annotations

import errno
import socket
import sqlite3
from typing import Any

import pytest
from prefect import flow, task

from discovery.credentials import SnmpV2cProfile, SshProfile
from discovery.observations import DeviceReport, Source, Status
from flows import tasks
from flows.inventory import SnmpTarget
from flows.nightly import _crashed, _run_batches
from flows.plan import SshCandidate
from flows.retry import is_transient, retry_if_transient

SILENT = "127.29.255.253"  # nothing listens here

V2C = SnmpV2cProfile(name="v2c", community="not-a-real-community")
SSH = SshProfile(name="ssh", username="nobody", password="not-a-real-password")


def closed_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: connecting is refused


def test_sweep_drops_silent_addresses_and_collect_reports_them() -> None:
    options = tasks.SnmpOptions(concurrency=4, timeout=0.5, retries=0, sweep_timeout=0.3)
    targets = [SnmpTarget(address=SILENT, port=16199)]
    assert tasks.sweep_batch.fn(targets, [V2C], options) == []
    (report,) = tasks.snmp_batch.fn(targets, [V2C], options)
    assert report.target == f"{SILENT}:16199"
    assert report.status is Status.TIMEOUT and not report.reachable


def test_ssh_batch_turns_a_refused_connection_into_a_report() -> None:
    port = closed_tcp_port()
    candidate = SshCandidate(SnmpTarget(address="127.0.0.1").address, port, "cisco_ios")
    (report,) = tasks.ssh_batch.fn([candidate], [SSH], ["ssh"], tasks.SshOptions(2, 5.0))
    assert report.source is Source.SSH
    assert report.status is Status.UNREACHABLE, report.errors


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OSError(errno.EMFILE, "Too many open files"), True),
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (sqlite3.OperationalError("database is locked"), True),
        (ValueError("bad inventory"), False),
        (KeyError("profile"), False),
        (OSError(errno.ENOENT, "No such file"), False),
        (sqlite3.OperationalError("no such table: cis"), False),
    ],
)
def test_transient_errors(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient
    wrapped = RuntimeError("apply failed")
    wrapped.__cause__ = error
    assert is_transient(wrapped) is transient


@pytest.mark.usefixtures("prefect_harness")
def test_only_transient_failures_are_retried() -> None:
    calls: dict[str, int] = {"transient": 0, "permanent": 0}

    @task(retries=3, retry_delay_seconds=0, retry_condition_fn=retry_if_transient)
    def flaky(kind: str) -> str:
        calls[kind] += 1
        if kind == "transient" and calls[kind] < 3:
            raise ConnectionResetError("peer went away")
        if kind == "permanent":
            raise ValueError("wrong every time")
        return "ok"

    @flow
    def both() -> tuple[Any, Any]:
        return flaky(kind="transient"), flaky(kind="permanent", return_state=True)

    first, second = both()
    assert first == "ok" and calls["transient"] == 3
    assert second.is_failed() and calls["permanent"] == 1


@pytest.mark.usefixtures("prefect_harness")
def test_a_crashed_batch_becomes_failure_reports_and_the_flow_completes() -> None:
    @task(retries=0)
    def collect(batch: list[str]) -> list[DeviceReport]:
        if "127.0.0.66" in batch:
            raise ValueError("collector bug")
        return [DeviceReport(t, Source.SNMP, Status.OK) for t in batch]

    @flow
    def run() -> list[DeviceReport]:
        return _run_batches(
            lambda batch: collect.submit(batch),
            [["127.0.0.65"], ["127.0.0.66", "127.0.0.67"]],
            lambda batch, exc: _crashed(batch, Source.SNMP, exc),
            lambda batch, reports: None,
        )

    state = run(return_state=True)
    assert state.is_completed()
    reports = {r.target: r for r in state.result()}
    assert reports["127.0.0.65"].status is Status.OK
    for target in ("127.0.0.66", "127.0.0.67"):
        assert reports[target].status is Status.ERROR
        assert reports[target].errors[0].reason == "batch_crashed"
        assert reports[target].errors[0].detail == "ValueError"


def test_store_urls_with_credentials_are_refused() -> None:
    from flows.nightly import _check_store_url

    assert _check_store_url("bolt://127.0.0.1:7687") == "bolt://127.0.0.1:7687"
    assert _check_store_url("sqlite:////var/cmdb.sqlite") == "sqlite:////var/cmdb.sqlite"
    with pytest.raises(ValueError, match="must not contain credentials"):
        _check_store_url("bolt://neo4j:hunter2@127.0.0.1:7687")
