"""ENTITY-MIB entPhysicalTable -> ``ComponentObservation`` tree (pure)."""

from __future__ import annotations

import re

from discovery.observations import ComponentObservation
from discovery.snmp import mibs
from discovery.snmp.decode import integer, text
from discovery.snmp.walk import Walk

# PhysicalClass -> our component_class vocabulary (see ComponentObservation).
_CLASSES = {
    1: "other",
    2: "other",
    3: "chassis",
    4: "backplane",
    5: "container",
    6: "power_supply",
    7: "fan",
    8: "sensor",
    9: "module",
    10: "port",
    11: "stack",
    12: "cpu",
}
# A pluggable optic is a "module" or "port" in ENTITY-MIB; its text says what it is.
_TRANSCEIVER = re.compile(r"\b(Q?SFP\d*\+?|SFP28|XFP|CFP\d?|GBIC|transceiver)\b", re.IGNORECASE)


def _component_class(code: int | None, *labels: str | None) -> str:
    cls = _CLASSES.get(code or 0, "other")
    if cls in ("module", "port", "other") and any(
        label and _TRANSCEIVER.search(label) for label in labels
    ):
        # A port *named* "SFP+ slot 1" is still a port unless it carries a serial (the optic).
        return "transceiver"
    return cls


def parse_entities(walk: Walk) -> list[ComponentObservation]:
    columns = {
        prefix: walk.column(prefix)
        for prefix in (
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
        )
    }
    keys = sorted({key for column in columns.values() for key in column if len(key) == 1})
    known = {key[0] for key in keys}
    result: list[ComponentObservation] = []
    for key in keys:

        def get(prefix: tuple[int, ...], key: tuple[int, ...] = key) -> str | None:
            return text(columns[prefix].get(key))

        parent = integer(columns[mibs.ENT_CONTAINED_IN].get(key))
        serial = get(mibs.ENT_SERIAL)
        code = integer(columns[mibs.ENT_CLASS].get(key))
        cls = _component_class(code, get(mibs.ENT_DESCR), get(mibs.ENT_MODEL_NAME))
        if cls == "transceiver" and code == 10 and serial is None:
            cls = "port"
        result.append(
            ComponentObservation(
                index=str(key[0]),
                component_class=cls,
                name=get(mibs.ENT_NAME),
                description=get(mibs.ENT_DESCR),
                model=get(mibs.ENT_MODEL_NAME),
                serial=serial,
                vendor=get(mibs.ENT_MFG_NAME),
                hardware_rev=get(mibs.ENT_HARDWARE_REV),
                firmware_rev=get(mibs.ENT_FIRMWARE_REV),
                software_rev=get(mibs.ENT_SOFTWARE_REV),
                parent_index=str(parent) if parent and parent in known else None,
            )
        )
    return result


def _depth(component: ComponentObservation, parents: dict[str, str | None]) -> int:
    depth, parent, seen = 0, component.parent_index, {component.index}
    while parent is not None and parent not in seen:  # agents do send containment loops
        seen.add(parent)
        depth, parent = depth + 1, parents.get(parent)
    return depth


def chassis(components: list[ComponentObservation]) -> ComponentObservation | None:
    """The device's own chassis: the outermost chassis that names a model or serial.

    Stacks list one chassis per member; the outermost, lowest-numbered member is the one
    ``show version`` reports first. Some agents class the unit as a container under a
    "stack" (Edgecore, FS) or everything as "other" (Cisco Business Wireless): fall back
    to those, outermost first.
    """
    parents = {c.index: c.parent_index for c in components}
    for classes in (("chassis",), ("stack",), ("container", "other", "module")):
        candidates = [
            c for c in components if c.component_class in classes and (c.model or c.serial)
        ]
        if candidates:
            return min(
                candidates, key=lambda c: (_depth(c, parents), c.model is None, int(c.index))
            )
    return None
