"""Run snmpsim (real SNMP agents serving ``.snmprec`` recordings) on loopback addresses.

Used by the SNMP tests, the agreement script (``--live``) and the discovery benchmark when
the lab (``python -m deploy.lab``) is not running. The community of a recording is its
file stem. snmpsim refuses to run as root and drops privileges to ``nobody``; after that
it cannot import stdlib modules from a home directory that ``nobody`` cannot read, so the
modules it imports late (dbm, codecs) are imported before ``main()`` runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

_LAUNCH = (
    "import sys, dbm, dbm.dumb, encodings.latin_1, encodings.utf_8, encodings.ascii\n"
    "from snmpsim.commands.responder import main\n"
    "sys.argv = ['snmpsim-command-responder'] + sys.argv[1:]\n"
    "sys.exit(main())\n"
)


def _probe_packet(community: str) -> bytes:
    """A minimal SNMPv2c GET of sysUpTime.0, BER-encoded by hand (no pysnmp import needed)."""

    def tlv(tag: int, body: bytes) -> bytes:
        return bytes([tag, len(body)]) + body

    oid = bytes([0x2B, 6, 1, 2, 1, 1, 3, 0])
    varbind = tlv(0x30, tlv(0x06, oid) + b"\x05\x00")
    pdu = tlv(
        0xA0, tlv(0x02, b"\x01") + tlv(0x02, b"\x00") + tlv(0x02, b"\x00") + tlv(0x30, varbind)
    )
    return tlv(0x30, tlv(0x02, b"\x01") + tlv(0x04, community.encode()) + pdu)


def answers(address: str, port: int, community: str, timeout: float = 0.5) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(_probe_packet(community), (address, port))
        try:
            sock.recvfrom(65535)
        except OSError:
            return False
    return True


class SnmpSim:
    """One snmpsim process listening on ``endpoints`` ((address, port) pairs)."""

    def __init__(self, data_dir: Path, endpoints: Iterable[tuple[str, int]], probe_community: str):
        self.data_dir = data_dir
        self.endpoints = list(endpoints)
        self.probe_community = probe_community
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    def start(self, wait: float = 60.0) -> SnmpSim:
        self._workdir = Path(tempfile.mkdtemp(prefix="snmpsim-"))
        self._workdir.chmod(0o755)  # snmpsim runs as nobody and must reach its cache
        cache = self._workdir / "cache"
        cache.mkdir()
        if os.geteuid() == 0:
            shutil.chown(cache, "nobody", "nogroup")
        log = (self._workdir / "snmpsim.log").open("wb")
        args = [
            sys.executable,
            "-c",
            _LAUNCH,
            f"--data-dir={self.data_dir}",
            f"--cache-dir={cache}",
        ]
        args += [f"--agent-udpv4-endpoint={a}:{p}" for a, p in self.endpoints]
        if os.geteuid() == 0:
            args += ["--process-user=nobody", "--process-group=nogroup"]
        self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready(wait)
        return self

    def _wait_ready(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        address, port = self.endpoints[-1]
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                self._fail("snmpsim exited early")
            if answers(address, port, self.probe_community):
                return
            time.sleep(0.2)
        self._fail(f"snmpsim did not answer within {wait}s")

    def _fail(self, reason: str) -> None:
        log = self.log_path.read_text(errors="replace") if self.log_path else ""
        self.stop()
        tail = "\n".join(log.splitlines()[-5:])
        raise RuntimeError(f"{reason}; last log lines:\n{tail}")

    @property
    def log_path(self) -> Path | None:
        return self._workdir / "snmpsim.log" if self._workdir else None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> SnmpSim:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def free_udp_port(address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


class NetSnmpd:
    """The real net-snmp ``snmpd`` on ``address:port`` with a v2c community and USM users.

    ``users`` are ``(name, auth_protocol, auth_key, priv_protocol, priv_key)`` in net-snmp
    spelling ("SHA", "SHA-512", "AES"...). Lab-only secrets: they are written to a private
    temporary config file that is removed on stop.
    """

    def __init__(
        self,
        address: str,
        port: int,
        community: str,
        users: Iterable[tuple[str, str, str, str, str]] = (),
        extra_endpoints: Iterable[tuple[str, int]] = (),
    ):
        self.address, self.port, self.community = address, port, community
        self.users = list(users)
        self.extra_endpoints = list(extra_endpoints)  # more addresses answering the same data
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    def _config(self) -> str:
        endpoints = [(self.address, self.port), *self.extra_endpoints]
        lines = [
            "agentAddress " + ",".join(f"udp:{a}:{p}" for a, p in endpoints),
            f"rocommunity {self.community} 127.0.0.0/8",
        ]
        for name, auth, auth_key, priv, priv_key in self.users:
            lines.append(f'createUser {name} {auth} "{auth_key}" {priv} "{priv_key}"')
            lines.append(f"rouser {name} priv")
        return "\n".join(lines) + "\n"

    def start(self, wait: float = 20.0) -> NetSnmpd:
        binary = shutil.which("snmpd") or "/usr/sbin/snmpd"
        if not Path(binary).exists():
            raise FileNotFoundError("snmpd is not installed (apt-get install -y snmpd)")
        self._workdir = Path(tempfile.mkdtemp(prefix="snmpd-"))
        config = self._workdir / "snmpd.conf"
        config.write_text(self._config())
        config.chmod(0o600)
        env = {**os.environ, "SNMP_PERSISTENT_DIR": str(self._workdir / "persist"), "MIBS": ""}
        log = (self._workdir / "snmpd.log").open("wb")
        args = [binary, "-f", "-Lo", "-C", "-c", str(config), "-p", str(self._workdir / "pid")]
        self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"snmpd exited early, see {self._workdir / 'snmpd.log'}")
            if answers(self.address, self.port, self.community):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"snmpd did not answer within {wait}s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> NetSnmpd:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
