"""I/O only: run the Linux inventory commands on one host over SSH (asyncssh).

One connection and one session per host: all commands run in one framed shell script, under
the host's hard deadline. A command that fails (non-zero exit, e.g. ``ss`` missing) is recorded
as a failure of that purpose only.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from discovery.credentials import SshProfile
from discovery.ssh.linux_parse import batch_script, split_batch


@dataclass(frozen=True)
class LinuxOptions:
    timeout: float = 20.0  # hard limit for one host, login and every command
    known_hosts: Path | None = None  # verify host keys when given; None accepts any (lab use)


@dataclass
class LinuxCapture:
    outputs: dict[str, str]
    failures: dict[str, tuple[str, str]]


async def fetch_linux(address: str, port: int, profile: SshProfile, options: LinuxOptions) -> LinuxCapture:
    """Read every purpose of LINUX_COMMANDS; raises on connection-level failures."""
    started = time.monotonic()
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
            return await _run_all(conn, max(1.0, options.timeout - (time.monotonic() - started)))


async def _run_all(conn: asyncssh.SSHClientConnection, timeout: float) -> LinuxCapture:
    """Every command in one session (see ``batch_script``); a command still running at the
    deadline and those after it are reported as timed out."""
    nonce = f"@@cmdb-{secrets.token_hex(8)}"
    try:
        result = await conn.run(batch_script(nonce), check=False, timeout=timeout)
        stdout, stderr = result.stdout, result.stderr
    except asyncssh.TimeoutError as exc:
        stdout, stderr = exc.stdout, exc.stderr
    outputs, failures = split_batch(
        stdout if isinstance(stdout, str) else "", stderr if isinstance(stderr, str) else "", nonce
    )
    return LinuxCapture(outputs=outputs, failures=failures)
