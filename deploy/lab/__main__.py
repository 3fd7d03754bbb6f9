"""``python -m deploy.lab start|stop|status``: the simulated lab network from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from deploy.lab.lab import Lab, LabError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.lab", description="The simulated lab network."
    )
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--workdir", type=Path, default=Path("var/lab"))
    parser.add_argument("--devices", type=int, default=20, help="generated devices (10..10000)")
    parser.add_argument(
        "--snmp-port", type=int, default=None, help="default: 161 as root, else 1161"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-corpus", action="store_true", help="do not serve the real recordings")
    parser.add_argument(
        "--no-snmpd", action="store_true", help="do not start the real net-snmp agent"
    )
    parser.add_argument("--no-ssh", action="store_true", help="do not start the SSH side")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lab = Lab(
        args.workdir,
        devices=args.devices,
        snmp_port=args.snmp_port,
        with_corpus=not args.no_corpus,
        with_snmpd=not args.no_snmpd,
        with_ssh=not args.no_ssh,
        seed=args.seed,
    )
    if args.command == "stop":
        lab.stop()
        print(f"lab in {lab.workdir} stopped")
        return 0
    if args.command == "status":
        status = lab.status()
        print(json.dumps(status, indent=1))
        return 0 if status["running"] else 1
    started = time.perf_counter()
    try:
        lab.start()
    except LabError as exc:
        print(f"lab did not start: {exc}", file=sys.stderr)
        return 1
    agents = sum(1 for d in lab.topology.devices if d.snmp_port)
    print(
        f"lab running in {time.perf_counter() - started:.1f}s: {len(lab.topology.devices)} devices "
        f"({agents} SNMP agents), inventory {lab.inventory_path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
