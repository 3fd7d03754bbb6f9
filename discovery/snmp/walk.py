"""The walked data handed from the collector (or a recording) to the parsers.

A ``Walk`` maps each OID (a tuple of ints) to a plain Python value, so parsers never see
pysnmp objects and can be fed from a live agent, an snmprec recording or a test alike:

- INTEGER, Counter32/64, Gauge32, TimeTicks -> ``int``
- OCTET STRING -> ``bytes`` (decoding is the parser's job: text, MAC or binary address)
- OBJECT IDENTIFIER -> ``ObjectId`` (a tuple of ints, so it is distinguishable from ``bytes``)
- IpAddress -> ``IPv4Address``
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from ipaddress import IPv4Address

Oid = tuple[int, ...]


class ObjectId(tuple[int, ...]):
    """An OBJECT IDENTIFIER *value* (as opposed to a varbind's name)."""

    __slots__ = ()

    def dotted(self) -> str:
        return ".".join(str(part) for part in self)


Value = int | bytes | ObjectId | IPv4Address


def parse_oid(text: str) -> Oid:
    """``"1.3.6.1"`` or ``".1.3.6.1"`` -> ``(1, 3, 6, 1)``."""
    return tuple(int(part) for part in text.strip().strip(".").split("."))


class Walk(Mapping[Oid, Value]):
    """Immutable, OID-sorted varbinds with cheap subtree/column access for the parsers."""

    def __init__(self, varbinds: Mapping[Oid, Value] | None = None):
        self._data: dict[Oid, Value] = dict(varbinds or {})
        self._keys: list[Oid] = sorted(self._data)

    def __getitem__(self, oid: Oid) -> Value:
        return self._data[oid]

    def __iter__(self) -> Iterator[Oid]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def subtree(self, prefix: Oid) -> Iterator[tuple[Oid, Value]]:
        """Every (oid, value) under ``prefix``, in OID order."""
        start = bisect_left(self._keys, prefix)
        end = bisect_right(self._keys, prefix + (1 << 32,))
        for oid in self._keys[start:end]:
            yield oid, self._data[oid]

    def column(self, prefix: Oid) -> dict[Oid, Value]:
        """A table column: index suffix (the OID part after ``prefix``) -> value."""
        size = len(prefix)
        return {oid[size:]: value for oid, value in self.subtree(prefix)}

    def scalar(self, oid: Oid) -> Value | None:
        """A scalar by its OID without the trailing ``.0`` (or with it)."""
        if oid in self._data:
            return self._data[oid]
        return self._data.get(oid + (0,))
