"""Entry point of SSH discovery: many targets, bounded concurrency, one DeviceReport each.

For each target the credential profiles are tried in order; the first that authenticates is
remembered by name. Every failure ends as a report status (never an exception out of here):
authentication -> AUTH_FAILED, no answer -> TIMEOUT, refused -> UNREACHABLE, host-key mismatch,
unexpected prompt or anything else -> ERROR; a rejected command -> PARTIAL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import paramiko
from netmiko import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout, SSHDetect

from discovery.credentials import CredentialStore, SshProfile
from discovery.observations import DeviceReport, Section, SectionError, Source, Status
from discovery.ssh.linux import LinuxOptions, fetch_linux
from discovery.ssh.linux_parse import build_linux_report
from discovery.ssh.netcli import CliOptions, UnexpectedPrompt, connection_params, fetch_cli
from discovery.ssh.network import build_network_report
from discovery.ssh.platforms import PLATFORMS, get_platform

log = logging.getLogger(__name__)

LINUX = "linux"


@dataclass(frozen=True)
class SshTarget:
    """One thing to log into. ``platform`` is a netmiko device_type, ``"linux"``, or None (autodetect)."""

    address: str
    port: int = 22
    platform: str | None = None
    credentials: tuple[str, ...] = field(default_factory=tuple)  # profile names; empty = all SSH profiles

    @property
    def label(self) -> str:
        return self.address if self.port == 22 else f"{self.address}:{self.port}"


@dataclass(frozen=True)
class SshOptions:
    timeout: float = 20.0  # hard limit per device and profile
    command_timeout: float = 10.0
    known_hosts: Path | None = None


class _AuthFailed(Exception):
    pass


def classify(exc: BaseException) -> tuple[Status, str, str]:
    """Map a connection-level exception to (status, reason, detail). Details never hold secrets."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0][:200] if lines else type(exc).__name__
    if isinstance(exc, NetmikoAuthenticationException | asyncssh.PermissionDenied | _AuthFailed):
        return Status.AUTH_FAILED, "auth_failed", "no credential profile was accepted"
    if isinstance(exc, paramiko.BadHostKeyException | asyncssh.HostKeyNotVerifiable) or "known_hosts" in text:
        return Status.ERROR, "host_key", text
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return Status.UNREACHABLE, "unreachable", text
    if isinstance(exc, NetmikoTimeoutException | ReadTimeout | TimeoutError):
        return Status.TIMEOUT, "timeout", text
    if isinstance(exc, UnexpectedPrompt) or (isinstance(exc, ValueError) and "prompt" in text.lower()):
        return Status.ERROR, "unexpected_prompt", text
    return Status.ERROR, "error", f"{type(exc).__name__}: {text}"


def failed_report(target: SshTarget, exc: BaseException, elapsed: float) -> DeviceReport:
    status, reason, detail = classify(exc)
    return DeviceReport(
        target=target.label,
        source=Source.SSH,
        status=status,
        errors=[SectionError(Section.SYSTEM, reason, detail)],
        elapsed_seconds=elapsed,
    )


async def _collect_with(target: SshTarget, platform: str, profile: SshProfile, options: SshOptions) -> DeviceReport:
    started = time.monotonic()
    if platform == LINUX:
        linux_opts = LinuxOptions(options.timeout, options.command_timeout, options.known_hosts)
        linux = await fetch_linux(target.address, target.port, profile, linux_opts)
        return build_linux_report(target.label, target.address, linux.outputs, linux.failures,
                                  profile.name, time.monotonic() - started)
    cli_opts = CliOptions(options.timeout, options.command_timeout, options.known_hosts)
    capture = await fetch_cli(target.address, target.port, get_platform(platform), profile, cli_opts)
    return build_network_report(target.label, target.address, capture, profile.name, time.monotonic() - started)


async def detect_platform(target: SshTarget, profile: SshProfile, options: SshOptions) -> str:
    """netmiko's SSHDetect, as a last resort when neither settings nor SNMP named a platform."""
    params = connection_params(target.address, target.port, get_platform("cisco_ios"), profile,
                               CliOptions(options.timeout, options.command_timeout, options.known_hosts))
    params = {k: v for k, v in params.items() if k not in ("auto_connect", "read_timeout_override")}
    params["device_type"] = "autodetect"

    def run() -> str | None:
        detector = SSHDetect(**params)
        try:
            return detector.autodetect()
        finally:
            detector.connection.disconnect()

    found = await asyncio.wait_for(asyncio.to_thread(run), timeout=options.timeout)
    if found not in PLATFORMS and found != LINUX:
        raise ValueError(f"autodetect found no supported platform (got {found!r})")
    return found


async def collect_ssh(target: SshTarget, profiles: Sequence[SshProfile], options: SshOptions) -> DeviceReport:
    """One target: try profiles in order; never raises."""
    started = time.monotonic()
    if not profiles:
        return failed_report(target, _AuthFailed(), 0.0)
    last: BaseException = _AuthFailed()
    for profile in profiles:
        try:
            platform = target.platform or await detect_platform(target, profile, options)
            return await _collect_with(target, platform, profile, options)
        except (NetmikoAuthenticationException, asyncssh.PermissionDenied) as exc:
            log.info("ssh %s: profile %s not accepted", target.label, profile.name)
            last = exc
        except Exception as exc:  # every other failure is final for this target
            last = exc
            break
    report = failed_report(target, last, time.monotonic() - started)
    log.info("ssh %s: %s (%s)", target.label, report.status, report.errors[0].reason)
    return report


async def collect_ssh_many(
    targets: Sequence[SshTarget],
    profiles: CredentialStore | Sequence[SshProfile],
    concurrency: int = 8,
    options: SshOptions | None = None,
) -> list[DeviceReport]:
    """Collect every target with at most ``concurrency`` sessions at once; reports in target order."""
    options = options or SshOptions()
    gate = asyncio.Semaphore(concurrency)

    async def one(target: SshTarget) -> DeviceReport:
        chosen = _profiles_for(target, profiles)
        async with gate:
            return await collect_ssh(target, chosen, options)

    return list(await asyncio.gather(*(one(t) for t in targets)))


def _profiles_for(target: SshTarget, profiles: CredentialStore | Sequence[SshProfile]) -> list[SshProfile]:
    if isinstance(profiles, CredentialStore):
        return profiles.ssh(list(target.credentials) or None)
    if target.credentials:
        by_name = {p.name: p for p in profiles}
        return [by_name[name] for name in target.credentials if name in by_name]
    return list(profiles)
