"""SNMP collector: from a target and credential profiles to a ``DeviceReport``.

I/O and bookkeeping only; every fact is extracted by the pure parsers in
``discovery.snmp.parse`` from the ``Walk`` collected here. Flow for one device:

1. Probe: GET the system group with each profile in turn (the remembered one first). The
   first answer wins; ``report.credential`` names it. If no profile is accepted the status
   is ``auth_failed`` when the agent rejected at least one (SNMPv3 reports: wrong digest,
   unknown user...), otherwise ``timeout`` (an SNMPv2c agent silently drops a wrong
   community, which cannot be told apart from an absent agent).
2. GET the vendor-MIB scalars the detected OS family names (``vendors.OS_FAMILIES``).
3. Walk each section's table columns with GETBULK. A failing section is recorded in
   ``errors`` (status ``partial``) with whatever rows it returned; the others are kept.

``collect_many`` runs devices concurrently on ONE shared ``SnmpEngine``; a failing device
never stops the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace

from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

from discovery.credentials import SnmpProfile
from discovery.observations import DeviceReport, Section, SectionError, Source, Status
from discovery.snmp import mibs
from discovery.snmp.decode import text
from discovery.snmp.parse import parse_walk
from discovery.snmp.session import Session, SnmpError, WalkError
from discovery.snmp.system import sys_object_id
from discovery.snmp.vendors import vendor_scalar_oids
from discovery.snmp.walk import Oid, Value, Walk

# Columns walked per section (never whole MIB subtrees); one GETBULK advances all of them.
SECTION_TABLES: dict[Section, tuple[tuple[Oid, ...], ...]] = {
    Section.INVENTORY: (
        (
            mibs.ENT_DESCR,
            mibs.ENT_CONTAINED_IN,
            mibs.ENT_CLASS,
            mibs.ENT_NAME,
            mibs.ENT_HARDWARE_REV,
            mibs.ENT_FIRMWARE_REV,
            mibs.ENT_SOFTWARE_REV,
            mibs.ENT_SERIAL,
            mibs.ENT_MFG_NAME,
            mibs.ENT_MODEL_NAME,
        ),
    ),
    Section.INTERFACES: (
        (
            mibs.IF_DESCR,
            mibs.IF_TYPE,
            mibs.IF_MTU,
            mibs.IF_SPEED,
            mibs.IF_PHYS_ADDRESS,
            mibs.IF_ADMIN_STATUS,
            mibs.IF_OPER_STATUS,
        ),
        (mibs.IF_NAME, mibs.IF_HIGH_SPEED, mibs.IF_ALIAS),
    ),
    Section.ADDRESSES: (
        (mibs.IP_AD_ENT_IF_INDEX, mibs.IP_AD_ENT_NETMASK),
        (mibs.IP_ADDRESS_IF_INDEX, mibs.IP_ADDRESS_TYPE, mibs.IP_ADDRESS_PREFIX),
        (mibs.IPV6_ADDR_PFX_LENGTH,),
    ),
    Section.NEIGHBORS: (
        (mibs.LLDP_LOC_PORT_ID_SUBTYPE, mibs.LLDP_LOC_PORT_ID, mibs.LLDP_LOC_PORT_DESC),
        (
            mibs.LLDP_REM_CHASSIS_ID_SUBTYPE,
            mibs.LLDP_REM_CHASSIS_ID,
            mibs.LLDP_REM_PORT_ID_SUBTYPE,
            mibs.LLDP_REM_PORT_ID,
            mibs.LLDP_REM_PORT_DESC,
            mibs.LLDP_REM_SYS_NAME,
            mibs.LLDP_REM_SYS_DESC,
            mibs.LLDP_REM_SYS_CAP_ENABLED,
        ),
        (mibs.LLDP_REM_MAN_ADDR_IF_SUBTYPE,),
        (
            mibs.CDP_CACHE_ADDRESS_TYPE,
            mibs.CDP_CACHE_ADDRESS,
            mibs.CDP_CACHE_VERSION,
            mibs.CDP_CACHE_DEVICE_ID,
            mibs.CDP_CACHE_DEVICE_PORT,
            mibs.CDP_CACHE_PLATFORM,
            mibs.CDP_CACHE_CAPABILITIES,
        ),
    ),
    Section.STORAGE: (
        (
            mibs.HR_STORAGE_TYPE,
            mibs.HR_STORAGE_DESCR,
            mibs.HR_STORAGE_ALLOCATION_UNITS,
            mibs.HR_STORAGE_SIZE,
        ),
        (mibs.HR_DEVICE_TYPE, mibs.HR_DEVICE_DESCR),
    ),
    Section.SOFTWARE: (
        (mibs.HR_SW_INSTALLED_NAME,),
        (mibs.HR_SW_RUN_NAME, mibs.HR_SW_RUN_PATH),
    ),
}
_SYSTEM_GET: list[Oid] = [oid + (0,) for oid in mibs.SYSTEM_SCALARS] + [
    mibs.LLDP_LOC_CHASSIS_ID_SUBTYPE + (0,),
    mibs.LLDP_LOC_CHASSIS_ID + (0,),
    mibs.HR_MEMORY_SIZE + (0,),
]


@dataclass(frozen=True)
class CollectOptions:
    timeout: float = 2.0  # seconds per request
    retries: int = 1
    max_repetitions: int = 10
    max_rows: int = 20_000  # per column; more means a runaway agent


@dataclass(frozen=True)
class SnmpTarget:
    address: str
    port: int = 161
    known_profile: str | None = None  # name of the profile that worked last time


def order_profiles(profiles: Sequence[SnmpProfile], known: str | None) -> list[SnmpProfile]:
    """The remembered profile first, the others in their configured order."""
    return sorted(profiles, key=lambda p: p.name != known) if known else list(profiles)


async def _probe(
    engine: SnmpEngine,
    target: SnmpTarget,
    profiles: Sequence[SnmpProfile],
    options: CollectOptions,
) -> tuple[Session, SnmpProfile, dict[Oid, Value]] | Status:
    """First profile the agent accepts, with the system group it answered; else a status."""
    rejected = False
    for profile in order_profiles(profiles, target.known_profile):
        session = await Session.open(
            engine,
            target.address,
            target.port,
            profile,
            timeout=options.timeout,
            retries=options.retries,
        )
        try:
            system = await session.get(_SYSTEM_GET)
        except SnmpError as failure:
            rejected = rejected or failure.reason == "auth_failed"
            continue
        return session, profile, system
    return Status.AUTH_FAILED if rejected else Status.TIMEOUT


async def _walk_section(
    session: Session,
    section: Section,
    tables: tuple[tuple[Oid, ...], ...],
    options: CollectOptions,
) -> tuple[dict[Oid, Value], SectionError | None]:
    found: dict[Oid, Value] = {}
    for columns in tables:
        try:
            found |= await session.walk_columns(
                list(columns), max_repetitions=options.max_repetitions, max_rows=options.max_rows
            )
        except WalkError as stopped:
            found |= stopped.partial
            return found, SectionError(section, stopped.reason, stopped.detail)
        except SnmpError as failure:
            return found, SectionError(section, failure.reason, failure.detail)
    return found, None


async def _collect_sections(
    session: Session, system: dict[Oid, Value], options: CollectOptions, report: DeviceReport
) -> Walk:
    varbinds = dict(system)
    extra = vendor_scalar_oids(sys_object_id(Walk(system)), text(system.get(mibs.SYS_DESCR + (0,))))
    report.sections.add(Section.SYSTEM)
    if extra:
        try:
            varbinds |= await session.get(extra)
        except SnmpError as failure:
            report.sections.discard(Section.SYSTEM)
            report.errors.append(SectionError(Section.SYSTEM, failure.reason, failure.detail))
    for section, tables in SECTION_TABLES.items():
        found, error = await _walk_section(session, section, tables, options)
        varbinds |= found
        if error is None:
            report.sections.add(section)
        else:
            report.errors.append(error)
    return Walk(varbinds)


def _fill(report: DeviceReport, walk: Walk, address: str) -> None:
    parsed = parse_walk(walk)
    report.device = replace(parsed.device, mgmt_ip=address)
    report.components = parsed.components
    report.interfaces = parsed.interfaces
    report.addresses = parsed.addresses
    report.neighbors = parsed.neighbors
    report.software = parsed.software


async def collect_snmp(
    target: str,
    port: int,
    profiles: Sequence[SnmpProfile],
    *,
    timeout: float = 2.0,
    retries: int = 1,
    max_repetitions: int = 10,
    max_rows: int = 20_000,
    engine: SnmpEngine | None = None,
    known_profile: str | None = None,
) -> DeviceReport:
    """Collect one device. Never raises for device-side problems: they end up in the report."""
    options = CollectOptions(timeout, retries, max_repetitions, max_rows)
    return await collect_target(
        SnmpTarget(target, port, known_profile), profiles, options, engine or SnmpEngine()
    )


async def collect_target(
    target: SnmpTarget, profiles: Sequence[SnmpProfile], options: CollectOptions, engine: SnmpEngine
) -> DeviceReport:
    started = time.perf_counter()
    report = DeviceReport(
        target=f"{target.address}:{target.port}", source=Source.SNMP, status=Status.ERROR
    )
    try:
        probed = await _probe(engine, target, profiles, options)
        if isinstance(probed, Status):
            report.status = probed
            report.errors.append(SectionError(Section.SYSTEM, probed.value))
        else:
            session, profile, system = probed
            report.credential = profile.name
            walk = await _collect_sections(session, system, options, report)
            _fill(report, walk, target.address)
            report.status = Status.PARTIAL if report.errors else Status.OK
    except OSError as failure:  # socket-level: no route, address not available...
        report.status = Status.UNREACHABLE
        report.errors.append(SectionError(Section.SYSTEM, "unreachable", type(failure).__name__))
    except Exception as failure:  # one device's surprise must not stop a run
        report.status = Status.PARTIAL if report.sections else Status.ERROR
        report.errors.append(SectionError(Section.SYSTEM, "error", repr(failure)[:300]))
    report.elapsed_seconds = time.perf_counter() - started
    return report


async def collect_many(
    targets: Iterable[SnmpTarget],
    profiles: Sequence[SnmpProfile],
    *,
    concurrency: int = 64,
    options: CollectOptions | None = None,
    engine: SnmpEngine | None = None,
) -> AsyncIterator[DeviceReport]:
    """Collect many devices, at most ``concurrency`` at a time; yields reports as they finish."""
    options = options or CollectOptions()
    engine = engine or SnmpEngine()
    gate = asyncio.Semaphore(concurrency)

    async def one(target: SnmpTarget) -> DeviceReport:
        async with gate:
            return await collect_target(target, profiles, options, engine)

    tasks = [asyncio.ensure_future(one(target)) for target in targets]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()
