"""Readiness probe for the lab's agents: one SNMPv2c GET per agent, all in flight at once.

The lab starts hundreds of agents; waiting for each with a blocking client would take minutes,
so the probe sends every request from one UDP socket and collects the answers as they come,
re-sending to the agents that have not answered yet. It uses pysnmp's message layer only
(the BER codec), which is stable across pysnmp versions.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterable

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

SYS_NAME_OID = "1.3.6.1.2.1.1.5.0"
_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]

Target = tuple[str, int]


def _request(community: str, request_id: int, oid: str) -> bytes:
    pdu = _V2C.GetRequestPDU()
    _V2C.apiPDU.set_defaults(pdu)
    _V2C.apiPDU.set_request_id(pdu, request_id)
    _V2C.apiPDU.set_varbinds(pdu, [(oid, _V2C.Null(""))])
    message = _V2C.Message()
    _V2C.apiMessage.set_defaults(message)
    _V2C.apiMessage.set_community(message, community)
    _V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def _decode(data: bytes) -> tuple[int, str] | None:
    """(request id, first value as text) of a response, None if it is not a clean answer."""
    try:
        message, _ = decoder.decode(data, asn1Spec=_V2C.Message())
    except Exception:  # a malformed datagram is simply not an answer
        return None
    pdu = _V2C.apiMessage.get_pdu(message)
    if _V2C.apiPDU.get_error_status(pdu):
        return None
    varbinds = _V2C.apiPDU.get_varbinds(pdu)
    if not varbinds:
        return None
    value = varbinds[0][1]
    return int(_V2C.apiPDU.get_request_id(pdu)), value.prettyPrint()


def get_many(
    targets: Iterable[Target],
    community: str = "public",
    oid: str = SYS_NAME_OID,
    timeout: float = 30.0,
    resend_every: float = 1.0,
) -> dict[Target, str]:
    """Value of ``oid`` from every target that answered within ``timeout`` seconds."""
    pending = {i + 1: t for i, t in enumerate(targets)}
    answers: dict[Target, str] = {}
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        while pending and time.monotonic() < deadline:
            for request_id, target in pending.items():
                sock.sendto(_request(community, request_id, oid), target)
            _collect(sock, pending, answers, min(deadline, time.monotonic() + resend_every))
    return answers


def _collect(
    sock: socket.socket, pending: dict[int, Target], answers: dict[Target, str], until: float
) -> None:
    while pending and (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            return
        data, sender = sock.recvfrom(65535)
        decoded = _decode(data)
        if decoded is None:
            continue
        request_id, value = decoded
        target = pending.get(request_id)
        if target is not None and target == (sender[0], sender[1]):
            answers[target] = value
            del pending[request_id]
