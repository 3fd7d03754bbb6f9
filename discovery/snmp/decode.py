"""Turning raw SNMP values into the normalised forms ``discovery.observations`` promises."""

from __future__ import annotations

import string
from ipaddress import IPv4Address, IPv6Address, ip_address

from discovery.snmp.walk import ObjectId, Value

_PRINTABLE = set(string.printable.encode())


def text(value: Value | None) -> str | None:
    """A DisplayString as text; ``None`` when absent or empty (never ``""``).

    Agents pad with NULs and spaces and a few send Latin-1, so decoding never fails.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            decoded = value.decode("latin-1")
    elif isinstance(value, ObjectId):
        decoded = value.dotted()
    else:
        decoded = str(value)
    cleaned = decoded.replace("\x00", "").strip()
    return cleaned or None


def integer(value: Value | None) -> int | None:
    return value if isinstance(value, int) else None


def is_printable(value: bytes) -> bool:
    return bool(value) and all(byte in _PRINTABLE for byte in value)


def mac(value: Value | None) -> str | None:
    """Six octets (or a textual MAC some agents send) -> ``aa:bb:cc:dd:ee:ff``.

    All-zero addresses mean "none" on most agents and are returned as ``None``.
    """
    if not isinstance(value, bytes):
        return None
    raw = value
    if len(value) != 6:
        hexdigits = "".join(ch for ch in value.decode("latin-1") if ch in string.hexdigits)
        if len(hexdigits) != 12 or not is_printable(value):
            return None
        raw = bytes.fromhex(hexdigits)
    if raw == bytes(6):
        return None
    return ":".join(f"{byte:02x}" for byte in raw)


def inet_address(family: int, raw: bytes) -> str | None:
    """InetAddress / IANA AddressFamilyNumbers pair -> compressed address text.

    Handles both InetAddressType (1 ipv4, 2 ipv6, 3 ipv4z, 4 ipv6z) and the IANA
    family numbers LLDP uses (1 ipv4, 2 ipv6); zone suffixes are dropped.
    """
    if family in (1, 3) and len(raw) >= 4:
        return str(IPv4Address(raw[:4]))
    if family in (2, 4) and len(raw) >= 16:
        return str(IPv6Address(raw[:16]))
    if is_printable(raw):  # some agents send the text form
        try:
            return str(ip_address(raw.decode()))
        except ValueError:
            return None
    return None


def bits(value: Value | None) -> set[int]:
    """SNMP BITS: bit 0 is the most significant bit of the first octet."""
    if not isinstance(value, bytes):
        return set()
    return {
        octet_index * 8 + bit
        for octet_index, octet in enumerate(value)
        for bit in range(8)
        if octet & (0x80 >> bit)
    }
