"""One SNMP conversation with one agent: GET and multi-column GETBULK walks (I/O only).

pysnmp 7's asyncio ``get_cmd`` / ``bulk_cmd`` send one PDU each; the walking logic is ours
so that several table columns advance in one GETBULK (as ``snmpbulkwalk`` does per column)
and so that misbehaving agents are caught: a column whose OIDs do not increase (an agent
looping on GETBULK) and columns longer than ``max_rows`` stop the walk with ``WalkError``.
Values are converted to plain Python values (see ``discovery.snmp.walk``) right here, so
nothing beyond this module sees a pysnmp object.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any
from weakref import WeakKeyDictionary

from pyasn1.type.univ import ObjectIdentifier, OctetString
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    usm3DESEDEPrivProtocol,
    usmAesCfb128Protocol,
    usmAesCfb192Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC128SHA224AuthProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC256SHA384AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
)
from pysnmp.proto import errind
from pysnmp.proto.rfc1902 import IpAddress
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from discovery.credentials import SnmpProfile, SnmpV2cProfile, SnmpV3Profile
from discovery.snmp.walk import ObjectId, Oid, Value

_AUTH = {
    "MD5": usmHMACMD5AuthProtocol,
    "SHA": usmHMACSHAAuthProtocol,
    "SHA224": usmHMAC128SHA224AuthProtocol,
    "SHA256": usmHMAC192SHA256AuthProtocol,
    "SHA384": usmHMAC256SHA384AuthProtocol,
    "SHA512": usmHMAC384SHA512AuthProtocol,
}
# AES192/AES256 use the Reeder key extension (Cisco and most network devices; net-snmp
# calls it "AES192C"/"AES256C"), not the Blumenthal draft.
_PRIV = {
    "DES": usmDESPrivProtocol,
    "3DES": usm3DESEDEPrivProtocol,
    "AES": usmAesCfb128Protocol,
    "AES128": usmAesCfb128Protocol,
    "AES192": usmAesCfb192Protocol,
    "AES256": usmAesCfb256Protocol,
}
# Error indications meaning "the agent answered but refused these credentials".
_AUTH_ERRORS = (
    errind.WrongDigest,
    errind.UnknownUserName,
    errind.UnknownSecurityName,
    errind.AuthenticationFailure,
    errind.AuthenticationError,
    errind.DecryptionError,
    errind.UnsupportedSecurityLevel,
    errind.UnknownCommunityName,
)


class SnmpError(Exception):
    """A request failed; ``reason`` is a machine-readable SectionError reason."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class WalkError(SnmpError):
    """A walk was stopped (loop, too many rows); ``partial`` holds what was read until then."""

    def __init__(self, reason: str, detail: str, partial: dict[Oid, Value]):
        super().__init__(reason, detail)
        self.partial = partial


def auth_data(profile: SnmpProfile) -> CommunityData | UsmUserData:
    """pysnmp credentials for a profile. The secret leaves its SecretStr only here."""
    if isinstance(profile, SnmpV2cProfile):
        return CommunityData(profile.community.get_secret_value(), mpModel=1)
    return UsmUserData(
        profile.user,
        authKey=profile.auth_key.get_secret_value() if profile.auth_key else None,
        privKey=profile.priv_key.get_secret_value() if profile.priv_key else None,
        authProtocol=_AUTH[profile.auth_protocol] if profile.auth_protocol else None,
        privProtocol=_PRIV[profile.priv_protocol] if profile.priv_protocol else None,
    )


# pysnmp configures one key set per USM user name per engine and silently keeps the first
# one it saw, so a user whose keys changed (a rotation, two profiles for the same user)
# gets an engine of its own. Keyed by the caller's engine; fingerprints stay in memory.
_USER_KEYS: WeakKeyDictionary[SnmpEngine, dict[str, str]] = WeakKeyDictionary()
_SIBLINGS: WeakKeyDictionary[SnmpEngine, list[SnmpEngine]] = WeakKeyDictionary()


