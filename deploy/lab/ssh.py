"""SSH part of the lab: the network-CLI simulator and two real OpenSSH Linux hosts.

Network devices: one ``deploy.lab.clisim`` process serving the devices of ``CLI_DEVICES`` on
127.22.0.x, each replaying real ``show`` outputs from ``../shared/corpus/ntc``.

Linux hosts: each host is a network namespace (``ip netns``) joined to a bridge in the root
namespace; every address involved is in 127.0.0.0/8 (``route_localnet=1`` lets the kernel route
them off ``lo``). ``ip netns exec`` bind-mounts ``/etc/netns/<ns>/{hostname,machine-id}`` over
``/etc``, and ``unshare --uts`` gives each host its own host name, so the two hosts really look
like two machines to a collector. Each runs its own ``sshd`` (root, lab key only). Host A
("app-db") runs a listening service on TCP 5432 and host B ("app-web") runs a client process
that keeps a connection to it open: the application dependency discovery must find.

Entry points: ``start_ssh(topology, workdir) -> list[int]`` (PIDs) and ``stop_ssh(workdir)``;
``python -m deploy.lab.ssh start|stop WORKDIR``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from deploy.lab.topology import LabDevice, Topology

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("CMDB_NTC_CORPUS", REPO.parent / "shared" / "corpus" / "ntc"))
DATA = Path(__file__).resolve().parent / "clisim"
SSHD = Path("/usr/sbin/sshd")
CLI_USER = "cmdblab"
LINUX_USER = "root"
PID_FILE = "ssh-pids.json"


@dataclass(frozen=True)
class CliDeviceSpec:
    """A simulated network device: which real outputs it replays and how it misbehaves."""

    key: str  # stable label, also the config file stem
    platform: str
    octet: int  # last octet of its loopback address
    outputs: dict[str, str]  # CLI command -> corpus file "<command_dir>/<file>.raw"
    hostname: str | None = None  # when the replayed `show version` names none
    behaviour: str = "normal"
    reject: tuple[str, ...] = ()


CLI_DEVICES: tuple[CliDeviceSpec, ...] = (
    CliDeviceSpec(
        "ios",
        "cisco_ios",
        1,
        {
            "show version": "show_version/cisco_ios_show_version.raw",
            "show inventory": "show_inventory/cisco_ios_show_inventory.raw",
            "show interfaces": "show_interfaces/cisco_ios_show_interfaces.raw",
            "show ip interface brief": "show_ip_interface_brief/cisco_ios_show_ip_interface_brief.raw",
            "show lldp neighbors detail": "show_lldp_neighbors_detail/cisco_ios_show_lldp_neighbors_detail_01.raw",
            "show cdp neighbors detail": "show_cdp_neighbors_detail/cisco_ios_show_cdp_neighbors_detail.raw",
        },
    ),
    CliDeviceSpec(
        "nxos",
        "cisco_nxos",
        2,
        {
            "show version": "show_version/cisco_nxos_show_version.raw",
            "show inventory": "show_inventory/cisco_nxos_show_inventory.raw",
            "show interface": "@show_interface/cisco_nxos_show_interface10.raw",
            "show ip interface brief": "show_ip_interface_brief/cisco_nxos_show_ip_interface_brief.raw",
            "show lldp neighbors detail": "show_lldp_neighbors_detail/cisco_nxos_show_lldp_neighbors_detail.raw",
            "show cdp neighbors detail": "show_cdp_neighbors_detail/cisco_nxos_show_cdp_neighbors_detail.raw",
        },
    ),
    CliDeviceSpec(
        "eos",
        "arista_eos",
        3,
        {
            "show version": "show_version/arista_eos_show_version3.raw",
            "show inventory": "show_inventory/arista_eos_show_inventory.raw",
            "show interfaces": "show_interfaces/arista_eos_show_interfaces.raw",
            "show ip interface brief": "show_ip_interface_brief/arista_eos_show_ip_interface_brief.raw",
            "show lldp neighbors detail": "show_lldp_neighbors_detail/arista_eos_show_lldp_neighbors_detail.raw",
        },
        hostname="leaf-eos1",
    ),
    CliDeviceSpec(
        "junos",
        "juniper_junos",
        4,
        {
            "show version": "show_version/juniper_junos_show_version.raw",
            "show chassis hardware": "show_chassis_hardware/juniper_junos_show_chassis_hardware.raw",
            "show interfaces": "show_interfaces/juniper_junos_show_interfaces.raw",
            "show lldp neighbors": "@show_lldp_neighbors/juniper_junos_show_lldp_neighbors.raw",
        },
    ),
    # An IOS device whose image lacks `show inventory` and CDP: its report must be PARTIAL.
    CliDeviceSpec(
        "ios-partial",
        "cisco_ios",
        5,
        {
            "show version": "show_version/cisco_ios_show_version3.raw",
            "show interfaces": "show_interfaces/cisco_ios_show_interfaces2.raw",
            "show ip interface brief": "show_ip_interface_brief/cisco_ios_show_ip_interface_brief.raw",
            "show lldp neighbors detail": "show_lldp_neighbors_detail/cisco_ios_show_lldp_neighbors_detail1.raw",
        },
        reject=("show inventory", "show cdp neighbors detail"),
    ),
    CliDeviceSpec(
        "ios-badauth", "cisco_ios", 6, {}, hostname="badauth-sw", behaviour="reject_auth"
    ),
    CliDeviceSpec("ios-hang", "cisco_ios", 7, {}, hostname="hang-sw", behaviour="hang"),
    CliDeviceSpec("ios-menu", "cisco_ios", 8, {}, hostname="menu-sw", behaviour="menu"),
)


@dataclass(frozen=True)
class LinuxHostSpec:
    key: str  # suffix of the namespace name
    hostname: str
    octet: int
    role: str  # "provider" runs the service, "consumer" connects to it


LINUX_HOSTS: tuple[LinuxHostSpec, ...] = (
    LinuxHostSpec("a", "app-db-01", 11, "provider"),
    LinuxHostSpec("b", "app-web-01", 12, "consumer"),
)
SERVICE_PORT = 5432
SERVICE_NAME = "labdb"
CLIENT_NAME = "orders-app"


@dataclass
class SshLabConfig:
    """Where the SSH lab lives; tests use other values than the demo so both can run at once."""

    cli_net: str = "127.22.0"
    cli_port: int = 22
    linux_net: str = "127.23.0"
    ns_prefix: str = "cmdblab"
    bridge: str = "cmdblabbr0"
    with_linux: bool = True

    def cli_address(self, spec: CliDeviceSpec) -> str:
        return f"{self.cli_net}.{spec.octet}"

    def linux_address(self, spec: LinuxHostSpec) -> str:
        return f"{self.linux_net}.{spec.octet}"

    def namespace(self, spec: LinuxHostSpec) -> str:
        return f"{self.ns_prefix}-{spec.key}"


# --------------------------------------------------------------------------- credentials


def lab_credentials(workdir: Path) -> dict[str, str]:
    """Lab-only credentials, generated once per work directory (file mode 0600)."""
    path = workdir / "ssh" / "credentials.json"
    if path.exists():
        creds: dict[str, str] = json.loads(path.read_text())
        return creds
    path.parent.mkdir(parents=True, exist_ok=True)
    key_file = path.parent / "lab_id_ed25519"
    if not key_file.exists():
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cmdb-lab", "-f", str(key_file)])
    creds = {
        "username": CLI_USER,
        "password": secrets.token_urlsafe(12),
        "linux_username": LINUX_USER,
        "key_file": str(key_file),
    }
    path.write_text(json.dumps(creds))
    path.chmod(0o600)
    return creds


# --------------------------------------------------------------------------- CLI simulator


def _corpus_file(platform: str, ref: str) -> Path:
    """``@`` marks a fixture shipped in deploy/lab/clisim (absent from the shared corpus)."""
    if ref.startswith("@"):
        return DATA / platform / ref[1:]
    return CORPUS / platform / ref


def device_hostname(spec: CliDeviceSpec) -> str:
    """Host name of the replayed `show version` (from its expected record), so prompt and output agree."""
    ref = spec.outputs.get("show version")
    if ref is not None:
        expected = _corpus_file(spec.platform, ref).with_suffix(".yml")
        records = yaml.safe_load(expected.read_text())["parsed_sample"]
        if records and records[0].get("hostname"):
            return str(records[0]["hostname"])
    if spec.hostname is None:
        raise ValueError(f"simulated device {spec.key} needs a hostname")
    return spec.hostname


def config_path(workdir: Path, key: str) -> Path:
    """The running configuration the simulator serves for one device (edit it to 'change' the device)."""
    return workdir / "ssh" / "clisim" / f"{key}.cfg"


def write_clisim_spec(workdir: Path, config: SshLabConfig) -> Path:
    creds = lab_credentials(workdir)
    base = workdir / "ssh" / "clisim"
    base.mkdir(parents=True, exist_ok=True)
    host_key = base / "host_key"
    if not host_key.exists():
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
    devices = []
    for spec in CLI_DEVICES:
        name = device_hostname(spec)
        cfg = config_path(workdir, spec.key)
        template = (DATA / "configs" / f"{spec.platform}.cfg").read_text()
        cfg.write_text(template.replace("{hostname}", name))
        devices.append(
            {
                "name": name,
                "platform": spec.platform,
                "address": config.cli_address(spec),
                "port": config.cli_port,
                "outputs": {
                    cmd: str(_corpus_file(spec.platform, ref)) for cmd, ref in spec.outputs.items()
                },
                "config_path": str(cfg),
                "behaviour": spec.behaviour,
                "reject": list(spec.reject),
            }
        )
    path = base / "spec.json"
    path.write_text(
        json.dumps(
            {
                "host_key": str(host_key),
                "username": creds["username"],
                "password": creds["password"],
                "devices": devices,
            },
            indent=1,
        )
    )
    path.chmod(0o600)
    return path


def start_clisim(workdir: Path, config: SshLabConfig, timeout: float = 20.0) -> int:
    """Start the simulator; returns its PID once every device listens."""
    spec = write_clisim_spec(workdir, config)
    ready = spec.with_name("ready")
    ready.unlink(missing_ok=True)
    log = (workdir / "ssh" / "clisim.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.lab.clisim", str(spec), "--ready-file", str(ready)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(lambda: ready.exists() or proc.poll() is not None, timeout, "clisim")
    except TimeoutError:
        proc.kill()
        raise
    if proc.poll() is not None:
        log_path = workdir / "ssh" / "clisim.log"
        in_use = "address already in use" in log_path.read_text(errors="replace")
        hint = " (an address is taken: is another lab running? `python -m deploy.lab stop`)"
        raise RuntimeError(
            f"clisim exited with {proc.returncode}{hint if in_use else ''}; see {log_path}"
        )
    return proc.pid


# --------------------------------------------------------------------------- Linux hosts


def _machine_id(hostname: str, config: SshLabConfig) -> str:
    """Stable per host and lab, so the same lab host keeps its identity across restarts."""
    return hashlib.sha256(f"{config.ns_prefix}/{hostname}".encode()).hexdigest()[:32]


def _setup_bridge(config: SshLabConfig) -> None:
    _run(["ip", "link", "add", config.bridge, "type", "bridge"])
    _no_ipv6([], config.bridge)
    _run(["ip", "addr", "add", f"{config.linux_net}.1/24", "dev", config.bridge])
    _run(["ip", "link", "set", config.bridge, "up"])
    _run(["sysctl", "-qw", f"net.ipv4.conf.{config.bridge}.route_localnet=1"])


def _veth(namespace: str) -> str:
    """Root-namespace end of a host's veth pair (interface names have at most 15 characters)."""
    return f"v{namespace}"[:15]


