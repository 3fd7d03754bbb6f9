"""Linux parsers and dependency derivation on outputs recorded from the lab's two hosts
(tests/ssh/data/<host>/, captured over SSH from app-db-01 and app-web-01) and on real ``ss``
lines of a busy machine (tests/ssh/data/mixed/)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from discovery.observations import DependencyObservation, DeviceReport, Section, Status
from discovery.ssh.dependencies import derive_dependencies
from discovery.ssh.linux_parse import (
    LINUX_COMMANDS,
    batch_script,
    build_linux_report,
    parse_device,
    parse_established,
    parse_ip_addr,
    parse_listening,
    parse_lsblk,
    split_batch,
    split_endpoint,
)

DATA = Path(__file__).parent / "data"
ADDRESSES = {"app-db-01": "127.23.0.11", "app-web-01": "127.23.0.12"}


def _outputs(host: str) -> dict[str, str]:
    return {p.stem: p.read_text() for p in (DATA / host).glob("*.txt")}


def _report(host: str) -> DeviceReport:
    outputs = _outputs(host) | {"hostname": f"{host}\n", "machine_id": f"{host}-id\n", "kernel": "6.1.0\n",
                                "cpu": "2\n", "packages": "openssh-server\t1:9.2p1-2+deb12u7\n"}
    return build_linux_report(ADDRESSES[host], ADDRESSES[host], outputs, {})


def test_listening_sockets_with_processes() -> None:
    services = parse_listening(_outputs("app-db-01")["listen"])
    assert [(s.protocol, s.address, s.port, s.process) for s in services] == [
        ("tcp", "127.23.0.11", 22, "sshd"),
        ("tcp", "0.0.0.0", 5432, "labdb"),
    ]
    assert all(isinstance(s.pid, int) for s in services)


def test_mixed_ss_lines() -> None:
    lines = (DATA / "mixed" / "listen.txt").read_text()
    services = parse_listening(lines)
    assert len(services) == len(lines.splitlines())
    assert {s.protocol for s in services} == {"tcp", "udp"}
    assert "127.0.0.1" in {s.address for s in services}  # [::ffff:127.0.0.1] is IPv4
    assert all(s.process for s in services)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.0.0.0:22", ("0.0.0.0", 22)), ("[::]:22", ("::", 22)), ("*:68", ("0.0.0.0", 68)),
     ("127.0.0.53%lo:53", ("127.0.0.53", 53)), ("[::ffff:127.0.0.1]:80", ("127.0.0.1", 80))],
)
def test_endpoints(text: str, expected: tuple[str, int]) -> None:
    assert split_endpoint(text) == expected


def test_established_keeps_outgoing_only() -> None:
    outputs = _outputs("app-web-01")
    services = parse_listening(outputs["listen"])
    connections = parse_established(outputs["established"], services)
    assert [(c.remote_address, c.remote_port, c.process) for c in connections] == [
        ("127.23.0.11", 5432, "orders-app")
    ]
    # On the provider the same connection is incoming (to a port it listens on): not a dependency.
    db = _outputs("app-db-01")
    assert parse_established(db["established"], parse_listening(db["listen"])) == []


def test_ip_json() -> None:
    interfaces, addresses = parse_ip_addr(_outputs("app-db-01")["ip"])
    assert [i.name for i in interfaces] == ["lo", "eth0"]
    lo, eth0 = interfaces
    assert lo.mac is None and lo.if_type == "softwareLoopback"
    assert eth0.mac == json.loads(_outputs("app-db-01")["ip"])[1]["address"]
    assert ("127.23.0.11", 24, "eth0", 4) in [(a.address, a.prefix_length, a.interface, a.version) for a in addresses]


def test_disks_and_memory() -> None:
    outputs = _outputs("app-db-01")
    disks = parse_lsblk(outputs["disks"])
    raw = [d for d in json.loads(outputs["disks"])["blockdevices"] if d["type"] == "disk" and d["size"]]
    assert [(d.name, d.size_bytes) for d in disks] == [(d["name"], d["size"]) for d in raw]
    device = parse_device(outputs, "127.23.0.11")
    total_kb = next(line.split()[1] for line in outputs["meminfo"].splitlines() if line.startswith("MemTotal:"))
    assert device.memory_bytes == int(total_kb) * 1024
    assert device.os_name == "Debian GNU/Linux"


@pytest.mark.parametrize("junk", ["Not Specified", "To be filled by O.E.M.", "Default string", "0", ""])
def test_junk_dmi_serial_falls_back_to_machine_id(junk: str) -> None:
    dmi = f"sys_vendor=QEMU\nproduct_name=Standard PC (Q35 + ICH9, 2009)\nproduct_serial={junk}\n"
    device = parse_device({"dmi": dmi, "machine_id": "0123abcd\n"}, "127.0.0.1")
    assert device.serial == "0123abcd"
    assert device.vendor == "QEMU"


def test_real_dmi_serial_wins() -> None:
    device = parse_device({"dmi": "product_serial=VMware-42 1a 2b\n", "machine_id": "0123abcd\n"}, "127.0.0.1")
    assert device.serial == "VMware-42 1a 2b"


def test_failed_command_costs_only_its_sections() -> None:
    outputs = _outputs("app-web-01") | {"hostname": "app-web-01\n"}
    del outputs["established"]
    report = build_linux_report("h", "127.23.0.12", outputs, {"established": ("rejected", "exit 127: ss: not found")})
    assert report.status is Status.PARTIAL
    assert [(e.section, e.reason) for e in report.errors] == [(Section.CONNECTIONS, "rejected")]
    assert Section.SERVICES in report.sections and Section.CONNECTIONS not in report.sections


def test_dependency_from_recorded_hosts() -> None:
    assert derive_dependencies([_report("app-db-01"), _report("app-web-01")]) == [
        DependencyObservation("127.23.0.12", "orders-app", "127.23.0.11", "labdb", 5432, "tcp")
    ]


def test_specific_bind_and_unknown_provider() -> None:
    db, web = _report("app-db-01"), _report("app-web-01")
    # The service bound to another address than the one connected to: no dependency.
    db.services = [dataclasses.replace(s, address="127.23.0.99") for s in db.services]
    assert derive_dependencies([db, web]) == []
    # Provider not discovered: nothing to join with.
    assert derive_dependencies([web]) == []


def test_loopback_addresses_never_identify_a_host() -> None:
    """Both hosts have 127.0.0.1 on lo: a connection to it is local, never to the other host."""
    db, web = _report("app-db-01"), _report("app-web-01")
    web.connections = [dataclasses.replace(c, remote_address="127.0.0.1") for c in web.connections]
    assert derive_dependencies([db, web]) == []


def test_batch_script_framing_round_trip() -> None:
    """The one-session script really runs in sh; its framed output splits back per command."""
    nonce = "@@cmdb-test"
    done = subprocess.run(["sh", "-c", batch_script(nonce)], capture_output=True, text=True, timeout=60, check=False)
    outputs, failures = split_batch(done.stdout, done.stderr, nonce)
    assert set(outputs) | set(failures) == set(LINUX_COMMANDS)
    direct = subprocess.run(["sh", "-c", LINUX_COMMANDS["os_release"]], capture_output=True, text=True, check=True)
    assert outputs["os_release"] == direct.stdout
    # A command that fails is reported with its exit status and its own error text only.
    failing = batch_script(nonce).replace("( uname -r )", "( ls /nonexistent-cmdb-path )")
    done = subprocess.run(["sh", "-c", failing], capture_output=True, text=True, timeout=60, check=False)
    outputs, failures = split_batch(done.stdout, done.stderr, nonce)
    reason, detail = failures["kernel"]
    assert reason == "rejected" and detail.startswith("exit 2:") and "nonexistent-cmdb-path" in detail
    # Output cut off mid-way (deadline): the unfinished commands are timeouts, the rest parsed.
    cut = done.stdout[: done.stdout.index(f"{nonce} begin ip")]
    outputs, failures = split_batch(cut, "", nonce)
    assert "hostname" in outputs and failures["ip"][0] == "timeout" and failures["established"][0] == "timeout"
