"""System group + vendor knowledge + chassis entity -> ``DeviceObservation`` (pure)."""

from __future__ import annotations

from ipaddress import ip_address

from discovery.observations import ComponentObservation, DeviceKind, DeviceObservation
from discovery.snmp import mibs
from discovery.snmp.decode import integer, mac, text
from discovery.snmp.entity import chassis
from discovery.snmp.vendors import ENTERPRISES, OsFamily, enterprise, os_family
from discovery.snmp.walk import ObjectId, Oid, Walk


def split_sys_name(value: str | None) -> tuple[str | None, str | None]:
    """``"sw1.example.net"`` -> (``"sw1"``, ``"example.net"``); addresses are left whole."""
    if value is None:
        return None, None
    try:
        ip_address(value)
        return value, None
    except ValueError:
        pass
    if "." in value and " " not in value:
        host, _, domain = value.partition(".")
        return host or value, domain or None
    return value, None


def sys_object_id(walk: Walk) -> Oid | None:
    value = walk.scalar(mibs.SYS_OBJECT_ID)
    return tuple(value) if isinstance(value, ObjectId) and value else None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _vendor_value(walk: Walk, family: OsFamily | None, name: str) -> str | None:
    if family is None or name not in family.scalars:
        return None
    scalar = family.scalars[name]
    return scalar.extract(text(walk.scalar(scalar.oid)))


def _vendor(
    family: OsFamily | None, object_id: Oid | None, box: ComponentObservation | None
) -> str | None:
    if family is not None:
        return family.vendor
    number = enterprise(object_id)
    return _first(
        ENTERPRISES.get(number) if number is not None else None, box.vendor if box else None
    )


def parse_device(
    walk: Walk,
    components: list[ComponentObservation],
    *,
    memory_bytes: int | None = None,
    cpu_count: int | None = None,
) -> DeviceObservation:
    """Identity of the device. Precedence per fact: vendor-MIB scalar, then ENTITY-MIB chassis,
    then sysDescr (the most vendor-specific and least structured source comes last)."""
    descr = text(walk.scalar(mibs.SYS_DESCR))
    object_id = sys_object_id(walk)
    family = os_family(object_id, descr)
    box = chassis(components)
    name, domain = split_sys_name(text(walk.scalar(mibs.SYS_NAME)))
    uptime = integer(walk.scalar(mibs.SYS_UPTIME))
    server = bool(family and family.server)
    model = _model(walk, family, descr, box)
    version = _first(
        _vendor_value(walk, family, "version"),
        family.fact(descr, "version") if family else None,
        box.software_rev if box else None,
    )
    return DeviceObservation(
        kind=DeviceKind.SERVER if server else DeviceKind.NETWORK_DEVICE,
        role=family.role_of(model) if family else None,
        sys_name=name,
        domain=domain,
        sys_descr=descr,
        sys_object_id=".".join(map(str, object_id)) if object_id else None,
        vendor=_vendor(family, object_id, box),
        model=model,
        serial=_first(_vendor_value(walk, family, "serial"), box.serial if box else None),
        os_name=family.os_name if family else None,
        os_version=version,
        chassis_id=_chassis_id(walk),
        uptime_seconds=uptime // 100 if uptime is not None else None,
        contact=text(walk.scalar(mibs.SYS_CONTACT)),
        location=text(walk.scalar(mibs.SYS_LOCATION)),
        platform=family.platform if family else None,
        memory_bytes=memory_bytes,
        cpu_count=cpu_count,
        kernel=version if family is not None and family.os_name == "Linux" else None,
    )


def _model(
    walk: Walk, family: OsFamily | None, descr: str | None, box: ComponentObservation | None
) -> str | None:
    from_descr = family.fact(descr, "model") if family else None
    from_entity = box.model if box else None
    ordered = (
        (from_descr, from_entity)
        if family and family.descr_model_first
        else (from_entity, from_descr)
    )
    return _first(_vendor_value(walk, family, "model"), *ordered)


def _chassis_id(walk: Walk) -> str | None:
    """lldpLocChassisId: a normalised MAC when its subtype says so (4), else its text."""
    raw = walk.scalar(mibs.LLDP_LOC_CHASSIS_ID)
    if integer(walk.scalar(mibs.LLDP_LOC_CHASSIS_ID_SUBTYPE)) == 4:
        return mac(raw)
    return text(raw) if isinstance(raw, bytes) else None
