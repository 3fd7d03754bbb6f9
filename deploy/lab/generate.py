"""Generate a synthetic, consistent data-centre topology and one SNMP recording per device.

Shape (every size from 10 to 10,000 devices keeps all of it):

- two core switches, linked to each other;
- aggregation pairs, each pair linked to each other and both members linked to both cores;
- racks with a pair of access (top-of-rack) switches, linked to each other, each switch
  dual-uplinked to both members of its aggregation pair;
- servers: most dual-homed (one NIC to each ToR of their rack, bonded), some single-homed.
  Both kinds exist at every size (impact analysis needs a degraded and an outage case).

Everything is derived from ``seed`` (vendor mix, single-homed choice, uptimes), so the same
``(devices, seed)`` always gives the same topology; only the lab's SNMPv3 keys are random.
Management addresses are lab loopback addresses (127.20.x.y): a discovery that follows
neighbours only ever reaches loopback. Other addresses in the data (10.x, 2001:db8::) are
documentation/private ranges that nothing binds.

Usage: ``python -m deploy.lab.generate --devices 1000 --out var/lab`` (prints the timing).
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import multiprocessing
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.lab import vendors
from deploy.lab.snmprec import LabIndex, render_device
from deploy.lab.topology import LabDevice, LabInterface, LabLink, Topology

MIN_DEVICES = 10
MAX_DEVICES = 10_000
GENERATED_NET = ipaddress.IPv4Network("127.20.0.0/16")
DOMAIN = "dc1.lab.example"  # RFC 2606 reserved name
SERVERS_PER_RACK = 20
RACKS_PER_AGG_PAIR = 8
SINGLE_HOMED_SHARE = 0.15
V3_USER = "labv3"
SWITCH_VENDOR_WEIGHTS = ((vendors.CISCO, 0.45), (vendors.ARISTA, 0.35), (vendors.JUNIPER, 0.20))
RECORDINGS_DIR = "snmprec"


@dataclass(frozen=True, slots=True)
class Plan:
    """How many of each tier a lab of ``devices`` devices has."""

    agg_pairs: int
    racks: int
    servers: int

    @classmethod
    def for_devices(cls, devices: int) -> Plan:
        if not MIN_DEVICES <= devices <= MAX_DEVICES:
            raise ValueError(
                f"devices must be between {MIN_DEVICES} and {MAX_DEVICES}, not {devices}"
            )
        racks = max(1, (devices - 4) // SERVERS_PER_RACK)
        agg_pairs = -(-racks // RACKS_PER_AGG_PAIR)
        servers = devices - 2 - 2 * agg_pairs - 2 * racks
        return cls(agg_pairs=agg_pairs, racks=racks, servers=servers)


def lab_address(index: int) -> str:
    """Loopback address of the ``index``-th generated device (skips .0 and .255)."""
    return str(GENERATED_NET.network_address + (index // 254) * 256 + index % 254 + 1)


@dataclass
class _PortPool:
    """Free front-panel ports of one switch, by group ("down" / "up")."""

    free: dict[str, list[LabInterface]] = field(default_factory=dict)

    def take(self, group: str) -> LabInterface:
        ports = self.free.get(group) or self.free["down"]
        if not ports:
            raise RuntimeError("switch ran out of ports; the plan is inconsistent")
        return ports.pop(0)


class _Builder:
    """Accumulates devices and links; keeps counters so MACs, serials and addresses are unique."""

    def __init__(self, seed: int, snmp_port: int):
        self.rng = random.Random(seed)
        self.snmp_port = snmp_port
        self.topology = Topology()
        self.pools: dict[str, _PortPool] = {}
        self.by_name: dict[str, LabDevice] = {}
        self._mac_numbers: dict[str, int] = {}
        self._p2p = ipaddress.IPv4Network("10.254.0.0/16").subnets(new_prefix=31)

    def next_mac(self, vendor: str) -> str:
        number = self._mac_numbers.get(vendor, 0x100)
        self._mac_numbers[vendor] = number + 1
        return vendors.mac(vendor, number)

    def add_switch(self, name: str, tier: str, vendor: str, downlinks_needed: int) -> LabDevice:
        index = len(self.topology.devices)
        model = vendors.SWITCH_MODELS[(vendor, tier)]
        ports_needed = downlinks_needed * 7 // 6 + 2  # every 7th port is shut down
        if ports_needed > model.access_ports:
            model = _with_ports(model, ports_needed)
        software = vendors.SOFTWARE[vendor]
        device = LabDevice(
            name=name,
            role=tier,
            address=lab_address(index),
            snmp_port=self.snmp_port,
            community="public",
            vendor=vendor,
            model=model.model,
            serial=vendors.chassis_serial(vendor, index + 1),
            os_name=software.os_name,
            os_version=software.os_version,
            sys_object_id=model.sys_object_id,
            chassis_mac=self.next_mac(vendor),
            platform=software.platform,
            snmpv3_user=V3_USER,
            domain=DOMAIN if vendor == vendors.CISCO else "",
            sys_descr=vendors.sys_descr(vendor, model.model, software.os_version),
            location=f"DC1 hall A row {index % 12 + 1}",
        )
        self._add_switch_interfaces(device, model, index)
        self._register(device)
        return device

    def _add_switch_interfaces(self, device: LabDevice, model: vendors.Model, index: int) -> None:
        mgmt_name, loop_name = vendors.management_names(device.vendor)
        mtu = {vendors.CISCO: 9198, vendors.ARISTA: 9214, vendors.JUNIPER: 9192}[device.vendor]
        pool = _PortPool({"down": [], "up": []})
        if_index = 0
        for n, (cli, short, speed) in enumerate(vendors.physical_port_names(device.vendor, model)):
            if_index += 1
            iface = LabInterface(
                name=cli,
                if_index=_switch_if_index(device.vendor, if_index),
                mac=self.next_mac(device.vendor),
                speed_bps=speed,
                if_name=short if short != cli else "",
                mtu=mtu,
                admin_status="down" if n % 7 == 6 else "up",
                oper_status="down",
            )
            device.interfaces.append(iface)
            if iface.admin_status == "up":
                pool.free["down" if n < model.access_ports else "up"].append(iface)
        device.interfaces.append(
            LabInterface(
                name=mgmt_name,
                if_index=_switch_if_index(device.vendor, if_index + 1),
                mac=self.next_mac(device.vendor),
                speed_bps=1_000_000_000,
                if_name=vendors.short_if_name(device.vendor, mgmt_name)
                if device.vendor == vendors.CISCO
                else "",
                ipv4=[f"{device.address}/16"],
                alias="out-of-band management",
            )
        )
        device.interfaces.append(
            LabInterface(
                name=loop_name,
                if_index=_switch_if_index(device.vendor, if_index + 2),
                mac="",
                speed_bps=0,
                if_name=vendors.short_if_name(device.vendor, loop_name)
                if device.vendor == vendors.CISCO
                else "",
                if_type="softwareLoopback",
                mtu=65535,
                ipv4=[f"10.255.{index // 256}.{index % 256}/32"],
                ipv6=[f"2001:db8:ffff::{index:x}/128"],
            )
        )
        self.pools[device.name] = pool

    def add_server(self, name: str, number: int, dual_homed: bool) -> LabDevice:
        index = len(self.topology.devices)
        manufacturer, model = self.rng.choice(vendors.SERVER_MODELS)
        os_name, os_version, kernel = vendors.LINUX_DISTROS[number % len(vendors.LINUX_DISTROS)]
        device = LabDevice(
            name=name,
            role="server",
            address=lab_address(index),
            snmp_port=self.snmp_port,
            community="public",
            vendor=manufacturer,
            model=model,
            serial=vendors.chassis_serial(vendors.LINUX, index + 1),
            os_name=os_name,
            os_version=os_version,
            sys_object_id=vendors.NET_SNMP_LINUX_OID,
            chassis_mac=self.next_mac(vendors.LINUX),
            platform="linux",
            snmpv3_user=V3_USER if number % 2 == 0 else None,
            sys_descr=vendors.sys_descr(vendors.LINUX, model, os_version, name, kernel, os_name),
            location=f"DC1 hall A row {index % 12 + 1}",
        )
        self._add_server_interfaces(device, number, dual_homed)
        self._register(device)
        return device

    def _add_server_interfaces(self, device: LabDevice, number: int, dual_homed: bool) -> None:
        rack_octets = f"{16 + number // 60000}.{(number // 240) % 256}"
        data_v4 = [f"10.{rack_octets}.{number % 240 + 10}/24"]
        data_v6 = (
            [f"2001:db8:{number // 240:x}::{number % 240 + 10:x}/64"] if number % 2 == 0 else []
        )
        ifaces = [
            LabInterface(
                "lo",
                1,
                "",
                10_000_000,
                if_type="softwareLoopback",
                mtu=65536,
                ipv4=["127.0.0.1/8"],
                ipv6=["::1/128"],
            ),
            LabInterface(
                "eno1",
                2,
                self.next_mac(vendors.LINUX),
                1_000_000_000,
                ipv4=[f"{device.address}/16"],
                alias="management",
            ),
            LabInterface(
                "eth0", 3, self.next_mac(vendors.LINUX), 10_000_000_000, oper_status="down"
            ),
        ]
        if dual_homed:
            ifaces.append(
                LabInterface(
                    "eth1", 4, self.next_mac(vendors.LINUX), 10_000_000_000, oper_status="down"
                )
            )
            ifaces.append(
                LabInterface(
                    "bond0",
                    5,
                    ifaces[2].mac,
                    20_000_000_000,
                    if_type="ieee8023adLag",
                    ipv4=data_v4,
                    ipv6=data_v6,
                )
            )
        else:
            ifaces[2].ipv4, ifaces[2].ipv6 = data_v4, data_v6
        device.interfaces.extend(ifaces)
        self.pools[device.name] = _PortPool(
            {"down": [i for i in ifaces if i.name.startswith("eth")]}
        )

    def _register(self, device: LabDevice) -> None:
        self.topology.devices.append(device)
        self.by_name[device.name] = device

    def connect(
        self, a: LabDevice, a_group: str, b: LabDevice, b_group: str, routed: bool = False
    ) -> None:
        """Cable a free port of ``a`` to a free port of ``b``; both come up, described as real ops do."""
        pa, pb = self.pools[a.name].take(a_group), self.pools[b.name].take(b_group)
        for owner, port, peer, peer_port in ((a, pa, b, pb), (b, pb, a, pa)):
            port.oper_status = "up"
            # Network engineers describe switch ports after the far end; Linux NICs stay bare.
            port.alias = "" if owner.role == "server" else f"{peer.name} {peer_port.name}"
        if routed:
            net = next(self._p2p)
            pa.ipv4, pb.ipv4 = [f"{net[0]}/31"], [f"{net[1]}/31"]
        self.topology.links.append(LabLink(a.name, pa.name, b.name, pb.name))


def _with_ports(model: vendors.Model, ports: int) -> vendors.Model:
    """The same model with a bigger chassis (more line cards) when a tier needs more ports."""
    return dataclasses.replace(model, access_ports=ports)


def _switch_if_index(vendor: str, n: int) -> int:
    """ifIndex numbering schemes differ by vendor; Junos and EOS use sparse indexes."""
    if vendor == vendors.ARISTA:
        return n if n < 1000 else 1_000_000 + n
    if vendor == vendors.JUNIPER:
        return 500 + n
    return n + 8  # IOS-XE starts front-panel ports after a few internal interfaces


def build_topology(devices: int, seed: int = 1, snmp_port: int = 161) -> Topology:
    """The whole lab topology (devices, interfaces, links) for ``devices`` generated devices."""
    plan = Plan.for_devices(devices)
    builder = _Builder(seed, snmp_port)
    cores = [
        builder.add_switch(f"core-0{i}", "core", vendors.CISCO, 2 * plan.agg_pairs + 2)
        for i in (1, 2)
    ]
    builder.connect(cores[0], "down", cores[1], "down", routed=True)
    aggs = _add_aggregation(builder, plan, cores)
    tors = _add_access(builder, plan, aggs)
    _add_servers(builder, plan, tors)
    builder.topology.snmpv3 = _lab_v3_credentials()
    return builder.topology


def _choose_vendor(rng: random.Random) -> str:
    names = [name for name, _ in SWITCH_VENDOR_WEIGHTS]
    weights = [weight for _, weight in SWITCH_VENDOR_WEIGHTS]
    return rng.choices(names, weights)[0]


def _add_aggregation(
    builder: _Builder, plan: Plan, cores: list[LabDevice]
) -> list[tuple[LabDevice, LabDevice]]:
    pairs = []
    for p in range(plan.agg_pairs):
        vendor = _choose_vendor(builder.rng)
        pair = tuple(
            builder.add_switch(f"agg-{p + 1:02d}{s}", "aggregation", vendor, 0) for s in "ab"
        )
        builder.connect(pair[0], "up", pair[1], "up")
        for agg in pair:
            for core in cores:
                builder.connect(agg, "up", core, "down", routed=True)
        pairs.append((pair[0], pair[1]))
    return pairs


def _add_access(
    builder: _Builder, plan: Plan, aggs: list[tuple[LabDevice, LabDevice]]
) -> list[tuple[LabDevice, LabDevice]]:
    racks = []
    for r in range(plan.racks):
        vendor = _choose_vendor(builder.rng)
        pair = tuple(builder.add_switch(f"acc-{r + 1:03d}{s}", "access", vendor, 0) for s in "ab")
        builder.connect(pair[0], "up", pair[1], "up")
        for tor in pair:
            for agg in aggs[r // RACKS_PER_AGG_PAIR]:
                builder.connect(tor, "up", agg, "down")
        racks.append((pair[0], pair[1]))
    return racks


_SERVER_ROLES = ("web", "app", "db", "cache")


def _add_servers(builder: _Builder, plan: Plan, racks: list[tuple[LabDevice, LabDevice]]) -> None:
    single = _single_homed(builder.rng, plan.servers)
    for n in range(plan.servers):
        tor_a, tor_b = racks[n % plan.racks]
        kind = _SERVER_ROLES[n % len(_SERVER_ROLES)]
        server = builder.add_server(f"{kind}-{n + 1:05d}", n, dual_homed=n not in single)
        builder.connect(server, "down", tor_a if n // plan.racks % 2 == 0 else tor_b, "down")
        if n not in single:
            builder.connect(server, "down", tor_b if n // plan.racks % 2 == 0 else tor_a, "down")


def _single_homed(rng: random.Random, servers: int) -> set[int]:
    """Which servers have one NIC only: a seeded ~15 %, never none and never all."""
    chosen = {n for n in range(servers) if rng.random() < SINGLE_HOMED_SHARE}
    chosen.discard(0)  # server 0 is always dual-homed
    if not chosen:
        chosen.add(1)
    return chosen


def _lab_v3_credentials() -> dict[str, str]:
    """Lab-only SNMPv3 user (SHA + AES128); random keys so no two labs share them."""
    return {
        "user": V3_USER,
        "auth_protocol": "SHA",
        "auth_key": secrets.token_hex(12),
        "priv_protocol": "AES",
        "priv_key": secrets.token_hex(12),
    }


# --------------------------------------------------------------------------- writing


_WORKER_INDEX: LabIndex | None = None


def _write_one(args: tuple[int, str]) -> None:
    number, path = args
    assert _WORKER_INDEX is not None
    device = _WORKER_INDEX.topology.devices[number]
    Path(path).write_text(render_device(_WORKER_INDEX, device), encoding="ascii")


def write_recordings(topology: Topology, out_dir: Path, workers: int | None = None) -> list[Path]:
    """One ``<name>.snmprec`` per generated device, rendered in parallel (fork shares the topology)."""
    global _WORKER_INDEX
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [
        (i, str(out_dir / f"{d.name}.snmprec"))
        for i, d in enumerate(topology.devices)
        if d.source == "generated"
    ]
    _WORKER_INDEX = LabIndex(topology)
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers == 1 or len(jobs) < 200:
        for job in jobs:
            _write_one(job)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_write_one, jobs, chunksize=64)
    _WORKER_INDEX = None
    return [Path(p) for _, p in jobs]


def generate(out_dir: Path, devices: int, seed: int = 1, snmp_port: int = 161) -> Topology:
    """Build the topology, write the recordings and ``topology.json`` into ``out_dir``."""
    topology = build_topology(devices, seed, snmp_port)
    write_recordings(topology, out_dir / RECORDINGS_DIR)
    save_topology(topology, out_dir / "topology.json")
    return topology


def save_topology(topology: Topology, path: Path) -> None:
    """Save with owner-only permissions: the file holds the lab's (lab-only) SNMPv3 keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    topology.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("var/lab"))
    args = parser.parse_args()
    start = time.perf_counter()
    topology = build_topology(args.devices, args.seed)
    built = time.perf_counter()
    paths = write_recordings(topology, args.out / RECORDINGS_DIR)
    save_topology(topology, args.out / "topology.json")
    done = time.perf_counter()
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{len(topology.devices)} devices, {len(topology.links)} links: topology {built - start:.2f}s, "
        f"recordings {done - built:.2f}s ({size / 1e6:.1f} MB), total {done - start:.2f}s"
    )


if __name__ == "__main__":
    main()
