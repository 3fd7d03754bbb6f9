"""Render one lab device as an snmpsim ``.snmprec`` recording (``OID|TAG|VALUE`` lines).

The MIB content follows what real agents return: SNMPv2-MIB system group, IF-MIB ifTable and
ifXTable, IP-MIB ipAddrTable and ipAddressTable, ENTITY-MIB (switches), LLDP-MIB, CISCO-CDP-MIB
(Cisco devices, Cisco neighbours only: only Cisco sends CDP), HOST-RESOURCES-MIB (servers).
Neighbour tables are built from the far end's own data, so both ends of a link agree.

Lines are sorted by OID as a tuple of integers (snmpsim's GETNEXT relies on file order).
"""

from __future__ import annotations

import ipaddress
import zlib
from dataclasses import dataclass, field

from deploy.lab import vendors
from deploy.lab.encoding import (
    Row,
    counter64,
    gauge,
    hexstr,
    integer,
    ip,
    mac_bytes,
    octets,
    oid,
    ticks,
)
from deploy.lab.hostres import host_resources
from deploy.lab.topology import LabDevice, LabInterface, Topology

# IANAifType numbers.
IF_TYPES = {"ethernetCsmacd": 6, "softwareLoopback": 24, "ieee8023adLag": 161, "propVirtual": 53}
_STATUS = {"up": 1, "down": 2, "testing": 3}

SYSTEM = (1, 3, 6, 1, 2, 1, 1)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_ENTRY = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IP_ADDR_ENTRY = (1, 3, 6, 1, 2, 1, 4, 20, 1)
IP_ADDRESS_ENTRY = (1, 3, 6, 1, 2, 1, 4, 34, 1)
IP_ADDRESS_PREFIX_ENTRY = (1, 3, 6, 1, 2, 1, 4, 32, 1)
ENT_PHYSICAL_ENTRY = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
ENT_ALIAS_MAPPING = (1, 3, 6, 1, 2, 1, 47, 1, 3, 2, 1, 2)
LLDP_LOCAL = (1, 0, 8802, 1, 1, 2, 1, 3)
LLDP_REM_ENTRY = (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1)
LLDP_REM_MAN_ADDR_ENTRY = (1, 0, 8802, 1, 1, 2, 1, 4, 2, 1)
CDP_CACHE_ENTRY = (1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1)
CDP_GLOBAL = (1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 3)

# LLDP system capability bits (BITS, most significant bit first).
CAP_BRIDGE, CAP_ROUTER, CAP_STATION = 0x20, 0x08, 0x01
# CDP capability flags (cdpCacheCapabilities): Router, Switch, IGMP.
CDP_CAPS_L3_SWITCH = "00000029"

_TRANSCEIVERS = {
    10_000_000_000: "SFP-10G-SR",
    25_000_000_000: "SFP-25G-SR-S",
    40_000_000_000: "QSFP-40G-SR4",
    100_000_000_000: "QSFP-100G-SR4-S",
}
_PSU = {
    vendors.CISCO: "PWR-C1-715WAC",
    vendors.ARISTA: "PWR-500AC-F",
    vendors.JUNIPER: "JPSU-650W-AC-AFO",
}
_FAN = {vendors.CISCO: "FAN-T3", vendors.ARISTA: "FAN-7000-F", vendors.JUNIPER: "QFX5100-FAN-AFO"}
_PART_PREFIX = {vendors.CISCO: "FNS", vendors.ARISTA: "XTY", vendors.JUNIPER: "1ACQ"}


