"""Benchmark: first load of a ~100k-CI / ~300k-relationship graph, then a no-op re-run.

Goals (issue 5): first load < 60 s, no-op re-run < 15 s, on Neo4j.

The graph comes from synthetic DeviceReports and DependencyObservations, so both phases
go through the nightly flow's write path (``flows.nightly.write_graph``): ``load_state``,
``reconcile`` (pure), then ``GraphStore.apply`` of the change set in the flow's ordered
parts (``--part-size``, default the flow's ``apply_batch_size``).
Switches report their interfaces, modules and LLDP neighbours (server uplinks, switch
links); servers report NICs, an address, listening applications and installed packages
(shared Software CIs, which is where most relationships come from); dependencies join
applications across servers.

The no-op re-run is what every nightly run costs when nothing changed: ``load_state``,
``reconcile`` (only confirmations), ``apply`` (last_seen/provenance bumps, no history). It
is measured twice: in the same process (a long-lived worker, whose state cache is still
current) and in a new process (what a Prefect process worker starts for every flow run),
which must read the whole graph back from the store: once on the server's first full read,
once on a server that served it before, and once as the flow does it, reading the graph in
the background (``prefetch_state``) while discovery collects (a 30 s wait stands for it).

Measure on a server of its own, started empty: a database that held and then lost a big
graph (``--wipe``) writes more slowly than a new one.

Usage:
    python -m deploy.neo4j --run-dir var/neo4j-bench start
    eval "$(python -m deploy.neo4j --run-dir var/neo4j-bench env)"
    python -m deploy.bench.graph_load --wipe            # Neo4j at $CMDB_TEST_NEO4J_URI
    python -m deploy.bench.graph_load --url sqlite:////tmp/bench.sqlite --wipe
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from pydantic import SecretStr

from discovery.observations import (
    AddressObservation,
    ComponentObservation,
    DependencyObservation,
    DeviceKind,
    DeviceObservation,
    DeviceReport,
    InterfaceObservation,
    NeighborObservation,
    Section,
    ServiceObservation,
    SoftwareObservation,
    Source,
    Status,
)
from flows.apply import split_changes
from flows.nightly import DEFAULT_APPLY_BATCH_SIZE
from graph.model import ChangeSet, RunContext
from graph.reconcile import reconcile
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store

SECTIONS = set(Section)
T = TypeVar("T")


@dataclass(frozen=True)
class Shape:
    switches: int = 1200
    ports: int = 52  # interfaces per switch
    modules: int = 8  # hardware components per switch
    servers: int = 3000
    packages: int = 66  # installed packages per server
    package_pool: int = 2000
    apps: int = 4  # listening applications per server
    dependencies: int = 4  # outgoing dependencies per server
    locations: int = 40


def _mac(prefix: int, n: int) -> str:
    raw = f"{prefix:02x}{n:010x}"
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


def _switch_ip(i: int) -> str:
    return f"10.{100 + i // 65536}.{(i // 256) % 256}.{i % 256}"


def _server_ip(i: int) -> str:
    return f"10.{200 + i // 65536}.{(i // 256) % 256}.{i % 256}"


def switch_report(i: int, shape: Shape) -> DeviceReport:
    """A switch: ports, modules, LLDP towards its servers and the next switch."""
    ports = [f"Ethernet{p}" for p in range(1, shape.ports + 1)]
    neighbors = []
    per_switch = -(-shape.servers // shape.switches)
    for k in range(per_switch):
        srv = i * per_switch + k
        if srv < shape.servers and k < len(ports) - 2:
            neighbors.append(
                NeighborObservation(
                    "lldp", ports[k], remote_chassis_id=_mac(0x52, srv), remote_port="eth0"
                )
            )
    peer = (i + 1) % shape.switches
    if peer != i:
        neighbors.append(
            NeighborObservation(
                "lldp", ports[-1], remote_chassis_id=_mac(0x02, peer), remote_port=ports[-2]
            )
        )
    return DeviceReport(
        target=_switch_ip(i),
        source=Source.SNMP,
        status=Status.OK,
        device=DeviceObservation(
            sys_name=f"sw{i:05d}",
            domain="bench.example",
            serial=f"SWSER{i:07d}",
            chassis_id=_mac(0x02, i),
            mgmt_ip=_switch_ip(i),
            vendor="Arista",
            model="DCS-7050SX3",
            os_name="EOS",
            os_version="4.30.1F",
            location=f"DC{i % shape.locations} Row {i % 7}",
        ),
        sections=set(SECTIONS),
        interfaces=[
            InterfaceObservation(p, n + 1, speed_bps=10_000_000_000) for n, p in enumerate(ports)
        ],
        components=[
            ComponentObservation(str(m), "module", name=f"Module {m}", serial=f"MOD{i:06d}{m:02d}")
            for m in range(shape.modules)
        ],
        addresses=[AddressObservation(_switch_ip(i), 16, ports[0])],
        neighbors=neighbors,
    )


def server_report(i: int, shape: Shape, rng: random.Random) -> DeviceReport:
    """A server: two NICs, its address, listening applications and installed packages."""
    packages = rng.sample(range(shape.package_pool), shape.packages)
    return DeviceReport(
        target=_server_ip(i),
        source=Source.SSH,
        status=Status.OK,
        device=DeviceObservation(
            kind=DeviceKind.SERVER,
            role="server",
            sys_name=f"srv{i:05d}",
            domain="bench.example",
            serial=f"SRVSER{i:07d}",
            chassis_id=_mac(0x52, i),
            mgmt_ip=_server_ip(i),
            os_name="Debian GNU/Linux",
            os_version="12",
            memory_bytes=64 * 2**30,
            cpu_count=16,
        ),
        sections=set(SECTIONS),
        interfaces=[
            InterfaceObservation("eth0", 2, mac=_mac(0x52, i)),
            InterfaceObservation("eth1", 3),
        ],
        addresses=[AddressObservation(_server_ip(i), 16, "eth0")],
        services=[
            ServiceObservation("tcp", 8000 + a, "0.0.0.0", f"app{a}") for a in range(shape.apps)
        ],
        software=[SoftwareObservation(f"pkg{p:04d}", f"1.{p % 9}") for p in packages],
    )


def dependencies(shape: Shape, rng: random.Random) -> list[DependencyObservation]:
    deps = []
    for i in range(shape.servers):
        for _ in range(shape.dependencies):
            j = rng.randrange(shape.servers)
            if j != i:
                app = rng.randrange(shape.apps)
                deps.append(
                    DependencyObservation(
                        _server_ip(i), "app0", _server_ip(j), f"app{app}", 8000 + app
                    )
                )
    return deps


def observations(shape: Shape) -> tuple[list[DeviceReport], list[DependencyObservation]]:
    rng = random.Random(5)
    reports = [switch_report(i, shape) for i in range(shape.switches)]
    reports += [server_report(i, shape, rng) for i in range(shape.servers)]
    return reports, dependencies(shape, rng)


def timed(label: str, fn: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - began
    print(f"  {label:<28} {elapsed:8.2f} s", flush=True)
    return value, elapsed


def settings_for(url: str | None) -> tuple[str, Settings]:
    """The store URL and settings: --url, else the test server exported by deploy.neo4j."""
    test_uri = os.environ.get("CMDB_TEST_NEO4J_URI")
    password = os.environ.get("CMDB_TEST_NEO4J_PASSWORD")
    if url is None and test_uri:
        extra = {"neo4j_password": SecretStr(password)} if password else {}
        user = os.environ.get("CMDB_TEST_NEO4J_USER", "neo4j")
        return test_uri, get_settings(neo4j_user=user, **extra)
    settings = get_settings()
    return url or settings.store_url, settings


def wipe(url: str, store: GraphStore) -> None:
    if url.startswith(("sqlite://", "memory://")):
        return
    from graph.neo4j_store import Neo4jStore

    assert isinstance(store, Neo4jStore)
    store.wipe()


def one_run(
    store: GraphStore,
    reports: list[DeviceReport],
    deps: list[DependencyObservation],
    ctx: RunContext,
    part_size: int,
) -> tuple[ChangeSet, float]:
    """One run's write path as the nightly flow takes it (``flows.nightly.write_graph``):
    load, reconcile, then apply the change set in ordered parts of ``part_size`` entries."""
    state, t_load = timed("load_state", store.load_state)
    changes, t_rec = timed("reconcile", lambda: reconcile(state, reports, deps, ctx))
    parts = split_changes(changes, part_size) if part_size else [changes]

    def apply() -> None:
        for part in parts:
            store.apply(part, ctx.run_id, ctx.at)

    _none, t_apply = timed(f"apply ({len(parts)} parts)", apply)
    return changes, t_load + t_rec + t_apply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="store URL (default: $CMDB_TEST_NEO4J_URI, else settings)")
    parser.add_argument(
        "--wipe", action="store_true", help="empty the target store first (required if not empty)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply device counts (0.1 for a quick try)"
    )
    parser.add_argument("--batch-size", type=int, help="rows per UNWIND batch (default: settings)")
    parser.add_argument(
        "--part-size",
        type=int,
        default=DEFAULT_APPLY_BATCH_SIZE,
        help="change-set entries per apply, as the flow's apply_batch_size (0: one apply)",
    )
    parser.add_argument("--rerun-day", type=int, help=argparse.SUPPRESS)  # the new-process phase
    parser.add_argument("--collect-for", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = Shape()
    shape = Shape(
        switches=max(2, int(base.switches * args.scale)),
        servers=max(2, int(base.servers * args.scale)),
    )
    url, settings = settings_for(args.url)
    if args.batch_size:
        settings = settings.model_copy(update={"batch_size": args.batch_size})
    if args.rerun_day is not None:
        return rerun_in_this_process(
            url, settings, shape, args.rerun_day, args.part_size, args.collect_for
        )
    if url.startswith("sqlite:///") and args.wipe:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    store = open_store(url, settings)
    if store.count_cis() and not args.wipe:
        print(f"{url} is not empty; pass --wipe to empty it first", file=sys.stderr)
        return 2
    if args.wipe:
        wipe(url, store)
    (reports, deps), _t = timed("generate observations", lambda: observations(shape))
    at = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    print(
        f"store {url.split('@')[-1]}, {settings.batch_size} rows per UNWIND batch, "
        f"{args.part_size or 'all'} change-set entries per apply"
    )
    print("first load:")
    first, t_first = one_run(
        store, reports, deps, RunContext("bench-1", at, settings.precedence), args.part_size
    )
    cis, rels = store.count_cis(), len(first.rel_adds)
    print(f"  -> {cis} CIs, {rels} relationships created")
    print("no-op re-run (same worker process: state cache current):")
    second, t_noop = one_run(
        store,
        reports,
        deps,
        RunContext("bench-2", at + timedelta(days=1), settings.precedence),
        args.part_size,
    )
    assert second.is_empty, second.counts()
    print(
        f"  -> {len(second.confirmations)} CIs confirmed (written), "
        f"{len(second.rel_confirmations)} relationships confirmed (counted, not written)"
    )
    store.close()
    print("no-op re-run (new process, the server's first full read of the graph):")
    t_first_read, _wall = rerun_in_new_process(args, day=2)
    print("no-op re-run (new process; the server has served that read before, as it does")
    print("for the API's snapshot after every change):")
    t_cold, wall = rerun_in_new_process(args, day=3)
    print("no-op re-run (new process reading the graph while discovery collects, 30 s here):")
    t_overlap, _wall = rerun_in_new_process(args, day=4, collect_for=30.0)
    print(f"FIRST LOAD         {t_first:6.1f} s  (goal < 60 s)  {cis} CIs / {rels} relationships")
    print(f"NO-OP RE-RUN warm  {t_noop:6.1f} s  (goal < 15 s; worker process kept its cache)")
    print(
        f"NO-OP RE-RUN new   {t_cold:6.1f} s  (goal < 15 s; a new process, as a Prefect "
        f"process worker starts; {wall:.1f} s from its start to its exit; "
        f"{t_first_read:.1f} s on the server's first full read)"
    )
    print(f"NO-OP RE-RUN flow  {t_overlap:6.1f} s  (after discovery; the graph was read during it)")
    return 0


def rerun_in_new_process(
    args: argparse.Namespace, day: int, collect_for: float = 0.0
) -> tuple[float, float]:
    """Run the no-op re-run in a new interpreter.

    Returns its load + reconcile + apply time and the whole process's wall time (which adds
    the interpreter start, imports and generating the observations).
    """
    command = [sys.executable, "-m", "deploy.bench.graph_load", "--rerun-day", str(day)]
    command += ["--scale", str(args.scale), "--part-size", str(args.part_size)]
    command += ["--collect-for", str(collect_for)]
    if args.url:
        command += ["--url", args.url]
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    began = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    print(done.stdout, end="")
    total = next(
        float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("TOTAL ")
    )
    return total, wall


def rerun_in_this_process(
    url: str, settings: Settings, shape: Shape, day: int, part_size: int, collect_for: float
) -> int:
    """The new-process phase: open the store, run once, check that nothing changed.

    With ``collect_for``, the run starts reading the graph (``prefetch_state``) and then
    waits that long, as the nightly flow reads it while discovery collects (network waits).
    """
    reports, deps = observations(shape)
    at = datetime(2026, 1, 1, 2, 0, tzinfo=UTC) + timedelta(days=day)
    store = open_store(url, settings)
    if collect_for:
        store.prefetch_state()
        time.sleep(collect_for)
    changes, total = one_run(
        store, reports, deps, RunContext(f"bench-{day + 1}", at, settings.precedence), part_size
    )
    store.close()
    print(f"TOTAL {total:.3f}")
    if not changes.is_empty:
        print(f"the re-run changed the graph: {changes.counts()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
