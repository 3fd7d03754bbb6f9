"""SNMP discovery throughput: our collector vs. net-snmp ``snmpbulkwalk`` on the same agents.

Discovers N devices with ``discovery.snmp.collector.collect_many`` (one shared engine,
``--concurrency`` devices at a time) and prints devices per minute; then, in the same run,
does the same walks on the same agents with ``snmpbulkwalk``/``snmpget`` processes (one
process per table column, the columns of a device one after another, ``--concurrency``
devices at a time, same max-repetitions) and prints the ratio.

Agents, by ``--agents``:
- ``lab``: a running lab (``python -m deploy.lab start --devices N``), read from its
  ``topology.json`` (``--topology``);
- ``snmpsim`` (default): one snmpsim process per CPU serving the real LibreNMS recordings,
  N endpoints on 127.50.x.y, recordings assigned round-robin;
- ``snmpd``: the real net-snmp agent answering on N loopback addresses (a Linux server's
  data: interfaces, HOST-RESOURCES processes and packages).

Each device's community is its credential profile; the collector is told the remembered
profile (``known_profile``), as in production after the first run.

Run: ``.venv/bin/python -m deploy.bench.snmp_discovery --devices 1000 --concurrency 64``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr
from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

from deploy.bench.snmp_agreement import DEFAULT_CORPUS
from deploy.bench.snmp_sim import NetSnmpd, SnmpSim, free_udp_port
from discovery.credentials import SnmpProfile, SnmpV2cProfile
from discovery.observations import DeviceReport, Status
from discovery.snmp import mibs
from discovery.snmp.collector import SECTION_TABLES, CollectOptions, SnmpTarget, collect_many

ADDRESS_BASE = (127, 50)


@dataclass(frozen=True)
class Device:
    address: str
    port: int
    community: str


def _addresses(count: int) -> Iterator[str]:
    for n in range(count):
        yield f"{ADDRESS_BASE[0]}.{ADDRESS_BASE[1]}.{n // 250}.{n % 250 + 1}"


def _shared_port(addresses: list[str]) -> int:
    """One port number free on every address (each address is one simulated device)."""
    import socket

    for _ in range(50):
        port = free_udp_port(addresses[0])
        try:
            for address in addresses:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                    probe.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no UDP port free on all benchmark addresses")


@contextmanager
def snmpsim_agents(count: int, corpus: Path) -> Iterator[list[Device]]:
    recordings = sorted(p.stem for p in (corpus / "snmprec").glob("*.snmprec"))
    addresses = list(_addresses(count))
    port = _shared_port(addresses)
    processes = max(1, min(os.cpu_count() or 1, count))
    with ExitStack() as stack:
        for worker in range(processes):
            share = addresses[worker::processes]
            sim = SnmpSim(corpus / "snmprec", [(a, port) for a in share], recordings[0])
            stack.enter_context(sim)
        yield [Device(a, port, recordings[i % len(recordings)]) for i, a in enumerate(addresses)]


@contextmanager
def snmpd_agents(count: int) -> Iterator[list[Device]]:
    addresses = list(_addresses(count))
    port = _shared_port(addresses)
    community = secrets.token_hex(8)
    extra = [(a, port) for a in addresses[1:]]
    with NetSnmpd(addresses[0], port, community, extra_endpoints=extra):
        yield [Device(a, port, community) for a in addresses]


@contextmanager
def lab_agents(count: int, topology: Path) -> Iterator[list[Device]]:
    from deploy.lab.topology import Topology

    lab = Topology.load(topology)
    devices = [Device(d.address, d.snmp_port, d.community) for d in lab.devices][:count]
    if len(devices) < count:
        print(f"lab has {len(devices)} devices, benchmarking those", file=sys.stderr)
    yield devices


async def run_collector(
    devices: list[Device], concurrency: int, options: CollectOptions
) -> tuple[float, list[DeviceReport]]:
    profiles: list[SnmpProfile] = [
        SnmpV2cProfile(name=c, community=SecretStr(c))
        for c in sorted({d.community for d in devices})
    ]
    targets = [SnmpTarget(d.address, d.port, known_profile=d.community) for d in devices]
    started = time.perf_counter()
    reports = [
        r
        async for r in collect_many(
            targets, profiles, concurrency=concurrency, options=options, engine=SnmpEngine()
        )
    ]
    return time.perf_counter() - started, reports


def walked_columns() -> list[str]:
    columns = [c for tables in SECTION_TABLES.values() for group in tables for c in group]
    return [".".join(map(str, c)) for c in columns]


async def _device_with_netsnmp(device: Device, options: CollectOptions) -> tuple[int, bool]:
    """The same GET + column walks as the collector, one net-snmp process each."""
    common = ["-v2c", "-c", device.community, "-On", f"-Cr{options.max_repetitions}"]
    common += ["-t", str(options.timeout), "-r", str(options.retries)]
    agent = f"{device.address}:{device.port}"
    system = [".".join(map(str, oid)) + ".0" for oid in mibs.SYSTEM_SCALARS]
    commands = [["snmpget", *[a for a in common if not a.startswith("-Cr")], agent, *system]]
    commands += [["snmpbulkwalk", *common, agent, column] for column in walked_columns()]
    lines, ok = 0, True
    for command in commands:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "MIBS": ""},
        )
        output, _ = await process.communicate()
        lines += output.count(b"\n")
        ok = ok and process.returncode == 0
    return lines, ok


async def run_netsnmp(
    devices: list[Device], concurrency: int, options: CollectOptions
) -> tuple[float, int, int]:
    gate = asyncio.Semaphore(concurrency)

    async def one(device: Device) -> tuple[int, bool]:
        async with gate:
            return await _device_with_netsnmp(device, options)

    started = time.perf_counter()
    results = await asyncio.gather(*(one(d) for d in devices))
    return time.perf_counter() - started, sum(r[0] for r in results), sum(r[1] for r in results)


def _per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60 if seconds > 0 else 0.0


async def benchmark(devices: list[Device], concurrency: int, options: CollectOptions) -> None:
    ours_seconds, reports = await run_collector(devices, concurrency, options)
    statuses = Counter(r.status.value for r in reports)
    ok = statuses.get(Status.OK.value, 0)
    interfaces = sum(len(r.interfaces) for r in reports)
    components = sum(len(r.components) for r in reports)
    print(f"devices            {len(devices)}   concurrency {concurrency}")
    print(
        f"collector          {ours_seconds:8.1f} s  {_per_minute(len(devices), ours_seconds):9.0f} devices/min"
    )
    print(
        f"                   statuses {dict(statuses)}; {interfaces} interfaces, {components} components"
    )
    if shutil.which("snmpbulkwalk") is None:
        print("snmpbulkwalk not installed (apt-get install -y snmp): no comparison")
        return
    theirs_seconds, lines, complete = await run_netsnmp(devices, concurrency, options)
    print(
        f"snmpbulkwalk       {theirs_seconds:8.1f} s  {_per_minute(len(devices), theirs_seconds):9.0f} devices/min"
        f"  ({complete} devices without error, {lines} varbind lines)"
    )
    print(
        f"ratio              {theirs_seconds / ours_seconds:8.2f} x  (collector speed / snmpbulkwalk speed)"
    )
    if ok < len(devices):
        print(f"WARNING: only {ok} of {len(devices)} devices collected completely")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--agents", choices=("snmpsim", "snmpd", "lab"), default="snmpsim")
    parser.add_argument("--topology", type=Path, help="lab topology.json (with --agents lab)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--max-repetitions", type=int, default=10)
    args = parser.parse_args(argv)
    options = CollectOptions(args.timeout, args.retries, args.max_repetitions)
    if args.agents == "lab":
        if args.topology is None:
            parser.error("--agents lab needs --topology PATH (the lab's topology.json)")
        agents = lab_agents(args.devices, args.topology)
    elif args.agents == "snmpd":
        agents = snmpd_agents(args.devices)
    else:
        agents = snmpsim_agents(args.devices, args.corpus)
    with agents as devices:
        asyncio.run(benchmark(devices, args.concurrency, options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
