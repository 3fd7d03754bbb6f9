"""What each simulated vendor looks like on the wire: models, sysObjectIDs, sysDescr formats,
interface naming, LLDP port-id conventions and serial-number shapes.

The formats copy real devices (see ``../shared/corpus/librenms/snmprec``): an IOS-XE sysDescr
is several CRLF-separated lines, EOS says "Arista Networks EOS version X running on an Arista
Networks MODEL", Junos names the kernel and build date, Linux is ``uname -a``. Product OIDs sit
under each vendor's real enterprise number (Cisco 9, Arista 30065, Juniper 2636, net-snmp 8072).
"""

from __future__ import annotations

from dataclasses import dataclass

CISCO = "Cisco"
ARISTA = "Arista"
JUNIPER = "Juniper"
LINUX = "Linux"


@dataclass(frozen=True, slots=True)
class Model:
    """One hardware model in one role: ports, speeds and the identifiers it reports."""

    vendor: str
    model: str
    sys_object_id: str
    access_ports: int  # server-facing / downlink ports
    access_speed: int  # bps
    uplink_ports: int
    uplink_speed: int
    psus: int = 2
    fans: int = 3


@dataclass(frozen=True, slots=True)
class Software:
    os_name: str
    os_version: str
    platform: str  # netmiko device_type


# Switch models per (vendor, tier). Tiers: core, aggregation, access.
SWITCH_MODELS: dict[tuple[str, str], Model] = {
    (CISCO, "core"): Model(
        CISCO, "C9500-32C", "1.3.6.1.4.1.9.1.2571", 32, 100_000_000_000, 0, 0, 2, 4
    ),
    (CISCO, "aggregation"): Model(
        CISCO, "C9500-48Y4C", "1.3.6.1.4.1.9.1.2590", 48, 25_000_000_000, 4, 100_000_000_000
    ),
    (CISCO, "access"): Model(
        CISCO, "C9300-48P", "1.3.6.1.4.1.9.1.2494", 48, 1_000_000_000, 4, 10_000_000_000
    ),
    (ARISTA, "core"): Model(
        ARISTA,
        "DCS-7280CR3-32P4",
        "1.3.6.1.4.1.30065.1.3011.7280.3282.3287.32.4",
        32,
        100_000_000_000,
        0,
        0,
    ),
    (ARISTA, "aggregation"): Model(
        ARISTA,
        "DCS-7280SR-48C6",
        "1.3.6.1.4.1.30065.1.3011.7280.3282.48.2870.6",
        48,
        10_000_000_000,
        6,
        100_000_000_000,
    ),
    (ARISTA, "access"): Model(
        ARISTA,
        "DCS-7150S-24",
        "1.3.6.1.4.1.30065.1.3011.7150.3282.24",
        48,
        10_000_000_000,
        4,
        10_000_000_000,
    ),
    (JUNIPER, "core"): Model(
        JUNIPER, "QFX10002-36Q", "1.3.6.1.4.1.2636.1.1.1.2.135", 36, 40_000_000_000, 0, 0
    ),
    (JUNIPER, "aggregation"): Model(
        JUNIPER,
        "QFX5100-48S-6Q",
        "1.3.6.1.4.1.2636.1.1.1.2.82",
        48,
        10_000_000_000,
        6,
        40_000_000_000,
    ),
    (JUNIPER, "access"): Model(
        JUNIPER, "EX4300-48T", "1.3.6.1.4.1.2636.1.1.1.2.63", 48, 1_000_000_000, 4, 10_000_000_000
    ),
}

SERVER_MODELS: tuple[tuple[str, str], ...] = (
    ("Dell Inc.", "PowerEdge R650"),
    ("Dell Inc.", "PowerEdge R750"),
    ("HPE", "ProLiant DL360 Gen10"),
    ("Supermicro", "SYS-1029P-WTR"),
)

SOFTWARE: dict[str, Software] = {
    CISCO: Software("IOS-XE", "17.9.4a", "cisco_xe"),
    ARISTA: Software("EOS", "4.30.4M", "arista_eos"),
    JUNIPER: Software("Junos", "21.4R3-S5.4", "juniper_junos"),
}

# Organisationally unique identifiers registered to each vendor.
OUI: dict[str, str] = {
    CISCO: "00:1b:54",
    ARISTA: "28:99:3a",
    JUNIPER: "3c:61:04",
    LINUX: "3c:fd:fe",
}

NET_SNMP_LINUX_OID = "1.3.6.1.4.1.8072.3.2.10"

LINUX_DISTROS: tuple[tuple[str, str, str], ...] = (
    # os_name, os_version, kernel
    ("Debian GNU/Linux", "12", "6.1.0-18-amd64"),
    ("Rocky Linux", "9.3", "5.14.0-362.18.1.el9_3.x86_64"),
    ("Ubuntu", "22.04", "5.15.0-94-generic"),
)

_KERNEL_BUILD = {
    "Debian GNU/Linux": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
    "Rocky Linux": "#1 SMP PREEMPT_DYNAMIC Mon Jan 29 07:05:48 EST 2024",
    "Ubuntu": "#104-Ubuntu SMP Tue Jan 9 15:25:40 UTC 2024",
}


