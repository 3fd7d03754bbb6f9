"""Application dependencies: host B's established connections joined with host A's listening services.

Pure. An address identifies a host only when it sits on a non-loopback interface (or is the
address the host was reached on): every host has 127.0.0.1, so a connection to it says nothing
about another host. A service bound to a wildcard (0.0.0.0 / ::) accepts on every address of
its host; one bound to a specific address only on that address.
"""

from __future__ import annotations

import ipaddress

from discovery.observations import DependencyObservation, DeviceReport, ServiceObservation


def host_addresses(report: DeviceReport) -> set[str]:
    """Addresses that identify this host on the network."""
    loopback_ifs = {i.name for i in report.interfaces if i.if_type == "softwareLoopback" or i.name == "lo"}
    found = {
        a.address
        for a in report.addresses
        if a.interface not in loopback_ifs and not ipaddress.ip_address(a.address).is_link_local
    }
    if report.device is not None and report.device.mgmt_ip:
        found.add(report.device.mgmt_ip)
    return found


def _host_name(report: DeviceReport) -> str:
    return report.device.mgmt_ip if report.device and report.device.mgmt_ip else report.target


def _accepts(service: ServiceObservation, address: str) -> bool:
    if service.address == address:
        return True
    version = ipaddress.ip_address(address).version
    return service.address == "::" or (service.address == "0.0.0.0" and version == 4)


def derive_dependencies(reports: list[DeviceReport]) -> list[DependencyObservation]:
    """One observation per (consumer process, provider service) pair, in a stable order."""
    owners: dict[str, list[DeviceReport]] = {}
    for report in reports:
        for address in host_addresses(report):
            owners.setdefault(address, []).append(report)
    found: set[DependencyObservation] = set()
    for consumer in reports:
        for conn in consumer.connections:
            candidates = owners.get(ipaddress.ip_address(conn.remote_address).compressed, [])
            if len(candidates) != 1 or candidates[0] is consumer:
                continue  # unknown or ambiguous address, or a connection to itself
            provider = candidates[0]
            for service in provider.services:
                if service.protocol == conn.protocol and service.port == conn.remote_port and _accepts(service, conn.remote_address):
                    found.add(
                        DependencyObservation(
                            consumer_host=_host_name(consumer),
                            consumer_process=conn.process,
                            provider_host=_host_name(provider),
                            provider_process=service.process,
                            port=service.port,
                            protocol=service.protocol,
                        )
                    )
                    break
    return sorted(found, key=lambda d: (d.consumer_host, d.provider_host, d.port, d.consumer_process or ""))
