"""What a network platform module declares, and mappers shared by platforms with similar records.

A platform module (``cisco_ios``, ``cisco_nxos``, ``arista_eos``, ``juniper_junos``) holds ALL
knowledge about one platform: its netmiko device_type, the CLI commands per purpose, how
ntc-templates names the fields of their records, how the platform says "no such command", and
which configuration lines hold secrets. Nothing outside these modules knows a vendor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from discovery.observations import (
    AddressObservation,
    ComponentObservation,
    DeviceObservation,
    InterfaceObservation,
    NeighborObservation,
    Section,
)
from discovery.ssh import normalise as n

Record = dict[str, Any]
Records = list[Record]
# Records of every command that succeeded, keyed by purpose ("version", "inventory", ...).
ParsedCommands = Mapping[str, Records]

# Purposes a platform may define commands for, and the section each one feeds.
PURPOSE_SECTION: dict[str, Section] = {
    "version": Section.SYSTEM,
    "inventory": Section.INVENTORY,
    "interfaces": Section.INTERFACES,
    "addresses": Section.ADDRESSES,
    "lldp": Section.NEIGHBORS,
    "cdp": Section.NEIGHBORS,
}

MASK = "<masked>"


@dataclass(frozen=True)
class PlatformSpec:
    """One platform's commands, record mappers, error texts and secret patterns."""

    device_type: str  # netmiko device_type; also the ntc-templates platform name
    vendor: str
    os_name: str
    commands: Mapping[str, str]  # purpose -> CLI command (parsed with ntc-templates)
    config_command: str
    device: Callable[[ParsedCommands], DeviceObservation]
    components: Callable[[ParsedCommands], list[ComponentObservation]]
    interfaces: Callable[[ParsedCommands], list[InterfaceObservation]]
    addresses: Callable[[ParsedCommands], list[AddressObservation]]
    neighbors: Callable[[ParsedCommands], list[NeighborObservation]]
    error_markers: tuple[str, ...]  # a reply starting (after the caret line) with one is a rejection
    secret_patterns: tuple[re.Pattern[str], ...]  # group 1 kept, group 2 (the secret) masked
    volatile_patterns: tuple[re.Pattern[str], ...] = ()  # lines dropped before hashing (timestamps)
    config_format: str = "cli"
    prompt_user_separator: str | None = None  # Junos prompts are user@host

    def rejection(self, output: str) -> str | None:
        """The platform's error line if ``output`` is the device refusing a command, else None."""
        for line in output.strip().splitlines()[:3]:
            stripped = line.strip()
            if any(stripped.startswith(marker) for marker in self.error_markers):
                return stripped
        return None


def secrets(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)


# ----------------------------------------------------------------- shared record mappers


_CLASS_WORDS: tuple[tuple[str, str], ...] = (
    ("chassis", "chassis"),
    ("power", "power_supply"),
    ("psu", "power_supply"),
    ("fan", "fan"),
    ("sfp", "transceiver"),
    ("xcvr", "transceiver"),
    ("transceiver", "transceiver"),
    ("gbic", "transceiver"),
    ("supervisor", "module"),
    ("linecard", "module"),
    ("module", "module"),
    ("slot", "module"),
)


def component_class(*labels: str | None) -> str:
    """Map a component's name/description to the observation's component classes."""
    joined = " ".join(label.lower() for label in labels if label)
    for word, cls in _CLASS_WORDS:
        if word in joined:
            return cls
    return "other"


