"""The running lab answers real SNMP (net-snmp's own clients) with the topology's values.

Covers a generated switch, a generated server, a real corpus recording and the real snmpd,
over SNMPv2c and SNMPv3 authPriv (SHA + AES128), plus what discovery reads from the lab:
the inventory and the credentials file.
"""

from __future__ import annotations

import subprocess

import pytest

from deploy.lab import agents
from deploy.lab.corpus import read_snmprec
from deploy.lab.generate import RECORDINGS_DIR
from deploy.lab.lab import Lab
from deploy.lab.snmprec import sys_name
from deploy.lab.topology import LabDevice
from discovery.credentials import CredentialStore, SnmpV3Profile
from flows.inventory import load_inventory

pytestmark = pytest.mark.lab

SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYS_DESCR = "1.3.6.1.2.1.1.1.0"
CHASSIS_SERIAL = "1.3.6.1.2.1.47.1.1.1.1.11.1"


def v2c(community: str = "public") -> list[str]:
    return ["-v2c", "-c", community]


def v3(lab: Lab, auth_key: str | None = None) -> list[str]:
    creds = lab.topology.snmpv3
    return [
        "-v3", "-l", "authPriv", "-u", creds["user"],
        "-a", creds["auth_protocol"], "-A", auth_key or creds["auth_key"],
        "-x", creds["priv_protocol"], "-X", creds["priv_key"],
    ]  # fmt: skip


def snmpget(device: LabDevice, security: list[str], *oids: str) -> list[str]:
    """Values (``-Oqv``) as net-snmp's snmpget prints them; raises if the agent refuses."""
    argv = [
        "snmpget",
        *security,
        "-Oqv",
        "-t",
        "2",
        "-r",
        "1",
        f"{device.address}:{device.snmp_port}",
        *oids,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    return [line.strip().strip('"') for line in result.stdout.splitlines()]


def first(lab: Lab, **match: object) -> LabDevice:
    return next(
        d for d in lab.topology.devices if all(getattr(d, k) == v for k, v in match.items())
    )


def test_generated_switch_over_v2c_and_v3(lab: Lab) -> None:
    switch = first(lab, role="access", source="generated")
    assert switch.snmpv3_user
    expected = [sys_name(switch), switch.serial]
    assert snmpget(switch, v2c(), SYS_NAME, CHASSIS_SERIAL) == expected
    assert snmpget(switch, v3(lab), SYS_NAME, CHASSIS_SERIAL) == expected


def test_every_agent_has_its_own_identity(lab: Lab) -> None:
    """Selecting by address works: two devices on the same port answer differently."""
    core1, core2 = (first(lab, name=n) for n in ("core-01", "core-02"))
    assert snmpget(core1, v2c(), SYS_NAME) == [sys_name(core1)]
    assert snmpget(core2, v2c(), SYS_NAME) == [sys_name(core2)]


def test_wrong_v3_key_is_rejected(lab: Lab) -> None:
    switch = first(lab, role="core")
    with pytest.raises(subprocess.CalledProcessError):
        snmpget(switch, v3(lab, auth_key="not-the-lab-key-1234"), SYS_NAME)


def test_server_without_v3_user_answers_v2c_only(lab: Lab) -> None:
    server = next(
        d
        for d in lab.topology.devices
        if d.role == "server" and d.source == "generated" and not d.snmpv3_user
    )
    assert snmpget(server, v2c(), SYS_NAME) == [server.name]
    with pytest.raises(subprocess.CalledProcessError):
        snmpget(server, v3(lab), SYS_NAME)


def test_walk_returns_exactly_the_recording(lab: Lab) -> None:
    """GETBULK over the whole tree yields every recorded OID once, in order (file sorting works)."""
    server = first(lab, role="server", source="generated")
    argv = ["snmpbulkwalk", *v2c(), "-On", f"{server.address}:{server.snmp_port}", ".1"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True).stdout
    walked = [
        line.split(" = ", 1)[0].lstrip(".")
        for line in out.splitlines()
        if line.startswith(".") and " = " in line
    ]
    recorded = list(read_snmprec(lab.workdir / RECORDINGS_DIR / f"{server.name}.snmprec"))
    assert walked[: len(recorded)] == recorded


def test_corpus_device_answers_public_and_its_own_community(lab: Lab) -> None:
    corpus = [d for d in lab.topology.devices if d.source.startswith("corpus:")]
    if not corpus:
        pytest.skip("the shared corpus (../shared/corpus/librenms) is not present")
    device = next(d for d in corpus if d.source == "corpus:arista_eos_vrf")
    stem = device.source.split(":", 1)[1]
    assert snmpget(device, v2c(), SYS_DESCR) == [device.sys_descr]
    assert snmpget(device, v2c(stem), SYS_DESCR) == [device.sys_descr]
    assert snmpget(device, v2c(), CHASSIS_SERIAL) == [device.serial]


def test_real_snmpd_over_v2c_and_v3(lab: Lab) -> None:
    snmpd = first(lab, source="snmpd")
    assert snmpd.snmp_port >= 1024
    assert snmpget(snmpd, v2c(), SYS_NAME) == [agents.SNMPD_NAME]
    assert snmpget(snmpd, v3(lab), SYS_NAME) == [agents.SNMPD_NAME]


def test_inventory_lists_every_agent_and_loads(lab: Lab) -> None:
    resolved = load_inventory(lab.inventory_path)
    targets = {(str(t.address), t.port) for t in resolved.inventory.targets}
    expected = {(d.address, d.snmp_port) for d in lab.topology.devices if d.snmp_port}
    assert targets == expected
    assert all(resolved.inventory.in_scope(t.address) for t in resolved.inventory.targets)
    names = [p.name for p in resolved.snmp_profiles]
    assert names[:2] == ["lab-v2c", "lab-v3"]


def test_credentials_file_holds_the_lab_v3_user(lab: Lab) -> None:
    profile = CredentialStore.from_yaml(lab.credentials_path).get("lab-v3")
    assert isinstance(profile, SnmpV3Profile)
    assert profile.security_level == "authPriv"
    assert profile.auth_key is not None
    assert profile.auth_key.get_secret_value() == lab.topology.snmpv3["auth_key"]
    assert lab.credentials_path.stat().st_mode & 0o077 == 0


def test_start_again_reuses_the_running_lab(lab: Lab) -> None:
    before = lab.state_path.read_text()
    lab.start()
    assert lab.state_path.read_text() == before
    status = lab.status()
    assert status["running"]
    assert status["snmp_answering"] == status["snmp_agents"]
