"""Cisco NX-OS: commands, ntc-templates field names, error text and secrets."""

from __future__ import annotations

from discovery.observations import (
    DeviceObservation,
    InterfaceObservation,
    NeighborObservation,
)
from discovery.ssh import normalise as n
from discovery.ssh.platforms import cisco_ios
from discovery.ssh.platforms.base import (
    ParsedCommands,
    PlatformSpec,
    admin_status,
    cdp_detail_neighbors,
    cisco_like_inventory,
    lldp_detail_neighbors,
    oper_status,
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
    """``show interface``: NX-OS prints "admin state is up" separately from the link state."""
    return [
        InterfaceObservation(
            name=rec["interface"],
            description=n.text(rec.get("hardware_type")),
            alias=n.text(rec.get("description")),
            speed_bps=n.bandwidth_bps(rec.get("bandwidth")),
            mac=n.mac(rec.get("mac_address")) or n.mac(rec.get("bia")),
            admin_status=n.text(rec.get("admin_state")) or admin_status(rec.get("link_status")),
            oper_status=oper_status(rec.get("link_status")),
            mtu=n.integer(rec.get("mtu")),
        )
        for rec in parsed["interfaces"]
    ]


def neighbors(parsed: ParsedCommands) -> list[NeighborObservation]:
    return lldp_detail_neighbors(parsed.get("lldp", [])) + cdp_detail_neighbors(parsed.get("cdp", []))


SPEC = PlatformSpec(
    device_type="cisco_nxos",
    vendor="Cisco",
    os_name="NX-OS",
    commands={
        "version": "show version",
        "inventory": "show inventory",
        "interfaces": "show interface",
        "addresses": "show ip interface brief",
        "lldp": "show lldp neighbors detail",
        "cdp": "show cdp neighbors detail",
    },
    config_command="show running-config",
    device=device,
    components=lambda parsed: cisco_like_inventory(parsed["inventory"]),
    interfaces=interfaces,
    addresses=cisco_ios.addresses,
    neighbors=neighbors,
    error_markers=("% Invalid command", "% Incomplete command", "% Invalid input", "% Ambiguous command"),
    secret_patterns=CISCO_SECRETS,
    volatile_patterns=NXOS_VOLATILE,
)
