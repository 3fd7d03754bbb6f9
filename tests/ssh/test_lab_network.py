"""netmiko really logging into the CLI simulator (real outputs replayed) for all four platforms,
and every error path ending as a clear per-device status within its time limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from deploy.lab.ssh import CLI_DEVICES, CliDeviceSpec, _corpus_file, config_path, device_hostname
from discovery.credentials import SshProfile
from discovery.observations import DeviceReport, Section, Status
from discovery.ssh.collect import SshOptions, SshTarget, collect_ssh, collect_ssh_many
from discovery.ssh.config import config_diff
from discovery.ssh.platforms import PLATFORMS
from tests.ssh.conftest import SshLab

pytestmark = pytest.mark.lab

FAST = SshOptions(timeout=8.0, command_timeout=5.0)
GOOD = [d for d in CLI_DEVICES if d.behaviour == "normal" and not d.reject]


def _device(key: str) -> CliDeviceSpec:
    return next(d for d in CLI_DEVICES if d.key == key)


def _target(lab: SshLab, spec: CliDeviceSpec, platform: str | None = "") -> SshTarget:
    return SshTarget(lab.config.cli_address(spec), lab.config.cli_port,
                     spec.platform if platform == "" else platform)


def _expected(spec: CliDeviceSpec, command: str) -> list[dict[str, str]]:
    raw = _corpus_file(spec.platform, spec.outputs[command])
    records: list[dict[str, str]] = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    return records


async def _collect(
    lab: SshLab, spec: CliDeviceSpec, options: SshOptions = FAST, platform: str | None = ""
) -> DeviceReport:
    """Collect one simulated device; ``platform=None`` leaves the platform to autodetection."""
    return await collect_ssh(_target(lab, spec, platform), [lab.cli_profile], options)


@pytest.mark.parametrize("spec", GOOD, ids=[d.key for d in GOOD])
async def test_device_is_discovered_from_its_replayed_outputs(ssh_lab: SshLab, spec: CliDeviceSpec) -> None:
    report = await _collect(ssh_lab, spec)
    assert report.status is Status.OK, report.errors
    assert report.credential == "lab-cli"
    assert report.device is not None
    assert report.device.sys_name == device_hostname(spec)
    assert report.device.platform == spec.platform
    assert report.device.mgmt_ip == ssh_lab.config.cli_address(spec)
    truth = next(d for d in ssh_lab.topology.devices if d.address == ssh_lab.config.cli_address(spec))
    assert (report.device.model, report.device.serial, report.device.os_version) == (
        truth.model or None, truth.serial or None, truth.os_version or None
    )
    platform = PLATFORMS[spec.platform]
    inventory_cmd = platform.commands["inventory"]
    assert {c.serial for c in report.components} - {None} >= _serials(_expected(spec, inventory_cmd))
    lldp = _expected(spec, platform.commands["lldp"])
    cdp = _expected(spec, platform.commands["cdp"]) if "cdp" in platform.commands else []
    assert len(report.neighbors) == len([r for r in lldp + cdp if r["local_interface"]])
    assert set(Section) - report.sections == {Section.SOFTWARE, Section.SERVICES, Section.CONNECTIONS, Section.STORAGE}
    assert report.config is not None
    assert "<masked>" in report.config.text


def _serials(records: list[dict[str, str]]) -> set[str]:
    found = set()
    for rec in records:
        for key, value in rec.items():
            if (key == "sn" or key.endswith("serial_number")) and value not in ("", "N/A", "BUILTIN"):
                found.add(value)
    return found


async def test_interfaces_match_the_replayed_output(ssh_lab: SshLab) -> None:
    spec = _device("ios")
    report = await _collect(ssh_lab, spec)
    assert [i.name for i in report.interfaces] == [r["interface"] for r in _expected(spec, "show interfaces")]
    assert {Section.INTERFACES, Section.ADDRESSES, Section.INVENTORY, Section.NEIGHBORS} <= report.sections


async def test_rejected_commands_make_the_report_partial(ssh_lab: SshLab) -> None:
    report = await _collect(ssh_lab, _device("ios-partial"))
    assert report.status is Status.PARTIAL
    reasons = {(e.section, e.reason) for e in report.errors}
    assert reasons == {(Section.INVENTORY, "rejected"), (Section.NEIGHBORS, "rejected")}
    assert "% Invalid input" in next(e.detail for e in report.errors if e.section is Section.INVENTORY)
    # What the device did answer is still there, and only those sections count as complete.
    assert report.device is not None and report.device.sys_name == "rtr-01"
    assert Section.INVENTORY not in report.sections and Section.NEIGHBORS not in report.sections
    assert report.neighbors  # LLDP worked; only CDP was rejected
    assert Section.SYSTEM in report.sections


async def test_wrong_password_is_auth_failed_quickly(ssh_lab: SshLab) -> None:
    wrong = SshProfile(name="wrong", username=ssh_lab.cli_profile.username, password=SecretStr("not-the-password"))
    started = time.monotonic()
    report = await collect_ssh(_target(ssh_lab, _device("ios")), [wrong], FAST)
    assert report.status is Status.AUTH_FAILED
    assert time.monotonic() - started < 5
    assert "not-the-password" not in repr(report)


async def test_profiles_are_tried_in_order_and_the_working_one_is_named(ssh_lab: SshLab) -> None:
    wrong = SshProfile(name="wrong", username="nobody", password=SecretStr("nope-nope"))
    report = await collect_ssh(_target(ssh_lab, _device("eos")), [wrong, ssh_lab.cli_profile], FAST)
    assert report.status is Status.OK
    assert report.credential == "lab-cli"


async def test_device_rejecting_every_login(ssh_lab: SshLab) -> None:
    report = await _collect(ssh_lab, _device("ios-badauth"))
    assert report.status is Status.AUTH_FAILED
    assert report.errors[0].reason == "auth_failed"


async def test_silent_device_times_out_within_the_limit(ssh_lab: SshLab) -> None:
    options = SshOptions(timeout=6.0, command_timeout=5.0)
    started = time.monotonic()
    report = await _collect(ssh_lab, _device("ios-hang"), options)
    elapsed = time.monotonic() - started
    assert report.status is Status.TIMEOUT
    assert elapsed < options.timeout + 3


async def test_unexpected_prompt_is_an_error_not_a_hang(ssh_lab: SshLab) -> None:
    report = await _collect(ssh_lab, _device("ios-menu"))
    assert report.status is Status.ERROR
    assert report.errors[0].reason == "unexpected_prompt"
    assert "Select option" in report.errors[0].detail


async def test_nothing_listening_is_unreachable(ssh_lab: SshLab) -> None:
    target = SshTarget(f"{ssh_lab.config.cli_net}.99", ssh_lab.config.cli_port, "cisco_ios")
    report = await collect_ssh(target, [ssh_lab.cli_profile], FAST)
    assert report.status is Status.UNREACHABLE


async def test_host_key_mismatch_is_refused(ssh_lab: SshLab, tmp_path: Path) -> None:
    """known_hosts names another key for the device: we must not log in."""
    spec = _device("ios")
    other_key = (ssh_lab.workdir / "ssh" / "linux" / "a" / "ssh_host_ed25519_key.pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"{ssh_lab.config.cli_address(spec)} {other_key[0]} {other_key[1]}\n")
    options = SshOptions(timeout=8.0, command_timeout=5.0, known_hosts=known)
    report = await _collect(ssh_lab, spec, options)
    assert report.status is Status.ERROR
    assert report.errors[0].reason == "host_key"


async def test_matching_known_hosts_is_accepted(ssh_lab: SshLab, tmp_path: Path) -> None:
    spec = _device("junos")
    key = (ssh_lab.workdir / "ssh" / "clisim" / "host_key.pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"{ssh_lab.config.cli_address(spec)} {key[0]} {key[1]}\n")
    report = await _collect(ssh_lab, spec, SshOptions(timeout=8.0, command_timeout=5.0, known_hosts=known))
    assert report.status is Status.OK


async def test_config_change_on_the_device_is_detected(ssh_lab: SshLab) -> None:
    spec = _device("eos")
    before = await _collect(ssh_lab, spec)
    path = config_path(ssh_lab.workdir, spec.key)
    original = path.read_text()
    try:
        path.write_text(original.replace("description uplink-spine2", "description uplink-moved"))
        after = await _collect(ssh_lab, spec)
    finally:
        path.write_text(original)
    assert before.config is not None and after.config is not None
    assert before.config.sha256 != after.config.sha256
    diff = config_diff(before.config.text, after.config.text)
    assert "-   description uplink-spine2" in diff.splitlines()
    assert "+   description uplink-moved" in diff.splitlines()
    again = await _collect(ssh_lab, spec)
    assert again.config is not None and again.config.sha256 == before.config.sha256


async def test_autodetect_finds_the_platform(ssh_lab: SshLab) -> None:
    report = await _collect(ssh_lab, _device("ios"), platform=None)
    assert report.status is Status.OK, report.errors
    assert report.device is not None and report.device.platform == "cisco_ios"


async def test_many_devices_bounded_and_in_order(ssh_lab: SshLab) -> None:
    targets = [_target(ssh_lab, spec) for spec in CLI_DEVICES]
    started = time.monotonic()
    reports = await collect_ssh_many(targets, [ssh_lab.cli_profile], concurrency=4, options=FAST)
    assert time.monotonic() - started < 2 * FAST.timeout + 6
    assert [r.target for r in reports] == [t.label for t in targets]
    by_key = {spec.key: r.status for spec, r in zip(CLI_DEVICES, reports, strict=True)}
    assert by_key == {
        "ios": Status.OK, "nxos": Status.OK, "eos": Status.OK, "junos": Status.OK,
        "ios-partial": Status.PARTIAL, "ios-badauth": Status.AUTH_FAILED,
        "ios-hang": Status.TIMEOUT, "ios-menu": Status.ERROR,
    }
