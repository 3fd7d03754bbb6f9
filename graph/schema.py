"""The configuration-item model, declared once.

Everything else is derived from the declarations in this module: Neo4j constraints and
indexes, the Cypher that writes CIs, the API's pydantic models and the validation of manual
edits, and the impact analysis (each relationship type says how impact travels along it).

Adding a CI class or a relationship type is a change to this file only (plus tests).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class AttrType(enum.StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    LIST = "list"  # list of str


_PY_TYPES: dict[AttrType, type | tuple[type, ...]] = {
    AttrType.STR: str,
    AttrType.INT: int,
    AttrType.FLOAT: (int, float),
    AttrType.BOOL: bool,
    AttrType.LIST: list,
}


@dataclass(frozen=True, slots=True)
class Attr:
    """One attribute of a CI class.

    discovered: set by discovery (and subject to source precedence); otherwise only people
        set it, and discovery never overwrites it.
    audited: a change of this attribute outside an approved change is an unauthorized change.
        Volatile attributes (oper status, ...) are recorded but not audited.
    indexed: gets a Neo4j index and is searchable through the API.
    """

    name: str
    type: AttrType = AttrType.STR
    description: str = ""
    discovered: bool = True
    audited: bool = True
    indexed: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return True
        if self.type is AttrType.INT and isinstance(value, bool):
            return False
        if self.type is AttrType.LIST:
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        return isinstance(value, _PY_TYPES[self.type])


# Attributes people own on every CI; discovery never writes them.
MANUAL_ATTRS: tuple[Attr, ...] = (
    Attr("owner", description="Accountable person or team", discovered=False, indexed=True),
    Attr("criticality", description="low / medium / high / critical", discovered=False),
    Attr("notes", description="Free text", discovered=False, audited=False),
)

CRITICALITY_LEVELS = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class CIClass:
    """A class of configuration item; ``name`` is also its Neo4j label."""

    name: str
    description: str
    attrs: tuple[Attr, ...]
    key_doc: str  # how the uid is formed (documentation; graph.identity builds it)
    authored: bool = False  # created by people, not by discovery
    extra_labels: tuple[str, ...] = ()

    @property
    def all_attrs(self) -> tuple[Attr, ...]:
        return self.attrs + MANUAL_ATTRS

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.all_attrs if a.name == name), None)

    @property
    def labels(self) -> tuple[str, ...]:
        return ("CI", self.name, *self.extra_labels)


class Propagation(enum.StrEnum):
    """How the failure of one end of a relationship affects the other end.

    For ``(a)-[R]->(b)``:
    CONTAINS  a contains b: when a goes down, b goes down (device -> interface).
    REQUIRES  a requires b: when b goes down, a goes down, unless a still has another
              provider in the same redundancy group (edge attribute ``redundancy_group``),
              in which case a is only DEGRADED.
    LINK      a symmetric physical link; impact over links is evaluated as loss of
              reachability (a node cut off from every path is OUTAGE, a node that lost
              some paths but not all is DEGRADED).
    NONE      no impact travels along this relationship (e.g. LOCATED_IN).
    """

    CONTAINS = "contains"
    REQUIRES = "requires"
    LINK = "link"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class RelType:
    name: str
    description: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    propagation: Propagation
    symmetric: bool = False
    attrs: tuple[Attr, ...] = ()
    authored: bool = False  # normally created by people (e.g. business service dependencies)


_DEVICE_ATTRS: tuple[Attr, ...] = (
    Attr("name", description="Display name (sysName or host name)", indexed=True),
    Attr("sys_name", description="Short host name without domain", indexed=True),
    Attr("domain", description="DNS domain"),
    Attr("role", description="switch / router / firewall / wireless / server / ..."),
    Attr("vendor", indexed=True),
    Attr("model", indexed=True),
    Attr("serial", description="Chassis serial number", indexed=True),
    Attr("os_name"),
    Attr("os_version"),
    Attr("chassis_id", description="LLDP chassis id / base MAC", indexed=True),
    Attr("mgmt_ip", description="Management address", indexed=True),
    Attr("sys_object_id"),
    Attr("sys_descr", audited=False),
    Attr("contact"),
    Attr("location"),
    Attr("platform", description="Driver name, e.g. cisco_ios, arista_eos, linux"),
)

CI_CLASSES: tuple[CIClass, ...] = (
    CIClass(
        "NetworkDevice",
        "Switch, router, firewall, wireless controller or other network element",
        _DEVICE_ATTRS,
        key_doc="dev:<identity> assigned at first sight (serial, chassis id, name or IP)",
        extra_labels=("Device",),
    ),
    CIClass(
        "Server",
        "Physical or virtual host running an operating system",
        _DEVICE_ATTRS
        + (
            Attr("kernel"),
            Attr("memory_bytes", AttrType.INT),
            Attr("cpu_count", AttrType.INT),
        ),
        key_doc="dev:<identity> assigned at first sight (serial, machine id, name or IP)",
        extra_labels=("Device",),
    ),
    CIClass(
        "HardwareComponent",
        "Chassis, module, power supply, fan, transceiver, CPU, disk",
        (
            Attr("name", indexed=True),
            Attr("component_class"),
            Attr("description"),
            Attr("model", indexed=True),
            Attr("serial", indexed=True),
            Attr("vendor"),
            Attr("hardware_rev"),
            Attr("firmware_rev"),
            Attr("software_rev"),
            Attr("size_bytes", AttrType.INT),
        ),
        key_doc="<device uid>/hw/<index>",
    ),
    CIClass(
        "Interface",
        "Physical or logical network interface of a device",
        (
            Attr("name", indexed=True),
            Attr("if_index", AttrType.INT, audited=False),
            Attr("description", audited=False),
            Attr("alias", description="Configured description"),
            Attr("if_type"),
            Attr("speed_bps", AttrType.INT),
            Attr("mac", indexed=True),
            Attr("admin_status"),
            Attr("oper_status", audited=False),
            Attr("mtu", AttrType.INT),
        ),
        key_doc="<device uid>/if/<interface name>",
    ),
    CIClass(
        "IPAddress",
        "IPv4 or IPv6 address",
        (
            Attr("name", description="address text", indexed=True),
            Attr("address", indexed=True),
            Attr("prefix_length", AttrType.INT),
            Attr("version", AttrType.INT),
        ),
        key_doc="ip:<address>, or <device uid>/ip/<address> for loopback and link-local",
    ),
    CIClass(
        "Software",
        "Operating system or installed package, one CI per name and version",
        (
            Attr("name", indexed=True),
            Attr("version"),
            Attr("kind", description="os / package / firmware"),
        ),
        key_doc="sw:<name>@<version>",
    ),
    CIClass(
        "Application",
        "A service process running on a server (listening or connecting)",
        (
            Attr("name", indexed=True),
            Attr("process"),
            Attr("ports", AttrType.LIST, description="listening ports, e.g. tcp/5432"),
        ),
        key_doc="<server uid>/app/<process name>",
    ),
    CIClass(
        "BusinessService",
        "A service the business consumes; authored by people",
        (
            Attr("name", discovered=False, indexed=True),
            Attr("description", discovered=False),
        ),
        key_doc="bs:<slug of name>",
        authored=True,
    ),
    CIClass(
        "Location",
        "Site, building or room (from sysLocation or set by people)",
        (Attr("name", indexed=True),),
        key_doc="loc:<normalised name>",
    ),
    CIClass(
        "DiscoveryRun",
        "One discovery run, with its counts",
        (
            Attr("name", indexed=True),
            Attr("started_at"),
            Attr("finished_at"),
            Attr("state", description="running / completed / failed"),
            Attr(
                "counts", AttrType.STR, description="JSON text of the run's counts", audited=False
            ),
        ),
        key_doc="run:<run id>",
    ),
)

_DEVICES = ("NetworkDevice", "Server")
_ANY_DEPENDABLE = ("Application", "Server", "NetworkDevice", "BusinessService")

REL_TYPES: tuple[RelType, ...] = (
    RelType(
        "HAS_COMPONENT",
        "Device or component contains a hardware component",
        sources=(*_DEVICES, "HardwareComponent"),
        targets=("HardwareComponent",),
        propagation=Propagation.CONTAINS,
    ),
    RelType(
        "HAS_INTERFACE",
        "Device has an interface",
        sources=_DEVICES,
        targets=("Interface",),
        propagation=Propagation.CONTAINS,
    ),
    RelType(
        "CONNECTED_TO",
        "Physical link between two interfaces (LLDP/CDP, seen from either end)",
        sources=("Interface",),
        targets=("Interface",),
        propagation=Propagation.LINK,
        symmetric=True,
        attrs=(Attr("protocols", AttrType.LIST, description="lldp / cdp"),),
    ),
    RelType(
        "ASSIGNED_TO",
        "IP address is configured on an interface",
        sources=("IPAddress",),
        targets=("Interface",),
        propagation=Propagation.REQUIRES,
    ),
    RelType(
        "INSTALLED_ON",
        "Software is installed on a device",
        sources=("Software",),
        targets=_DEVICES,
        propagation=Propagation.NONE,
    ),
    RelType(
        "RUNS_ON",
        "Application runs on a server",
        sources=("Application",),
        targets=("Server",),
        propagation=Propagation.REQUIRES,
    ),
    RelType(
        "DEPENDS_ON",
        "Consumer depends on provider (discovered connections, or set by people)",
        sources=_ANY_DEPENDABLE,
        targets=_ANY_DEPENDABLE,
        propagation=Propagation.REQUIRES,
        attrs=(
            Attr("port", AttrType.INT),
            Attr("protocol"),
            Attr("redundancy_group", description="providers sharing a group are alternatives"),
        ),
    ),
    RelType(
        "LOCATED_IN",
        "Device is located in a location",
        sources=(*_DEVICES,),
        targets=("Location",),
        propagation=Propagation.NONE,
    ),
)

CLASSES: dict[str, CIClass] = {c.name: c for c in CI_CLASSES}
RELS: dict[str, RelType] = {r.name: r for r in REL_TYPES}
DEVICE_CLASSES: tuple[str, ...] = _DEVICES


class SchemaError(ValueError):
    """A CI or relationship does not fit the declared schema."""


def ci_class(name: str) -> CIClass:
    try:
        return CLASSES[name]
    except KeyError:
        raise SchemaError(f"unknown CI class {name!r}; known: {', '.join(CLASSES)}") from None


def rel_type(name: str) -> RelType:
    try:
        return RELS[name]
    except KeyError:
        raise SchemaError(f"unknown relationship type {name!r}; known: {', '.join(RELS)}") from None


def validate_attrs(cls: CIClass, attrs: dict[str, Any], *, manual: bool) -> None:
    """Refuse unknown attributes, wrong types, and (for manual edits) discovered attributes."""
    for name, value in attrs.items():
        attr = cls.attr(name)
        if attr is None:
            raise SchemaError(f"{cls.name} has no attribute {name!r}")
        if not attr.accepts(value):
            raise SchemaError(f"{cls.name}.{name} must be {attr.type.value}, got {value!r}")
        if manual and attr.discovered and not cls.authored:
            raise SchemaError(f"{cls.name}.{name} is discovered; it cannot be set by hand")
        if name == "criticality" and value is not None and value not in CRITICALITY_LEVELS:
            raise SchemaError(f"criticality must be one of {', '.join(CRITICALITY_LEVELS)}")


def validate_rel(rel: str, source_class: str, target_class: str) -> RelType:
    rt = rel_type(rel)
    if source_class not in rt.sources or target_class not in rt.targets:
        raise SchemaError(f"{rel} cannot link {source_class} to {target_class}")
    return rt


def indexed_attrs() -> Iterable[tuple[CIClass, Attr]]:
    for cls in CI_CLASSES:
        for attr in cls.all_attrs:
            if attr.indexed:
                yield cls, attr
