"""LLDP-MIB and CISCO-CDP-MIB neighbour tables -> ``NeighborObservation`` (pure)."""

from __future__ import annotations

from discovery.observations import InterfaceObservation, NeighborObservation
from discovery.snmp import mibs
from discovery.snmp.decode import bits, inet_address, integer, is_printable, mac, text
from discovery.snmp.walk import Oid, Value, Walk

# LldpChassisIdSubtype / LldpPortIdSubtype values whose id is a MAC or an address.
_CHASSIS_MAC, _CHASSIS_ADDRESS = 4, 5
_PORT_MAC, _PORT_ADDRESS = 3, 4
_LLDP_CAPABILITIES = (
    "other",
    "repeater",
    "bridge",
    "wlan_access_point",
    "router",
    "telephone",
    "docsis_cable_device",
    "station_only",
)
# CDP capability bits (cdpCacheCapabilities, 32-bit big-endian mask).
_CDP_CAPABILITIES = (
    (0x01, "router"),
    (0x02, "bridge"),
    (0x04, "source_route_bridge"),
    (0x08, "switch"),
    (0x10, "host"),
    (0x20, "igmp"),
    (0x40, "repeater"),
    (0x80, "phone"),
    (0x100, "remote_management"),
    (0x200, "cvta"),
    (0x400, "two_port_mac_relay"),
)


def lldp_id(
    subtype: int | None, value: Value | None, mac_subtype: int, address_subtype: int
) -> str | None:
    """Chassis/port id by subtype: MACs normalised, network addresses decoded, rest as text."""
    if not isinstance(value, bytes) or not value:
        return None
    if subtype == mac_subtype:
        return mac(value) or value.hex()
    if subtype == address_subtype and len(value) > 1:
        return inet_address(value[0], value[1:]) or value.hex()
    if is_printable(value):
        return text(value)
    # Binary ids of other subtypes (chassisComponent, local) that happen to be 6 octets are MACs.
    return mac(value) or value.hex()


def _local_port_names(walk: Walk, interfaces: list[InterfaceObservation]) -> dict[int, str]:
    """lldpLocPortNum -> local interface name.

    The port number is *not* the ifIndex on every agent, so first match the port's id or
    description against the interface names, then fall back to the number as ifIndex, then
    to the port's own text.
    """
    by_label: dict[str, str] = {}
    for interface in interfaces:
        for label in (interface.description, interface.name):
            if label:
                by_label.setdefault(label, interface.name)
    by_index = {i.if_index: i.name for i in interfaces if i.if_index is not None}
    ids, descs = walk.column(mibs.LLDP_LOC_PORT_ID), walk.column(mibs.LLDP_LOC_PORT_DESC)
    subtypes = walk.column(mibs.LLDP_LOC_PORT_ID_SUBTYPE)
    numbers = {key[0] for key in (*ids, *descs, *subtypes) if len(key) == 1}
    result: dict[int, str] = {}
    for number in numbers:
        port_id = lldp_id(
            integer(subtypes.get((number,))), ids.get((number,)), _PORT_MAC, _PORT_ADDRESS
        )
        port_desc = text(descs.get((number,)))
        named = next((by_label[t] for t in (port_id, port_desc) if t and t in by_label), None)
        if named is None and port_id and port_id.isdigit():  # subtype "local" carrying the ifIndex
            named = by_index.get(int(port_id))
        fallback = by_index.get(number) or port_desc or port_id
        if named or fallback:
            result[number] = named or fallback or ""
    return result


def _lldp_management_addresses(walk: Walk) -> dict[tuple[int, int, int], str]:
    """(timeMark, localPort, remIndex) -> first management address (IPv4 preferred)."""
    found: dict[tuple[int, int, int], str] = {}
    for key in walk.column(mibs.LLDP_REM_MAN_ADDR_IF_SUBTYPE):
        if len(key) < 6:
            continue
        row, family, rest = (key[0], key[1], key[2]), key[3], key[4:]
        octets = rest[1:] if rest[0] == len(rest) - 1 else rest
        if any(part > 255 for part in octets):
            continue
        address = inet_address(family, bytes(octets))
        if address and (row not in found or (family == 1 and ":" in found[row])):
            found[row] = address
    return found


def _capabilities(value: Value | None) -> tuple[str, ...]:
    return tuple(
        _LLDP_CAPABILITIES[bit] for bit in sorted(bits(value)) if bit < len(_LLDP_CAPABILITIES)
    )


