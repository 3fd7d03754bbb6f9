"""snmprec value encoding: each helper returns ``TAG|VALUE`` for one SNMP type.

Tags are ASN.1 tag numbers as snmpsim's ``.snmprec`` grammar expects them; a trailing ``x``
means the value is hex (used for binary strings and for text snmpsim would strip or split).
"""

from __future__ import annotations

Row = tuple[tuple[int, ...], str]  # (OID tuple, "TAG|VALUE")


def octets(value: str) -> str:
    """OCTET STRING: plain text when snmpsim can carry it verbatim, else hex (``4x``)."""
    if value == value.strip() and all(0x20 <= ord(c) < 0x7F for c in value):
        return f"4|{value}"
    return f"4x|{value.encode('utf-8').hex()}"


def hexstr(data: bytes) -> str:
    return f"4x|{data.hex()}"


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", "")) if mac else b""


def integer(value: int) -> str:
    return f"2|{value}"


def gauge(value: int) -> str:
    return f"66|{min(value, 4294967295)}"


def ticks(value: int) -> str:
    return f"67|{value % 4294967296}"


def oid(value: str) -> str:
    return f"6|{value}"


def ip(value: str) -> str:
    return f"64|{value}"


def counter64(value: int) -> str:
    return f"70|{value}"


def date_and_time(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> str:
    """SNMPv2-TC DateAndTime, 8 octets (local time, no zone)."""
    return hexstr(bytes([year >> 8, year & 0xFF, month, day, hour, minute, 0, 0]))
