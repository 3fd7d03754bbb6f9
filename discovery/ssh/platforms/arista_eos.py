"""Arista EOS: commands, ntc-templates field names, error text and secrets."""

from __future__ import annotations

from discovery.observations import AddressObservation, DeviceObservation, InterfaceObservation
from discovery.ssh import normalise as n
from discovery.ssh.platforms.base import (
    ParsedCommands,
    PlatformSpec,
    admin_status,
    cisco_like_inventory,
    lldp_detail_neighbors,
    oper_status,
    secrets,
)

EOS_SECRETS = secrets(
    r"^(\s*enable (?:secret|password)(?: sha512| md5| \d+)?) (\S+)",
    r"^(\s*username \S+ .*?\b(?:secret|password)(?: sha512| md5| \d+)?) (\S+)",
    r"^(\s*snmp-server community) (\S+)",
    r"^(\s*snmp-server user \S+ \S+ v3) ((?:auth|priv|localized)\b.*)$",
    r"(authentication-key(?: \d+)?) (\S+)",
    r"^(\s*neighbor \S+ password(?: \d+)?) (\S+)",
    r"^(\s*(?:tacacs-server|radius-server)\b.*?\bkey(?: \d+)?) (\"[^\"]*\"|\S+)",
)


def device(parsed: ParsedCommands) -> DeviceObservation:
    """`show version` names no host name on EOS; the collector takes it from the prompt."""
    rec = parsed["version"][0]
    memory_kb = n.integer(rec.get("total_memory"))
    return DeviceObservation(
        vendor="Arista",
        model=n.text(rec.get("model")),
        serial=n.serial(rec.get("serial_number")),
        os_name="EOS",
        os_version=n.text(rec.get("image")),
        chassis_id=n.mac(rec.get("sys_mac")),
        uptime_seconds=n.uptime_seconds(rec.get("uptime")),
        memory_bytes=memory_kb * 1024 if memory_kb is not None else None,
        platform="arista_eos",
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
    result = []
    for rec in parsed["addresses"]:
        found = n.interface_address(rec.get("ip_address"))
        if found:
            result.append(AddressObservation(found[0], found[1], rec["interface"], found[2]))
    return result


SPEC = PlatformSpec(
    device_type="arista_eos",
    vendor="Arista",
    os_name="EOS",
    commands={
        "version": "show version",
        "inventory": "show inventory",
        "interfaces": "show interfaces",
        "addresses": "show ip interface brief",
        "lldp": "show lldp neighbors detail",
    },
    config_command="show running-config",
    device=device,
    components=lambda parsed: cisco_like_inventory(parsed["inventory"]),
    interfaces=interfaces,
    addresses=addresses,
    neighbors=lambda parsed: lldp_detail_neighbors(parsed.get("lldp", [])),
    error_markers=("% Invalid input", "% Incomplete command", "% Ambiguous command"),
    secret_patterns=EOS_SECRETS,
)
