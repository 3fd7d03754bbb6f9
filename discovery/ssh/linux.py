"""I/O only: run the Linux inventory commands on one host over SSH (asyncssh).

One connection per host; commands run one after the other, each with its own timeout, and
the whole host has a hard deadline. A command that fails (non-zero exit, e.g. ``ss`` missing)
is recorded as a failure of that purpose only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from discovery.credentials import SshProfile
from discovery.ssh.linux_parse import LINUX_COMMANDS


@dataclass(frozen=True)
class LinuxOptions:
    timeout: float = 20.0  # hard limit for one host
    command_timeout: float = 10.0
    known_hosts: Path | None = None  # verify host keys when given; None accepts any (lab use)


@dataclass
class LinuxCapture:
    outputs: dict[str, str]
    failures: dict[str, tuple[str, str]]


async def fetch_linux(address: str, port: int, profile: SshProfile, options: LinuxOptions) -> LinuxCapture:
    """Read every purpose of LINUX_COMMANDS; raises on connection-level failures."""
    async with asyncio.timeout(options.timeout):
        async with asyncssh.connect(
            address,
            port=port,
            username=profile.username,
            password=profile.password.get_secret_value() if profile.password else None,
            client_keys=[str(profile.key_file)] if profile.key_file else None,
            known_hosts=str(options.known_hosts) if options.known_hosts else None,
            agent_path=None,
            connect_timeout=min(5.0, options.timeout),
            login_timeout=min(10.0, options.timeout),
            preferred_auth="publickey,password" if profile.key_file else "password",
        ) as conn:
            return await _run_all(conn, options.command_timeout)


async def _run_all(conn: asyncssh.SSHClientConnection, command_timeout: float) -> LinuxCapture:
    capture = LinuxCapture(outputs={}, failures={})
    for purpose, command in LINUX_COMMANDS.items():
        try:
            result = await conn.run(command, check=False, timeout=command_timeout)
        except asyncssh.TimeoutError:
            capture.failures[purpose] = ("timeout", f"no result within {command_timeout}s")
            continue
        stdout = result.stdout if isinstance(result.stdout, str) else ""
        if result.exit_status != 0:
            stderr = result.stderr if isinstance(result.stderr, str) else ""
            capture.failures[purpose] = ("rejected", f"exit {result.exit_status}: {stderr.strip()[:200]}")
            continue
        capture.outputs[purpose] = stdout
    return capture
