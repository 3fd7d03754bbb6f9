"""Platform registry: netmiko device_type -> PlatformSpec, and choosing a platform for a device."""

from __future__ import annotations

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
    """The netmiko device_type for a device SNMP found, or None when it is not one we speak.

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


def _from_text(text: str | None) -> str | None:
    if not text:
        return None
    lowered = text.lower()
    if "nx-os" in lowered or "nxos" in lowered:
        return "cisco_nxos"
    if "arista" in lowered or lowered.startswith("eos"):
        return "arista_eos"
    if "junos" in lowered or "juniper" in lowered:
        return "juniper_junos"
    if "ios" in lowered and "ios xr" not in lowered and "ios-xr" not in lowered:
        return "cisco_ios"
    return None


def _enterprise(oid: str | None) -> str:
    prefix = "1.3.6.1.4.1."
    if not oid or not oid.lstrip(".").startswith(prefix):
        return ""
    return _ENTERPRISES.get(oid.lstrip(".")[len(prefix) :].split(".")[0], "")
