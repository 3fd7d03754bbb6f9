"""Real SNMP agents for the collector tests: snmpsim serving real recordings, and net-snmp.

Both bind to 127.0.3.x on free ports and are stopped by PID at the end of the module.
Locally a missing agent skips its tests with the reason; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from deploy.bench.snmp_agreement import DEFAULT_CORPUS
from deploy.bench.snmp_sim import NetSnmpd, SnmpSim, free_udp_port
from discovery.credentials import SnmpV2cProfile, SnmpV3Profile

SIM_ADDRESS = "127.0.3.1"
SNMPD_ADDRESS = "127.0.3.2"
# A few recordings that cover LLDP, CDP, HOST-RESOURCES, ENTITY stacks and vendor scalars.
SIM_RECORDINGS = ("arista_eos_vrf", "ciscowlc_cbw240ac", "junos_vmx", "linux_icecast")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required test service missing in CI: {reason}")
    pytest.skip(reason)


@dataclass
class SimAgent:
    address: str
    ports: list[int]
    recordings: tuple[str, ...]
    data_dir: Path


@pytest.fixture(scope="module")
def snmpsim_agent() -> Iterator[SimAgent]:
    """snmpsim serving a few real recordings (community = recording name) on three ports.

    The recordings are copied to a world-readable directory: snmpsim runs as ``nobody``
    and pytest's own temporary directories are private to root.
    """
    missing = [
        n for n in SIM_RECORDINGS if not (DEFAULT_CORPUS / "snmprec" / f"{n}.snmprec").is_file()
    ]
    if missing:
        _unavailable(f"recordings missing from {DEFAULT_CORPUS}: {missing}")
    data_dir = Path(tempfile.mkdtemp(prefix="snmprec-"))
    data_dir.chmod(0o755)
    for name in SIM_RECORDINGS:
        shutil.copy(DEFAULT_CORPUS / "snmprec" / f"{name}.snmprec", data_dir)
    ports = [free_udp_port(SIM_ADDRESS) for _ in range(3)]
    sim = SnmpSim(data_dir, [(SIM_ADDRESS, p) for p in ports], probe_community=SIM_RECORDINGS[0])
    try:
        sim.start()
    except (OSError, RuntimeError) as failure:
        _unavailable(f"snmpsim did not start: {failure}")
    try:
        yield SimAgent(SIM_ADDRESS, ports, SIM_RECORDINGS, data_dir)
    finally:
        sim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class SnmpdAgent:
    address: str
    port: int
    v2c: SnmpV2cProfile
    v3_sha_aes: SnmpV3Profile
    v3_sha512_aes256: SnmpV3Profile


@pytest.fixture(scope="module")
def snmpd_agent() -> Iterator[SnmpdAgent]:
    """The real net-snmp agent with a v2c community and two authPriv users (lab secrets)."""
    if shutil.which("snmpd") is None and not Path("/usr/sbin/snmpd").exists():
        _unavailable("net-snmp snmpd is not installed (apt-get install -y snmpd)")
    community = secrets.token_hex(8)
    sha = ("lab-sha", "SHA", secrets.token_hex(8), "AES", secrets.token_hex(8))
    # net-snmp "AES256C" = the Reeder/Cisco key extension that our "AES256" means.
    sha512 = ("lab-sha512", "SHA-512", secrets.token_hex(8), "AES256C", secrets.token_hex(8))
    port = free_udp_port(SNMPD_ADDRESS)
    agent = NetSnmpd(SNMPD_ADDRESS, port, community, [sha, sha512])
    try:
        agent.start()
    except (OSError, RuntimeError) as failure:
        _unavailable(f"snmpd did not start: {failure}")
    try:
        yield SnmpdAgent(
            SNMPD_ADDRESS,
            port,
            SnmpV2cProfile(name="lab-v2c", community=SecretStr(community)),
            SnmpV3Profile(
                name="lab-v3-sha-aes",
                user=sha[0],
                auth_protocol="SHA",
                auth_key=SecretStr(sha[2]),
                priv_protocol="AES",
                priv_key=SecretStr(sha[4]),
            ),
            SnmpV3Profile(
                name="lab-v3-sha512-aes256",
                user=sha512[0],
                auth_protocol="SHA512",
                auth_key=SecretStr(sha512[2]),
                priv_protocol="AES256",
                priv_key=SecretStr(sha512[4]),
            ),
        )
    finally:
        agent.stop()


@dataclass
class LoopingAgent:
    address: str
    port: int
    community: str


def _serve_looping_agent(sock: socket.socket, stop: threading.Event) -> None:
    """A broken SNMPv2c agent: GETs get strings; every GETBULK gets the requested OIDs back
    unchanged, i.e. a walk that never advances (seen on buggy firmware)."""
    from pyasn1.codec.ber import decoder, encoder
    from pysnmp.proto.api import v2c

    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(65535)
        except TimeoutError:
            continue
        request, _ = decoder.decode(data, asn1Spec=v2c.Message())
        pdu = v2c.apiMessage.get_pdu(request)
        response = v2c.apiMessage.get_response(request)
        names = [name for name, _ in v2c.apiPDU.get_varbinds(pdu)]
        if isinstance(pdu, v2c.GetBulkRequestPDU):
            varbinds = [(name, v2c.Integer(1)) for name in names]
        else:
            varbinds = [(name, v2c.OctetString("looping agent")) for name in names]
        v2c.apiPDU.set_varbinds(v2c.apiMessage.get_pdu(response), varbinds)
        sock.sendto(encoder.encode(response), peer)


@pytest.fixture(scope="module")
def looping_agent() -> Iterator[LoopingAgent]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.3.5", 0))
    sock.settimeout(0.2)
    stop = threading.Event()
    thread = threading.Thread(target=_serve_looping_agent, args=(sock, stop), daemon=True)
    thread.start()
    try:
        yield LoopingAgent("127.0.3.5", sock.getsockname()[1], "any")
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()
