"""Identification: which CI an observation is about.

Devices are identified by keys tried in a fixed order of strength (the rule order):
hardware serial, chassis MAC / LLDP chassis id, sysName+domain, management IP. A short host
name without domain is a fifth, weak key used only to complete placeholders and to resolve
neighbour names. Junk serials, MACs and names that many boxes share ("To be filled by
O.E.M.", 00:00:00:00:00:00, "switch", "<private>") are ignored, and a match on a
weaker key is refused when a stronger key contradicts it (same IP, different serial: a new box).

Children get deterministic uids derived from their device's uid (``CIClass.key_doc``), so
identifying the device identifies everything under it.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from discovery.observations import DeviceObservation, NeighborObservation
from graph.model import CI, CIStatus
from graph.schema import DEVICE_CLASSES

# Rule order: lower rank = stronger key.
KEY_RANKS: dict[str, int] = {"serial": 0, "mac": 1, "name": 2, "ip": 3, "host": 4}
STRONG_KINDS = ("serial", "mac")

_JUNK_SERIALS = {
    "",
    "0",
    "none",
    "null",
    "n/a",
    "na",
    "unknown",
    "not specified",
    "not available",
    "default string",
    "to be filled by o.e.m.",
    "system serial number",
    "chassis serial number",
    "serial number",
    "0123456789",
    "123456789",
    "1234567890",
    "vmware-",
    "xxxxxxxxxx",
    "serial",
    "serialnumber",
    "default",
    "empty",
}
# Host names that devices ship with or that recordings anonymise: never identifying.
_JUNK_NAMES = {
    "localhost",
    "localhost.localdomain",
    "switch",
    "router",
    "default",
    "unknown",
    "none",
    "(none)",
    "private",
    "sysname",
    "hostname",
}
_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_JUNK_MACS = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}


def is_junk_serial(serial: str | None) -> bool:
    """Serials that vendors leave as placeholders, or that are too short to be unique."""
    if serial is None:
        return True
    text = serial.strip().lower()
    if text in _JUNK_SERIALS or len(text) < 3:
        return True
    return len(set(text.replace("-", "").replace(" ", ""))) <= 1  # "0000000", "xxxx", "----"


def clean_serial(serial: str | None) -> str | None:
    return None if serial is None or is_junk_serial(serial) else serial.strip()


def is_mac(value: str | None) -> bool:
    return value is not None and bool(_MAC_RE.match(value.lower()))


def is_junk_mac(value: str | None) -> bool:
    return value is None or value.lower() in _JUNK_MACS


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def target_address(target: str) -> str:
    """The address part of a collector target (``"10.0.0.1"``, ``"10.0.0.1:161"``, ``"[::1]:22"``)."""
    text = target.strip()
    if text.startswith("["):
        return text[1 : text.index("]")]
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


def key_kind(key: str) -> str:
    return key.split(":", 1)[0]


def key_rank(key: str) -> int:
    return KEY_RANKS[key_kind(key)]


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Keys strongest first, deterministic (rank, then text)."""
    return sorted(set(keys), key=lambda k: (key_rank(k), k))


def is_junk_name(name: str | None) -> bool:
    """Factory-default or anonymised names ("switch", "localhost", "<private>")."""
    if name is None:
        return True
    text = name.strip().lower().rstrip(".")
    return (
        len(text) < 2 or text in _JUNK_NAMES or text.split(".", 1)[0] in _JUNK_NAMES or "<" in text
    )


def _name_keys(name: str | None, domain: str | None) -> list[str]:
    if name is None or is_junk_name(name):
        return []
    text = name.strip().lower().rstrip(".")
    host = text.split(".", 1)[0]
    fqdn = f"{host}.{domain.strip().lower().rstrip('.')}" if domain and "." not in text else text
    return [f"name:{fqdn}", f"host:{host}"]


def device_keys(obs: DeviceObservation, target: str | None = None) -> list[str]:
    """Identification keys of a discovered device, strongest first."""
    keys: list[str] = []
    serial = clean_serial(obs.serial)
    if serial:
        keys.append(f"serial:{serial.upper()}")
    if obs.chassis_id and is_mac(obs.chassis_id) and not is_junk_mac(obs.chassis_id):
        keys.append(f"mac:{obs.chassis_id.lower()}")
    keys.extend(_name_keys(obs.sys_name, obs.domain))
    address = obs.mgmt_ip or (target_address(target) if target else None)
    if address and _is_ip(address):
        keys.append(f"ip:{ipaddress.ip_address(address).compressed}")
    return sort_keys(keys)


