"""Pure planning helpers for a discovery run: batching, neighbour frontiers, SSH candidates.

No I/O here: the flow feeds in what the collectors reported and gets back what to do next,
so the decisions (what to follow, what to skip, which platform to use) are unit-testable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from discovery.observations import DeviceReport
from flows.inventory import Inventory, IPAddress, SnmpTarget

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (one Prefect task per list, not per item)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def balanced(items: Sequence[T], max_size: int, workers: int) -> list[list[T]]:
    """Batches of at most ``max_size`` items, but at least ``workers`` of them when there are
    enough items, so that every parallel task slot has work (51 devices -> 4 x 13, not 1 x 51).
    """
    if not items:
        return []
    size = min(max_size, max(1, -(-len(items) // workers)))
    return list(chunks(items, size))


def target_key(address: IPAddress | str, port: int) -> str:
    """The ``DeviceReport.target`` form the collectors use: ``address:port``."""
    return f"{address}:{port}"


def report_address(report: DeviceReport) -> IPAddress | None:
    """The IP address part of a report's ``target`` (``addr:port``, ``[v6]:port`` or ``addr``)."""
    text = report.target.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _neighbor_addresses(report: DeviceReport) -> Iterator[IPAddress]:
    for neighbor in report.neighbors:
        if not neighbor.remote_mgmt_address:
            continue
        try:
            yield ipaddress.ip_address(neighbor.remote_mgmt_address)
        except ValueError:
            continue


def neighbor_frontier(
    reports: Sequence[DeviceReport], inventory: Inventory, known: set[IPAddress]
) -> list[SnmpTarget]:
    """Neighbours' management addresses worth querying next: in scope, not known yet.

    ``known`` holds every address already queried or queued (and every address a reachable
    device answered on), so a device reached under one address is not queried again under the
    same one; the graph's identity rules merge a device seen under two addresses.
    """
    found: dict[IPAddress, SnmpTarget] = {}
    for report in reports:
        if not report.reachable:
            continue
        for address in _neighbor_addresses(report):
            if address in known or address in found or not inventory.in_scope(address):
                continue
            found[address] = SnmpTarget(address=address, port=inventory.snmp_port)
    return sorted(found.values(), key=lambda t: (t.address.version, int(t.address)))


@dataclass(frozen=True, slots=True)
class SshCandidate:
    """A host to collect over SSH and the driver to use for it (None: autodetect)."""

    address: IPAddress
    port: int
    platform: str | None
    credentials: tuple[str, ...] | None = None  # None: the inventory's list

    @property
    def target(self) -> str:
        return target_key(self.address, self.port)


def ssh_candidates(
    inventory: Inventory,
    snmp_reports: Sequence[DeviceReport],
    platform_of: dict[str, str],
) -> list[SshCandidate]:
    """SSH work: explicit inventory entries first, then SNMP-found devices with a known platform.

    ``platform_of`` maps an SNMP report's target to the netmiko platform derived from what SNMP
    found (the SSH collectors' platform map). An explicit entry whose platform neither the
    inventory nor SNMP knows is left to the collector's autodetection.
    """
    candidates: dict[IPAddress, SshCandidate] = {}
    by_address = {report_address(r): r.target for r in snmp_reports if r.reachable}
    for entry in inventory.ssh:
        snmp_target = by_address.get(entry.address)
        platform = entry.platform or (platform_of.get(snmp_target) if snmp_target else None)
        creds = tuple(entry.credentials) if entry.credentials else None
        candidates[entry.address] = SshCandidate(entry.address, entry.port, platform, creds)
    if inventory.ssh_from_snmp:
        for report in snmp_reports:
            address = report_address(report)
            platform = platform_of.get(report.target)
            if address is None or platform is None or address in candidates:
                continue
            candidates[address] = SshCandidate(address, inventory.ssh_port, platform)
    return list(candidates.values())