def cisco_like_inventory(records: Records) -> list[ComponentObservation]:
    """``show inventory`` records (IOS, NX-OS, EOS: name/descr/pid/vid/sn) -> components.

    EOS records have no name; the port (or the position) makes the key unique instead.
    """
    components = []
    seen: set[str] = set()
    for position, rec in enumerate(records):
        name = n.text(rec.get("name"))
        descr = n.text(rec.get("descr"))
        port = n.text(rec.get("port"))
        index = name or (f"port {port}" if port else None) or f"{position}:{n.text(rec.get('pid')) or descr}"
        if index in seen:
            index = f"{index}#{position}"
        seen.add(index)
        cls = component_class(name, descr) if position else "chassis"
        if port and cls == "other":
            cls = "transceiver"
        components.append(
            ComponentObservation(
                index=index,
                component_class=cls,
                name=name,
                description=descr,
                model=n.text(rec.get("pid")),
                serial=n.serial(rec.get("sn")),
                hardware_rev=n.text(rec.get("vid")),
            )
        )
    return components


def lldp_detail_neighbors(records: Records) -> list[NeighborObservation]:
    """``show lldp neighbors detail`` records (IOS, NX-OS, EOS share the field names)."""
    neighbors = []
    for rec in records:
        local = n.text(rec.get("local_interface"))
        if local is None:
            continue
        name = n.text(rec.get("neighbor_name"))
        neighbors.append(
            NeighborObservation(
                protocol="lldp",
                local_interface=local,
                remote_system_name=n.split_domain(name)[0] if name else None,
                remote_chassis_id=n.chassis_id(rec.get("chassis_id")),
                remote_port=n.text(rec.get("neighbor_port_id")) or n.text(rec.get("neighbor_interface")),
                remote_port_description=n.text(rec.get("neighbor_interface")),
                remote_mgmt_address=_address_only(rec.get("mgmt_address")),
                remote_platform=n.text(rec.get("platform")),
                remote_description=n.text(rec.get("neighbor_description")),
                capabilities=_capabilities(rec.get("capabilities")),
            )
        )
    return neighbors


def cdp_detail_neighbors(records: Records) -> list[NeighborObservation]:
    """``show cdp neighbors detail`` records (IOS and NX-OS)."""
    neighbors = []
    for rec in records:
        local = n.text(rec.get("local_interface"))
        if local is None:
            continue
        # NX-OS puts the device id in chassis_id and leaves neighbor_name empty.
        name = n.text(rec.get("neighbor_name")) or n.text(rec.get("chassis_id"))
        neighbors.append(
            NeighborObservation(
                protocol="cdp",
                local_interface=local,
                remote_system_name=n.split_domain(name)[0] if name else None,
                remote_port=n.text(rec.get("neighbor_interface")),
                remote_mgmt_address=_address_only(rec.get("mgmt_address")) or _address_only(rec.get("interface_ip")),
                remote_platform=n.text(rec.get("platform")),
                remote_description=n.text(rec.get("neighbor_description")),
                capabilities=_capabilities(rec.get("capabilities")),
            )
        )
    return neighbors


def _address_only(value: Any) -> str | None:
    """Management addresses are sometimes MACs (EOS prints the chassis MAC); keep IPs only."""
    parsed = n.interface_address(value)
    return parsed[0] if parsed else None


def _capabilities(value: Any) -> tuple[str, ...]:
    raw = n.text(value)
    if raw is None:
        return ()
    parts = raw.replace(",", " ").split()
    return tuple(p for p in parts if p)


# First word of a CLI protocol status -> IF-MIB ifOperStatus name.
_OPER = {
    "up": "up",
    "down": "down",
    "notpresent": "notPresent",
    "lowerlayerdown": "lowerLayerDown",
    "dormant": "dormant",
    "testing": "testing",
}


def oper_status(protocol_status: Any) -> str | None:
    """``up (connected)`` / ``down (notconnect)`` / ``notpresent (disabled)`` -> IF-MIB names."""
    raw = n.text(protocol_status)
    return _OPER.get(raw.split()[0].lower(), "unknown") if raw else None


def admin_status(link_status: Any) -> str | None:
    """IOS/EOS print ``administratively down`` for shut interfaces; anything else is admin up."""
    raw = n.text(link_status)
    if raw is None:
        return None
    return "down" if "administratively" in raw.lower() or "disabled" in raw.lower() else "up"
