"""The SSH lab for these tests: CLI simulator + two netns Linux hosts, started through deploy.lab.ssh.

They use their own addresses (127.22.1.x, 127.23.1.x) and namespace names, so they can run
while the demo lab (127.22.0.x, 127.23.0.x) is up. Without root / sshd / ip netns the lab
tests skip locally and FAIL in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from deploy.lab.ssh import SSHD, SshLabConfig, start_ssh, stop_ssh
from deploy.lab.topology import Topology
from discovery.credentials import SshProfile

TEST_CONFIG = SshLabConfig(
    cli_net="127.22.1", cli_port=22, linux_net="127.23.1", ns_prefix="cmdbtest", bridge="cmdbtestbr0"
)


@dataclass(frozen=True)
class SshLab:
    workdir: Path
    config: SshLabConfig
    topology: Topology
    cli_profile: SshProfile
    linux_profile: SshProfile


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the SSH lab needs root (network namespaces, sshd)"
    if not SSHD.exists():
        return f"{SSHD} is missing (apt-get install -y openssh-server)"
    for tool in ("ip", "unshare", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is missing"
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshLab]:
    """Start the SSH lab once per session and stop it (by PID) afterwards."""
    missing = _missing()
    if missing:
        if _in_ci():
            pytest.fail(f"CI=true but {missing}: the SSH tests must run in CI")
        pytest.skip(missing)
    workdir = tmp_path_factory.mktemp("sshlab")
    topology = Topology()
    start_ssh(topology, workdir, TEST_CONFIG)
    creds = json.loads((workdir / "ssh" / "credentials.json").read_text())
    try:
        yield SshLab(
            workdir=workdir,
            config=TEST_CONFIG,
            topology=topology,
            cli_profile=SshProfile(name="lab-cli", username=creds["username"], password=SecretStr(creds["password"])),
            linux_profile=SshProfile(
                name="lab-linux", username=creds["linux_username"], key_file=Path(creds["key_file"])
            ),
        )
    finally:
        stop_ssh(workdir)