_CDP_SERIAL = re.compile(r"^(?P<name>[^()]+)\((?P<serial>[^()]+)\)$")


def neighbor_keys(nb: NeighborObservation) -> list[str]:
    """Keys naming the remote end of a link, strongest first.

    NX-OS CDP device ids look like ``name(SERIAL)``: the serial is a key too.
    """
    keys: list[str] = []
    chassis = nb.remote_chassis_id
    if chassis:
        if is_mac(chassis) and not is_junk_mac(chassis):
            keys.append(f"mac:{chassis.lower()}")
        elif _is_ip(chassis):
            keys.append(f"ip:{ipaddress.ip_address(chassis).compressed}")
    name = nb.remote_system_name
    if name:
        match = _CDP_SERIAL.match(name.strip())
        if match:
            name = match["name"]
            serial = clean_serial(match["serial"])
            if serial:
                keys.append(f"serial:{serial.upper()}")
        keys.extend(_name_keys(name, None))
    if nb.remote_mgmt_address and _is_ip(nb.remote_mgmt_address):
        keys.append(f"ip:{ipaddress.ip_address(nb.remote_mgmt_address).compressed}")
    return sort_keys(keys)


def device_uid(keys: list[str]) -> str:
    """A new device's uid, from its strongest key at first sight (``dev:serial:FOC123``)."""
    if not keys:
        raise ValueError("a device needs at least one identification key")
    return f"dev:{sort_keys(keys)[0]}"


def interface_uid(device: str, name: str) -> str:
    return f"{device}/if/{name}"


def component_uid(device: str, index: str) -> str:
    return f"{device}/hw/{index}"


def address_uid(device: str, address: str) -> str:
    """Globally unique addresses are shared CIs; loopback/link-local ones belong to the device."""
    ip = ipaddress.ip_address(address)
    if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
        return f"{device}/ip/{ip.compressed}"
    return f"ip:{ip.compressed}"


def software_uid(name: str, version: str | None) -> str:
    return f"sw:{name}@{version}" if version else f"sw:{name}"


def application_uid(server: str, process: str) -> str:
    return f"{server}/app/{process}"


def location_uid(name: str) -> str:
    return "loc:" + " ".join(name.lower().split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def business_service_uid(name: str) -> str:
    return f"bs:{slug(name)}"


def device_of(uid: str) -> str:
    """The device uid a child uid was derived from (the uid itself for a device)."""
    return uid.split("/", 1)[0]


@dataclass(slots=True)
class IdentityIndex:
    """Identification keys of the known device CIs (merged-away CIs excluded)."""

    by_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys_of: dict[str, set[str]] = field(default_factory=dict)
    placeholders: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, cis: Iterable[CI]) -> IdentityIndex:
        index = cls()
        for ci in cis:
            if ci.ci_class in DEVICE_CLASSES and ci.merged_into is None:
                index.add(ci.uid, ci.identity_keys, placeholder=ci.status is CIStatus.PLACEHOLDER)
        return index

    def add(self, uid: str, keys: Iterable[str], placeholder: bool = False) -> None:
        known = self.keys_of.setdefault(uid, set())
        for key in keys:
            known.add(key)
            self.by_key[key].add(uid)
        if placeholder:
            self.placeholders.add(uid)

    def conflicts(self, uid: str, keys: Iterable[str]) -> bool:
        """True when ``uid`` has a serial (or chassis MAC) and ``keys`` name a different one."""
        known = self.keys_of.get(uid, set())
        for kind in STRONG_KINDS:
            mine = {k for k in known if key_kind(k) == kind}
            theirs = {k for k in keys if key_kind(k) == kind}
            if mine and theirs and not mine & theirs:
                return True
        return False

    def resolve(self, keys: Iterable[str], host_matches_any: bool = False) -> str | None:
        """The known CI these keys identify, trying keys in rule order; None if unknown.

        ``host`` keys match placeholders only, unless ``host_matches_any`` (neighbour names).
        """
        ordered = sort_keys(keys)
        for rank in sorted({key_rank(k) for k in ordered}):
            candidates: set[str] = set()
            for key in (k for k in ordered if key_rank(k) == rank):
                candidates |= self.by_key.get(key, set())
            if rank == KEY_RANKS["host"] and not host_matches_any:
                candidates &= self.placeholders
            candidates = {c for c in candidates if not self.conflicts(c, ordered)}
            if candidates:
                return min(candidates)
        return None