def sys_descr(
    vendor: str, model: str, version: str, hostname: str = "", kernel: str = "", os_name: str = ""
) -> str:
    """The sysDescr.0 text each OS family really sends."""
    if vendor == CISCO:
        return (
            "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
            f"Version {version}, RELEASE SOFTWARE (fc3)\r\n"
            "Technical Support: http://www.cisco.com/techsupport\r\n"
            "Copyright (c) 1986-2023 by Cisco Systems, Inc.\r\n"
            "Compiled Fri 20-Oct-23 10:44 by mcpre"
        )
    if vendor == ARISTA:
        return f"Arista Networks EOS version {version} running on an Arista Networks {model}"
    if vendor == JUNIPER:
        kind = "Ethernet Switch" if model.startswith(("EX", "QFX")) else "internet router"
        return (
            f"Juniper Networks, Inc. {model.lower()} {kind}, kernel JUNOS {version}, "
            "Build date: 2023-06-20 04:35:52 UTC Copyright (c) 1996-2023 Juniper Networks, Inc."
        )
    return f"Linux {hostname} {kernel} {_KERNEL_BUILD.get(os_name, '#1 SMP')} x86_64"


def physical_port_names(vendor: str, model: Model) -> list[tuple[str, str, int]]:
    """(CLI name, ifName, speed) of every front-panel port, access ports first."""
    ports: list[tuple[str, str, int]] = []
    for i in range(model.access_ports):
        ports.append((*_access_name(vendor, model, i), model.access_speed))
    for j in range(model.uplink_ports):
        ports.append((*_uplink_name(vendor, model, j), model.uplink_speed))
    return ports


_CISCO_SPEED_NAMES = {
    1_000_000_000: ("GigabitEthernet", "Gi"),
    10_000_000_000: ("TenGigabitEthernet", "Te"),
    25_000_000_000: ("TwentyFiveGigE", "Twe"),
    40_000_000_000: ("FortyGigabitEthernet", "Fo"),
    100_000_000_000: ("HundredGigE", "Hu"),
}


def _access_name(vendor: str, model: Model, i: int) -> tuple[str, str]:
    if vendor == CISCO:
        long, short = _CISCO_SPEED_NAMES[model.access_speed]
        return f"{long}1/0/{i + 1}", f"{short}1/0/{i + 1}"
    if vendor == ARISTA:
        return f"Ethernet{i + 1}", f"Ethernet{i + 1}"
    prefix = {1_000_000_000: "ge", 10_000_000_000: "xe", 40_000_000_000: "et"}.get(
        model.access_speed, "et"
    )
    return f"{prefix}-0/0/{i}", f"{prefix}-0/0/{i}"


def _uplink_name(vendor: str, model: Model, j: int) -> tuple[str, str]:
    if vendor == CISCO:
        long, short = _CISCO_SPEED_NAMES[model.uplink_speed]
        return f"{long}1/1/{j + 1}", f"{short}1/1/{j + 1}"
    if vendor == ARISTA:
        return f"Ethernet{model.access_ports + j + 1}/1", f"Ethernet{model.access_ports + j + 1}/1"
    prefix = {10_000_000_000: "xe", 40_000_000_000: "et"}.get(model.uplink_speed, "et")
    return f"{prefix}-0/1/{j}", f"{prefix}-0/1/{j}"


def management_names(vendor: str) -> tuple[str, str]:
    """(management interface, loopback interface) names."""
    return {
        CISCO: ("GigabitEthernet0/0", "Loopback0"),
        ARISTA: ("Management1", "Loopback0"),
        JUNIPER: ("em0", "lo0"),
    }.get(vendor, ("eno1", "lo"))


def short_if_name(vendor: str, name: str) -> str:
    """IOS abbreviates ifName ("Gi1/0/1"); the others report the CLI name."""
    if vendor != CISCO:
        return name
    for long, short in _CISCO_SPEED_NAMES.values():
        if name.startswith(long):
            return short + name[len(long) :]
    return {"Loopback0": "Lo0", "GigabitEthernet0/0": "Gi0/0"}.get(name, name)


def chassis_serial(vendor: str, number: int) -> str:
    """A chassis serial in the vendor's shape, unique per ``number``."""
    if vendor == CISCO:
        return f"FOC{2300 + number % 52:04d}{_base36(number, 4)}"
    if vendor == ARISTA:
        return f"JPE{17000000 + number:08d}"
    if vendor == JUNIPER:
        return f"WS37{18000000 + number:08d}"
    return f"{_base36(number * 7 + 11, 7)}"  # Dell service-tag style


def part_serial(prefix: str, number: int) -> str:
    """Serial of a field-replaceable part (PSU, fan, optic); unique per (prefix, number)."""
    return f"{prefix}{_base36(number, 8)}"


def _base36(value: int, width: int) -> str:
    digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I / O, as vendors avoid them
    out = ""
    base = len(digits)
    while value:
        value, rem = divmod(value, base)
        out = digits[rem] + out
    return out.rjust(width, "0")[-width:] if len(out) <= width else out


def mac(vendor: str, number: int) -> str:
    """The ``number``-th MAC address in the vendor's OUI (24 bits of room)."""
    tail = number & 0xFFFFFF
    return f"{OUI[vendor]}:{tail >> 16:02x}:{(tail >> 8) & 0xFF:02x}:{tail & 0xFF:02x}"