@dataclass
class LabIndex:
    """Lookups every rendering needs (built once per topology, shared by worker processes)."""

    topology: Topology
    by_name: dict[str, LabDevice] = field(default_factory=dict)
    neighbours: dict[str, list[tuple[LabInterface, LabDevice, LabInterface]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        self.by_name = {d.name: d for d in self.topology.devices}
        ifaces = {(d.name, i.name): i for d in self.topology.devices for i in d.interfaces}
        for link in self.topology.links:
            a, b = self.by_name[link.a_device], self.by_name[link.b_device]
            ia, ib = ifaces[(a.name, link.a_interface)], ifaces[(b.name, link.b_interface)]
            self.neighbours.setdefault(a.name, []).append((ia, b, ib))
            self.neighbours.setdefault(b.name, []).append((ib, a, ia))


def sys_name(device: LabDevice) -> str:
    """sysName.0 as the agent answers it: IOS appends the configured domain."""
    return f"{device.name}.{device.domain}" if device.domain else device.name


def render_device(index: LabIndex, device: LabDevice) -> str:
    """The complete, sorted recording of ``device``."""
    rows: list[Row] = []
    number = _stable_number(device)
    rows += _system(device, number)
    rows += _interfaces(device, number)
    rows += _addresses(device)
    rows += _lldp(index, device)
    if device.role == "server":
        rows += host_resources(device, number)
    else:
        rows += _entity(index, device, number)
    if device.vendor == vendors.CISCO:
        rows += _cdp(index, device)
    rows.sort(key=lambda r: r[0])
    return "".join(f"{'.'.join(map(str, oid))}|{value}\n" for oid, value in rows)


def _stable_number(device: LabDevice) -> int:
    """A per-device number that does not depend on list order (feeds uptimes and part serials)."""
    return int(ipaddress.IPv4Address(device.address)) & 0xFFFF


# --------------------------------------------------------------------------- SNMPv2-MIB


def _system(device: LabDevice, number: int) -> list[Row]:
    uptime = (number * 7_919_003 + 4_000_000) % (400 * 86_400 * 100)
    services = 72 if device.role == "server" else 6
    return [
        (SYSTEM + (1, 0), octets(device.sys_descr)),
        (SYSTEM + (2, 0), oid(device.sys_object_id)),
        (SYSTEM + (3, 0), ticks(uptime)),
        (SYSTEM + (4, 0), octets("noc@lab.example")),
        (SYSTEM + (5, 0), octets(sys_name(device))),
        (SYSTEM + (6, 0), octets(device.location)),
        (SYSTEM + (7, 0), integer(services)),
        (SYSTEM + (8, 0), ticks(0)),
    ]


# --------------------------------------------------------------------------- IF-MIB


def _interfaces(device: LabDevice, number: int) -> list[Row]:
    rows: list[Row] = [(IF_NUMBER, integer(len(device.interfaces)))]
    for iface in device.interfaces:
        rows += _if_rows(iface, number)
    return rows


def _if_rows(iface: LabInterface, number: int) -> list[Row]:
    i = iface.if_index
    up = iface.oper_status == "up"
    traffic = (zlib.crc32(iface.mac.encode()) * (number + 1)) % 10**12 if up else 0
    return [
        (IF_ENTRY + (1, i), integer(i)),
        (IF_ENTRY + (2, i), octets(iface.name)),
        (IF_ENTRY + (3, i), integer(IF_TYPES.get(iface.if_type, 1))),
        (IF_ENTRY + (4, i), integer(iface.mtu)),
        (IF_ENTRY + (5, i), gauge(iface.speed_bps)),
        (IF_ENTRY + (6, i), hexstr(mac_bytes(iface.mac))),
        (IF_ENTRY + (7, i), integer(_STATUS[iface.admin_status])),
        (IF_ENTRY + (8, i), integer(_STATUS[iface.oper_status])),
        (IF_ENTRY + (9, i), ticks(0)),
        (IFX_ENTRY + (1, i), octets(iface.if_name or iface.name)),
        (IFX_ENTRY + (6, i), counter64(traffic)),
        (IFX_ENTRY + (10, i), counter64(traffic // 3)),
        (IFX_ENTRY + (15, i), gauge(iface.speed_bps // 1_000_000)),
        (IFX_ENTRY + (17, i), integer(1 if iface.if_type == "ethernetCsmacd" else 2)),
        (IFX_ENTRY + (18, i), octets(iface.alias)),
    ]


# --------------------------------------------------------------------------- IP-MIB


def _addresses(device: LabDevice) -> list[Row]:
    rows: list[Row] = []
    for iface in device.interfaces:
        for text in iface.ipv4:
            rows += _ipv4_rows(iface.if_index, ipaddress.IPv4Interface(text))
        for text in iface.ipv6:
            rows += _ip_address_rows(iface.if_index, ipaddress.IPv6Interface(text))
    return rows


def _ipv4_rows(if_index: int, addr: ipaddress.IPv4Interface) -> list[Row]:
    index = tuple(addr.ip.packed)
    return [
        (IP_ADDR_ENTRY + (1, *index), ip(str(addr.ip))),
        (IP_ADDR_ENTRY + (2, *index), integer(if_index)),
        (IP_ADDR_ENTRY + (3, *index), ip(str(addr.netmask))),
        (IP_ADDR_ENTRY + (4, *index), integer(1)),
        (IP_ADDR_ENTRY + (5, *index), integer(65535)),
        *_ip_address_rows(if_index, addr),
    ]


def _ip_address_rows(
    if_index: int, addr: ipaddress.IPv4Interface | ipaddress.IPv6Interface
) -> list[Row]:
    """ipAddressTable row; its ipAddressPrefix points into ipAddressPrefixTable (prefix length)."""
    kind = 1 if addr.version == 4 else 2
    packed = addr.ip.packed
    index = (kind, len(packed), *packed)
    prefix = IP_ADDRESS_PREFIX_ENTRY + (
        5,
        if_index,
        kind,
        len(packed),
        *addr.network.network_address.packed,
        addr.network.prefixlen,
    )
    origin = 5 if addr.version == 6 and addr.ip.is_link_local else 2  # linklayer / manual
    return [
        (IP_ADDRESS_ENTRY + (3, *index), integer(if_index)),
        (IP_ADDRESS_ENTRY + (4, *index), integer(1)),  # unicast
        (IP_ADDRESS_ENTRY + (5, *index), oid(".".join(map(str, prefix)))),
        (IP_ADDRESS_ENTRY + (6, *index), integer(origin)),
        (IP_ADDRESS_ENTRY + (7, *index), integer(1)),  # preferred
        (IP_ADDRESS_ENTRY + (10, *index), integer(1)),  # active
        (IP_ADDRESS_ENTRY + (11, *index), integer(2)),  # volatile
    ]


# --------------------------------------------------------------------------- LLDP-MIB


def lldp_port(device: LabDevice, iface: LabInterface) -> tuple[int, int, bytes, str]:
    """(lldpLocPortNum, port-id subtype, port id, port description) as each OS sends them.

    IOS-XE and EOS number LLDP ports 1..n and send the interface name; Junos numbers them by
    ifIndex and sends the ifIndex as a "local" id; lldpd on Linux sends the MAC address.
    """
    if device.role == "server":
        return iface.if_index, 3, mac_bytes(iface.mac), iface.name
    if device.vendor == vendors.JUNIPER:
        return iface.if_index, 7, str(iface.if_index).encode(), iface.alias or iface.name
    port_num = device.interfaces.index(iface) + 1
    return port_num, 5, (iface.if_name or iface.name).encode(), iface.alias or iface.name


def lldp_capabilities(device: LabDevice) -> int:
    if device.role == "server":
        return CAP_STATION
    return CAP_BRIDGE if device.role == "access" else CAP_BRIDGE | CAP_ROUTER


def _lldp(index: LabIndex, device: LabDevice) -> list[Row]:
    caps = bytes([lldp_capabilities(device)])
    mgmt = ipaddress.IPv4Address(device.address).packed
    mgmt_if = next(i.if_index for i in device.interfaces if f"{device.address}/16" in i.ipv4)
    rows: list[Row] = [
        (LLDP_LOCAL + (1, 0), integer(4)),  # chassis id is a MAC address
        (LLDP_LOCAL + (2, 0), hexstr(mac_bytes(device.chassis_mac))),
        (LLDP_LOCAL + (3, 0), octets(sys_name(device))),
        (LLDP_LOCAL + (4, 0), octets(device.sys_descr)),
        (LLDP_LOCAL + (5, 0), hexstr(caps)),
        (LLDP_LOCAL + (6, 0), hexstr(caps)),
        (LLDP_LOCAL + (8, 1, 3, 1, 4, *mgmt), integer(5)),
        (LLDP_LOCAL + (8, 1, 4, 1, 4, *mgmt), integer(2)),  # ifIndex subtype
        (LLDP_LOCAL + (8, 1, 5, 1, 4, *mgmt), integer(mgmt_if)),
        (LLDP_LOCAL + (8, 1, 6, 1, 4, *mgmt), oid("0.0")),
    ]
    for iface in device.interfaces:
        if iface.if_type != "ethernetCsmacd" or iface.name == "eno1":
            continue
        num, subtype, port_id, desc = lldp_port(device, iface)
        rows += [
            (LLDP_LOCAL + (7, 1, 2, num), integer(subtype)),
            (
                LLDP_LOCAL + (7, 1, 3, num),
                hexstr(port_id) if subtype == 3 else octets(port_id.decode()),
            ),
            (LLDP_LOCAL + (7, 1, 4, num), octets(desc)),
        ]
    for rem_index, (local, peer, peer_iface) in enumerate(
        index.neighbours.get(device.name, []), start=1
    ):
        rows += _lldp_remote(device, local, peer, peer_iface, rem_index)
    return rows


def _lldp_remote(
    device: LabDevice,
    local: LabInterface,
    peer: LabDevice,
    peer_iface: LabInterface,
    rem_index: int,
) -> list[Row]:
    local_num = lldp_port(device, local)[0]
    _, subtype, port_id, desc = lldp_port(peer, peer_iface)
    caps = bytes([lldp_capabilities(peer)])
    peer_mgmt_if = next(i.if_index for i in peer.interfaces if f"{peer.address}/16" in i.ipv4)
    key = (0, local_num, rem_index)
    addr_key = key + (1, 4, *ipaddress.IPv4Address(peer.address).packed)
    return [
        (LLDP_REM_ENTRY + (4, *key), integer(4)),
        (LLDP_REM_ENTRY + (5, *key), hexstr(mac_bytes(peer.chassis_mac))),
        (LLDP_REM_ENTRY + (6, *key), integer(subtype)),
        (LLDP_REM_ENTRY + (7, *key), hexstr(port_id) if subtype == 3 else octets(port_id.decode())),
        (LLDP_REM_ENTRY + (8, *key), octets(desc)),
        (LLDP_REM_ENTRY + (9, *key), octets(sys_name(peer))),
        (LLDP_REM_ENTRY + (10, *key), octets(peer.sys_descr)),
        (LLDP_REM_ENTRY + (11, *key), hexstr(caps)),
        (LLDP_REM_ENTRY + (12, *key), hexstr(caps)),
        (LLDP_REM_MAN_ADDR_ENTRY + (3, *addr_key), integer(2)),
        (LLDP_REM_MAN_ADDR_ENTRY + (4, *addr_key), integer(peer_mgmt_if)),
        (LLDP_REM_MAN_ADDR_ENTRY + (5, *addr_key), oid("0.0")),
    ]


# --------------------------------------------------------------------------- CISCO-CDP-MIB


def _cdp(index: LabIndex, device: LabDevice) -> list[Row]:
    """CDP cache: only neighbours that are Cisco devices themselves (only Cisco sends CDP)."""
    rows: list[Row] = [
        (CDP_GLOBAL + (1, 0), integer(1)),  # cdpGlobalRun true
        (CDP_GLOBAL + (2, 0), integer(60)),
        (CDP_GLOBAL + (3, 0), integer(180)),
        (CDP_GLOBAL + (4, 0), octets(sys_name(device))),
    ]
    cisco = [n for n in index.neighbours.get(device.name, []) if n[1].vendor == vendors.CISCO]
    for dev_index, (local, peer, peer_iface) in enumerate(cisco, start=1):
        key = (local.if_index, dev_index)
        rows += [
            (CDP_CACHE_ENTRY + (3, *key), integer(1)),  # ip
            (CDP_CACHE_ENTRY + (4, *key), hexstr(ipaddress.IPv4Address(peer.address).packed)),
            (CDP_CACHE_ENTRY + (5, *key), octets(peer.sys_descr)),
            (CDP_CACHE_ENTRY + (6, *key), octets(sys_name(peer))),
            (CDP_CACHE_ENTRY + (7, *key), octets(peer_iface.name)),
            (CDP_CACHE_ENTRY + (8, *key), octets(f"cisco {peer.model}")),
            (CDP_CACHE_ENTRY + (9, *key), f"4x|{CDP_CAPS_L3_SWITCH}"),
            (CDP_CACHE_ENTRY + (11, *key), integer(1)),
            (CDP_CACHE_ENTRY + (12, *key), integer(3)),  # fullDuplex
        ]
    return rows


# --------------------------------------------------------------------------- ENTITY-MIB


@dataclass(frozen=True, slots=True)
class Component:
    """One entPhysicalTable row."""

    index: int
    cls: int  # 3 chassis, 5 container, 6 powerSupply, 7 fan, 9 module, 10 port
    name: str
    descr: str
    parent: int
    position: int
    model: str = ""
    serial: str = ""
    hardware_rev: str = ""
    firmware_rev: str = ""
    software_rev: str = ""
    fru: bool = True


def components(index: LabIndex, device: LabDevice, number: int) -> list[Component]:
    """The physical inventory of a switch: chassis, line card, PSUs, fans, ports with optics."""
    vendor = device.vendor
    parts = [
        Component(
            1,
            3,
            "Chassis" if vendor != vendors.CISCO else "Switch 1",
            f"{vendor} {device.model} chassis",
            0,
            -1,
            device.model,
            device.serial,
            "V02",
            "",
            device.os_version,
            fru=False,
        ),
        Component(
            1000,
            9,
            "FPC 0" if vendor == vendors.JUNIPER else "Linecard 0",
            f"{device.model} line card",
            1,
            1,
            f"{device.model}-LC",
            vendors.part_serial("LC", number * 1000 + 1),
            "V01",
            "1.2.3",
            device.os_version,
        ),
    ]
    model = vendors.SWITCH_MODELS[(vendor, device.role)]
    for k in range(model.psus):
        parts.append(
            Component(
                2000 + k,
                6,
                f"Power Supply {k + 1}",
                f"{_PSU[vendor]} power supply",
                1,
                10 + k,
                _PSU[vendor],
                vendors.part_serial("PS", number * 1000 + 10 + k),
                "A0",
            )
        )
    for k in range(model.fans):
        parts.append(
            Component(
                3000 + k,
                7,
                f"Fan Tray {k + 1}",
                "fan tray",
                1,
                20 + k,
                _FAN[vendor],
                vendors.part_serial("FT", number * 1000 + 20 + k),
                "A0",
            )
        )
    connected = {local.name for local, _, _ in index.neighbours.get(device.name, [])}
    for pos, iface in enumerate(device.interfaces, start=1):
        if iface.name not in connected or iface.speed_bps < 10_000_000_000:
            continue
        optic = _TRANSCEIVERS[iface.speed_bps]
        parts.append(
            Component(5000 + pos, 10, iface.if_name or iface.name, iface.name, 1000, pos, fru=False)
        )
        parts.append(
            Component(
                6000 + pos,
                9,
                f"{iface.name} transceiver",
                f"{optic} optic",
                5000 + pos,
                1,
                optic,
                vendors.part_serial(_PART_PREFIX[vendor], number * 1000 + 100 + pos),
                "01",
            )
        )
    return parts


def _entity(index: LabIndex, device: LabDevice, number: int) -> list[Row]:
    rows: list[Row] = []
    if_index = {i.name: i.if_index for i in device.interfaces}
    for c in components(index, device, number):
        e = c.index
        rows += [
            (ENT_PHYSICAL_ENTRY + (2, e), octets(c.descr)),
            (ENT_PHYSICAL_ENTRY + (3, e), oid("0.0")),
            (ENT_PHYSICAL_ENTRY + (4, e), integer(c.parent)),
            (ENT_PHYSICAL_ENTRY + (5, e), integer(c.cls)),
            (ENT_PHYSICAL_ENTRY + (6, e), integer(c.position)),
            (ENT_PHYSICAL_ENTRY + (7, e), octets(c.name)),
            (ENT_PHYSICAL_ENTRY + (8, e), octets(c.hardware_rev)),
            (ENT_PHYSICAL_ENTRY + (9, e), octets(c.firmware_rev)),
            (ENT_PHYSICAL_ENTRY + (10, e), octets(c.software_rev)),
            (ENT_PHYSICAL_ENTRY + (11, e), octets(c.serial)),
            (ENT_PHYSICAL_ENTRY + (12, e), octets(f"{device.vendor}" if c.cls != 10 else "")),
            (ENT_PHYSICAL_ENTRY + (13, e), octets(c.model)),
            (ENT_PHYSICAL_ENTRY + (14, e), octets("")),
            (ENT_PHYSICAL_ENTRY + (15, e), octets("")),
            (ENT_PHYSICAL_ENTRY + (16, e), integer(1 if c.fru else 2)),
        ]
        if c.cls == 10:
            rows.append(
                (ENT_ALIAS_MAPPING + (e, 0), oid(f"1.3.6.1.2.1.2.2.1.1.{if_index[c.descr]}"))
            )
    return rows
