"""Juniper Junos: commands, ntc-templates field names, error text and secrets.

``show chassis hardware`` records are flat: every row repeats the context it sits in (the FPC
and PIC above a transceiver). The component tree is rebuilt from those columns.
"""

from __future__ import annotations

import dataclasses

from discovery.observations import (
    AddressObservation,
    ComponentObservation,
    DeviceObservation,
    InterfaceObservation,
    NeighborObservation,
)
from discovery.ssh import normalise as n
from discovery.ssh.platforms.base import ParsedCommands, PlatformSpec, Record, secrets

_VALUE = r"(\"[^\"]*\"|[^\s;{]+)"
JUNOS_SECRETS = secrets(
    rf"(encrypted-password) {_VALUE}",
    rf"(authentication-key) {_VALUE}",
    rf"(\bsecret) {_VALUE}",
    rf"(\bkey) {_VALUE}",
    rf"(pre-shared-key (?:ascii-text|hexadecimal)) {_VALUE}",
    rf"(simple-password|authentication-password|privacy-password) {_VALUE}",
    rf"(\bcommunity) {_VALUE}",
)

# Column prefix -> (label, nests under the previous FPC/MIC/PIC of the row?, class)
_PARTS: tuple[tuple[str, str, bool, str], ...] = (
    ("re", "Routing Engine", False, "module"),
    ("cb", "CB", False, "module"),
    ("afeb", "AFEB", False, "module"),
    ("tfeb", "TFEB", False, "module"),
    ("fpm", "FPM", False, "module"),
    ("mid", "Midplane", False, "other"),
    ("ps", "Power Supply", False, "power_supply"),
    ("fan", "Fan Tray", False, "fan"),
    ("fpc", "FPC", True, "module"),
    ("cpu", "CPU", True, "cpu"),
    ("mic", "MIC", True, "module"),
    ("pic", "PIC", True, "module"),
    ("qxm", "QXM", True, "module"),
    ("xcvr", "Xcvr", True, "transceiver"),
)
_CONTAINERS = frozenset({"fpc", "mic", "pic"})


def device(parsed: ParsedCommands) -> DeviceObservation:
    rec = parsed["version"][0]
    name, domain = n.split_domain(n.text(rec.get("hostname")))
    return DeviceObservation(
        sys_name=name,
        domain=domain,
        vendor="Juniper",
        model=n.text(rec.get("model")),
        serial=n.serial(rec.get("serial_number")),
        os_name="Junos",
        os_version=n.text(rec.get("junos_version")),
        platform="juniper_junos",
    )


def components(parsed: ParsedCommands) -> list[ComponentObservation]:
    """Distinct components; rows repeat their context, so equal components are the same one."""
    found: dict[str, ComponentObservation] = {}
    for rec in parsed["inventory"]:
        for comp in _row_components(rec):
            if comp.index in found and found[comp.index] != comp:
                # Two items print under one label (e.g. a second "PEM 0" on mixed-PSU chassis).
                comp = dataclasses.replace(comp, index=f"{comp.index}#{len(found)}")
            found.setdefault(comp.index, comp)
    return list(found.values())


def _row_components(rec: Record) -> list[ComponentObservation]:
    result = []
    chassis = n.text(rec.get("chassis_description")) or n.text(rec.get("chassis_serial_number"))
    if chassis:
        result.append(
            ComponentObservation(
                index="Chassis",
                component_class="chassis",
                name="Chassis",
                description=n.text(rec.get("chassis_description")),
                model=n.text(rec.get("chassis_description")),
                serial=n.serial(rec.get("chassis_serial_number")),
            )
        )
    container: str | None = None
    for prefix, label, nested, cls in _PARTS:
        if not any(n.text(rec.get(f"{prefix}_{f}")) for f in ("description", "number", "serial_number", "part")):
            continue
        number = n.text(rec.get(f"{prefix}_number"))
        own = f"{label} {number}" if number else label
        index = f"{container}/{own}" if nested and container else own
        result.append(
            ComponentObservation(
                index=index,
                component_class=cls,
                name=own,
                description=n.text(rec.get(f"{prefix}_description")),
                model=n.text(rec.get(f"{prefix}_part")),
                serial=n.serial(rec.get(f"{prefix}_serial_number")),
                hardware_rev=n.text(rec.get(f"{prefix}_version")),
                parent_index=container if nested and container else "Chassis",
            )
        )
        if prefix in _CONTAINERS:
            container = index
    return result


def interfaces(parsed: ParsedCommands) -> list[InterfaceObservation]:
    return [
        InterfaceObservation(
            name=rec["interface"],
            description=n.text(rec.get("hardware_type")),
            alias=n.text(rec.get("description")),
            admin_status=_admin(rec.get("admin_state")),
            oper_status=(n.text(rec.get("link_status")) or "").lower() or None,
            mtu=n.integer(rec.get("mtu")),
        )
        for rec in parsed["interfaces"]
    ]


def _admin(value: object) -> str | None:
    raw = n.text(value)
    return {"enabled": "up", "disabled": "down"}.get(raw.lower()) if raw else None


def addresses(parsed: ParsedCommands) -> list[AddressObservation]:
    """``local`` is the address, ``destination`` the connected network it sits in."""
    result = []
    for rec in parsed["addresses"]:
        destination = n.text(rec.get("destination")) or ""
        prefix = destination.partition("/")[2] or None
        found = n.interface_address(rec.get("local"), prefix)
        if found:
            result.append(AddressObservation(found[0], found[1], rec["interface"], found[2]))
    return result


def neighbors(parsed: ParsedCommands) -> list[NeighborObservation]:
    return [
        NeighborObservation(
            protocol="lldp",
            local_interface=rec["local_interface"],
            remote_system_name=n.split_domain(n.text(rec.get("neighbor_name")))[0],
            remote_chassis_id=n.chassis_id(rec.get("chassis_id")),
            remote_port=n.text(rec.get("neighbor_interface")),
        )
        for rec in parsed.get("lldp", [])
        if n.text(rec.get("local_interface"))
    ]


SPEC = PlatformSpec(
    device_type="juniper_junos",
    vendor="Juniper",
    os_name="Junos",
    commands={
        "version": "show version",
        "inventory": "show chassis hardware",
        "interfaces": "show interfaces",
        "addresses": "show interfaces",
        "lldp": "show lldp neighbors",
    },
    config_command="show configuration",
    device=device,
    components=components,
    interfaces=interfaces,
    addresses=addresses,
    neighbors=neighbors,
    error_markers=("syntax error", "unknown command", "error:"),
    secret_patterns=JUNOS_SECRETS,
    config_format="junos",
    prompt_user_separator="@",
)
