"""Cisco NX-OS: commands, ntc-templates field names, error text and secrets.

Interfaces: NX-OS has ``show interface`` (and a template), but the shared corpus holds no
real output of it, so this spec does not ask for it rather than ship an untested mapping;
interface names and states come with the addresses from ``show ip interface brief``.
"""

from __future__ import annotations

from discovery.observations import (
    AddressObservation,
    DeviceObservation,
    InterfaceObservation,
    NeighborObservation,
)
from discovery.ssh import normalise as n
from discovery.ssh.platforms.base import (
    ParsedCommands,
    PlatformSpec,
    cdp_detail_neighbors,
    cisco_like_inventory,
    lldp_detail_neighbors,
    secrets,
)
from discovery.ssh.platforms.cisco_ios import CISCO_SECRETS

NXOS_VOLATILE = secrets(r"^!Time: .*$", r"^!Running configuration last done at: .*$")


def device(parsed: ParsedCommands) -> DeviceObservation:
    rec = parsed["version"][0]
    name, domain = n.split_domain(n.text(rec.get("hostname")))
    return DeviceObservation(
        sys_name=name,
        domain=domain,
        vendor="Cisco",
        model=n.text(rec.get("platform")),
        serial=n.serial(rec.get("serial")),
        os_name="NX-OS",
        os_version=n.text(rec.get("os")),
        uptime_seconds=n.uptime_seconds(rec.get("uptime")),
        platform="cisco_nxos",
    )


def interfaces(parsed: ParsedCommands) -> list[InterfaceObservation]:
    """L3 interfaces with states (``admin-up`` / ``link-up`` / ``protocol-up``) from the brief."""
    return [
        InterfaceObservation(
            name=rec["interface"],
            admin_status=(n.text(rec.get("status")) or "").removeprefix("admin-") or None,
            oper_status=(n.text(rec.get("proto")) or "").removeprefix("protocol-") or None,
        )
        for rec in parsed["addresses"]
    ]


def addresses(parsed: ParsedCommands) -> list[AddressObservation]:
    result = []
    for rec in parsed["addresses"]:
        found = n.interface_address(rec.get("ip_address"))
        if found:
            result.append(AddressObservation(found[0], found[1], rec["interface"], found[2]))
    return result


def neighbors(parsed: ParsedCommands) -> list[NeighborObservation]:
    return lldp_detail_neighbors(parsed.get("lldp", [])) + cdp_detail_neighbors(parsed.get("cdp", []))


SPEC = PlatformSpec(
    device_type="cisco_nxos",
    vendor="Cisco",
    os_name="NX-OS",
    commands={
        "version": "show version",
        "inventory": "show inventory",
        "addresses": "show ip interface brief",
        "lldp": "show lldp neighbors detail",
        "cdp": "show cdp neighbors detail",
    },
    config_command="show running-config",
    device=device,
    components=lambda parsed: cisco_like_inventory(parsed["inventory"]),
    interfaces=interfaces,
    addresses=addresses,
    neighbors=neighbors,
    error_markers=("% Invalid command", "% Incomplete command", "% Invalid input", "% Ambiguous command"),
    secret_patterns=CISCO_SECRETS,
    volatile_patterns=NXOS_VOLATILE,
)
