"""Cisco IOS / IOS-XE: commands, ntc-templates field names, error text and secrets."""

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
    admin_status,
    cdp_detail_neighbors,
    cisco_like_inventory,
    lldp_detail_neighbors,
    oper_status,
    secrets,
)

CISCO_SECRETS = secrets(
    r"^(\s*enable (?:secret|password)(?: \d+)?) (\S+)",
    r"^(\s*username \S+ .*?(?:secret|password)(?: \d+)?) (\S+)",
    r"^(\s*snmp-server community) (\S+)",
    r"^(\s*snmp-server user \S+ \S+(?: v3)?) ((?:auth|priv)\b.*)$",
    r"(key-string(?: \d+)?) (\S+)",
    r"(authentication-key(?: \d+)?) (\S+)",
    r"^(\s*(?:tacacs-server|radius-server)\b.*?\bkey(?: \d+)?) (\"[^\"]*\"|\S+)",
    r"^(\s*(?:password|secret)(?: \d+)?) (\S+)",
    r"^(\s*neighbor \S+ password(?: \d+)?) (\S+)",
    r"^(\s*crypto isakmp key(?: \d+)?) (\S+)",
)
IOS_VOLATILE = secrets(
    r"^! Last configuration change at .*$",
    r"^! NVRAM config last updated at .*$",
    r"^Current configuration : \d+ bytes$",
    r"^ntp clock-period \d+$",
)


def device(parsed: ParsedCommands) -> DeviceObservation:
    rec = parsed["version"][0]
    name, domain = n.split_domain(n.text(rec.get("hostname")))
    return DeviceObservation(
        sys_name=name,
        domain=domain,
        vendor="Cisco",
        model=n.text(rec.get("hardware")),
        serial=n.serial(rec.get("serial")),
        os_name="IOS",
        os_version=n.text(rec.get("version")),
        chassis_id=n.mac(rec.get("mac_address")),
        uptime_seconds=n.uptime_seconds(rec.get("uptime")),
        platform="cisco_ios",
    )


def interfaces(parsed: ParsedCommands) -> list[InterfaceObservation]:
    return [
        InterfaceObservation(
            name=rec["interface"],
            description=n.text(rec.get("hardware_type")),
            alias=n.text(rec.get("description")),
            speed_bps=n.bandwidth_bps(rec.get("bandwidth")),
            mac=n.mac(rec.get("mac_address")) or n.mac(rec.get("bia")),
            admin_status=admin_status(rec.get("link_status")),
            oper_status=oper_status(rec.get("protocol_status")),
            mtu=n.integer(rec.get("mtu")),
        )
        for rec in parsed["interfaces"]
    ]


def addresses(parsed: ParsedCommands) -> list[AddressObservation]:
    """Addresses from `show ip interface brief`; prefix lengths from `show interface(s)` when it ran.

    Joined on the address: the brief abbreviates names on NX-OS (Eth1/1 vs Ethernet1/1).
    """
    prefixes = {rec.get("ip_address"): rec.get("prefix_length") for rec in parsed.get("interfaces", [])}
    result = []
    for rec in parsed["addresses"]:
        found = n.interface_address(rec.get("ip_address"), prefixes.get(rec.get("ip_address")))
        if found:
            result.append(AddressObservation(found[0], found[1], rec["interface"], found[2]))
    return result


def neighbors(parsed: ParsedCommands) -> list[NeighborObservation]:
    return lldp_detail_neighbors(parsed.get("lldp", [])) + cdp_detail_neighbors(parsed.get("cdp", []))


SPEC = PlatformSpec(
    device_type="cisco_ios",
    vendor="Cisco",
    os_name="IOS",
    commands={
        "version": "show version",
        "inventory": "show inventory",
        "interfaces": "show interfaces",
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
    error_markers=("% Invalid input", "% Incomplete command", "% Ambiguous command", "% Unknown command"),
    secret_patterns=CISCO_SECRETS,
    volatile_patterns=IOS_VOLATILE,
)
