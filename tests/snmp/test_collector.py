"""The SNMP collector against real agents: snmpsim serving real recordings, and net-snmp snmpd.

Timeouts are short on purpose (loopback answers in milliseconds); speed figures are in
deploy/bench/snmp_discovery.py, not here.
"""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from pydantic import SecretStr
from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

from deploy.bench.snmp_sim import free_udp_port
from discovery.credentials import SnmpV2cProfile, SnmpV3Profile
from discovery.observations import DeviceKind, Section, Status
from discovery.snmp.collector import (
    CollectOptions,
    SnmpTarget,
    collect_many,
    collect_snmp,
    order_profiles,
)
from discovery.snmp.parse import parse_walk
from discovery.snmp.snmprec import load_snmprec
from tests.snmp.conftest import SIM_RECORDINGS, LoopingAgent, SimAgent, SnmpdAgent

# One event loop for the module: the shared engine's UDP transport lives on it.
pytestmark = pytest.mark.asyncio(loop_scope="module")
ALL_SECTIONS = {
    Section.SYSTEM,
    Section.INVENTORY,
    Section.INTERFACES,
    Section.ADDRESSES,
    Section.NEIGHBORS,
    Section.STORAGE,
    Section.SOFTWARE,
}


@pytest.fixture(scope="module")
def engine() -> SnmpEngine:
    """One engine for the module, as in production (its MIB setup costs a second or two)."""
    return SnmpEngine()


def v2c(name: str, community: str | None = None) -> SnmpV2cProfile:
    return SnmpV2cProfile(name=name, community=SecretStr(community or name))


@pytest.mark.parametrize("recording", SIM_RECORDINGS)
async def test_collected_over_udp_equals_parsed_recording(
    snmpsim_agent: SimAgent, recording: str, engine: SnmpEngine
) -> None:
    """GETBULK walking over the wire loses nothing the recording holds."""
    report = await collect_snmp(
        snmpsim_agent.address,
        snmpsim_agent.ports[0],
        [v2c(recording)],
        engine=engine,
        timeout=2.0,
        retries=1,
    )
    offline = parse_walk(load_snmprec(snmpsim_agent.data_dir / f"{recording}.snmprec"))
    assert report.status is Status.OK, report.errors
    assert report.credential == recording
    assert report.sections == ALL_SECTIONS
    assert report.device == replace(offline.device, mgmt_ip=snmpsim_agent.address)
    assert report.interfaces == offline.interfaces
    assert report.components == offline.components
    assert report.addresses == offline.addresses
    assert report.neighbors == offline.neighbors
    assert report.software == offline.software


async def test_rotation_uses_second_profile_when_first_is_wrong(
    snmpsim_agent: SimAgent, engine: SnmpEngine
) -> None:
    profiles = [v2c("old", "not-a-community"), v2c("new", "arista_eos_vrf")]
    report = await collect_snmp(
        snmpsim_agent.address,
        snmpsim_agent.ports[0],
        profiles,
        engine=engine,
        timeout=0.3,
        retries=0,
    )
    assert report.status is Status.OK
    assert report.credential == "new"


async def test_remembered_profile_is_tried_first(
    snmpsim_agent: SimAgent, engine: SnmpEngine
) -> None:
    """With the working profile remembered, the wrong one (10 s timeout) is never waited for."""
    profiles = [v2c("old", "not-a-community"), v2c("new", "arista_eos_vrf")]
    report = await collect_snmp(
        snmpsim_agent.address,
        snmpsim_agent.ports[0],
        profiles,
        engine=engine,
        timeout=10.0,
        retries=0,
        known_profile="new",
    )
    assert report.credential == "new"
    assert report.elapsed_seconds is not None and report.elapsed_seconds < 10.0
    assert [p.name for p in order_profiles(profiles, "new")] == ["new", "old"]
    assert [p.name for p in order_profiles(profiles, None)] == ["old", "new"]


