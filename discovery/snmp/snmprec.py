"""Load snmpsim ``.snmprec`` recordings into a ``Walk``.

Format: one variable per line, ``OID|TAG|VALUE``; TAG is the ASN.1 tag number
(2 Integer, 4 OctetString, 5 Null, 6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32,
67 TimeTicks, 70 Counter64); a trailing ``x`` means VALUE is hex-encoded. Used by the
parser tests, the agreement benchmark and the lab (recordings are also served by snmpsim).
"""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from discovery.snmp.walk import ObjectId, Oid, Value, Walk, parse_oid

_INTEGER_TAGS = {"2", "65", "66", "67", "70"}


def decode_value(tag: str, raw: str) -> Value | None:
    """One recorded value -> Python value; ``None`` for Null and unknown tags."""
    hexed = tag.endswith("x")
    base = tag.rstrip("x")
    data = bytes.fromhex(raw) if hexed else None
    if base == "4":
        return data if data is not None else raw.encode("utf-8", "surrogateescape")
    if base in _INTEGER_TAGS:
        return int(data.decode() if data is not None else raw)
    if base == "6":
        text = data.decode() if data is not None else raw
        return ObjectId(parse_oid(text)) if text.strip(".") else ObjectId(())
    if base == "64":
        if data is not None and len(data) == 4:
            return IPv4Address(data)
        return IPv4Address(raw)
    return None


def parse_snmprec(text: str) -> Walk:
    """Parse recording text; malformed lines are skipped (recordings are hand-edited)."""
    varbinds: dict[Oid, Value] = {}
    for line in text.splitlines():
        parts = line.rstrip("\r").split("|", 2)
        if len(parts) != 3 or not parts[0]:
            continue
        oid_text, tag, raw = parts
        try:
            value = decode_value(tag, raw)
            oid = parse_oid(oid_text)
        except ValueError:
            continue
        if value is not None:
            varbinds[oid] = value
    return Walk(varbinds)


def load_snmprec(path: Path) -> Walk:
    return parse_snmprec(path.read_text(encoding="utf-8", errors="surrogateescape"))
