"""Typed observations: what a collector saw on one device, independent of how it was seen.

Every parser (SNMP varbinds, CLI output, Linux command output) returns these types, and
reconciliation (``graph.reconcile``) consumes only these types. A fact therefore means the
same thing whether it came over SNMP or SSH; ``DeviceReport.source`` says where it came from.

Conventions (normalisation happens in the parsers, never later):
- MAC addresses: lower-case, colon separated (``00:1c:73:aa:bb:cc``).
- Speeds: bits per second (int).
- IP addresses: compressed text form (``ipaddress`` module), prefix length separate.
- Interface names: as the device names them (ifName / CLI name), not abbreviated.
- Missing values are ``None``, never ``""``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class Source(enum.StrEnum):
    """Where a fact came from. Precedence between sources is configured in the graph."""

    SNMP = "snmp"
    SSH = "ssh"
    MANUAL = "manual"


class Status(enum.StrEnum):
    """Outcome of collecting one device."""

    OK = "ok"  # every section collected
    PARTIAL = "partial"  # some sections collected, some failed (see errors)
    AUTH_FAILED = "auth_failed"  # no credential profile was accepted
    TIMEOUT = "timeout"  # no answer at all
    UNREACHABLE = "unreachable"  # connection refused / no route
    ERROR = "error"  # anything else (malformed replies, unexpected prompt, ...)


class Section(enum.StrEnum):
    """A part of a device that a collector may or may not have reached.

    Stale handling relies on this: a CI is marked missing only if the section that would
    have contained it was collected completely in this run.
    """

    SYSTEM = "system"
    INVENTORY = "inventory"
    INTERFACES = "interfaces"
    ADDRESSES = "addresses"
    NEIGHBORS = "neighbors"
    SOFTWARE = "software"
    SERVICES = "services"
    CONNECTIONS = "connections"
    CONFIG = "config"
    STORAGE = "storage"


class DeviceKind(enum.StrEnum):
    NETWORK_DEVICE = "network_device"
    SERVER = "server"


@dataclass(frozen=True, slots=True)
class SectionError:
    """Why one section of one device was not (fully) collected. Never contains secrets."""

    section: Section
    reason: str  # machine-readable: "timeout", "auth_failed", "malformed", "rejected", "loop", ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeviceObservation:
    """Identity and top-level attributes of one device."""

    kind: DeviceKind = DeviceKind.NETWORK_DEVICE
    role: str | None = None  # switch / router / firewall / wireless / server / ...
    sys_name: str | None = None  # short host name, without the domain
    domain: str | None = None  # DNS domain, if the device names one
    sys_descr: str | None = None
    sys_object_id: str | None = None  # dotted OID text
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None  # chassis serial
    os_name: str | None = None  # e.g. "IOS-XE", "EOS", "Junos", "Debian GNU/Linux"
    os_version: str | None = None
    chassis_id: str | None = None  # LLDP local chassis id / base MAC, normalised MAC if it is one
    mgmt_ip: str | None = None  # address the device was reached on
    uptime_seconds: int | None = None
    contact: str | None = None
    location: str | None = None
    platform: str | None = None  # netmiko device_type, e.g. "cisco_ios", "arista_eos", "linux"
    memory_bytes: int | None = None
    cpu_count: int | None = None
    kernel: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentObservation:
    """One physical part (ENTITY-MIB entPhysicalTable row, `show inventory` line, DMI, CPU...)."""

    index: str  # stable key within the device (entPhysicalIndex, or name for CLI)
    component_class: str  # chassis / module / power_supply / fan / port / transceiver / cpu / disk / container / stack / other
    name: str | None = None
    description: str | None = None
    model: str | None = None
    serial: str | None = None
    vendor: str | None = None
    hardware_rev: str | None = None
    firmware_rev: str | None = None
    software_rev: str | None = None
    parent_index: str | None = None  # containment tree
    size_bytes: int | None = None  # disks / storage
    # The section that reports this part: the physical inventory (ENTITY-MIB, `show inventory`)
    # or the host's storage and processors (HOST-RESOURCES-MIB, lsblk). Staleness is judged
    # per section, so a failed storage walk never marks inventory parts missing, or back.
    section: Section = Section.INVENTORY


@dataclass(frozen=True, slots=True)
class InterfaceObservation:
    name: str
    if_index: int | None = None
    description: str | None = None  # ifDescr
    alias: str | None = None  # ifAlias / configured description
    if_type: str | None = None  # IANAifType name, e.g. "ethernetCsmacd"
    speed_bps: int | None = None
    mac: str | None = None
    admin_status: str | None = None  # up / down / testing
    oper_status: str | None = None  # up / down / ...
    mtu: int | None = None


@dataclass(frozen=True, slots=True)
class AddressObservation:
    address: str
    prefix_length: int | None = None
    interface: str | None = None  # interface name on this device
    version: int = 4


@dataclass(frozen=True, slots=True)
class NeighborObservation:
    """A link seen from this device's side (LLDP or CDP)."""

    protocol: str  # "lldp" / "cdp"
    local_interface: str
    remote_system_name: str | None = None
    remote_chassis_id: str | None = None  # normalised MAC when it is one
    remote_port: str | None = None  # port id / name
    remote_port_description: str | None = None
    remote_mgmt_address: str | None = None
    remote_platform: str | None = None
    remote_description: str | None = None  # remote sysDescr / software version
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SoftwareObservation:
    name: str
    version: str | None = None
    kind: str = "package"  # package / os / firmware / application


@dataclass(frozen=True, slots=True)
class ServiceObservation:
    """A listening socket and the process behind it."""

    protocol: str  # tcp / udp
    port: int
    address: str  # bound address ("0.0.0.0", "::", "127.0.0.1", ...)
    process: str | None = None
    pid: int | None = None


@dataclass(frozen=True, slots=True)
class ConnectionObservation:
    """An established outgoing connection from a local process to a remote service."""

    protocol: str
    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    process: str | None = None


@dataclass(frozen=True, slots=True)
class DependencyObservation:
    """Consumer process on one host depends on a provider's listening service.

    Produced by ``discovery.dependencies`` by joining one host's connections with another
    host's listening services.
    """

    consumer_host: str  # management address of the consumer host
    consumer_process: str | None
    provider_host: str
    provider_process: str | None
    port: int
    protocol: str = "tcp"


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    """Running configuration with secrets already masked."""

    text: str
    sha256: str
    format: str = "cli"  # cli / junos-set / ...


@dataclass(slots=True)
class DeviceReport:
    """Everything one collector learned about one target in one run.

    ``sections`` lists what was collected *completely*; only those sections may be used to
    mark previously known CIs as missing.
    """

    target: str  # address (and port) the collector talked to
    source: Source
    status: Status
    observed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    credential: str | None = None  # NAME of the credential profile that worked, never the secret
    device: DeviceObservation | None = None
    sections: set[Section] = field(default_factory=set)
    errors: list[SectionError] = field(default_factory=list)
    components: list[ComponentObservation] = field(default_factory=list)
    interfaces: list[InterfaceObservation] = field(default_factory=list)
    addresses: list[AddressObservation] = field(default_factory=list)
    neighbors: list[NeighborObservation] = field(default_factory=list)
    software: list[SoftwareObservation] = field(default_factory=list)
    services: list[ServiceObservation] = field(default_factory=list)
    connections: list[ConnectionObservation] = field(default_factory=list)
    config: ConfigSnapshot | None = None
    elapsed_seconds: float | None = None

    @property
    def reachable(self) -> bool:
        return self.status in (Status.OK, Status.PARTIAL)