async def test_wrong_community_is_a_timeout(snmpsim_agent: SimAgent, engine: SnmpEngine) -> None:
    report = await collect_snmp(
        snmpsim_agent.address,
        snmpsim_agent.ports[0],
        [v2c("wrong", "nope")],
        engine=engine,
        timeout=0.3,
        retries=0,
    )
    assert report.status is Status.TIMEOUT
    assert report.credential is None and report.device is None
    assert not report.reachable
    assert report.errors[0].reason == "timeout"
    assert report.elapsed_seconds is not None and report.elapsed_seconds < 2.0


async def test_nothing_listening_is_a_timeout(engine: SnmpEngine) -> None:
    port = free_udp_port("127.0.3.3")
    report = await collect_snmp(
        "127.0.3.3", port, [v2c("any", "public")], engine=engine, timeout=0.3, retries=0
    )
    assert report.status is Status.TIMEOUT


async def test_collect_many_isolates_failures(snmpsim_agent: SimAgent) -> None:
    """Three live agents and one dead address on one engine: each gets its own report."""
    dead = free_udp_port("127.0.3.4")
    targets = [SnmpTarget(snmpsim_agent.address, p) for p in snmpsim_agent.ports]
    targets.append(SnmpTarget("127.0.3.4", dead))
    reports = [
        r
        async for r in collect_many(
            targets,
            [v2c("sim", "junos_vmx")],
            concurrency=2,
            options=CollectOptions(timeout=1.0, retries=1),
            engine=SnmpEngine(),
        )
    ]
    by_target = {r.target: r.status for r in reports}
    assert all(not r.errors for r in reports if r.reachable), [r.errors for r in reports]
    assert len(reports) == 4
    assert by_target[f"127.0.3.4:{dead}"] is Status.TIMEOUT
    assert [by_target[f"{t.address}:{t.port}"] for t in targets[:3]] == [Status.OK] * 3


async def test_snmpd_v3_authpriv_sha_aes(snmpd_agent: SnmpdAgent, engine: SnmpEngine) -> None:
    """The real net-snmp agent of this machine, over SNMPv3 authPriv (SHA + AES-128)."""
    report = await collect_snmp(
        snmpd_agent.address,
        snmpd_agent.port,
        [snmpd_agent.v3_sha_aes],
        engine=engine,
        timeout=2.0,
        retries=1,
    )
    assert report.status is Status.OK, report.errors
    assert report.credential == "lab-v3-sha-aes"
    device = report.device
    assert device is not None
    assert device.kind is DeviceKind.SERVER and device.os_name == "Linux"
    assert device.sys_name == socket.gethostname().split(".")[0]
    assert device.os_version and device.os_version in (device.sys_descr or "")
    assert device.memory_bytes and device.memory_bytes > 64 * 2**20
    loopback = next(i for i in report.interfaces if i.name == "lo")
    assert loopback.if_type == "softwareLoopback" and loopback.mac is None
    assert any(
        a.address == "127.0.0.1" and a.prefix_length == 8 and a.interface == "lo"
        for a in report.addresses
    )
    processes = {s.name for s in report.software if s.kind == "process"}
    assert any(name.endswith("snmpd") for name in processes)
    assert any(c.component_class == "storage" and c.size_bytes for c in report.components)
    assert any(c.component_class == "cpu" for c in report.components)


async def test_snmpd_v3_sha512_aes256(snmpd_agent: SnmpdAgent, engine: SnmpEngine) -> None:
    report = await collect_snmp(
        snmpd_agent.address,
        snmpd_agent.port,
        [snmpd_agent.v3_sha512_aes256],
        engine=engine,
        timeout=0.3,
        retries=0,
    )
    assert report.status is Status.OK, report.errors
    assert report.credential == "lab-v3-sha512-aes256"


