"""The simulated lab network: generate it, start every agent, tell discovery where to look.

``Lab(workdir, devices).start()`` generates the topology and recordings (reused when the same
size and seed were generated before), starts the snmpsim shards, the real ``snmpd`` and, when
``deploy.lab.ssh`` is present, the SSH side; it waits until every SNMP agent answers a real
GET, then writes into ``workdir``:

- ``topology.json`` — ground truth (every device, interface and link; lab-only v3 keys; 0600);
- ``inventory.yaml`` — what discovery should scan (format below; read by ``flows.inventory``);
- ``credentials.yaml`` — the lab-only secrets as ``CredentialStore.from_yaml`` reads them (0600);
- ``lab-state.json`` — PIDs, so ``stop()`` works from another process (``python -m deploy.lab stop``).

Inventory format::

    targets: [{address: 127.20.0.1, port: 161}, ...]   # every SNMP agent of the lab
    scope: [127.20.0.0/16, 127.21.0.0/16]              # neighbours are followed only inside
    follow_neighbors: {enabled: true, max_depth: 8}
    snmp_port: 161
    credentials: [lab-v2c, lab-v3]                     # profile names, tried in this order
    credentials_file: credentials.yaml                 # relative to the inventory
    ssh: [{address: 127.22.0.1, port: 2222, platform: cisco_ios}, ...]   # when the SSH side runs
    site: lab

Every process binds to 127.0.0.0/8 only and is stopped by PID.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from deploy.lab import agents, generate, probe
from deploy.lab.corpus import CORPUS_NET, corpus_devices, corpus_dir
from deploy.lab.topology import Topology

STATE_FILE = "lab-state.json"
DEFAULT_PORT_ROOT = 161
DEFAULT_PORT_USER = 1161


class LabError(RuntimeError):
    """The lab could not start (missing binary, address in use, agents not answering)."""


class Lab:
    """One lab instance in ``workdir`` (see the module docstring)."""

    def __init__(
        self,
        workdir: Path,
        devices: int = 20,
        snmp_port: int | None = None,
        with_corpus: bool = True,
        with_snmpd: bool = True,
        with_ssh: bool = True,
        seed: int = 1,
        ssh_config: Any = None,
    ):
        """``ssh_config``: a ``deploy.lab.ssh.SshLabConfig`` (addresses, namespace names) for
        the SSH side; the default is the demo lab's. Two labs at once need different ones."""
        self.workdir = Path(workdir).resolve()
        self.devices = devices
        self.snmp_port = snmp_port or (DEFAULT_PORT_ROOT if os.getuid() == 0 else DEFAULT_PORT_USER)
        self.with_corpus = with_corpus
        self.with_snmpd = with_snmpd
        self.with_ssh = with_ssh
        self.ssh_config = ssh_config
        self.seed = seed
        self.topology = Topology()
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ paths

    @property
    def topology_path(self) -> Path:
        return self.workdir / "topology.json"

    @property
    def inventory_path(self) -> Path:
        return self.workdir / "inventory.yaml"

    @property
    def credentials_path(self) -> Path:
        return self.workdir / "credentials.yaml"

    @property
    def state_path(self) -> Path:
        return self.workdir / STATE_FILE

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start everything and wait until every SNMP agent answers; idempotent."""
        state = self._load_state()
        if state and _alive(state):
            if state["params"] != self._params():
                raise LabError(f"a lab with other parameters runs in {self.workdir}; stop it first")
            self.topology = Topology.load(self.topology_path)
            return
        if state:
            self.stop()  # stale state: clean up whatever survived
        self._check_binaries()
        self.workdir.mkdir(parents=True, exist_ok=True)
        started: list[agents.Started] = []
        try:
            self._start_all(started)
        except BaseException:
            _terminate([asdict(s) for s in started])
            self.state_path.unlink(missing_ok=True)
            raise

    def _start_all(self, started: list[agents.Started]) -> None:
        t0 = time.perf_counter()
        self.topology, served = self._build()
        self.timings["generate"] = time.perf_counter() - t0
        self._check_addresses(served)
        v3 = self.topology.snmpv3
        started += agents.start_snmpsim(self.workdir, served, self.snmp_port, v3)
        if self.with_snmpd:
            started.append(agents.start_snmpd(self.workdir, agents.snmpd_port(self.snmp_port), v3))
        self._write_state(started, [])
        self._wait_until_answering(started)
        self.timings["agents"] = time.perf_counter() - t0 - self.timings["generate"]
        ssh_pids = self._start_ssh()
        self._write_state(started, ssh_pids)
        generate.save_topology(self.topology, self.topology_path)
        self._write_credentials()
        self._write_inventory()

    def stop(self) -> None:
        """Stop every process of the lab (by PID, from the state file) and the SSH side."""
        state = self._load_state()
        if state:
            _terminate(state["processes"])
        stop_ssh = _ssh_function("stop_ssh")
        if stop_ssh is not None:
            stop_ssh(self.workdir)
        self.state_path.unlink(missing_ok=True)

    def status(self) -> dict[str, Any]:
        """Which processes run, and how many of the lab's SNMP agents answer right now."""
        state = self._load_state()
        if not state:
            return {"running": False, "workdir": str(self.workdir)}
        processes = [{**p, "alive": _pid_alive(p["pid"], p["marker"])} for p in state["processes"]]
        topology = Topology.load(self.topology_path) if self.topology_path.exists() else Topology()
        snmp = [d for d in topology.devices if d.snmp_port]
        answers = probe.get_many([(d.address, d.snmp_port) for d in snmp], timeout=3.0)
        return {
            "running": all(p["alive"] for p in processes),
            "workdir": str(self.workdir),
            "params": state["params"],
            "processes": processes,
            "ssh_pids": state["ssh_pids"],
            "snmp_agents": len(snmp),
            "snmp_answering": len(answers),
            "inventory": str(self.inventory_path),
        }

    # ------------------------------------------------------------------ building

    def _params(self) -> dict[str, Any]:
        return {
            "devices": self.devices,
            "seed": self.seed,
            "snmp_port": self.snmp_port,
            "corpus": self.with_corpus,
            "snmpd": self.with_snmpd,
            "ssh": self.with_ssh,
        }

    def _build(self) -> tuple[Topology, list[agents.Served]]:
        """Generated devices (reusing earlier recordings of the same size and seed), corpus, snmpd."""
        topology = self._generated_topology()
        recordings = self.workdir / generate.RECORDINGS_DIR
        served = [agents.Served(d, recordings / f"{d.name}.snmprec") for d in topology.devices]
        if self.with_corpus:
            for device, path in corpus_devices(corpus_dir(), self.snmp_port):
                topology.devices.append(device)
                served.append(agents.Served(device, path, (path.stem,)))
        if self.with_snmpd:
            topology.devices.append(
                agents.snmpd_device(agents.snmpd_port(self.snmp_port), topology.snmpv3["user"])
            )
        return topology, served

    def _generated_topology(self) -> Topology:
        marker = self.workdir / "generated.json"
        wanted = {"devices": self.devices, "seed": self.seed}
        if (
            marker.exists()
            and json.loads(marker.read_text()) == wanted
            and self.topology_path.exists()
        ):
            topology = Topology.load(self.topology_path)
            topology.devices = [d for d in topology.devices if d.source == "generated"]
        else:
            topology = generate.build_topology(self.devices, self.seed, self.snmp_port)
            generate.write_recordings(topology, self.workdir / generate.RECORDINGS_DIR)
            marker.write_text(json.dumps(wanted))
        for device in topology.devices:
            device.snmp_port = self.snmp_port
        generate.save_topology(topology, self.topology_path)
        return topology

    def _check_binaries(self) -> None:
        if not agents.SNMPSIM.exists():
            raise LabError(
                f"snmpsim is not installed ({agents.SNMPSIM} missing): pip install 'cmdb[lab]'"
            )
        if self.with_snmpd and not agents.SNMPD.exists():
            raise LabError(
                f"net-snmp snmpd is not installed ({agents.SNMPD}): apt-get install snmpd"
            )

    def _check_addresses(self, served: list[agents.Served]) -> None:
        endpoints = [(s.device.address, self.snmp_port) for s in served]
        if self.with_snmpd:
            endpoints.append((agents.SNMPD_ADDRESS, agents.snmpd_port(self.snmp_port)))
        busy = [f"{a}:{p}" for a, p in endpoints if not agents.port_free(a, p)]
        if busy:
            raise LabError(
                f"{len(busy)} lab endpoints are in use (another lab running?), e.g. {busy[:3]}"
            )

    def _wait_until_answering(self, started: list[agents.Started]) -> None:
        """Every agent must answer a real SNMP GET of sysName.0 (start-up grows with size);
        a process that dies meanwhile fails the start at once, naming its log."""
        targets = [(d.address, d.snmp_port) for d in self.topology.devices if d.snmp_port]
        answers: dict[probe.Target, str] = {}
        deadline = time.monotonic() + 60.0 + 0.25 * len(targets)
        while len(answers) < len(targets) and time.monotonic() < deadline:
            dead = [s.what for s in started if _exited(s.pid)]
            if dead:
                raise LabError(
                    f"{', '.join(dead)} exited during start-up; see the logs in {self.workdir}"
                )
            answers |= probe.get_many([t for t in targets if t not in answers], timeout=3.0)
        missing = [f"{a}:{p}" for a, p in targets if (a, p) not in answers]
        if missing:
            raise LabError(
                f"{len(missing)} SNMP agents did not answer, e.g. {missing[:5]}; see {self.workdir}/snmpsim/*.log"
            )

    def _start_ssh(self) -> list[int]:
        start_ssh = _ssh_function("start_ssh")
        if not self.with_ssh or start_ssh is None:
            return []
        pids: list[int] = start_ssh(self.topology, self.workdir, self.ssh_config)
        return pids

    # ------------------------------------------------------------------ outputs

    def _write_credentials(self) -> None:
        v3 = self.topology.snmpv3
        profiles: list[dict[str, Any]] = [
            {"name": "lab-v2c", "kind": "snmp_v2c", "community": "public"},
            {
                "name": "lab-v3",
                "kind": "snmp_v3",
                "user": v3["user"],
                "auth_protocol": v3["auth_protocol"],
                "auth_key": v3["auth_key"],
                "priv_protocol": v3["priv_protocol"],
                "priv_key": v3["priv_key"],
            },
        ]
        profiles += _ssh_profiles(self.topology.ssh)
        _write_private(
            self.credentials_path, yaml.safe_dump({"profiles": profiles}, sort_keys=False)
        )

    def _write_inventory(self) -> None:
        snmp = [d for d in self.topology.devices if d.snmp_port]
        ssh = [d for d in self.topology.devices if d.ssh_port and not d.snmp_port]
        scope = [str(generate.GENERATED_NET), str(CORPUS_NET)]
        scope += sorted({".".join(d.address.split(".")[:2]) + ".0.0/16" for d in ssh} - set(scope))
        credentials = ["lab-v2c", "lab-v3"] + [p["name"] for p in _ssh_profiles(self.topology.ssh)]
        inventory: dict[str, Any] = {
            "site": "lab",
            "targets": [{"address": d.address, "port": d.snmp_port} for d in snmp],
            "scope": scope,
            "follow_neighbors": {"enabled": True, "max_depth": 8},
            "snmp_port": self.snmp_port,
            "credentials": credentials,
            "credentials_file": self.credentials_path.name,
        }
        if ssh:
            inventory["ssh"] = [
                {"address": d.address, "port": d.ssh_port, "platform": d.platform} for d in ssh
            ]
        self.inventory_path.write_text(yaml.safe_dump(inventory, sort_keys=False))

    # ------------------------------------------------------------------ state

    def _write_state(self, started: list[agents.Started], ssh_pids: list[int]) -> None:
        state = {
            "params": self._params(),
            "processes": [asdict(s) for s in started],
            "ssh_pids": ssh_pids,
        }
        self.state_path.write_text(json.dumps(state, indent=1))

    def _load_state(self) -> dict[str, Any] | None:
        if not self.state_path.exists():
            return None
        state: dict[str, Any] = json.loads(self.state_path.read_text())
        return state


