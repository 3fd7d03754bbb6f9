"""Benchmark: impact queries through HTTP on a ~100k-CI graph in Neo4j (goal p95 < 50 ms).

The graph is the lab generator's data-centre topology (cores, aggregation pairs, ToR pairs,
dual- and single-homed servers) scaled up, every switch port and server NIC an Interface,
two applications per server with dependencies between tiers, server addresses, and
business services depending on redundant web tiers. It is written through the store
(``GraphStore.apply``, the discovery write path).

The API runs in uvicorn on 127.0.0.1; the benchmark asks it for the impact of rebooting
ToR and aggregation switches, rebooting servers and changing applications' configuration,
and prints p50/p95/max per kind and overall. The analyzer's snapshot (``api.analysis``) is
loaded, and its time printed, before the server starts; the first query is reported on
its own. ``--mode store`` measures the
per-query bounded traversal through the store instead of the cached snapshot.

Usage:
    eval "$(python -m deploy.neo4j env)"
    python -m deploy.bench.api_impact --fresh          # wipe, load ~100k CIs, measure
    python -m deploy.bench.api_impact                  # reuse the loaded graph
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import uvicorn
from neo4j import GraphDatabase
from pydantic import SecretStr

from api.analysis import ImpactAnalyzer, Mode
from api.app import create_app
from api.auth import Role, create_token
from deploy.lab.generate import build_topology
from deploy.lab.topology import Topology
from graph.model import CI, ChangeSet, Provenance, Relationship
from graph.settings import get_settings
from graph.store import GraphStore, open_store

RUN_ID = "bench-impact"
TIERS = ("web", "app", "db", "cache")
WEB_PER_SERVICE = 8


def _ci(uid: str, cls: str, attrs: dict[str, object], at: datetime, scope: str | None) -> CI:
    prov = {k: Provenance("snmp", RUN_ID, at) for k in attrs}
    return CI(
        uid=uid,
        ci_class=cls,
        name=str(attrs["name"]),
        attributes=attrs,
        provenance=prov,
        first_seen=at,
        last_seen=at,
        last_run=RUN_ID,
        changed_at=at,
        scope=scope,
    )


def _rel(rel: str, source: str, target: str, at: datetime, **attrs: object) -> Relationship:
    if rel == "CONNECTED_TO" and target < source:
        source, target = target, source
    return Relationship(
        rel,
        source,
        target,
        dict(attrs),
        ["snmp"],
        [f"{source}#neighbors"],
        first_seen=at,
        last_seen=at,
        last_run=RUN_ID,
    )


def _devices(topo: Topology, at: datetime) -> Iterator[CI | Relationship]:
    for d in topo.devices:
        uid = f"dev:{d.name}"
        cls = "Server" if d.role == "server" else "NetworkDevice"
        attrs: dict[str, object] = {
            "name": d.name,
            "role": d.role,
            "vendor": d.vendor,
            "model": d.model,
            "serial": d.serial,
            "mgmt_ip": d.address,
        }
        yield _ci(uid, cls, attrs, at, None)
        for iface in d.interfaces:
            yield _ci(
                f"{uid}/if/{iface.name}",
                "Interface",
                {"name": iface.name, "mac": iface.mac, "speed_bps": iface.speed_bps},
                at,
                f"{uid}#interfaces",
            )
            yield _rel("HAS_INTERFACE", uid, f"{uid}/if/{iface.name}", at)
    for link in topo.links:
        yield _rel(
            "CONNECTED_TO",
            f"dev:{link.a_device}/if/{link.a_interface}",
            f"dev:{link.b_device}/if/{link.b_interface}",
            at,
            protocols=["lldp"],
        )


def _applications(topo: Topology, at: datetime, rng: random.Random) -> Iterator[CI | Relationship]:
    """Two applications per server (its tier's and a monitoring agent), an address, and
    dependencies web -> app -> db (+ cache), each on a redundant pair of providers."""
    by_tier: dict[str, list[str]] = defaultdict(list)
    servers = [d for d in topo.devices if d.role == "server"]
    for n, d in enumerate(servers):
        uid = f"dev:{d.name}"
        tier = TIERS[n % len(TIERS)]
        for process in (tier, "agent"):
            app = f"{uid}/app/{process}"
            yield _ci(
                app, "Application", {"name": process, "process": process}, at, f"{uid}#services"
            )
            yield _rel("RUNS_ON", app, uid, at)
        by_tier[tier].append(f"{uid}/app/{tier}")
        address = f"ip:10.{n // 65536}.{n // 256 % 256}.{n % 256}"
        yield _ci(
            address,
            "IPAddress",
            {"name": address[3:], "address": address[3:], "version": 4},
            at,
            None,
        )
        yield _rel("ASSIGNED_TO", address, f"{uid}/if/{d.interfaces[0].name}", at)
    for consumer_tier, provider_tier in (("web", "app"), ("app", "db"), ("app", "cache")):
        providers = by_tier[provider_tier]
        for consumer in by_tier[consumer_tier]:
            for provider in rng.sample(providers, 2):
                yield _rel("DEPENDS_ON", consumer, provider, at, redundancy_group=provider_tier)
    webs = by_tier["web"]
    for s in range(0, len(webs) - 1, WEB_PER_SERVICE):
        service = f"bs:service-{s // WEB_PER_SERVICE:04d}"
        criticality = ("low", "medium", "high", "critical")[s // WEB_PER_SERVICE % 4]
        ci = _ci(
            service, "BusinessService", {"name": service[3:], "criticality": criticality}, at, None
        )
        ci.authored = True
        yield ci
        for web in webs[s : s + 2]:
            yield _rel("DEPENDS_ON", service, web, at, redundancy_group="web")


def generate(devices: int, seed: int) -> tuple[ChangeSet, Topology]:
    at = datetime.now(UTC)
    topo = build_topology(devices, seed)
    changes = ChangeSet(RUN_ID, at)
    for item in [*_devices(topo, at), *_applications(topo, at, random.Random(seed))]:
        (changes.creates if isinstance(item, CI) else changes.rel_adds).append(item)  # type: ignore[arg-type]
    return changes, topo


def _wipe(uri: str, auth: tuple[str, str] | None) -> None:
    with GraphDatabase.driver(uri, auth=auth) as driver, driver.session() as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(store: GraphStore, mode: Mode) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    app = create_app(get_settings(), store=store)
    app.state.analyzer = ImpactAnalyzer(store, mode=mode, ttl=3600)
    t = time.perf_counter()
    app.state.analyzer.snapshot()
    print(f"analyzer snapshot ({mode}): {time.perf_counter() - t:.1f} s (once, before serving)")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _queries(topo: Topology, n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    tors = [f"dev:{d.name}" for d in topo.devices if d.role == "access"]
    aggs = [f"dev:{d.name}" for d in topo.devices if d.role == "aggregation"]
    servers = [d for d in topo.devices if d.role == "server"]
    out = []
    for i in range(n):
        kind = ("tor", "server", "app", "tor", "server", "aggregation")[i % 6]
        if kind == "tor":
            out.append((kind, rng.choice(tors), "reboot"))
        elif kind == "aggregation":
            out.append((kind, rng.choice(aggs), "reboot"))
        elif kind == "server":
            out.append((kind, f"dev:{rng.choice(servers).name}", "reboot"))
        else:
            s = rng.randrange(len(servers))
            out.append(
                (kind, f"dev:{servers[s].name}/app/{TIERS[s % len(TIERS)]}", "config_change")
            )
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--uri", default=os.environ.get("CMDB_TEST_NEO4J_URI", "bolt://127.0.0.1:7687")
    )
    parser.add_argument(
        "--devices", type=int, default=7200, help="lab devices (7200 gives ~100k CIs)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--fresh", action="store_true", help="delete everything in the database and load"
    )
    parser.add_argument(
        "--mode", choices=["cached", "store"], default="cached", help="analyzer mode (api.analysis)"
    )
    args = parser.parse_args()
    user, password = (
        os.environ.get("CMDB_TEST_NEO4J_USER"),
        os.environ.get("CMDB_TEST_NEO4J_PASSWORD"),
    )
    auth = (user, password) if user and password else None
    settings = get_settings(
        neo4j_user=user or "neo4j", neo4j_password=SecretStr(password) if password else None
    )

    changes, topo = generate(args.devices, args.seed)
    print(
        f"graph: {len(changes.creates)} CIs, {len(changes.rel_adds)} relationships ({args.devices} lab devices)"
    )
    if args.fresh:
        _wipe(args.uri, auth)
    store = open_store(args.uri, settings)
    if store.count_cis() < len(changes.creates):
        t = time.perf_counter()
        store.apply(changes, RUN_ID, changes.at)
        print(f"load through GraphStore.apply: {time.perf_counter() - t:.1f} s")
    token = create_token(store, "bench", Role.VIEWER)
    server, base = _serve(store, args.mode)
    timings: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as client:
        t = time.perf_counter()
        first = client.post(
            "/api/impact", json={"cis": [f"dev:{topo.devices[-1].name}"], "change_type": "reboot"}
        )
        first.raise_for_status()
        print(f"first query: {(time.perf_counter() - t) * 1000:.0f} ms")
        for kind, uid, change in _queries(topo, args.queries, random.Random(args.seed)):
            t = time.perf_counter()
            response = client.post("/api/impact", json={"cis": [uid], "change_type": change})
            elapsed = (time.perf_counter() - t) * 1000
            response.raise_for_status()
            timings[kind].append(elapsed)
            sizes[kind].append(len(response.json()["impacted"]))
    server.should_exit = True
    store.close()
    everything = [v for values in timings.values() for v in values]
    print(f"{'kind':<12} {'n':>4} {'impacted':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(timings.items()):
        print(
            f"{kind:<12} {len(values):>4} {statistics.mean(sizes[kind]):>9.0f} {_pct(values, 0.5):>8.1f}"
            f" {_pct(values, 0.95):>8.1f} {max(values):>8.1f}"
        )
    print(
        f"{'all':<12} {len(everything):>4} {'':>9} {_pct(everything, 0.5):>8.1f} {_pct(everything, 0.95):>8.1f}"
        f" {max(everything):>8.1f}   (goal p95 < 50 ms)"
    )


if __name__ == "__main__":
    main()
