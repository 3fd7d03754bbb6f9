"""The lab's SNMP agents: snmpsim processes serving the recordings, and one real net-snmp snmpd.

How snmpsim tells devices apart (snmpsim 1.2 with pysnmp 7): its documented selection of a
data file by transport address does not run (its handlers use pysnmp 6 method names that
pysnmp 7 never calls), so selecting by address would silently answer every address with the
same recording. What does work is snmpsim's *multi-engine* mode: in one process, each
``--v3-engine-id`` section is an independent SNMP engine with its own endpoint, data
directory and USM users. Each device therefore gets:

- its own engine (own engine ID, derived from its address) listening on its own 127.x address;
- its own data directory holding hard links to its recording: ``public.snmprec`` (community
  ``public``), ``self.snmprec`` (the empty SNMPv3 context that real managers use; it also makes
  the empty community valid) and, for corpus devices, ``<stem>.snmprec`` (community = stem);
- the lab's SNMPv3 user (SHA + AES128) when the topology says so, else a random unknown user
  (so snmpsim's well-known default user is never active).

snmpsim indexes each recording at start-up; ``deploy/lab/snmpsim_support/anydbm.py`` makes that index a
sqlite file instead of ``dbm.dumb`` (100x faster, 50x smaller), and
``deploy/lab/snmpsim_support/launch.py`` compiles pysnmp's MIB modules once per process
instead of once per engine (see their docstrings).

Devices are split into shards of ``SHARD_SIZE`` engines per process: start-up costs about
0.1 s of CPU and 1.3 MB per engine, so shards start in parallel and each stays small.
Options go through ``--args-from-file`` (mode 0600) so keys never appear in ``ps``; the log
level is ``error`` because snmpsim logs USM keys at ``info``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from deploy.lab.topology import LabDevice

SHARD_SIZE = 100
SNMPSIM = Path(sys.executable).parent / "snmpsim-command-responder"
SNMPD = Path("/usr/sbin/snmpd")
SUPPORT = Path(__file__).resolve().parent / "snmpsim_support"
LAUNCHER = SUPPORT / "launch.py"
SNMPD_ADDRESS = "127.20.255.1"
SNMPD_NAME = "lab-snmpd"
UNPRIVILEGED_SNMPD_PORT = 1161


@dataclass(frozen=True, slots=True)
class Served:
    """A device and the recording that serves it."""

    device: LabDevice
    recording: Path
    extra_communities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Started:
    """A process the lab started: its PID and a marker found in its command line (PID reuse guard)."""

    pid: int
    marker: str
    what: str


def port_free(address: str, port: int) -> bool:
    """True when nothing listens on UDP ``address:port`` (snmpsim binds with SO_REUSEADDR,
    so a second lab on the same addresses would otherwise share, and steal, the sockets)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def engine_id(address: str) -> str:
    """RFC 3411 engine ID (net-snmp enterprise 8072, text format) derived from the address."""
    return "80001f8804" + address.encode().hex()


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system: a copy serves just as well
        shutil.copyfile(source, target)


def prepare_data_dir(root: Path, served: Served) -> Path:
    """``root/<address>/`` with the recording linked under every name snmpsim should answer."""
    directory = root / served.device.address
    directory.mkdir(parents=True, exist_ok=True)
    for stem in ("public", "self", *served.extra_communities):
        _link(served.recording, directory / f"{stem}.snmprec")
    return directory


def _engine_args(served: Served, data_dir: Path, port: int, v3: dict[str, str]) -> list[str]:
    device = served.device
    args = [
        f"--v3-engine-id={engine_id(device.address)}",
        f"--data-dir={data_dir}",
        f"--agent-udpv4-endpoint={device.address}:{port}",
    ]
    if device.snmpv3_user and v3:
        return args + [
            f"--v3-user={v3['user']}",
            f"--v3-auth-key={v3['auth_key']}",
            f"--v3-auth-proto={v3['auth_protocol']}",
            f"--v3-priv-key={v3['priv_key']}",
            f"--v3-priv-proto={v3['priv_protocol']}",
        ]
    return args + [
        f"--v3-user=nobody-{secrets.token_hex(4)}",
        f"--v3-auth-key={secrets.token_hex(16)}",
        "--v3-auth-proto=SHA",
    ]


