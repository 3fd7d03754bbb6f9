"""The Linux collector against the lab's real sshd hosts (network namespaces), and the
application dependency between them (app-web-01's client -> app-db-01's service)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.lab.ssh import CLIENT_NAME, LINUX_HOSTS, SERVICE_NAME, SERVICE_PORT, LinuxHostSpec
from discovery.credentials import SshProfile
from discovery.observations import DependencyObservation, DeviceKind, DeviceReport, Section, Status
from discovery.ssh.collect import SshOptions, SshTarget, collect_ssh, collect_ssh_many
from discovery.ssh.dependencies import derive_dependencies
from tests.ssh.conftest import SshLab

pytestmark = pytest.mark.lab

OPTIONS = SshOptions(timeout=20.0, command_timeout=10.0)
PROVIDER = next(h for h in LINUX_HOSTS if h.role == "provider")
CONSUMER = next(h for h in LINUX_HOSTS if h.role == "consumer")


def _target(lab: SshLab, host: LinuxHostSpec) -> SshTarget:
    return SshTarget(lab.config.linux_address(host), 22, "linux")


@pytest.fixture(scope="module")
async def reports(ssh_lab: SshLab) -> dict[str, DeviceReport]:
    found = await collect_ssh_many([_target(ssh_lab, h) for h in LINUX_HOSTS], [ssh_lab.linux_profile], 2, OPTIONS)
    return {host.key: report for host, report in zip(LINUX_HOSTS, found, strict=True)}


@pytest.mark.parametrize("host", LINUX_HOSTS, ids=[h.hostname for h in LINUX_HOSTS])
def test_host_identity_is_its_own(ssh_lab: SshLab, reports: dict[str, DeviceReport], host: LinuxHostSpec) -> None:
    report = reports[host.key]
    assert report.status is Status.OK, report.errors
    device = report.device
    assert device is not None
    assert device.kind is DeviceKind.SERVER and device.platform == "linux"
    assert device.sys_name == host.hostname
    machine_id = (Path("/etc/netns") / ssh_lab.config.namespace(host) / "machine-id").read_text().strip()
    assert device.serial == machine_id  # no DMI serial here, so the machine id is the identity
    assert device.os_name and device.kernel and device.cpu_count and device.memory_bytes
    assert {Section.SYSTEM, Section.INTERFACES, Section.ADDRESSES, Section.SOFTWARE, Section.SERVICES,
            Section.CONNECTIONS} <= report.sections


def test_hosts_are_told_apart(reports: dict[str, DeviceReport]) -> None:
    devices = [r.device for r in reports.values()]
    assert len({d.serial for d in devices if d}) == len(LINUX_HOSTS)
    assert len({d.sys_name for d in devices if d}) == len(LINUX_HOSTS)


def test_interfaces_addresses_and_packages(ssh_lab: SshLab, reports: dict[str, DeviceReport]) -> None:
    report = reports[PROVIDER.key]
    eth0 = next(i for i in report.interfaces if i.name == "eth0")
    assert eth0.mac is not None and eth0.oper_status == "up"
    assert (ssh_lab.config.linux_address(PROVIDER), 24, "eth0") in {(a.address, a.prefix_length, a.interface) for a in report.addresses}
    packages = {s.name: s.version for s in report.software}
    assert packages.get("openssh-server")  # the sshd we are talking to is an installed package


def test_listening_service_and_established_connection(ssh_lab: SshLab, reports: dict[str, DeviceReport]) -> None:
    provider, consumer = reports[PROVIDER.key], reports[CONSUMER.key]
    service = next(s for s in provider.services if s.port == SERVICE_PORT)
    assert (service.protocol, service.address, service.process) == ("tcp", "0.0.0.0", SERVICE_NAME)
    assert any(s.port == 22 and s.process == "sshd" for s in provider.services)
    conn = next(c for c in consumer.connections if c.remote_port == SERVICE_PORT)
    assert conn.remote_address == ssh_lab.config.linux_address(PROVIDER)
    assert conn.process == CLIENT_NAME
    # Our own SSH session is an incoming connection to sshd, not a dependency of the host.
    assert all(c.remote_port != 22 for c in consumer.connections)


def test_dependency_between_the_two_hosts(ssh_lab: SshLab, reports: dict[str, DeviceReport]) -> None:
    assert derive_dependencies(list(reports.values())) == [
        DependencyObservation(
            consumer_host=ssh_lab.config.linux_address(CONSUMER),
            consumer_process=CLIENT_NAME,
            provider_host=ssh_lab.config.linux_address(PROVIDER),
            provider_process=SERVICE_NAME,
            port=SERVICE_PORT,
            protocol="tcp",
        )
    ]


async def test_unknown_key_is_auth_failed(ssh_lab: SshLab) -> None:
    other_key = ssh_lab.workdir / "ssh" / "clisim" / "host_key"  # a valid key sshd does not accept
    profile = SshProfile(name="other", username="root", key_file=other_key)
    report = await collect_ssh(_target(ssh_lab, PROVIDER), [profile], SshOptions(timeout=10.0))
    assert report.status is Status.AUTH_FAILED


async def test_host_key_mismatch_is_refused(ssh_lab: SshLab, tmp_path: Path) -> None:
    wrong = (ssh_lab.workdir / "ssh" / "clisim" / "host_key.pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"{ssh_lab.config.linux_address(PROVIDER)} {wrong[0]} {wrong[1]}\n")
    report = await collect_ssh(_target(ssh_lab, PROVIDER), [ssh_lab.linux_profile],
                               SshOptions(timeout=10.0, known_hosts=known))
    assert report.status is Status.ERROR
    assert report.errors[0].reason == "host_key"