def _ssh_profiles(ssh: dict[str, str]) -> list[dict[str, Any]]:
    """Profiles for the SSH side's lab-only logins (network CLI user, Linux key login)."""
    profiles: list[dict[str, Any]] = []
    if ssh.get("username") and ssh.get("password"):
        profiles.append(
            {
                "name": "lab-ssh",
                "kind": "ssh",
                "username": ssh["username"],
                "password": ssh["password"],
            }
        )
    if ssh.get("linux_username") and ssh.get("key_file"):
        profiles.append(
            {
                "name": "lab-ssh-linux",
                "kind": "ssh",
                "username": ssh["linux_username"],
                "key_file": ssh["key_file"],
            }
        )
    return profiles


def _ssh_function(name: str) -> Callable[..., Any] | None:
    """``deploy.lab.ssh.<name>`` when the SSH side is installed, else None (the lab runs without it)."""
    try:
        module = importlib.import_module("deploy.lab.ssh")
    except ImportError:
        return None
    function: Callable[..., Any] | None = getattr(module, name, None)
    return function


def _write_private(path: Path, content: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(content)


def _pid_alive(pid: int, marker: str) -> bool:
    """Is ``pid`` still the process we started (its command line contains ``marker``)?"""
    try:
        cmdline = (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return False
    return marker in cmdline


def _exited(pid: int) -> bool:
    """Has our child ``pid`` terminated (gone or zombie)? Unlike ``_pid_alive`` this holds
    right after fork, before exec has replaced the command line."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def _alive(state: dict[str, Any]) -> bool:
    return any(_pid_alive(p["pid"], p["marker"]) for p in state["processes"])


def _terminate(processes: list[dict[str, Any]], grace: float = 5.0) -> None:
    """SIGTERM each still-ours PID, then SIGKILL what outlives ``grace`` seconds."""
    ours = [p for p in processes if _pid_alive(p["pid"], p["marker"])]
    for p in ours:
        _signal(p["pid"], signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p["pid"], p["marker"]) for p in ours):
        _reap([p["pid"] for p in ours])
        time.sleep(0.1)
    for p in ours:
        if _pid_alive(p["pid"], p["marker"]):
            _signal(p["pid"], signal.SIGKILL)
    time.sleep(0.1)
    _reap([p["pid"] for p in ours])


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pids: list[int]) -> None:
    """Collect the exit status of those PIDs that are our children (no zombies left behind);
    PIDs started by an earlier process are not our children and need no reaping."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
