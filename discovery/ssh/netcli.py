"""I/O only: log into a network device with netmiko and read its command outputs.

netmiko is blocking, so each device runs in a worker thread (an executor sized by the caller). The
connection object is created with ``auto_connect=False`` so the event loop keeps a handle on
it: when the hard per-device deadline passes, the loop closes the transport, which unblocks the
worker thread (a hanging device can never hang the run).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netmiko import BaseConnection, ConnectHandler, ReadTimeout

from discovery.credentials import SshProfile
from discovery.ssh.network import CliCapture
from discovery.ssh.platforms.base import PlatformSpec


@dataclass(frozen=True)
class CliOptions:
    timeout: float = 20.0  # hard limit for one device (connect + every command)
    command_timeout: float = 10.0  # read timeout of one command
    known_hosts: Path | None = None  # verify host keys against this file when given


class UnexpectedPrompt(Exception):
    """The device talks, but never shows a prompt the platform driver recognises."""


def connection_params(address: str, port: int, spec: PlatformSpec, profile: SshProfile, options: CliOptions) -> dict[str, Any]:
    """netmiko ConnectHandler arguments (secrets are read from SecretStr here and only here)."""
    params: dict[str, Any] = {
        "device_type": spec.device_type,
        "host": address,
        "port": port,
        "username": profile.username,
        "conn_timeout": min(5.0, options.timeout),
        "auth_timeout": min(10.0, options.timeout),
        "banner_timeout": min(10.0, options.timeout),
        "read_timeout_override": min(options.command_timeout, options.timeout / 4),  # login phase only
        "fast_cli": True,
        "allow_agent": False,
        "use_keys": profile.key_file is not None,
        "auto_connect": False,
    }
    if profile.password is not None:
        params["password"] = profile.password.get_secret_value()
    if profile.key_file is not None:
        params["key_file"] = str(profile.key_file)
    if profile.secret is not None:
        params["secret"] = profile.secret.get_secret_value()
    if options.known_hosts is not None:
        params |= {"ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
                   "alt_key_file": str(options.known_hosts)}
    return params


def _capture(
    conn: BaseConnection, login_log: io.BytesIO, spec: PlatformSpec, has_secret: bool, command_timeout: float
) -> CliCapture:
    """Blocking: open the session, then run every distinct command once."""
    _open(conn, login_log)
    conn.read_timeout_override = None  # the short login-phase timeout must not cut long outputs
    if has_secret and not conn.check_enable_mode():
        conn.enable()
    capture = CliCapture(platform=spec.device_type, prompt=conn.base_prompt)
    commands = list(dict.fromkeys([*spec.commands.values(), spec.config_command]))
    for position, command in enumerate(commands):
        try:
            capture.outputs[command] = str(conn.send_command(command, read_timeout=command_timeout))
        except Exception as exc:  # ReadTimeout and friends: the session is out of step now
            for rest in commands[position:]:
                capture.failures[rest] = ("timeout", f"{type(exc).__name__}")
            break
    return capture


def _open(conn: BaseConnection, login_log: io.BytesIO) -> None:
    """Open the session (what ConnectHandler does with auto_connect=True), telling a silent
    device (timeout) from one that answers with a prompt the driver does not know.

    ``login_log`` is netmiko's in-memory session log of the login phase only (no command
    output, so no configuration); it is dropped as soon as the prompt is known.
    """
    try:
        conn._open()
    except ReadTimeout:
        lines = [line.strip() for line in login_log.getvalue().decode(errors="replace").splitlines()]
        said = [line for line in lines if line and line != "exit"]  # netmiko logs its own 'exit' on cleanup
        if said:
            raise UnexpectedPrompt(f"unrecognised prompt {said[-1][-80:]!r}") from None
        raise
    finally:
        conn.session_log = None


async def fetch_cli(
    address: str,
    port: int,
    spec: PlatformSpec,
    profile: SshProfile,
    options: CliOptions,
    executor: Executor | None = None,
) -> CliCapture:
    """Read every command of the platform from one device; raises on connection-level failures.

    ``executor`` runs the blocking netmiko session (the caller sizes it to its concurrency;
    None means the event loop's default pool).
    """
    login_log = io.BytesIO()
    conn = ConnectHandler(**connection_params(address, port, spec, profile, options), session_log=login_log)
    blocking = functools.partial(_capture, conn, login_log, spec, profile.secret is not None, options.command_timeout)
    worker = asyncio.get_running_loop().run_in_executor(executor, blocking)
    try:
        return await asyncio.wait_for(asyncio.shield(worker), timeout=options.timeout)
    except TimeoutError:
        _close(conn)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(worker, timeout=2)
        raise
    finally:
        if worker.done() and not worker.cancelled():
            if worker.exception() is None:
                await asyncio.to_thread(_disconnect, conn)
            else:
                _close(conn)


def _close(conn: BaseConnection) -> None:
    """Tear the transport down under a blocked worker thread."""
    with contextlib.suppress(Exception):
        if conn.remote_conn is not None:
            conn.remote_conn.close()
    with contextlib.suppress(Exception):
        if conn.remote_conn_pre is not None:
            conn.remote_conn_pre.close()


def _disconnect(conn: BaseConnection) -> None:
    with contextlib.suppress(Exception):
        conn.disconnect()
