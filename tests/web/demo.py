"""The demo data the browser tests look at: the generated lab, discovered through the real parsers.

The lab generator writes one SNMP recording per device; every recording is parsed by the
SNMP parsers (``discovery.snmp.parse_walk``), reconciled and applied to an embedded store,
exactly as a discovery run would. Two runs are made so the review queue has new, changed
and missing CIs, and a switch has two configuration versions (the lab's CLI-simulator
configuration, masked by the SSH pipeline). Two devices name themselves with markup: a
device may name itself anything, and the page must show that as text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deploy.lab.generate import RECORDINGS_DIR, generate
from deploy.lab.topology import Topology
from discovery.observations import DeviceReport, Section, Source, Status
from discovery.snmp.parse import parse_walk
from discovery.snmp.snmprec import load_snmprec
from discovery.ssh.config import snapshot
from discovery.ssh.platforms import get_platform
from flows.apply import discovery_run_changes, run_uid
from flows.nightly import store_configs
from flows.summary import RunCounts, count_failures, devices_found, failure_of
from graph.identity import IdentityIndex, device_keys
from graph.model import RunContext
from graph.reconcile import reconcile
from graph.store import GraphStore

LAB_DEVICES = 30
SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '<img src=x onerror="alert(2)">'
# As the SNMP collector reports a complete walk: HOST-RESOURCES storage and processors are a
# section of their own, so the disk the second run pulls is judged by STORAGE, not INVENTORY.
SNMP_SECTIONS = {
    Section.SYSTEM,
    Section.INVENTORY,
    Section.INTERFACES,
    Section.ADDRESSES,
    Section.NEIGHBORS,
    Section.STORAGE,
}
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CONFIG_TEMPLATE = Path(__file__).resolve().parents[2] / "deploy/lab/clisim/configs/arista_eos.cfg"
SYS_NAME_OID = "1.3.6.1.2.1.1.5.0"


@dataclass(frozen=True)
class DemoLab:
    """Names the tests need: which CIs play which part in the demo graph."""

    access_switch: str  # uid of the access switch the impact test reboots
    access_peers: frozenset[str]  # uids of the devices the lab links to it (ground truth)
    single_homed: str  # server only behind that switch (OUTAGE when it reboots)
    dual_homed: str  # server behind it and its partner (DEGRADED)
    config_device: str  # device with two configuration versions
    changed_device: str  # device whose OS version changed in the second run
    script_device: str  # device named SCRIPT_NAME
    img_device: str  # device named IMG_NAME
    shop_service: str  # business service on the single-homed server
    intranet_service: str  # business service on the dual-homed server
    billing_app: str  # an application entered by hand...
    billing_duplicate: str  # ...and entered again under another name (to be merged)
    first_run: str
    second_run: str


def _rename(recording: Path, name: str) -> None:
    """The device calls itself ``name`` (sysName), as a hostile or careless admin might set it."""
    lines = recording.read_text(encoding="ascii").splitlines()
    renamed = [
        f"{SYS_NAME_OID}|4|{name}" if line.startswith(f"{SYS_NAME_OID}|") else line
        for line in lines
    ]
    recording.write_text("\n".join(renamed) + "\n", encoding="ascii")


def _report(topo: Topology, name: str, recordings: Path, at: datetime) -> DeviceReport:
    device = topo.device(name)
    parsed = parse_walk(load_snmprec(recordings / f"{name}.snmprec"))
    return DeviceReport(
        target=device.address,
        source=Source.SNMP,
        status=Status.OK,
        observed_at=at,
        device=replace(parsed.device, mgmt_ip=device.address),
        sections=set(SNMP_SECTIONS),
        components=parsed.components,
        interfaces=parsed.interfaces,
        addresses=parsed.addresses,
        neighbors=parsed.neighbors,
        software=parsed.software,
    )


def _config_text(hostname: str, extra: str = "") -> str:
    return CONFIG_TEMPLATE.read_text().replace("{hostname}", hostname) + extra


def _run(store: GraphStore, run_id: str, at: datetime, reports: list[DeviceReport]) -> None:
    """One discovery run: reconcile, apply, keep configurations, record the run with its counts."""
    context = RunContext(run_id=run_id, at=at)
    changes = reconcile(store.load_state(), reports, [], context)
    store.apply(changes, run_id, at)
    store_configs(store, reports, context)
    counts = RunCounts(snmp_targets=len(reports), devices_found=devices_found(reports))
    counts.add_changes(changes.counts())
    counts.failed = count_failures(f for f in map(failure_of, reports) if f is not None)
    finished = at + timedelta(minutes=3)
    store.apply(
        discovery_run_changes(
            run_id, f"nightly {at:%Y-%m-%d}", at, finished, "completed", counts.to_json()
        ),
        run_id,
        finished,
    )


def _homing(topo: Topology, switch: str) -> tuple[str, str]:
    """A server linked only to ``switch`` and one linked to it and to another switch."""
    peers: dict[str, set[str]] = {}
    for link in topo.links:
        peers.setdefault(link.a_device, set()).add(link.b_device)
        peers.setdefault(link.b_device, set()).add(link.a_device)
    servers = [
        d.name for d in topo.devices if d.role == "server" and switch in peers.get(d.name, set())
    ]
    single = next(s for s in servers if peers[s] == {switch})
    dual = next(s for s in servers if len(peers[s]) > 1)
    return single, dual


def build_demo(store: GraphStore, workdir: Path) -> DemoLab:
    """Generate the lab into ``workdir``, discover it twice into ``store``, add two services."""
    topo = generate(workdir, LAB_DEVICES)
    recordings = workdir / RECORDINGS_DIR
    switch = "acc-001a"
    single, dual = _homing(topo, switch)
    servers = [d.name for d in topo.devices if d.role == "server" and d.name not in (single, dual)]
    script_host, img_host = servers[-1], servers[-2]
    _rename(recordings / f"{script_host}.snmprec", SCRIPT_NAME)
    _rename(recordings / f"{img_host}.snmprec", IMG_NAME)
    names = [d.name for d in topo.devices if (recordings / f"{d.name}.snmprec").exists()]
    config_host = "core-01"
    eos = get_platform("arista_eos")

    first = [_report(topo, n, recordings, T0) for n in names]
    first[names.index(config_host)].config = snapshot(_config_text(config_host), eos)
    _run(store, "run-1", T0, first)

    t1 = T0 + timedelta(days=1)
    second = [_report(topo, n, recordings, t1) for n in names]
    changed_host = "agg-01a"
    changed = second[names.index(changed_host)]
    assert changed.device is not None
    changed.device = replace(changed.device, os_version=f"{changed.device.os_version}-patched")
    second[names.index(config_host)].config = snapshot(
        _config_text(config_host, "interface Ethernet9\n   description new-uplink-to-dc2\n!\n"), eos
    )
    # A server lost its last hardware component (a disk pulled): missing in run 2.
    dropped = second[names.index(dual)]
    dropped.components = dropped.components[:-1]
    # A server that did not answer: a failure of the run, nothing of it marked missing.
    silent = names.index(servers[0])
    second[silent] = DeviceReport(
        target=second[silent].target, source=Source.SNMP, status=Status.TIMEOUT, observed_at=t1
    )
    _run(store, "run-2", t1, second)

    index = IdentityIndex.build(store.load_state().cis.values())

    def uid(report: DeviceReport) -> str:
        assert report.device is not None
        found = index.resolve(device_keys(report.device, report.target))
        assert found is not None, report.target
        return found

    by_name = {n: uid(r) for n, r in zip(names, first, strict=True)}
    shop = store.create_ci(
        "BusinessService", {"name": "Web shop", "criticality": "critical"}, "demo"
    ).uid
    intranet = store.create_ci(
        "BusinessService", {"name": "Intranet", "criticality": "medium"}, "demo"
    ).uid
    store.link(shop, "DEPENDS_ON", by_name[single], None, "demo")
    store.link(intranet, "DEPENDS_ON", by_name[dual], None, "demo")
    billing = store.create_ci("Application", {"name": "billing", "process": "billing"}, "demo").uid
    store.link(billing, "RUNS_ON", by_name[single], None, "demo")
    duplicate = store.create_ci("Application", {"name": "billing-api"}, "demo").uid
    store.link(shop, "DEPENDS_ON", duplicate, None, "demo")
    peers = {link.b_device for link in topo.links if link.a_device == switch}
    peers |= {link.a_device for link in topo.links if link.b_device == switch}
    return DemoLab(
        access_switch=by_name[switch],
        access_peers=frozenset(by_name[p] for p in peers),
        single_homed=by_name[single],
        dual_homed=by_name[dual],
        config_device=by_name[config_host],
        changed_device=by_name[changed_host],
        script_device=by_name[script_host],
        img_device=by_name[img_host],
        shop_service=shop,
        intranet_service=intranet,
        billing_app=billing,
        billing_duplicate=duplicate,
        first_run=run_uid("run-1"),
        second_run=run_uid("run-2"),
    )
