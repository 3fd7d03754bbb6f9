"""Entry point of SSH discovery: many targets, bounded concurrency, one DeviceReport each.

For each target the credential profiles are tried in order; the first that authenticates is
remembered by name. Every failure ends as a report status (never an exception out of here):
authentication -> AUTH_FAILED, no answer -> TIMEOUT, refused -> UNREACHABLE, host-key mismatch,
unexpected prompt or anything else -> ERROR; a rejected command -> PARTIAL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import paramiko
from netmiko import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout, SSHDetect
from netmiko.ssh_autodetect import SSH_MAPPER_DICT

from discovery.credentials import CredentialStore, SshProfile
from discovery.observations import DeviceReport, Section, SectionError, Source, Status
from discovery.ssh.linux import LinuxOptions, fetch_linux
from discovery.ssh.linux_parse import build_linux_report
from discovery.ssh.netcli import CliOptions, UnexpectedPrompt, connection_params, fetch_cli
from discovery.ssh.network import build_network_report
from discovery.ssh.platforms import get_platform

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
    autodetect_timeout: float = 60.0  # SSHDetect waits seconds of silence after each command


class _AuthFailed(Exception):
    pass


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (netmiko wraps socket and paramiko errors in its own)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify(exc: BaseException) -> tuple[Status, str, str]:
    """Map a connection-level exception to (status, reason, detail). Details never hold secrets."""
    for cause in _chain(exc)[1:]:
        if isinstance(cause, paramiko.ssh_exception.NoValidConnectionsError | ConnectionRefusedError):
            return Status.UNREACHABLE, "unreachable", str(cause)[:200]
        if isinstance(cause, paramiko.BadHostKeyException | asyncssh.HostKeyNotVerifiable):
            return classify(cause)
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


async def _collect_with(
    target: SshTarget, platform: str, profile: SshProfile, options: SshOptions, executor: Executor | None
) -> DeviceReport:
    started = time.monotonic()
    if platform == LINUX:
        linux_opts = LinuxOptions(options.timeout, options.known_hosts)
        linux = await fetch_linux(target.address, target.port, profile, linux_opts)
        return build_linux_report(target.label, target.address, linux.outputs, linux.failures,
                                  profile.name, time.monotonic() - started)
    cli_opts = CliOptions(options.timeout, options.command_timeout, options.known_hosts)
    capture = await fetch_cli(target.address, target.port, get_platform(platform), profile, cli_opts, executor)
    return build_network_report(target.label, target.address, capture, profile.name, time.monotonic() - started)


# Platforms autodetect may answer, most specific first (IOS patterns also match NX-OS text).
AUTODETECT_ORDER = ("cisco_nxos", "arista_eos", "juniper_junos", "cisco_ios", LINUX)


def _autodetect_blocking(params: dict[str, object]) -> str | None:
    """netmiko's SSHDetect, restricted to the platforms we collect.

    SSHDetect.autodetect() tries ~90 platforms and waits 6 s of silence after each distinct
    command (two minutes on a Cisco box); with only our platforms, ``show version`` (cached by
    SSHDetect) and at most ``uname -a`` are sent.
    """
    detector = SSHDetect(**params)
    try:
        for device_type in AUTODETECT_ORDER:
            entry = dict(SSH_MAPPER_DICT[device_type])
            method = getattr(detector, str(entry.pop("dispatch")))
            if method(**entry):
                return device_type
        return None
    finally:
        detector.connection.disconnect()


async def detect_platform(
    target: SshTarget, profile: SshProfile, options: SshOptions, executor: Executor | None = None
) -> str:
    """Last resort when neither settings nor SNMP named a platform."""
    params = connection_params(target.address, target.port, get_platform("cisco_ios"), profile,
                               CliOptions(options.timeout, options.command_timeout, options.known_hosts))
    params = {k: v for k, v in params.items() if k not in ("auto_connect", "read_timeout_override")}
    params["device_type"] = "autodetect"
    blocking = functools.partial(_autodetect_blocking, params)
    found = await asyncio.wait_for(
        asyncio.get_running_loop().run_in_executor(executor, blocking), timeout=options.autodetect_timeout
    )
    if found is None:
        raise ValueError("autodetect found no supported platform")
    return found


async def collect_ssh(
    target: SshTarget,
    profiles: Sequence[SshProfile],
    options: SshOptions,
    executor: Executor | None = None,
) -> DeviceReport:
    """One target: try profiles in order; never raises."""
    started = time.monotonic()
    if not profiles:
        return failed_report(target, _AuthFailed(), 0.0)
    last: BaseException = _AuthFailed()
    for profile in profiles:
        try:
            platform = target.platform or await detect_platform(target, profile, options, executor)
            return await _collect_with(target, platform, profile, options, executor)
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
    """Collect every target with at most ``concurrency`` sessions at once; reports in target order.

    netmiko sessions run in a pool of exactly ``concurrency`` threads (the loop's default pool
    has min(32, CPUs + 4) threads, which would silently cap concurrency on small machines).
    """
    options = options or SshOptions()
    gate = asyncio.Semaphore(concurrency)
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ssh-collect")

    async def one(target: SshTarget) -> DeviceReport:
        chosen = _profiles_for(target, profiles)
        async with gate:
            return await collect_ssh(target, chosen, options, executor)

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        executor.shutdown(wait=False, cancel_futures=True)  # timed-out sessions end on their own


def _profiles_for(target: SshTarget, profiles: CredentialStore | Sequence[SshProfile]) -> list[SshProfile]:
    if isinstance(profiles, CredentialStore):
        return profiles.ssh(list(target.credentials) or None)
    if target.credentials:
        by_name = {p.name: p for p in profiles}
        return [by_name[name] for name in target.credentials if name in by_name]
    return list(profiles)
