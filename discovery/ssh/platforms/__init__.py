"""Platform registry: netmiko device_type -> PlatformSpec, and choosing a platform for a device."""

from __future__ import annotations

import re

from discovery.observations import DeviceObservation
from discovery.ssh.platforms import arista_eos, cisco_ios, cisco_nxos, juniper_junos
from discovery.ssh.platforms.base import PlatformSpec

PLATFORMS: dict[str, PlatformSpec] = {
    spec.device_type: spec
    for spec in (cisco_ios.SPEC, cisco_nxos.SPEC, arista_eos.SPEC, juniper_junos.SPEC)
}

# Enterprise numbers in sysObjectID (1.3.6.1.4.1.<n>...) -> vendor, for when os_name is unknown.
_ENTERPRISES = {"9": "cisco", "30065": "arista", "2636": "juniper"}


def get_platform(device_type: str) -> PlatformSpec:
    try:
        return PLATFORMS[device_type]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise KeyError(f"no SSH platform {device_type!r} (known: {known})") from None


def platform_for_device(device: DeviceObservation) -> str | None:
    """The netmiko device_type (or "linux") for a device SNMP found; None when we speak no CLI of it.

    Looks at os_name first (most specific: IOS vs NX-OS), then sysDescr, then the vendor /
    sysObjectID enterprise (Arista and Juniper each have a single CLI platform).
    """
    for text in (device.os_name, device.sys_descr):
        found = _from_text(text)
        if found:
            return found
    vendor = (device.vendor or "").lower() or _enterprise(device.sys_object_id)
    if "arista" in vendor:
        return "arista_eos"
    if "juniper" in vendor:
        return "juniper_junos"
    return None


# Whole words of an OS name / sysDescr -> platform, most specific first ("IOS XR" is not IOS,
# "FortiOS" contains no word "ios").
_TEXT_RULES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"\bnx-?os\b"), "cisco_nxos"),
    (re.compile(r"\bios[ -]?xr\b"), None),
    (re.compile(r"\bios(?:[ -]?xe)?\b"), "cisco_ios"),
    (re.compile(r"\barista\b|\beos\b"), "arista_eos"),
    (re.compile(r"\bjunos\b"), "juniper_junos"),
    (re.compile(r"^linux\b"), "linux"),
)


def _from_text(text: str | None) -> str | None:
    if not text:
        return None
    lowered = text.lower()
    for pattern, platform in _TEXT_RULES:
        if pattern.search(lowered):
            return platform
    return None


def _enterprise(oid: str | None) -> str:
    prefix = "1.3.6.1.4.1."
    if not oid or not oid.lstrip(".").startswith(prefix):
        return ""
    return _ENTERPRISES.get(oid.lstrip(".")[len(prefix) :].split(".")[0], "")
