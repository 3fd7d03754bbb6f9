"""Pure parsing of a network device's CLI capture into a DeviceReport.

Every command output is parsed with ntc-templates (TextFSM) for the platform; records are
mapped to observations by the platform module. A command the device rejected, or whose output
does not parse, costs only its own section (the report becomes PARTIAL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ntc_templates.parse import parse_output

from discovery.observations import (
    ComponentObservation,
    DeviceObservation,
    DeviceReport,
    Section,
    SectionError,
    Source,
    Status,
)
from discovery.ssh.config import snapshot
from discovery.ssh.platforms import get_platform
from discovery.ssh.platforms.base import PURPOSE_SECTION, PlatformSpec, Records


@dataclass
class CliCapture:
    """What the collector read from one device: raw outputs and per-command failures."""

    platform: str  # netmiko device_type
    prompt: str | None = None  # base prompt netmiko found (host name, Junos: user@host)
    outputs: dict[str, str] = field(default_factory=dict)  # CLI command -> raw output
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # CLI command -> (reason, detail)


def parse_command(spec: PlatformSpec, command: str, output: str) -> Records:
    """Records of one command through the platform's ntc-templates template."""
    records: Records = parse_output(platform=spec.device_type, command=command, data=output)
    return records


def build_network_report(
    target: str,
    address: str,
    capture: CliCapture,
    credential: str | None = None,
    elapsed: float | None = None,
) -> DeviceReport:
    """Turn a capture into a report; never raises for bad device output."""
    spec = get_platform(capture.platform)
    report = DeviceReport(target=target, source=Source.SSH, status=Status.OK, credential=credential,
                          elapsed_seconds=elapsed)
    parsed, failed = _parse_all(spec, capture, report.errors)
    _map_sections(spec, parsed, failed, report)
    _map_config(spec, capture, report)
    report.device = _complete_device(report.device, report.components, spec, capture, address)
    report.status = Status.PARTIAL if report.errors else Status.OK
    return report


def _parse_all(
    spec: PlatformSpec, capture: CliCapture, errors: list[SectionError]
) -> tuple[dict[str, Records], set[str]]:
    """Parse each purpose's output; record why a purpose has no records."""
    parsed: dict[str, Records] = {}
    failed: set[str] = set()
    for purpose, command in spec.commands.items():
        section = PURPOSE_SECTION[purpose]
        error = _command_error(spec, capture, command)
        if error is None:
            try:
                parsed[purpose] = parse_command(spec, command, capture.outputs[command])
                continue
            except Exception as exc:  # TextFSM raises its own types for unparseable text
                error = ("malformed", f"{command}: {type(exc).__name__}: {exc}"[:300])
        failed.add(purpose)
        errors.append(SectionError(section, error[0], error[1]))
    return parsed, failed


def _command_error(spec: PlatformSpec, capture: CliCapture, command: str) -> tuple[str, str] | None:
    if command in capture.failures:
        reason, detail = capture.failures[command]
        return reason, f"{command}: {detail}"
    if command not in capture.outputs:
        return "not_collected", command
    rejected = spec.rejection(capture.outputs[command])
    return ("rejected", f"{command}: {rejected}") if rejected else None


def _map_sections(spec: PlatformSpec, parsed: dict[str, Records], failed: set[str], report: DeviceReport) -> None:
    """Run each section's mapper when its inputs parsed; a section is complete only if all did."""
    plan: list[tuple[Section, tuple[str, ...], Callable[[dict[str, Records]], Any]]] = [
        (Section.SYSTEM, ("version",), spec.device),
        (Section.INVENTORY, ("inventory",), spec.components),
        (Section.INTERFACES, ("interfaces",), spec.interfaces),
        (Section.ADDRESSES, ("addresses",), spec.addresses),
        (Section.NEIGHBORS, tuple(p for p in ("lldp", "cdp") if p in spec.commands), spec.neighbors),
    ]
    for section, purposes, mapper in plan:
        if not purposes or not any(p in parsed for p in purposes):
            continue
        try:
            result = mapper(parsed)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            report.errors.append(SectionError(section, "malformed", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        _store(report, section, result)
        if all(p in parsed for p in purposes) and not any(p in failed for p in purposes):
            report.sections.add(section)


# Where each section's mapper result goes in the report.
_REPORT_FIELD = {
    Section.SYSTEM: "device",
    Section.INVENTORY: "components",
    Section.INTERFACES: "interfaces",
    Section.ADDRESSES: "addresses",
    Section.NEIGHBORS: "neighbors",
}


def _store(report: DeviceReport, section: Section, result: Any) -> None:
    setattr(report, _REPORT_FIELD[section], result)


def _map_config(spec: PlatformSpec, capture: CliCapture, report: DeviceReport) -> None:
    error = _command_error(spec, capture, spec.config_command)
    if error is not None:
        report.errors.append(SectionError(Section.CONFIG, error[0], error[1]))
        return
    report.config = snapshot(capture.outputs[spec.config_command], spec)
    report.sections.add(Section.CONFIG)


def hostname_from_prompt(spec: PlatformSpec, prompt: str | None) -> str | None:
    """``router1`` from ``router1#``; ``lab`` from Junos' ``user@lab>``."""
    if not prompt:
        return None
    name = prompt.strip().rstrip("#>$%").strip()
    if spec.prompt_user_separator and spec.prompt_user_separator in name:
        name = name.rsplit(spec.prompt_user_separator, 1)[1]
    return name or None


def _complete_device(
    device: DeviceObservation | None,
    components: list[ComponentObservation],
    spec: PlatformSpec,
    capture: CliCapture,
    address: str,
) -> DeviceObservation:
    """Fill what `show version` lacks from the chassis component and the prompt."""
    device = device or DeviceObservation(vendor=spec.vendor, os_name=spec.os_name)
    chassis = next((c for c in components if c.component_class == "chassis"), None)
    return dataclasses.replace(
        device,
        sys_name=device.sys_name or hostname_from_prompt(spec, capture.prompt),
        serial=device.serial or (chassis.serial if chassis else None),
        model=device.model or (chassis.model if chassis else None),
        mgmt_ip=address,
        platform=spec.device_type,
    )