def parse_lldp(walk: Walk, interfaces: list[InterfaceObservation]) -> list[NeighborObservation]:
    columns: dict[Oid, dict[Oid, Value]] = {
        prefix: walk.column(prefix)
        for prefix in (
            mibs.LLDP_REM_CHASSIS_ID_SUBTYPE,
            mibs.LLDP_REM_CHASSIS_ID,
            mibs.LLDP_REM_PORT_ID_SUBTYPE,
            mibs.LLDP_REM_PORT_ID,
            mibs.LLDP_REM_PORT_DESC,
            mibs.LLDP_REM_SYS_NAME,
            mibs.LLDP_REM_SYS_DESC,
            mibs.LLDP_REM_SYS_CAP_ENABLED,
        )
    }
    rows = sorted({key for column in columns.values() for key in column if len(key) == 3})
    local_names = _local_port_names(walk, interfaces)
    # Agents without lldpLocPortTable (FortiOS) number local ports by ifIndex.
    by_index = {i.if_index: i.name for i in interfaces if i.if_index is not None}
    mgmt = _lldp_management_addresses(walk)
    result = []
    for row in rows:

        def get(prefix: Oid, row: Oid = row) -> Value | None:
            return columns[prefix].get(row)

        local_port = row[1]
        result.append(
            NeighborObservation(
                protocol="lldp",
                local_interface=local_names.get(local_port)
                or by_index.get(local_port, str(local_port)),
                remote_system_name=text(get(mibs.LLDP_REM_SYS_NAME)),
                remote_chassis_id=lldp_id(
                    integer(get(mibs.LLDP_REM_CHASSIS_ID_SUBTYPE)),
                    get(mibs.LLDP_REM_CHASSIS_ID),
                    _CHASSIS_MAC,
                    _CHASSIS_ADDRESS,
                ),
                remote_port=lldp_id(
                    integer(get(mibs.LLDP_REM_PORT_ID_SUBTYPE)),
                    get(mibs.LLDP_REM_PORT_ID),
                    _PORT_MAC,
                    _PORT_ADDRESS,
                ),
                remote_port_description=text(get(mibs.LLDP_REM_PORT_DESC)),
                remote_mgmt_address=mgmt.get((row[0], row[1], row[2])),
                remote_description=text(get(mibs.LLDP_REM_SYS_DESC)),
                capabilities=_capabilities(get(mibs.LLDP_REM_SYS_CAP_ENABLED)),
            )
        )
    return result


def _cdp_address(address_type: int | None, raw: Value | None) -> str | None:
    """cdpCacheAddress: type 1 (ip) is four octets; others are rare and kept out."""
    if not isinstance(raw, bytes):
        return None
    if address_type in (None, 1) and len(raw) == 4:
        return inet_address(1, raw)
    if address_type == 20 and len(raw) == 16:  # ipv6 (CiscoNetworkProtocol)
        return inet_address(2, raw)
    return None


def _cdp_capabilities(raw: Value | None) -> tuple[str, ...]:
    if not isinstance(raw, bytes) or not raw:
        return ()
    mask = int.from_bytes(raw[-4:], "big")
    return tuple(name for bit, name in _CDP_CAPABILITIES if mask & bit)


def parse_cdp(walk: Walk, interfaces: list[InterfaceObservation]) -> list[NeighborObservation]:
    names = {i.if_index: i.name for i in interfaces if i.if_index is not None}
    device_ids = walk.column(mibs.CDP_CACHE_DEVICE_ID)
    columns = {
        prefix: walk.column(prefix)
        for prefix in (
            mibs.CDP_CACHE_ADDRESS_TYPE,
            mibs.CDP_CACHE_ADDRESS,
            mibs.CDP_CACHE_VERSION,
            mibs.CDP_CACHE_DEVICE_PORT,
            mibs.CDP_CACHE_PLATFORM,
            mibs.CDP_CACHE_CAPABILITIES,
        )
    }
    result = []
    for row in sorted(device_ids):
        if len(row) != 2:
            continue
        device_id = text(device_ids[row])
        result.append(
            NeighborObservation(
                protocol="cdp",
                local_interface=names.get(row[0], str(row[0])),
                remote_system_name=device_id,
                remote_port=text(columns[mibs.CDP_CACHE_DEVICE_PORT].get(row)),
                remote_mgmt_address=_cdp_address(
                    integer(columns[mibs.CDP_CACHE_ADDRESS_TYPE].get(row)),
                    columns[mibs.CDP_CACHE_ADDRESS].get(row),
                ),
                remote_platform=text(columns[mibs.CDP_CACHE_PLATFORM].get(row)),
                remote_description=text(columns[mibs.CDP_CACHE_VERSION].get(row)),
                capabilities=_cdp_capabilities(columns[mibs.CDP_CACHE_CAPABILITIES].get(row)),
            )
        )
    return result
