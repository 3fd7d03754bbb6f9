"""All parsers together: one ``Walk`` in, the observations of one device out (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from discovery.observations import (
    AddressObservation,
    ComponentObservation,
    DeviceObservation,
    InterfaceObservation,
    NeighborObservation,
    SoftwareObservation,
)
from discovery.snmp.addresses import parse_addresses
from discovery.snmp.entity import parse_entities
from discovery.snmp.host import parse_host_resources
from discovery.snmp.interfaces import names_by_index, parse_interfaces
from discovery.snmp.neighbors import parse_cdp, parse_lldp
from discovery.snmp.system import parse_device
from discovery.snmp.walk import Walk


@dataclass
class ParsedDevice:
    device: DeviceObservation
    components: list[ComponentObservation] = field(default_factory=list)
    interfaces: list[InterfaceObservation] = field(default_factory=list)
    addresses: list[AddressObservation] = field(default_factory=list)
    neighbors: list[NeighborObservation] = field(default_factory=list)
    software: list[SoftwareObservation] = field(default_factory=list)


def parse_walk(walk: Walk) -> ParsedDevice:
    entities = parse_entities(walk)
    host = parse_host_resources(walk)
    interfaces = parse_interfaces(walk)
    return ParsedDevice(
        device=parse_device(
            walk, entities, memory_bytes=host.memory_bytes, cpu_count=host.cpu_count
        ),
        components=entities + host.components,
        interfaces=interfaces,
        addresses=parse_addresses(walk, names_by_index(interfaces)),
        neighbors=parse_lldp(walk, interfaces) + parse_cdp(walk, interfaces),
        software=host.software,
    )