def _key_fingerprint(profile: SnmpV3Profile) -> str:
    parts = [
        profile.auth_protocol or "",
        profile.auth_key.get_secret_value() if profile.auth_key else "",
        profile.priv_protocol or "",
        profile.priv_key.get_secret_value() if profile.priv_key else "",
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def engine_for(engine: SnmpEngine, profile: SnmpProfile) -> SnmpEngine:
    """The shared engine, unless this profile's USM user is configured there with other keys."""
    if not isinstance(profile, SnmpV3Profile):
        return engine
    fingerprint = _key_fingerprint(profile)
    for candidate in [engine, *_SIBLINGS.setdefault(engine, [])]:
        users = _USER_KEYS.setdefault(candidate, {})
        if users.setdefault(profile.user, fingerprint) == fingerprint:
            return candidate
    sibling = SnmpEngine()
    _SIBLINGS[engine].append(sibling)
    _USER_KEYS[sibling] = {profile.user: fingerprint}
    return sibling


def to_value(raw: Any) -> Value | None:
    """pysnmp value -> plain Python value; ``None`` for exceptions (noSuch*, endOfMibView)."""
    if isinstance(raw, NoSuchObject | NoSuchInstance | EndOfMibView):
        return None
    if isinstance(raw, IpAddress):
        return IPv4Address(raw.asOctets())
    if isinstance(raw, OctetString):
        return raw.asOctets()
    if isinstance(raw, ObjectIdentifier):
        return ObjectId(tuple(raw))
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def classify(indication: object) -> SnmpError:
    if isinstance(indication, errind.RequestTimedOut):
        return SnmpError("timeout", "no response")
    if isinstance(indication, _AUTH_ERRORS):
        return SnmpError("auth_failed", type(indication).__name__)
    return SnmpError("error", str(indication))


@dataclass
class Session:
    """Credentials + transport for one agent on a shared engine."""

    engine: SnmpEngine
    auth: CommunityData | UsmUserData
    transport: UdpTransportTarget
    context: ContextData

    @property
    def deadline(self) -> float:
        """Longest a request may take: pysnmp's own timeout x tries, plus slack.

        pysnmp times requests out from its dispatcher's timer; if that timer cannot run
        (an engine used from another event loop) a request would wait forever, so every
        request is bounded here as well.
        """
        return float(self.transport.timeout) * (int(self.transport.retries) + 1) + 2.0

    async def _bounded(self, request: Any) -> Any:
        try:
            return await asyncio.wait_for(request, self.deadline)
        except TimeoutError:
            raise SnmpError("timeout", "no response within the request deadline") from None

    @classmethod
    async def open(
        cls,
        engine: SnmpEngine,
        address: str,
        port: int,
        profile: SnmpProfile,
        *,
        timeout: float,
        retries: int,
    ) -> Session:
        transport = await UdpTransportTarget.create(
            (address, port), timeout=timeout, retries=retries
        )
        context = ContextData(contextName=getattr(profile, "context", "") or "")
        return cls(engine_for(engine, profile), auth_data(profile), transport, context)

    async def get(self, oids: list[Oid]) -> dict[Oid, Value]:
        """GET several scalars; absent ones (noSuchObject/Instance) are left out."""
        indication, status, index, varbinds = await self._bounded(
            get_cmd(
                self.engine,
                self.auth,
                self.transport,
                self.context,
                *(ObjectType(ObjectIdentity(oid)) for oid in oids),
                lookupMib=False,
            )
        )
        if indication:
            raise classify(indication)
        if status:
            raise SnmpError("rejected", f"{status.prettyPrint()} at {int(index)}")
        return {
            tuple(name): value for name, raw in varbinds if (value := to_value(raw)) is not None
        }

    async def bulk(self, oids: list[Oid], repetitions: int) -> list[tuple[Oid, Value | None]]:
        indication, status, index, varbinds = await self._bounded(
            bulk_cmd(
                self.engine,
                self.auth,
                self.transport,
                self.context,
                0,
                repetitions,
                *(ObjectType(ObjectIdentity(oid)) for oid in oids),
                lookupMib=False,
            )
        )
        if indication:
            raise classify(indication)
        if status:
            if str(status.prettyPrint()) == "tooBig" and repetitions > 1:
                return await self.bulk(oids, max(1, repetitions // 2))
            raise SnmpError("rejected", f"{status.prettyPrint()} at {int(index)}")
        return [(tuple(name), to_value(raw)) for name, raw in varbinds]

    async def walk_columns(
        self, columns: list[Oid], *, max_repetitions: int, max_rows: int
    ) -> dict[Oid, Value]:
        """Walk several table columns side by side with GETBULK.

        Each request carries the last OID seen of every unfinished column; a column ends at
        endOfMibView or at the first OID outside it. Rows are kept as they arrive, so a
        stopped walk still hands back what it read (``WalkError.partial``).
        """
        found: dict[Oid, Value] = {}
        cursor = {column: column for column in columns}
        rows = dict.fromkeys(columns, 0)
        while cursor:
            active = list(cursor)
            reply = await self.bulk([cursor[c] for c in active], max_repetitions)
            if not reply:
                break
            finished: set[Oid] = set()
            for position, (oid, value) in enumerate(reply):
                column = active[position % len(active)]
                if column in finished:
                    continue
                if value is None or oid[: len(column)] != column:
                    finished.add(column)
                    continue
                if oid <= cursor[column]:
                    raise WalkError(
                        "loop", f"agent returned non-increasing OIDs in {column}", found
                    )
                found[oid] = value
                cursor[column] = oid
                rows[column] += 1
                if rows[column] > max_rows:
                    raise WalkError(
                        "too_many_rows", f"more than {max_rows} rows in {column}", found
                    )
            for column in finished:
                del cursor[column]
        return found
