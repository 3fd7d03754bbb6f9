"""Field-level agreement between our SNMP parsers and LibreNMS on real device recordings.

For every recording in ``../shared/corpus/librenms/snmprec`` this parses the walk with
``discovery.snmp.parse.parse_walk`` (or, with ``--live``, collects it over UDP from snmpsim
serving the recordings on 127.0.0.1) and compares, field by field, with LibreNMS's
expected results in ``expected/<name>.json``:

- device (module ``os``): sysName, hardware -> our ``model``, serial, version -> ``os_version``;
- interfaces (module ``ports``, poller rows, matched by ifIndex): ifName, ifAlias, ifSpeed,
  ifPhysAddress;
- neighbours (module ``discovery-protocols``): each LibreNMS link must exist on our side with
  the same local port (ifName), and its remote system name and remote port must agree.

A field whose expected value is empty (LibreNMS found nothing) is not counted. Known,
understood differences (LibreNMS normalisations that are deliberate choices on our side)
are listed with every mismatch category in ``EXPLANATIONS`` and printed at the end.

Run: ``.venv/bin/python -m deploy.bench.snmp_agreement [--live] [--corpus DIR] [-v]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discovery.observations import InterfaceObservation, NeighborObservation
from discovery.snmp.parse import ParsedDevice, parse_walk
from discovery.snmp.snmprec import load_snmprec

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms"

# Why a category of fields differs where it does; printed next to the mismatch counts.
EXPLANATIONS: dict[str, str] = {
    "device.hardware": (
        "LibreNMS 'hardware' is a display label, ours is the model: it translates sysObjectID "
        "through vendor MIB names (FortiGate 'FortiGate Rugged 60F_3G4G' vs entPhysicalModelName "
        "'FGR_60F_3G4G'; Dell 's4128Fon' vs 'S4128F-ON'), uses the chassis description on "
        "ArubaOS-CX (ours: part number 'JL679A'), and invents 'Generic x86 64-bit' for Linux "
        "(net-snmp says nothing about the hardware, ours None)"
    ),
    "device.version": (
        "LibreNMS OS modules read product-specific OIDs: Dell OS10 reports the hardware revision "
        "'A03' as version, Edgecore joins hardware rev + firmware ('R01 1.2.2.24'), FS reads the "
        "management card's firmware; none of these is the OS version in a standard MIB (ours None)"
    ),
    "port.ifName": "LibreNMS strips spaces before the line breaks inside a multi-line ifName; we only strip the ends",
    "link.remote_name": (
        "LibreNMS substitutes the remote sysDescr when a neighbour sends no system name; we keep "
        "remote_system_name None and the sysDescr in remote_description"
    ),
}


@dataclass(frozen=True)
class FieldResult:
    device: str
    category: str  # "device.model", "port.ifSpeed", "link.remote_port", ...
    key: str  # which row (ifIndex, local port...)
    expected: object
    ours: object

    @property
    def ok(self) -> bool:
        return _normal(self.expected) == _normal(self.ours)


def _normal(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def load_expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _module_rows(expected: dict[str, Any], module: str, table: str) -> list[dict[str, Any]]:
    """Rows of a LibreNMS module, preferring the poller's (complete) over discovery's."""
    section = expected.get(module) or {}
    for phase in ("poller", "discovery"):
        rows = section.get(phase)
        if isinstance(rows, dict) and isinstance(rows.get(table), list):
            return list(rows[table])
    return []


def compare_device(name: str, expected: dict[str, Any], parsed: ParsedDevice) -> list[FieldResult]:
    rows = _module_rows(expected, "os", "devices")
    if not rows:
        return []
    want, ours = rows[0], parsed.device
    pairs = {
        "sysName": (
            want.get("sysName"),
            ours.sys_name if not ours.domain else f"{ours.sys_name}.{ours.domain}",
        ),
        "hardware": (want.get("hardware"), ours.model),
        "serial": (want.get("serial"), ours.serial),
        "version": (want.get("version"), ours.os_version),
    }
    return [
        FieldResult(name, f"device.{field}", "-", exp, got)
        for field, (exp, got) in pairs.items()
        if not _blank(exp)
    ]


def _mac_plain(interface: InterfaceObservation | None) -> str | None:
    return interface.mac.replace(":", "") if interface and interface.mac else None


def compare_ports(name: str, expected: dict[str, Any], parsed: ParsedDevice) -> list[FieldResult]:
    by_index = {i.if_index: i for i in parsed.interfaces}
    results = []
    for row in _module_rows(expected, "ports", "ports"):
        ours = by_index.get(row.get("ifIndex"))
        pairs = {
            "ifName": (row.get("ifName"), ours.name if ours else None),
            # LibreNMS fills an empty ifAlias with ifDescr (and an empty ifDescr with ifName);
            # we keep alias None (none configured), ifDescr in ``description``: compare like
            # with like.
            "ifAlias": (
                row.get("ifAlias"),
                (ours.alias or ours.description or ours.name) if ours else None,
            ),
            "ifSpeed": (row.get("ifSpeed"), ours.speed_bps if ours else None),
            # LibreNMS keeps "000000000000"; we report an all-zero MAC as no MAC (None).
            "ifPhysAddress": (row.get("ifPhysAddress"), _mac_plain(ours) or "000000000000"),
        }
        for field, (exp, got) in pairs.items():
            if not _blank(exp) and exp != 0:
                results.append(
                    FieldResult(name, f"port.{field}", str(row.get("ifIndex")), exp, got)
                )
    return results


def _remote_port_name(value: str | None) -> str | None:
    """LibreNMS shows a remote port as ``"<port> (<remote port MAC>)"``: keep ``<port>``."""
    if value is None:
        return None
    head, sep, tail = value.rpartition(" (")
    return head if sep and tail.endswith(")") else value


def _best_neighbor(
    link: dict[str, Any], candidates: Iterable[NeighborObservation]
) -> NeighborObservation | None:
    protocol, local = link.get("protocol"), link.get("ifName")
    same_port = [n for n in candidates if n.protocol == protocol and n.local_interface == local]
    by_name = [n for n in same_port if n.remote_system_name == link.get("remote_hostname")]
    port = _remote_port_name(link.get("remote_port"))
    exact = [n for n in by_name if port in (n.remote_port, n.remote_port_description)]
    return next(iter(exact or by_name or same_port), None)


def compare_links(name: str, expected: dict[str, Any], parsed: ParsedDevice) -> list[FieldResult]:
    results = []
    for link in _module_rows(expected, "discovery-protocols", "links"):
        ours = _best_neighbor(link, parsed.neighbors)
        key = f"{link.get('ifName')}->{link.get('remote_hostname')}"
        port = _remote_port_name(link.get("remote_port"))
        our_port = None
        if ours is not None:
            our_port = (
                port
                if port in (ours.remote_port, ours.remote_port_description)
                else ours.remote_port
            )
        results.append(
            FieldResult(
                name,
                "link.local_port",
                key,
                link.get("ifName"),
                ours.local_interface if ours else None,
            )
        )
        if not _blank(link.get("remote_hostname")):
            results.append(
                FieldResult(
                    name,
                    "link.remote_name",
                    key,
                    link.get("remote_hostname"),
                    ours.remote_system_name if ours else None,
                )
            )
        if not _blank(port):
            results.append(FieldResult(name, "link.remote_port", key, port, our_port))
    return results


def compare(name: str, expected: dict[str, Any], parsed: ParsedDevice) -> list[FieldResult]:
    return (
        compare_device(name, expected, parsed)
        + compare_ports(name, expected, parsed)
        + compare_links(name, expected, parsed)
    )


def parse_corpus(corpus: Path) -> dict[str, ParsedDevice]:
    return {
        path.stem: parse_walk(load_snmprec(path))
        for path in sorted((corpus / "snmprec").glob("*.snmprec"))
    }


def _percent(results: list[FieldResult]) -> float:
    return 100.0 * sum(r.ok for r in results) / len(results) if results else 100.0


def report(results: list[FieldResult], verbose: bool) -> float:
    by_device: dict[str, list[FieldResult]] = defaultdict(list)
    for result in results:
        by_device[result.device].append(result)
    print(f"{'device':34} {'fields':>6} {'agree':>6}  {'%':>6}")
    for device in sorted(by_device):
        rows = by_device[device]
        print(f"{device:34} {len(rows):6} {sum(r.ok for r in rows):6}  {_percent(rows):6.1f}")
    total = _percent(results)
    print(f"{'TOTAL':34} {len(results):6} {sum(r.ok for r in results):6}  {total:6.1f}")
    by_category = Counter(r.category for r in results)
    bad = Counter(r.category for r in results if not r.ok)
    print("\nper field:")
    for category in sorted(by_category):
        rows = [r for r in results if r.category == category]
        print(f"  {category:22} {_percent(rows):6.1f} % of {by_category[category]}")
    categories = sorted(by_category)
    macro = sum(_percent([r for r in results if r.category == c]) for c in categories) / len(
        categories
    )
    print(f"  {'mean of fields':22} {macro:6.1f} % (each field weighted equally, not by row count)")
    print("\ndifferences:")
    for category, count in bad.most_common():
        print(f"  {category}: {count} -- {EXPLANATIONS.get(category, 'not yet explained')}")
        misses = [r for r in results if r.category == category and not r.ok]
        for miss in misses if verbose else misses[:3]:
            print(f"      {miss.device} [{miss.key}] expected={miss.expected!r} ours={miss.ours!r}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--live", action="store_true", help="collect over UDP from snmpsim instead of parsing files"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every differing field")
    args = parser.parse_args(argv)
    parsed = asyncio.run(collect_live(args.corpus)) if args.live else parse_corpus(args.corpus)
    results: list[FieldResult] = []
    for name, device in parsed.items():
        expected_path = args.corpus / "expected" / f"{name}.json"
        if expected_path.is_file():
            results += compare(name, load_expected(expected_path), device)
    total = report(results, args.verbose)
    return 0 if total >= 90.0 else 1


async def collect_live(corpus: Path) -> dict[str, ParsedDevice]:
    """Collect every recording over UDP from snmpsim with the real collector (one engine)."""
    from pydantic import SecretStr
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

    from deploy.bench.snmp_sim import SnmpSim, free_udp_port
    from discovery.credentials import SnmpV2cProfile
    from discovery.snmp.collector import collect_snmp

    names = sorted(path.stem for path in (corpus / "snmprec").glob("*.snmprec"))
    port = free_udp_port()
    engine = SnmpEngine()
    with SnmpSim(corpus / "snmprec", [("127.0.0.1", port)], probe_community=names[0]):
        reports = await asyncio.gather(
            *(
                collect_snmp(
                    "127.0.0.1",
                    port,
                    [SnmpV2cProfile(name=name, community=SecretStr(name))],
                    timeout=5.0,
                    retries=1,
                    engine=engine,
                )
                for name in names
            )
        )
    parsed = {}
    for name, report in zip(names, reports, strict=True):
        if report.device is None:
            print(f"{name}: {report.status} {report.errors}", file=sys.stderr)
            continue
        parsed[name] = ParsedDevice(
            device=report.device,
            components=report.components,
            interfaces=report.interfaces,
            addresses=report.addresses,
            neighbors=report.neighbors,
            software=report.software,
        )
    return parsed


if __name__ == "__main__":
    sys.exit(main())
