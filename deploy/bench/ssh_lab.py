"""Benchmark: SSH discovery of the lab's CLI simulator devices and Linux hosts.

Starts its own SSH lab (127.22.2.x / 127.23.2.x, namespaces ``cmdbbench-*``) and prints, per
concurrency level, the wall time of one full pass and each device's time and status.

    .venv/bin/python -m deploy.bench.ssh_lab [--concurrency 1 4 8] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from deploy.lab.ssh import CLI_DEVICES, LINUX_HOSTS, SshLabConfig, start_ssh, stop_ssh
from deploy.lab.topology import Topology
from discovery.credentials import SshProfile
from discovery.ssh.collect import SshOptions, SshTarget, collect_ssh_many
from discovery.ssh.dependencies import derive_dependencies

CONFIG = SshLabConfig(
    cli_net="127.22.2", linux_net="127.23.2", ns_prefix="cmdbbench", bridge="cmdbbenchbr0"
)


def _targets(config: SshLabConfig) -> list[SshTarget]:
    cli = [
        SshTarget(config.cli_address(d), config.cli_port, d.platform, ("cli",)) for d in CLI_DEVICES
    ]
    linux = [SshTarget(config.linux_address(h), 22, "linux", ("linux",)) for h in LINUX_HOSTS]
    return cli + linux


def _profiles(workdir: Path) -> list[SshProfile]:
    creds = json.loads((workdir / "ssh" / "credentials.json").read_text())
    return [
        SshProfile(name="cli", username=creds["username"], password=SecretStr(creds["password"])),
        SshProfile(
            name="linux", username=creds["linux_username"], key_file=Path(creds["key_file"])
        ),
    ]


async def _pass(targets: list[SshTarget], profiles: list[SshProfile], concurrency: int) -> None:
    options = SshOptions(timeout=8.0, command_timeout=5.0)
    started = time.monotonic()
    reports = await collect_ssh_many(targets, profiles, concurrency, options)
    wall = time.monotonic() - started
    print(f"concurrency {concurrency:>2}: {len(reports)} targets in {wall:6.2f} s")
    for report in reports:
        print(
            f"    {report.target:<16} {report.status.value:<12} {report.elapsed_seconds or 0:6.2f} s"
        )
    print(f"    dependencies: {len(derive_dependencies(reports))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cmdb-ssh-bench-") as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        start_ssh(Topology(), workdir, CONFIG)
        print(f"SSH lab started in {time.monotonic() - started:.2f} s")
        try:
            for _ in range(args.rounds):
                for concurrency in args.concurrency:
                    asyncio.run(_pass(_targets(CONFIG), _profiles(workdir), concurrency))
        finally:
            stop_ssh(workdir)


if __name__ == "__main__":
    main()