async def test_snmpd_v3_wrong_auth_key_is_auth_failed(
    snmpd_agent: SnmpdAgent, engine: SnmpEngine
) -> None:
    wrong = snmpd_agent.v3_sha_aes.model_copy(update={"auth_key": SecretStr("wrong-key-123")})
    report = await collect_snmp(
        snmpd_agent.address, snmpd_agent.port, [wrong], engine=engine, timeout=0.3, retries=0
    )
    assert report.status is Status.AUTH_FAILED
    assert report.errors[0].reason == "auth_failed"
    assert report.elapsed_seconds is not None and report.elapsed_seconds < 2.0
    assert "wrong-key-123" not in repr(report)


async def test_snmpd_v3_unknown_user_is_auth_failed(
    snmpd_agent: SnmpdAgent, engine: SnmpEngine
) -> None:
    stranger = SnmpV3Profile(
        name="stranger",
        user="nobody-here",
        auth_protocol="SHA",
        auth_key=SecretStr("whatever-123"),
        priv_protocol="AES",
        priv_key=SecretStr("whatever-456"),
    )
    report = await collect_snmp(
        snmpd_agent.address, snmpd_agent.port, [stranger], engine=engine, timeout=0.3, retries=0
    )
    assert report.status is Status.AUTH_FAILED


async def test_snmpd_rotation_from_rejected_v3_to_v2c(
    snmpd_agent: SnmpdAgent, engine: SnmpEngine
) -> None:
    wrong = snmpd_agent.v3_sha_aes.model_copy(
        update={"name": "old-v3", "auth_key": SecretStr("wrong-key-123")}
    )
    report = await collect_snmp(
        snmpd_agent.address,
        snmpd_agent.port,
        [wrong, snmpd_agent.v2c],
        engine=engine,
        timeout=0.3,
        retries=0,
    )
    assert report.status is Status.OK
    assert report.credential == "lab-v2c"


async def test_snmpd_row_limit_gives_partial_report(
    snmpd_agent: SnmpdAgent, engine: SnmpEngine
) -> None:
    """A table longer than max_rows stops its section; the other sections are kept."""
    report = await collect_snmp(
        snmpd_agent.address,
        snmpd_agent.port,
        [snmpd_agent.v2c],
        max_rows=1,
        engine=engine,
        timeout=0.3,
        retries=0,
    )
    assert report.status is Status.PARTIAL
    failed = {e.section: e.reason for e in report.errors}
    assert failed[Section.SOFTWARE] == "too_many_rows"
    assert Section.SOFTWARE not in report.sections
    assert Section.SYSTEM in report.sections
    assert report.device is not None and report.device.sys_name
    assert report.software  # rows read before the stop are kept


async def test_agent_looping_on_getbulk_is_stopped(
    looping_agent: LoopingAgent, engine: SnmpEngine
) -> None:
    """Non-increasing OIDs end each walk with reason "loop" instead of spinning forever."""
    report = await collect_snmp(
        looping_agent.address,
        looping_agent.port,
        [v2c("any", looping_agent.community)],
        engine=engine,
        timeout=0.5,
        retries=0,
    )
    assert report.status is Status.PARTIAL
    assert report.sections == {Section.SYSTEM}
    assert {e.section for e in report.errors} == ALL_SECTIONS - {Section.SYSTEM}
    assert {e.reason for e in report.errors} == {"loop"}
    assert report.device is not None and report.device.sys_name == "looping agent"


async def test_snmpd_key_rotation_for_the_same_user(
    snmpd_agent: SnmpdAgent, engine: SnmpEngine
) -> None:
    """Old and new keys of ONE user in one list (and on an engine that already knows the
    user): each profile is tried with its own keys, the new one wins."""
    new = snmpd_agent.v3_sha_aes.model_copy(update={"name": "new-keys"})
    old = new.model_copy(update={"name": "old-keys", "auth_key": SecretStr("retired-key-1")})
    report = await collect_snmp(
        snmpd_agent.address, snmpd_agent.port, [old, new], engine=engine, timeout=0.5, retries=0
    )
    assert report.status is Status.OK
    assert report.credential == "new-keys"
    again = await collect_snmp(
        snmpd_agent.address, snmpd_agent.port, [old], engine=engine, timeout=0.5, retries=0
    )
    assert again.status is Status.AUTH_FAILED
