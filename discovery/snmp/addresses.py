"""IP-MIB ipAddrTable (IPv4) and ipAddressTable (IPv4 + IPv6) -> ``AddressObservation`` (pure)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from discovery.observations import AddressObservation
from discovery.snmp import mibs
from discovery.snmp.decode import inet_address, integer
from discovery.snmp.walk import ObjectId, Oid, Walk

_UNICAST = 1


def _ipv4_table(walk: Walk, names: dict[int, str]) -> list[AddressObservation]:
    masks = walk.column(mibs.IP_AD_ENT_NETMASK)
    result = []
    for key, if_index in walk.column(mibs.IP_AD_ENT_IF_INDEX).items():
        if len(key) != 4 or not isinstance(if_index, int):
            continue
        address = str(IPv4Address(bytes(key)))
        mask = masks.get(key)
        prefix = IPv4Network(f"0.0.0.0/{mask}").prefixlen if isinstance(mask, IPv4Address) else None
        result.append(AddressObservation(address, prefix, names.get(if_index), 4))
    return result


def _split_inet_index(key: Oid) -> tuple[int, bytes] | None:
    """``type.len.octets`` (RFC 4293) or ``type.octets`` (some older agents omit the length)."""
    if len(key) < 2:
        return None
    family = key[0]
    octets = key[2:] if len(key) - 2 == key[1] else key[1:]
    if any(part > 255 for part in octets):
        return None
    return family, bytes(octets)


def _prefix_length(pointer: object) -> int | None:
    """ipAddressPrefix points into ipAddressPrefixTable; the last sub-id is the prefix length."""
    table = mibs.IP_ADDRESS_PREFIX_ORIGIN_TABLE
    if (
        isinstance(pointer, ObjectId)
        and len(pointer) > len(table)
        and pointer[: len(table)] == table
    ):
        return pointer[-1]
    return None


def _ip_address_table(walk: Walk, names: dict[int, str]) -> list[AddressObservation]:
    prefixes = walk.column(mibs.IP_ADDRESS_PREFIX)
    types = walk.column(mibs.IP_ADDRESS_TYPE)
    result = []
    for key, if_index in walk.column(mibs.IP_ADDRESS_IF_INDEX).items():
        split = _split_inet_index(key)
        if (
            split is None
            or not isinstance(if_index, int)
            or integer(types.get(key)) not in (None, _UNICAST)
        ):
            continue
        family, raw = split
        address = inet_address(family, raw)
        if address is None:
            continue
        version = 6 if family in (2, 4) else 4
        result.append(
            AddressObservation(
                address, _prefix_length(prefixes.get(key)), names.get(if_index), version
            )
        )
    return result


def _ipv6_mib_table(walk: Walk, names: dict[int, str]) -> list[AddressObservation]:
    """ipv6AddrTable: index ifIndex + 16 address octets, value the prefix length."""
    result = []
    for key, prefix in walk.column(mibs.IPV6_ADDR_PFX_LENGTH).items():
        if len(key) != 17 or any(part > 255 for part in key[1:]):
            continue
        address = inet_address(2, bytes(key[1:]))
        if address is not None:
            result.append(AddressObservation(address, integer(prefix), names.get(key[0]), 6))
    return result


def parse_addresses(walk: Walk, names: dict[int, str]) -> list[AddressObservation]:
    """Union of the tables; the first to name an address wins: the legacy IPv4 table (it
    always carries the mask), then ipAddressTable, then the obsolete IPV6-MIB table."""
    result = _ipv4_table(walk, names)
    seen = {a.address for a in result}
    for address in _ip_address_table(walk, names) + _ipv6_mib_table(walk, names):
        if address.address not in seen:
            seen.add(address.address)
            result.append(address)
    return result
