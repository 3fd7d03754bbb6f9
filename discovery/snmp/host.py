"""HOST-RESOURCES-MIB -> storage, processors, memory, installed software and processes (pure).

Mapping decisions:
- hrMemorySize (KiB) -> ``DeviceObservation.memory_bytes``; processors (hrDeviceProcessor)
  -> ``ComponentObservation`` class ``cpu`` and ``cpu_count``.
- hrStorage rows of disk-like types (fixed, removable, flash, network disk: file systems)
  -> class ``storage`` with ``size_bytes``; RAM and virtual memory rows are not components.
- hrDeviceDiskStorage -> class ``disk`` (the physical drive, no size in that table).
- hrSWInstalled -> ``SoftwareObservation`` kind ``package``; hrSWRun -> kind ``process``,
  one per distinct program (name + path), without PIDs, because PIDs change on every run
  and ``ServiceObservation`` means a *listening socket*, which HOST-RESOURCES cannot tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from discovery.observations import ComponentObservation, Section, SoftwareObservation
from discovery.snmp import mibs
from discovery.snmp.decode import integer, text
from discovery.snmp.walk import ObjectId, Walk

_DISK_STORAGE_TYPES = {4: "fixed", 5: "removable", 9: "flash", 10: "network"}
_HR_DEVICE_PROCESSOR, _HR_DEVICE_DISK = 3, 6
# "openssl-libs-1.1.1c-15.el8.x86_64" / "bash_5.1-2_amd64": name, version split at the
# first "-<digit>" (rpm) or "_<digit>" (deb); anything else is all name.
_PACKAGE = re.compile(
    r"^(?P<name>.+?)[-_](?P<version>\d[\w.:+~-]*?)(?:[._](?:x86_64|i[3-6]86|noarch|amd64|arm64|aarch64|all))?$"
)


@dataclass
class HostResources:
    memory_bytes: int | None = None
    cpu_count: int | None = None
    components: list[ComponentObservation] = field(default_factory=list)
    software: list[SoftwareObservation] = field(default_factory=list)

    @property
    def has_storage(self) -> bool:
        return any(c.component_class in ("storage", "disk") for c in self.components)


def _type_code(value: object, base: tuple[int, ...]) -> int | None:
    if isinstance(value, ObjectId) and len(value) == len(base) + 1 and tuple(value[:-1]) == base:
        return value[-1]
    return None


def _storage(walk: Walk) -> list[ComponentObservation]:
    types = walk.column(mibs.HR_STORAGE_TYPE)
    descrs = walk.column(mibs.HR_STORAGE_DESCR)
    units = walk.column(mibs.HR_STORAGE_ALLOCATION_UNITS)
    sizes = walk.column(mibs.HR_STORAGE_SIZE)
    result = []
    for key, type_oid in types.items():
        kind = _DISK_STORAGE_TYPES.get(_type_code(type_oid, mibs.HR_STORAGE_TYPES) or 0)
        if kind is None:
            continue
        unit, size = integer(units.get(key)), integer(sizes.get(key))
        result.append(
            ComponentObservation(
                index=f"hrStorage.{key[0]}",
                component_class="storage",
                section=Section.STORAGE,
                name=text(descrs.get(key)),
                description=f"{kind} storage",
                size_bytes=unit * size if unit is not None and size is not None else None,
            )
        )
    return result


def _devices(walk: Walk) -> list[ComponentObservation]:
    descrs = walk.column(mibs.HR_DEVICE_DESCR)
    result = []
    for key, type_oid in walk.column(mibs.HR_DEVICE_TYPE).items():
        code = _type_code(type_oid, mibs.HR_DEVICE_TYPES)
        cls = {_HR_DEVICE_PROCESSOR: "cpu", _HR_DEVICE_DISK: "disk"}.get(code or 0)
        if cls is not None:
            description = text(descrs.get(key))
            result.append(
                ComponentObservation(
                    index=f"hrDevice.{key[0]}",
                    component_class=cls,
                    section=Section.STORAGE,
                    name=description,
                    description=description,
                )
            )
    return result


def package(label: str) -> SoftwareObservation:
    match = _PACKAGE.match(label)
    if match is None:
        return SoftwareObservation(name=label, kind="package")
    return SoftwareObservation(name=match["name"], version=match["version"], kind="package")


def _software(walk: Walk) -> list[SoftwareObservation]:
    installed = [
        package(label)
        for v in walk.column(mibs.HR_SW_INSTALLED_NAME).values()
        if (label := text(v))
    ]
    paths = walk.column(mibs.HR_SW_RUN_PATH)
    processes: dict[str, SoftwareObservation] = {}
    for key, value in walk.column(mibs.HR_SW_RUN_NAME).items():
        name = text(value)
        if name is None:
            continue
        path = text(paths.get(key))
        processes.setdefault(path or name, SoftwareObservation(name=path or name, kind="process"))
    return installed + [processes[k] for k in sorted(processes)]


def parse_host_resources(walk: Walk) -> HostResources:
    memory_kib = integer(walk.scalar(mibs.HR_MEMORY_SIZE))
    devices = _devices(walk)
    cpus = sum(1 for d in devices if d.component_class == "cpu")
    return HostResources(
        memory_bytes=memory_kib * 1024 if memory_kib else None,
        cpu_count=cpus or None,
        components=_storage(walk) + devices,
        software=_software(walk),
    )
