"""The flow's SSH side against the lab's real SSH servers: CLI simulator and OpenSSH hosts.

The SSH part of the lab is started here on its own addresses and port (127.22.77.x:2222,
127.23.77.x, own namespaces), so it never collides with a demo lab or another session.
Network devices give configurations (stored as versions), Linux hosts give the application
dependency; the simulator's broken devices are reported failures; nothing logs the password.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from deploy.lab.topology import Topology
from graph.store import open_store
from tests.flows.conftest import lab_secrets
from tests.flows.test_nightly import Capture, capture, run_flow

__all__ = ["capture"]  # the log-capturing fixture, shared with test_nightly

pytestmark = [pytest.mark.lab, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Topology, Path]]:
    """CLI simulator + Linux hosts, an inventory listing them; stopped by PID afterwards."""
    from deploy.lab.lab import _ssh_profiles
    from deploy.lab.ssh import SshLabConfig, start_ssh, stop_ssh

    work = tmp_path_factory.mktemp("sshlab")
    config = SshLabConfig(
        cli_net="127.22.77",
        cli_port=2222,
        linux_net="127.23.77",
        ns_prefix="cmdbflows",
        bridge="cmdbflowsbr0",
    )
    topology = Topology()
    try:
        start_ssh(topology, work, config)
    except Exception as exc:  # missing sshd / no namespaces on this machine
        stop_ssh(work)
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"SSH lab cannot start here: {exc}")
    try:
        profiles = _ssh_profiles(topology.ssh)
        (work / "credentials.yaml").write_text(yaml.safe_dump({"profiles": profiles}))
        inventory = {
            "ssh": [
                {"address": d.address, "port": d.ssh_port, "platform": d.platform}
                for d in topology.devices
            ],
            "credentials": [p["name"] for p in profiles],
            "credentials_file": "credentials.yaml",
        }
        (work / "inventory.yaml").write_text(yaml.safe_dump(inventory))
        yield topology, work / "inventory.yaml"
    finally:
        stop_ssh(work)


def test_ssh_collection_configs_dependencies_and_failures(
    ssh_lab: tuple[Topology, Path], tmp_path: Path, capture: Capture
) -> None:
    topology, inventory = ssh_lab
    url = f"sqlite:///{tmp_path / 'cmdb.sqlite'}"
    first = run_flow(inventory, url)
    second = run_flow(inventory, url)
    print(f"\nSSH lab flow: first run {first.seconds:.1f} s, second run {second.seconds:.1f} s")

    broken = [d for d in topology.devices if d.role.startswith("cli-")]
    healthy_cli = [d for d in topology.devices if d.role == "cli"]
    linux = [d for d in topology.devices if d.platform == "linux"]
    result = first.result
    assert result["ssh_targets"] == len(topology.devices)
    # a device that answers but rejects some commands is collected, partially
    assert result["ssh_ok"] >= len(healthy_cli) + len(linux)
    assert sum(result["failed"].values()) >= len(broken)
    assert {"ssh:auth_failed", "ssh:timeout"} <= set(result["failed"])
    for key in ("created", "updated", "missing", "rels_added", "rels_updated"):
        assert second.result["changes"][key] == 0, (key, second.result["changes"])

    store = open_store(url)
    try:
        graph = store.export_graph()
        depends = [r for r in graph.rels if r.type == "DEPENDS_ON"]
        assert depends, "the Linux hosts' client -> server connection gave no dependency"
        devices = [c for c in graph.cis if c.ci_class in ("NetworkDevice", "Server")]
        with_config = [c for c in devices if store.config_versions(c.uid)]
        assert len(with_config) >= len(healthy_cli)
        assert all(len(store.config_versions(c.uid)) == 1 for c in with_config)  # unchanged
    finally:
        store.close()

    for secret in lab_secrets(inventory):
        assert not [t for t in capture.texts if secret in t], "an SSH secret reached a log record"
