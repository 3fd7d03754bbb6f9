"""IF-MIB ifTable + ifXTable -> ``InterfaceObservation`` (pure)."""

from __future__ import annotations

from discovery.observations import InterfaceObservation
from discovery.snmp import mibs
from discovery.snmp.decode import integer, mac, text
from discovery.snmp.walk import Oid, Value, Walk

# IANAifType names for the types seen on switches, routers and servers; others -> "type<N>".
IANA_IF_TYPES: dict[int, str] = {
    1: "other",
    6: "ethernetCsmacd",
    23: "ppp",
    24: "softwareLoopback",
    32: "frameRelay",
    37: "atm",
    53: "propVirtual",
    71: "ieee80211",
    94: "adsl",
    117: "gigabitEthernet",
    131: "tunnel",
    135: "l2vlan",
    136: "l3ipvlan",
    142: "ipForward",
    150: "mplsTunnel",
    161: "ieee8023adLag",
    166: "mpls",
    209: "bridge",
    243: "wwanPP",
    244: "wwanPP2",
}
_STATUS = {
    1: "up",
    2: "down",
    3: "testing",
    4: "unknown",
    5: "dormant",
    6: "notPresent",
    7: "lowerLayerDown",
}
# ifSpeed saturates at 2^32-1; above that only ifHighSpeed (Mb/s) is meaningful.
_IF_SPEED_SATURATED = 4294967295


def if_type_name(value: int | None) -> str | None:
    if value is None:
        return None
    return IANA_IF_TYPES.get(value, f"type{value}")


def speed_bps(if_speed: int | None, high_speed: int | None) -> int | None:
    """ifSpeed is exact below 4.29 Gb/s (ifHighSpeed is rounded to Mb/s: a T1 is 2 there);
    ifHighSpeed wins when ifSpeed is saturated, missing or lower than it."""
    usable = if_speed if if_speed is not None and if_speed != _IF_SPEED_SATURATED else None
    if high_speed and (usable is None or high_speed * 1_000_000 > usable + 1_000_000):
        return high_speed * 1_000_000
    return usable


def _columns(walk: Walk, *prefixes: Oid) -> list[dict[Oid, Value]]:
    return [walk.column(prefix) for prefix in prefixes]


def interface_indexes(walk: Walk) -> list[int]:
    """Every ifIndex that either table mentions (some agents fill only ifXTable)."""
    keys: set[Oid] = set()
    for prefix in (mibs.IF_DESCR, mibs.IF_TYPE, mibs.IF_NAME):
        keys.update(walk.column(prefix))
    return sorted(key[0] for key in keys if len(key) == 1)


def parse_interfaces(walk: Walk) -> list[InterfaceObservation]:
    descr, if_type, mtu, speed, phys, admin, oper, name, high, alias = _columns(
        walk,
        mibs.IF_DESCR,
        mibs.IF_TYPE,
        mibs.IF_MTU,
        mibs.IF_SPEED,
        mibs.IF_PHYS_ADDRESS,
        mibs.IF_ADMIN_STATUS,
        mibs.IF_OPER_STATUS,
        mibs.IF_NAME,
        mibs.IF_HIGH_SPEED,
        mibs.IF_ALIAS,
    )
    result: list[InterfaceObservation] = []
    for index in interface_indexes(walk):
        key = (index,)
        description = text(descr.get(key))
        label = text(name.get(key)) or description or f"ifIndex{index}"
        admin_code, oper_code = integer(admin.get(key)), integer(oper.get(key))
        result.append(
            InterfaceObservation(
                name=label,
                if_index=index,
                description=description,
                alias=text(alias.get(key)),
                if_type=if_type_name(integer(if_type.get(key))),
                speed_bps=speed_bps(integer(speed.get(key)), integer(high.get(key))),
                mac=mac(phys.get(key)),
                admin_status=_STATUS.get(admin_code) if admin_code is not None else None,
                oper_status=_STATUS.get(oper_code) if oper_code is not None else None,
                mtu=integer(mtu.get(key)),
            )
        )
    return result


def names_by_index(interfaces: list[InterfaceObservation]) -> dict[int, str]:
    return {i.if_index: i.name for i in interfaces if i.if_index is not None}