def _setup_namespace(spec: LinuxHostSpec, config: SshLabConfig) -> None:
    ns = config.namespace(spec)
    etc = Path("/etc/netns") / ns
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "hostname").write_text(spec.hostname + "\n")
    (etc / "machine-id").write_text(_machine_id(spec.hostname, config) + "\n")
    veth = _veth(ns)
    _run(["ip", "netns", "add", ns])
    _run(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns])
    inside = ["ip", "netns", "exec", ns]
    _no_ipv6([], veth)
    _no_ipv6(inside, "eth0")
    _run(["ip", "link", "set", veth, "master", config.bridge, "up"])
    _run([*inside, "ip", "link", "set", "lo", "up"])
    _run(
        [
            *inside,
            "sysctl",
            "-qw",
            "net.ipv4.conf.all.route_localnet=1",
            "net.ipv4.conf.eth0.route_localnet=1",
        ]
    )
    _run([*inside, "ip", "addr", "add", f"{config.linux_address(spec)}/24", "dev", "eth0"])
    _run([*inside, "ip", "link", "set", "eth0", "up"])


def _write_sshd_config(spec: LinuxHostSpec, config: SshLabConfig, workdir: Path) -> Path:
    base = workdir / "ssh" / "linux" / spec.key
    base.mkdir(parents=True, exist_ok=True)
    host_key = base / "ssh_host_ed25519_key"
    if not host_key.exists():
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
    creds = lab_credentials(workdir)
    authorized = workdir / "ssh" / "authorized_keys"
    authorized.write_text(Path(creds["key_file"] + ".pub").read_text())
    cfg = base / "sshd_config"
    cfg.write_text(
        "\n".join(
            [
                f"ListenAddress {config.linux_address(spec)}:22",
                f"HostKey {host_key}",
                f"PidFile {base / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "StrictModes no",
                "UsePAM no",
                "PrintMotd no",
                "MaxStartups 50:30:100",
                "Subsystem sftp internal-sftp",
                "",
            ]
        )
    )
    return cfg


