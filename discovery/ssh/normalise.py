"""Normalisation of single field values (MACs, speeds, addresses, uptimes) taken from parsed records.

These never parse device output; they turn one already-extracted value into the form
``discovery.observations`` prescribes.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

_HEX = re.compile(r"[0-9a-fA-F]")
_UPTIME_UNITS = {
    "year": 365 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}
_UPTIME_PART = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)", re.IGNORECASE)
_JUNK_SERIALS = frozenset(
    {"", "none", "n/a", "na", "builtin", "not specified", "to be filled by o.e.m.", "default string",
     "system serial number", "0", "unknown", "not available"}
)


def text(value: Any) -> str | None:
    """A record value as text, ``None`` when empty (TextFSM gives "" for absent values)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else ""
    value = str(value).strip()
    return value or None


def mac(value: Any) -> str | None:
    """``2803.829a.1347`` / ``28-03-82-9a-13-47`` / ``28:03:82:9A:13:47`` -> ``28:03:82:9a:13:47``."""
    raw = text(value)
    if raw is None:
        return None
    digits = "".join(_HEX.findall(raw))
    if len(digits) != 12 or len(digits) != len(re.sub(r"[.:\-\s]", "", raw)):
        return None
    digits = digits.lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def chassis_id(value: Any) -> str | None:
    """An LLDP chassis id: a normalised MAC when it is one, else the text as given."""
    return mac(value) or text(value)


def serial(value: Any) -> str | None:
    """A serial number, or ``None`` for the placeholders vendors print instead of one."""
    raw = text(value)
    if raw is None or raw.lower() in _JUNK_SERIALS:
        return None
    return raw


def integer(value: Any) -> int | None:
    raw = text(value)
    return int(raw) if raw is not None and raw.isdigit() else None


def bandwidth_bps(value: Any) -> int | None:
    """``1000000 Kbit`` / ``10000000 kbit`` (as printed by IOS/EOS) -> bits per second."""
    raw = text(value)
    if raw is None:
        return None
    number, _, unit = raw.partition(" ")
    if not number.isdigit():
        return None
    scale = {"kbit": 1000, "mbit": 1_000_000, "gbit": 1_000_000_000}.get(unit.strip().lower(), 1)
    return int(number) * scale


def uptime_seconds(value: Any) -> int | None:
    """``2 years, 31 weeks, 6 days, 9 hours, 55 minutes`` / ``123 day(s), 5 hour(s)`` -> seconds."""
    raw = text(value)
    if raw is None:
        return None
    parts = _UPTIME_PART.findall(raw)
    if not parts:
        return None
    return sum(int(n) * _UPTIME_UNITS[unit.lower()] for n, unit in parts)


def interface_address(address: Any, prefix: Any = None) -> tuple[str, int | None, int] | None:
    """``10.1.1.1/24`` or (``10.1.1.1``, ``24``) -> (compressed address, prefix length, version)."""
    raw = text(address)
    if raw is None:
        return None
    plen = integer(prefix)
    if "/" in raw:
        raw, _, length = raw.partition("/")
        plen = int(length) if length.isdigit() else plen
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return None  # "unassigned", masked addresses (x.x.x.x) in captures, ...
    return ip.compressed, plen, ip.version


def split_domain(hostname: str | None) -> tuple[str | None, str | None]:
    """``spine2.company.com`` -> (``spine2``, ``company.com``)."""
    if hostname is None:
        return None, None
    name, _, domain = hostname.partition(".")
    return name or None, domain or None
