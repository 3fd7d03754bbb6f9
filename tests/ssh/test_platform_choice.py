"""Choosing the SSH platform from what SNMP found, on the real SNMP recordings of
../shared/corpus/librenms parsed by the SNMP collector's own parser."""

from __future__ import annotations

from functools import cache

import pytest

from deploy.bench.snmp_agreement import DEFAULT_CORPUS, parse_corpus
from discovery.observations import DeviceObservation
from discovery.snmp.parse import ParsedDevice
from discovery.ssh.platforms import PLATFORMS, platform_for_device

# Recordings of devices whose CLI we speak; every other recording must get no platform
# (a wrong driver would log in and misparse, e.g. FortiOS is not IOS, a Cisco WLC is not IOS).
EXPECTED = {
    "arista_eos_vrf": "arista_eos",
    "iosxe_ie32008t2s-ios17-12": "cisco_ios",
    "junos_vmx": "juniper_junos",
    "linux_icecast": "linux",
}


@cache
def _corpus() -> dict[str, ParsedDevice]:
    return parse_corpus(DEFAULT_CORPUS)


NAMES = sorted(p.stem for p in (DEFAULT_CORPUS / "snmprec").glob("*.snmprec"))


@pytest.mark.skipif(not NAMES, reason=f"no recordings in {DEFAULT_CORPUS}")
@pytest.mark.parametrize("name", NAMES)
def test_platform_from_snmp_recording(name: str) -> None:
    assert platform_for_device(_corpus()[name].device) == EXPECTED.get(name)


def test_every_expected_platform_has_a_collector() -> None:
    assert set(EXPECTED.values()) <= {*PLATFORMS, "linux"}


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (DeviceObservation(sys_descr="Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(8)"), "cisco_nxos"),
        (DeviceObservation(sys_descr="Cisco IOS XR Software, Version 7.3.2"), None),
        (DeviceObservation(sys_object_id="1.3.6.1.4.1.2636.1.1.1.2.29"), "juniper_junos"),
        (DeviceObservation(sys_object_id=".1.3.6.1.4.1.30065.1.3011.7010.427.48"), "arista_eos"),
    ],
)
def test_descriptions_and_enterprise_numbers(device: DeviceObservation, expected: str | None) -> None:
    """sysDescr texts as NX-OS / IOS XR print them, and bare sysObjectIDs of Juniper / Arista."""
    assert platform_for_device(device) == expected