def _start_in_namespace(
    spec: LinuxHostSpec, config: SshLabConfig, argv: list[str], log: Path
) -> int:
    """Run argv inside the host's namespace with its own UTS (host name); returns the PID."""
    ns = config.namespace(spec)
    script = f'hostname "{spec.hostname}" && exec "$@"'
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, "unshare", "--uts", "sh", "-c", script, "sh", *argv],
        cwd=REPO,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return proc.pid


def start_linux_hosts(
    workdir: Path, config: SshLabConfig, pids: list[int], timeout: float = 20.0
) -> None:
    """Create bridge + namespaces, start sshd in each and the provider/consumer applications.

    Each started PID is appended to ``pids`` at once, so a caller can stop what a failed start
    left running."""
    if not SSHD.exists():
        raise RuntimeError(f"{SSHD} missing: apt-get install -y openssh-server")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    _teardown_network(config)
    _setup_bridge(config)
    logs = workdir / "ssh" / "linux"
    provider = next(h for h in LINUX_HOSTS if h.role == "provider")
    for spec in LINUX_HOSTS:
        _setup_namespace(spec, config)
        cfg = _write_sshd_config(spec, config, workdir)
        pids.append(
            _start_in_namespace(
                spec, config, [str(SSHD), "-D", "-e", "-f", str(cfg)], logs / f"{spec.key}.log"
            )
        )
        app = ["app-server", "--port", str(SERVICE_PORT), "--name", SERVICE_NAME]
        if spec.role == "consumer":
            target = f"{config.linux_address(provider)}:{SERVICE_PORT}"
            app = ["app-client", "--connect", target, "--name", CLIENT_NAME]
        pids.append(
            _start_in_namespace(
                spec,
                config,
                [sys.executable, "-m", "deploy.lab.ssh", *app],
                logs / f"{spec.key}-app.log",
            )
        )
    for spec in LINUX_HOSTS:
        _wait_port(config.linux_address(spec), 22, timeout)