def _environment() -> dict[str, str]:
    """The snmpsim process environment: the sqlite index shim first on its path (see
    ``deploy/lab/snmpsim_support/anydbm.py``), and root permission when the lab runs as root."""
    path = os.pathsep.join(p for p in (str(SUPPORT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **_privileges()}


def _privileges() -> dict[str, str]:
    """snmpsim refuses to run as root unless told to. It could drop to ``nobody`` after binding,
    but it imports modules lazily after the drop and the interpreter may live where ``nobody``
    cannot read (``/root/.pyenv``), so as root it keeps root; it binds loopback addresses only."""
    return {"SNMPSIM_ALLOW_ROOT": "true"} if os.getuid() == 0 else {}


def start_snmpsim_shard(
    workdir: Path, shard: int, served: list[Served], port: int, v3: dict[str, str]
) -> Started:
    """One snmpsim process serving ``served`` (one engine per device); returns at once."""
    base = workdir / "snmpsim"
    data_root, cache = base / "data", base / "cache" / f"shard-{shard:03d}"
    cache.mkdir(parents=True, exist_ok=True)
    empty_modules = base / "no-variation-modules"
    empty_modules.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for item in served:
        args += _engine_args(item, prepare_data_dir(data_root, item), port, v3)
    args_file = base / f"shard-{shard:03d}.args"
    args_file.touch(mode=0o600, exist_ok=True)
    args_file.chmod(0o600)
    args_file.write_text("\n".join(args) + "\n")
    argv = [
        sys.executable,
        str(LAUNCHER),
        "--log-level=error",
        f"--cache-dir={cache}",
        f"--variation-modules-dir={empty_modules}",
        f"--args-from-file={args_file}",
    ]
    log = (base / f"shard-{shard:03d}.log").open("ab")
    process = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_environment(),
        start_new_session=True,
    )
    return Started(process.pid, str(args_file), f"snmpsim shard {shard} ({len(served)} devices)")


def start_snmpsim(
    workdir: Path, served: list[Served], port: int, v3: dict[str, str]
) -> list[Started]:
    """All shards, started in parallel; readiness is the caller's job (see ``deploy.lab.probe``)."""
    shards = [served[i : i + SHARD_SIZE] for i in range(0, len(served), SHARD_SIZE)]
    return [start_snmpsim_shard(workdir, n, shard, port, v3) for n, shard in enumerate(shards)]


# --------------------------------------------------------------------------- net-snmp snmpd


def snmpd_port(snmp_port: int) -> int:
    """snmpd always gets an unprivileged port (the simulated devices may use 161)."""
    return snmp_port if snmp_port >= 1024 else UNPRIVILEGED_SNMPD_PORT


def snmpd_config(port: int, persist_dir: Path, v3: dict[str, str]) -> str:
    """snmpd.conf for the lab agent: loopback address only, read-only v2c from loopback
    sources, one authPriv (SHA/AES) user, fixed system identity so tests know what to expect."""
    return "\n".join(
        [
            f"[snmp] persistentDir {persist_dir}",
            f"agentAddress udp:{SNMPD_ADDRESS}:{port}",
            "rocommunity public 127.0.0.0/8",
            f'createUser {v3["user"]} {v3["auth_protocol"]} "{v3["auth_key"]}" {v3["priv_protocol"]} "{v3["priv_key"]}"',
            f"rouser {v3['user']} priv",
            f"sysName {SNMPD_NAME}",
            "sysLocation DC1 lab rack 0",
            "sysContact noc@lab.example",
            "sysServices 72",
            "",
        ]
    )


def start_snmpd(workdir: Path, port: int, v3: dict[str, str]) -> Started:
    """The real net-snmp agent in the foreground (-f), only its own config (-C -c), logging to a file."""
    base = workdir / "snmpd"
    persist = base / "persist"
    persist.mkdir(parents=True, exist_ok=True)
    conf = base / "snmpd.conf"
    conf.touch(mode=0o600, exist_ok=True)
    conf.chmod(0o600)
    conf.write_text(snmpd_config(port, persist, v3))
    argv = [
        str(SNMPD),
        "-f",
        "-C",
        "-c",
        str(conf),
        "-Lf",
        str(base / "snmpd.log"),
        "-p",
        str(base / "snmpd.pid"),
    ]
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(persist), "MIBS": ""}
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    return Started(process.pid, str(conf), "net-snmp snmpd")


def snmpd_device(port: int, v3_user: str) -> LabDevice:
    """Topology entry of the snmpd agent (identity set by its config; hardware is the host's)."""
    uname = os.uname()
    return LabDevice(
        name=SNMPD_NAME,
        role="server",
        address=SNMPD_ADDRESS,
        snmp_port=port,
        community="public",
        vendor="",
        model="",
        serial="",
        os_name="Linux",
        os_version=uname.release,
        sys_object_id="1.3.6.1.4.1.8072.3.2.10",
        chassis_mac="",
        platform="linux",
        snmpv3_user=v3_user,
        source="snmpd",
        location="DC1 lab rack 0",
        sys_descr=f"{uname.sysname} {uname.nodename} {uname.release} {uname.version} {uname.machine}",
    )
