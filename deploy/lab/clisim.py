"""Network-CLI simulator: one asyncssh process impersonating several IOS / NX-OS / EOS / Junos devices.

Each simulated device listens on its own loopback address, accepts the lab user's password,
answers the session-preparation commands netmiko's drivers send (terminal width/length,
``set cli ...``) with the texts real devices print, replays REAL ``show`` outputs (captured on
real devices, from the ntc-templates test corpus) and rejects anything else with the platform's
real error text. The running configuration is read from a file on every request, so a test (or
a person) can change a device's configuration while the simulator runs.

Behaviours for error tests: ``reject_auth`` (every password is wrong), ``hang`` (login succeeds,
then silence), ``menu`` (login succeeds, then a prompt no CLI driver recognises).

Run: ``python -m deploy.lab.clisim SPEC.json`` (the spec is written by ``deploy.lab.ssh``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

log = logging.getLogger("clisim")

# What each platform prints for the commands netmiko sends while preparing the session.
_SESSION_REPLIES: dict[str, dict[str, str]] = {
    "cisco_ios": {"terminal length 0": "", "terminal width 511": ""},
    "cisco_nxos": {"terminal length 0": "", "terminal width 511": ""},
    "arista_eos": {
        "terminal length 0": "Pagination disabled.",
        "terminal width 511": "Width set to 511 columns.",
    },
    "juniper_junos": {
        "set cli screen-width 511": "Screen width set to 511",
        "set cli complete-on-space off": "Disabling complete-on-space",
        "set cli screen-length 0": "Screen length set to 0",
    },
}

_CONFIG_COMMANDS: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("show running-config",),
    "cisco_nxos": ("show running-config",),
    "arista_eos": ("show running-config",),
    "juniper_junos": ("show configuration", "show configuration | no-more"),
}

_EXIT_COMMANDS = frozenset({"exit", "quit", "logout"})

MENU_PROMPT = "Password expired. Select option [1-3]: "


@dataclass
class SimDevice:
    """One simulated device as described in the spec file."""

    name: str  # host name shown in the prompt (matches the replayed `show version`)
    platform: str  # netmiko device_type impersonated
    address: str
    port: int
    outputs: dict[str, str]  # CLI command -> path of a real raw output
    config_path: str  # running configuration, re-read on every request
    behaviour: str = "normal"  # normal / reject_auth / hang / menu
    reject: list[str] = field(default_factory=list)  # commands answered with the platform's error

    def prompt(self, username: str) -> str:
        if self.platform == "juniper_junos":
            return f"{username}@{self.name}> "
        if self.platform == "cisco_nxos":
            return f"{self.name}# "
        return f"{self.name}#"

    def answer(self, command: str, prompt: str) -> str:
        """The text the device prints for one command line (without echo and prompt)."""
        command = " ".join(command.split())
        if command in self.reject:
            return error_text(self.platform, command, prompt)
        session = _SESSION_REPLIES.get(self.platform, {})
        if command in session:
            return session[command]
        if command in _CONFIG_COMMANDS.get(self.platform, ()):
            return Path(self.config_path).read_text()
        if command in self.outputs:
            return Path(self.outputs[command]).read_text()
        if command in ("enable", "cli"):
            return ""
        return error_text(self.platform, command, prompt)


def error_text(platform: str, command: str, prompt: str) -> str:
    """The platform's real reaction to a command it does not know, caret under the bad word."""
    words = command.split()
    bad = words[1] if len(words) > 1 and words[0] == "show" else words[0]
    column = len(prompt) + command.find(bad)
    caret = " " * column + "^"
    if platform == "juniper_junos":
        return f"{caret}\n" + (
            "syntax error, expecting <command>." if bad != words[0] else "unknown command."
        )
    if platform == "cisco_nxos":
        return f"{caret}\n% Invalid command at '^' marker."
    if platform == "arista_eos":
        return "% Invalid input"
    return f"{caret}\n% Invalid input detected at '^' marker."


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class _Server(asyncssh.SSHServer):
    """Password authentication for one device: the lab user, unless the device rejects all."""

    def __init__(self, device: SimDevice, username: str, password: str):
        self._device = device
        self._username = username
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self._device.behaviour == "reject_auth":
            return False
        return username == self._username and password == self._password


async def _shell(process: asyncssh.SSHServerProcess[str], device: SimDevice) -> None:
    """Interactive shell: echo input like a PTY, answer each line, print the prompt."""
    username = process.get_extra_info("username") or ""
    prompt = device.prompt(username)
    if device.behaviour == "hang":
        await _drain_silently(process)
        return
    first = MENU_PROMPT if device.behaviour == "menu" else prompt
    process.stdout.write("\r\n" + first)
    buffer = ""
    previous = ""
    while not process.stdin.at_eof():
        try:
            chunk = await process.stdin.read(4096)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            continue
        if not chunk:
            break
        out: list[str] = []
        for char in chunk:
            if char == "\n" and previous == "\r":
                previous = char
                continue
            previous = char
            if char not in "\r\n":
                buffer += char
                out.append(char)
                continue
            line, buffer = buffer.strip(), ""
            if line in _EXIT_COMMANDS and device.behaviour != "menu":
                process.stdout.write("".join(out) + "\r\n")
                process.exit(0)
                return
            out.append("\r\n" + _reply(device, line, prompt))
        process.stdout.write("".join(out))
    process.exit(0)


def _reply(device: SimDevice, line: str, prompt: str) -> str:
    if device.behaviour == "menu":
        return MENU_PROMPT
    if not line:
        return prompt
    text = device.answer(line, prompt)
    body = _crlf(text.rstrip("\n")) + "\r\n" if text else ""
    if device.platform == "juniper_junos" and text:
        body += "\r\n"
    return body + prompt


async def _drain_silently(process: asyncssh.SSHServerProcess[str]) -> None:
    while not process.stdin.at_eof():
        if not await process.stdin.read(4096):
            break


async def serve(spec_path: Path) -> list[asyncssh.SSHAcceptor]:
    """Start one listener per device of the spec; returns the acceptors."""
    spec = json.loads(spec_path.read_text())
    key = asyncssh.read_private_key(spec["host_key"])
    username, password = spec["username"], spec["password"]
    acceptors = []
    for raw in spec["devices"]:
        device = SimDevice(**raw)

        async def handler(
            process: asyncssh.SSHServerProcess[str], device: SimDevice = device
        ) -> None:
            await _shell(process, device)

        acceptors.append(
            await asyncssh.create_server(
                lambda device=device: _Server(device, username, password),
                host=device.address,
                port=device.port,
                server_host_keys=[key],
                process_factory=handler,
                line_editor=False,
                encoding="utf-8",
                reuse_address=True,
            )
        )
    return acceptors


async def _main(spec_path: Path, ready_file: Path | None) -> None:
    acceptors = await serve(spec_path)
    log.info("clisim serving %d devices", len(acceptors))
    if ready_file is not None:
        ready_file.write_text("ready\n")
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_main(args.spec, args.ready_file))


if __name__ == "__main__":
    main()