def _no_ipv6(prefix: list[str], interface: str) -> None:
    """No IPv6 on lab links: no link-local addresses, no neighbour discovery, only 127/8 traffic."""
    _run([*prefix, "sysctl", "-qw", f"net.ipv6.conf.{interface}.disable_ipv6=1"])


def _teardown_network(config: SshLabConfig) -> None:
    """Remove what a previous lab left, even one whose processes were killed: a namespace that a
    straggler process still holds outlives ``ip netns del`` together with its veth pair, so the
    root end of the pair is deleted explicitly (which deletes both ends)."""
    for spec in LINUX_HOSTS:
        ns = config.namespace(spec)
        subprocess.run(["ip", "link", "del", _veth(ns)], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        shutil.rmtree(Path("/etc/netns") / ns, ignore_errors=True)
    subprocess.run(["ip", "link", "del", config.bridge], capture_output=True, check=False)


# --------------------------------------------------------------------------- lab entry points


def ssh_devices(workdir: Path, config: SshLabConfig | None = None) -> list[LabDevice]:
    """Topology entries for the simulated CLI devices and the Linux hosts (ground truth for tests)."""
    config = config or SshLabConfig()
    devices = []
    for spec in CLI_DEVICES:
        truth = _version_truth(spec)
        devices.append(
            LabDevice(
                name=device_hostname(spec),
                role="cli" if spec.behaviour == "normal" else f"cli-{spec.behaviour}",
                address=config.cli_address(spec),
                snmp_port=0,
                community="",
                vendor=_VENDORS[spec.platform],
                model=truth.get("model", ""),
                serial=truth.get("serial", ""),
                os_name=_OS_NAMES[spec.platform],
                os_version=truth.get("os_version", ""),
                sys_object_id="",
                chassis_mac="",
                platform=spec.platform,
                ssh_port=config.cli_port,
                source=f"clisim:{spec.key}",
            )
        )
    if config.with_linux:
        for host in LINUX_HOSTS:
            devices.append(
                LabDevice(
                    name=host.hostname,
                    role="server",
                    address=config.linux_address(host),
                    snmp_port=0,
                    community="",
                    vendor="",
                    model="",
                    serial="",
                    os_name="linux",
                    os_version="",
                    sys_object_id="",
                    chassis_mac="",
                    platform="linux",
                    ssh_port=22,
                    source=f"netns:{config.namespace(host)}",
                )
            )
    return devices


# Expected-record fields of each platform's `show version` (ground truth for the topology).
_VERSION_FIELDS = {
    "cisco_ios": {"model": "hardware", "serial": "serial", "os_version": "version"},
    "cisco_nxos": {"model": "platform", "serial": "serial", "os_version": "os"},
    "arista_eos": {"model": "model", "serial": "serial_number", "os_version": "image"},
    "juniper_junos": {"model": "model", "serial": "serial_number", "os_version": "junos_version"},
}


def _version_truth(spec: CliDeviceSpec) -> dict[str, str]:
    """Model / serial / version the replayed `show version` states, from its expected record."""
    ref = spec.outputs.get("show version")
    if ref is None:
        return {}
    record = yaml.safe_load(_corpus_file(spec.platform, ref).with_suffix(".yml").read_text())[
        "parsed_sample"
    ][0]
    truth = {}
    for attr, field_name in _VERSION_FIELDS[spec.platform].items():
        value = record.get(field_name)
        truth[attr] = str((value or [""])[0] if isinstance(value, list) else value or "")
    return truth


_VENDORS = {
    "cisco_ios": "Cisco",
    "cisco_nxos": "Cisco",
    "arista_eos": "Arista",
    "juniper_junos": "Juniper",
}
_OS_NAMES = {
    "cisco_ios": "IOS",
    "cisco_nxos": "NX-OS",
    "arista_eos": "EOS",
    "juniper_junos": "Junos",
}


def start_ssh(topology: Topology, workdir: Path, config: SshLabConfig | None = None) -> list[int]:
    """Start the CLI simulator and the Linux hosts; add them to ``topology``; return the PIDs."""
    config = config or SshLabConfig()
    workdir.mkdir(parents=True, exist_ok=True)
    creds = lab_credentials(workdir)
    pids: list[int] = []

    def record() -> None:
        (workdir / "ssh" / PID_FILE).write_text(
            json.dumps({"pids": pids, "config": asdict(config)})
        )

    try:
        pids.append(start_clisim(workdir, config))
        record()
        if config.with_linux:
            start_linux_hosts(workdir, config, pids)
        record()
    except BaseException:
        record()
        stop_ssh(workdir)  # a failed start leaves no process, namespace or bridge behind
        raise
    known = {d.address for d in topology.devices}
    topology.devices += [d for d in ssh_devices(workdir, config) if d.address not in known]
    topology.ssh = dict(creds)
    return pids


def stop_ssh(workdir: Path) -> None:
    """Stop what ``start_ssh`` started (by PID) and remove namespaces, bridge and /etc/netns entries."""
    state_file = workdir / "ssh" / PID_FILE
    if not state_file.exists():
        return
    state = json.loads(state_file.read_text())
    for pid in state["pids"]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    time.sleep(0.3)
    for pid in state["pids"]:
        _reap(pid)
    config = SshLabConfig(**state["config"])
    if config.with_linux:
        _teardown_network(config)
    state_file.unlink()


# --------------------------------------------------------------------------- helpers


def _reap(pid: int) -> None:
    """Collect the exit status when this process started ``pid`` (no zombies left behind)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def _wait(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not start within {timeout}s")
        time.sleep(0.05)


def _wait_port(host: str, port: int, timeout: float) -> None:
    def listening() -> bool:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    _wait(listening, timeout, f"{host}:{port}")


# --------------------------------------------------------------------------- lab applications


def _set_process_name(name: str) -> None:
    """Name the process (``/proc/self/comm``) so ``ss -p`` shows an application, not 'python3'."""
    Path("/proc/self/comm").write_text(name[:15])


def app_server(port: int, name: str) -> None:
    """A tiny TCP service (stands in for a database): accepts clients and keeps them connected."""
    import selectors

    _set_process_name(name)
    sel = selectors.DefaultSelector()
    server = socket.create_server(("0.0.0.0", port), reuse_port=False)
    sel.register(server, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is server:
                client, _addr = server.accept()
                sel.register(client, selectors.EVENT_READ)
            elif not sock.recv(4096):
                sel.unregister(sock)
                sock.close()


def app_client(target: str, name: str) -> None:
    """A client application that keeps one connection to its service open, reconnecting if needed."""
    _set_process_name(name)
    host, port = target.rsplit(":", 1)
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=5) as conn:
                conn.settimeout(None)
                while conn.recv(4096):
                    pass
        except OSError:
            pass
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description="SSH part of the lab")
    sub = parser.add_subparsers(dest="cmd", required=True)
    for cmd in ("start", "stop"):
        sub.add_parser(cmd).add_argument("workdir", type=Path)
    server = sub.add_parser("app-server")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--name", required=True)
    client = sub.add_parser("app-client")
    client.add_argument("--connect", required=True)
    client.add_argument("--name", required=True)
    args = parser.parse_args()
    if args.cmd == "start":
        topology = Topology()
        print(start_ssh(topology, args.workdir))
        topology.save(args.workdir / "ssh" / "topology.json")
    elif args.cmd == "stop":
        stop_ssh(args.workdir)
    elif args.cmd == "app-server":
        app_server(args.port, args.name)
    else:
        app_client(args.connect, args.name)


if __name__ == "__main__":
    main()
