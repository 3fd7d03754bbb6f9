"""Benchmark: the whole nightly-discovery flow against the lab, first run and no-op re-run.

    python -m deploy.bench.flow_discovery --devices 30 [--concurrency 16] [--no-ssh]
    python -m deploy.bench.flow_discovery --inventory var/lab/inventory.yaml   # running lab

Starts the lab (unless an inventory is given) in a temporary directory on a free UDP port,
runs the flow twice into a fresh embedded store (Prefect's local test backend, no server)
and prints wall times and counts. Figures, not assertions: the tests check behaviour.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any


def _free_port() -> int:
    from deploy.lab import agents

    rng = random.Random()
    for _ in range(50):
        port = rng.randrange(30_000, 40_000)
        if agents.port_free("127.20.0.1", port) and agents.port_free("127.21.0.1", port):
            return port
    raise RuntimeError("no free UDP port for the lab")


def _run_twice(inventory: Path, store: str) -> list[tuple[float, dict[str, Any]]]:
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly_discovery

    runs = []
    with prefect_test_harness(server_startup_timeout=180):
        for _ in range(2):
            started = time.monotonic()
            result = nightly_discovery(inventory=str(inventory), store=store)
            runs.append((time.monotonic() - started, result))
    return runs


def _print(label: str, seconds: float, result: dict[str, Any]) -> None:
    changes = {k: v for k, v in result["changes"].items() if v}
    print(
        f"{label}: {seconds:6.1f} s wall, {result['duration_seconds']:6.1f} s in flow | "
        f"devices {result['devices_found']}, ssh {result['ssh_ok']}/{result['ssh_targets']}, "
        f"failed {result['failed'] or 0} | changes {changes}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=16, help="CMDB_SNMP_CONCURRENCY")
    parser.add_argument("--no-ssh", action="store_true")
    parser.add_argument("--inventory", type=Path, help="use a running lab's inventory")
    args = parser.parse_args()
    os.environ["CMDB_SNMP_CONCURRENCY"] = str(args.concurrency)

    with tempfile.TemporaryDirectory(prefix="flow-bench-") as tmp:
        store = f"sqlite:///{tmp}/cmdb.sqlite"
        lab = None
        inventory = args.inventory
        if inventory is None:
            from deploy.lab.lab import Lab

            lab = Lab(
                Path(tmp) / "lab",
                devices=args.devices,
                snmp_port=_free_port(),
                with_ssh=not args.no_ssh,
            )
            started = time.monotonic()
            lab.start()
            print(f"lab: {args.devices} generated devices up in {time.monotonic() - started:.1f} s")
            inventory = lab.inventory_path
        try:
            (first, r1), (second, r2) = _run_twice(inventory, store)
        finally:
            if lab is not None:
                lab.stop()
    _print("first run ", first, r1)
    _print("second run", second, r2)


if __name__ == "__main__":
    main()
