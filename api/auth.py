"""Bearer tokens and roles.

A token is ``cmdb_<id>.<secret>``; the store keeps only the SHA-256 of the whole token under
record kind ``token`` and key ``<id>``, so a leaked database does not leak usable tokens.
The id lets a token be found (and revoked) without scanning; the hash is compared in
constant time. Tokens are created by the CLI (``cmdb token create``) through
:func:`create_token`; nothing in the API hands them out.

Roles: viewer reads; config-manager also reviews, merges and edits manual attributes and
business services; change-manager also creates and approves change requests; admin may do
everything.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.store import GraphStore

TOKEN_KIND = "token"
_PREFIX = "cmdb_"


class Role(enum.StrEnum):
    VIEWER = "viewer"
    CONFIG_MANAGER = "config-manager"
    CHANGE_MANAGER = "change-manager"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's name (recorded as actor in history) and role."""

    token_id: str
    name: str
    role: Role

    def may(self, needed: Role) -> bool:
        return allows(self.role, needed)


def allows(held: Role, needed: Role) -> bool:
    """Viewer is below both managers; the managers are not ordered; admin is above all."""
    return held is Role.ADMIN or needed is Role.VIEWER or held is needed


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: GraphStore, name: str, role: Role | str) -> str:
    """Create a token for ``name`` with ``role``; returns the token text (shown once)."""
    role = Role(role)
    if not name.strip():
        raise ValueError("a token needs a name (the person or system using it)")
    token_id = secrets.token_hex(8)
    token = f"{_PREFIX}{token_id}.{secrets.token_urlsafe(32)}"
    store.put_record(
        TOKEN_KIND,
        token_id,
        {
            "id": token_id,
            "name": name,
            "role": role.value,
            "sha256": _digest(token),
            "created_at": datetime.now(UTC).isoformat(),
        },
    )
    return token


def verify_token(store: GraphStore, token: str) -> Principal | None:
    """The principal of a valid token, or None (malformed, unknown, revoked or wrong)."""
    if not token.startswith(_PREFIX) or "." not in token:
        return None
    token_id = token[len(_PREFIX) :].split(".", 1)[0]
    if not token_id.isalnum():
        return None
    record = store.get_record(TOKEN_KIND, token_id)
    if record is None or record.get("revoked_at"):
        return None
    if not hmac.compare_digest(str(record.get("sha256", "")), _digest(token)):
        return None
    return Principal(token_id, str(record["name"]), Role(record["role"]))


class TokenVerifier:
    """:func:`verify_token` with a short memory, so that a request costs no store read.

    A valid token is trusted for ``ttl`` seconds after it was last checked; a revocation
    therefore takes effect within ``ttl``. Entries are keyed by the token's hash, never by
    the token itself.
    """

    def __init__(self, store: GraphStore, ttl: float = 30.0, max_entries: int = 4096) -> None:
        self.store = store
        self.ttl = ttl
        self.max_entries = max_entries
        self._known: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal | None:
        digest = _digest(token)
        now = time.monotonic()
        with self._lock:
            hit = self._known.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        principal = verify_token(self.store, token)
        with self._lock:
            if len(self._known) >= self.max_entries:
                self._known.clear()
            if principal is None:
                self._known.pop(digest, None)
            else:
                self._known[digest] = (principal, now + self.ttl)
        return principal


def revoke_token(store: GraphStore, token_id: str) -> bool:
    """Revoke a token by id (the record stays, marked, for the audit trail)."""
    record = store.get_record(TOKEN_KIND, token_id)
    if record is None:
        return False
    store.put_record(TOKEN_KIND, token_id, {**record, "revoked_at": datetime.now(UTC).isoformat()})
    return True


def list_tokens(store: GraphStore) -> list[dict[str, Any]]:
    """Every token's id, name, role and dates; never the hash."""
    out: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = store.list_records(TOKEN_KIND, offset=offset, limit=100)
        for item in page.items:
            out.append({k: v for k, v in item.items() if k != "sha256"})
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return out
