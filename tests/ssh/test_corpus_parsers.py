"""Network CLI parsing on REAL device outputs (../shared/corpus/ntc), against their expected records.

For every ``<name>.raw`` whose command one of our platform specs sends, two things are checked:
1. ntc-templates, called the way the collector calls it, returns exactly the expected records
   of ``<name>.yml`` (so we really parse with the template the corpus was validated against);
2. the observations our platform mappers build carry the values of those expected records
   (serials, versions, names, addresses, neighbours), normalised as observations.py requires.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.lab.ssh import CORPUS, DATA
from discovery.observations import DeviceObservation
from discovery.ssh.network import parse_command
from discovery.ssh.platforms import PLATFORMS
from discovery.ssh.platforms.base import PlatformSpec, Records


def _cases() -> list[tuple[str, str, Path]]:
    """(platform, command, raw file) for every corpus output of a command a spec sends."""
    cases = []
    for root in (CORPUS, DATA):
        for platform, spec in PLATFORMS.items():
            for command in dict.fromkeys(spec.commands.values()):
                folder = root / platform / command.replace(" ", "_")
                cases += [(platform, command, raw) for raw in sorted(folder.glob("*.raw"))]
    return cases


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES, reason=f"no corpus at {CORPUS}")


def _expected(raw: Path) -> Records:
    records: Records = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    return records


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value) or None


def _hex(mac: str | None) -> str:
    return re.sub(r"[^0-9a-f]", "", (mac or "").lower())


def _ip(value: Any) -> str | None:
    try:
        return ipaddress.ip_address(str(value).split("/")[0]).compressed
    except ValueError:
        return None


def _purposes(spec: PlatformSpec, command: str) -> list[str]:
    return [purpose for purpose, cmd in spec.commands.items() if cmd == command]


@pytest.mark.parametrize(("platform", "command", "raw"), CASES, ids=[c[2].name for c in CASES])
def test_template_returns_expected_records(platform: str, command: str, raw: Path) -> None:
    """Equal up to surrounding blanks (a few corpus records keep a trailing space the template drops)."""
    got = parse_command(PLATFORMS[platform], command, raw.read_text())
    assert _stripped(got) == _stripped(_expected(raw))


def _stripped(records: Records) -> list[dict[str, Any]]:
    return [
        {k: [x.strip() for x in v] if isinstance(v, list) else str(v).strip() for k, v in r.items()}
        for r in records
    ]


# Which expected-record field holds each DeviceObservation attribute, per platform.
VERSION_FIELDS: dict[str, dict[str, str]] = {
    "cisco_ios": {"os_version": "version", "serial": "serial", "sys_name": "hostname", "model": "hardware"},
    "cisco_nxos": {"os_version": "os", "serial": "serial", "sys_name": "hostname", "model": "platform"},
    "arista_eos": {"os_version": "image", "serial": "serial_number", "model": "model"},
    "juniper_junos": {"os_version": "junos_version", "serial": "serial_number", "sys_name": "hostname", "model": "model"},
}


def _check_version(spec: PlatformSpec, records: Records) -> None:
    device = spec.device({"version": records})
    assert isinstance(device, DeviceObservation)
    assert device.vendor == spec.vendor and device.os_name == spec.os_name
    for attr, field_name in VERSION_FIELDS[spec.device_type].items():
        want = _first(records[0].get(field_name))
        if attr == "sys_name" and want:
            want = want.split(".")[0]
        assert getattr(device, attr) == want, attr


NO_SERIAL = ("", "N/A")  # what these captures print for parts without a serial


def _check_inventory(spec: PlatformSpec, records: Records) -> None:
    components = spec.components({"inventory": records})
    if spec.device_type == "juniper_junos":
        serials = {c.serial for c in components}
        wanted = {v for r in records for k, v in r.items() if k.endswith("serial_number") and v and v != "BUILTIN"}
        assert wanted <= serials
        chassis = [c for c in components if c.component_class == "chassis"]
        assert [c.serial for c in chassis] == [records[0]["chassis_serial_number"] or None]
        return
    assert [c.serial for c in components] == [None if r["sn"] in NO_SERIAL else r["sn"] for r in records]
    assert [c.model for c in components] == [r["pid"] or None for r in records]
    assert len({c.index for c in components}) == len(components)


IF_OPER_STATUS = (None, "up", "down", "testing", "unknown", "dormant", "notPresent", "lowerLayerDown")


def _check_interfaces(spec: PlatformSpec, records: Records) -> None:
    interfaces = spec.interfaces({"interfaces": records})
    assert [i.name for i in interfaces] == [r["interface"] for r in records]
    for iface, rec in zip(interfaces, records, strict=True):
        if rec.get("mac_address"):
            assert _hex(iface.mac) == _hex(rec["mac_address"])
            assert iface.mac is not None and re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", iface.mac)
        assert iface.mtu == (int(rec["mtu"]) if rec["mtu"].isdigit() else None)
        assert iface.oper_status in IF_OPER_STATUS


def _check_addresses(spec: PlatformSpec, records: Records) -> None:
    addresses = spec.addresses({"addresses": records})
    field_name = "local" if spec.device_type == "juniper_junos" else "ip_address"
    wanted = [(_ip(r[field_name]), r["interface"]) for r in records if _ip(r[field_name])]
    assert [(a.address, a.interface) for a in addresses] == wanted


def _check_neighbors(spec: PlatformSpec, purpose: str, records: Records) -> None:
    neighbors = spec.neighbors({purpose: records})
    # Some IOS releases print no local interface in the detail view: such a neighbour cannot be
    # placed on a port, so it is skipped.
    records = [r for r in records if r["local_interface"]]
    assert [nb.local_interface for nb in neighbors] == [r["local_interface"] for r in records]
    assert {nb.protocol for nb in neighbors} <= {purpose}
    for nb, rec in zip(neighbors, records, strict=True):
        name = rec.get("neighbor_name") or rec.get("system_name") or (rec.get("chassis_id") if purpose == "cdp" else "")
        assert nb.remote_system_name == ((name or "").split(".")[0] or None)
        if rec.get("chassis_id") and purpose == "lldp":
            assert _hex(nb.remote_chassis_id) == _hex(rec["chassis_id"]) or nb.remote_chassis_id == rec["chassis_id"]


@pytest.mark.parametrize(("platform", "command", "raw"), CASES, ids=[c[2].name for c in CASES])
def test_observations_carry_expected_values(platform: str, command: str, raw: Path) -> None:
    spec = PLATFORMS[platform]
    records = _expected(raw)
    for purpose in _purposes(spec, command):
        if purpose == "version":
            _check_version(spec, records)
        elif purpose == "inventory":
            _check_inventory(spec, records)
        elif purpose == "interfaces":
            _check_interfaces(spec, records)
        elif purpose == "addresses":
            _check_addresses(spec, records)
        else:
            _check_neighbors(spec, purpose, records)
