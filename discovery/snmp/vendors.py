"""Vendor knowledge in one place: enterprise numbers, OS families and how to read them.

To support a new OS family, add one ``OsFamily`` entry to ``OS_FAMILIES`` (matched in order,
first hit wins) and, if its enterprise is new, its number to ``ENTERPRISES``. An entry says
how to recognise the family (sysObjectID prefix and/or sysDescr pattern), what to read from
sysDescr (named groups ``model`` / ``version``) and which vendor-MIB scalars hold the model,
serial or version better than the standard MIBs do. The collector GETs those scalars after
it has read the system group, so no vendor MIB is walked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from discovery.snmp.walk import Oid, parse_oid

ENTERPRISE_PREFIX: Oid = (1, 3, 6, 1, 4, 1)

# IANA Private Enterprise Numbers of common network and server vendors, named by brand as
# the SSH platforms name them ("Cisco", "Juniper", "Arista"), so both sources agree.
ENTERPRISES: dict[int, str] = {
    9: "Cisco",
    11: "HPE",
    45: "Extreme",  # ex-Nortel/Avaya BOSS
    171: "D-Link",
    259: "Edgecore",
    311: "Microsoft",
    674: "Dell",
    890: "Zyxel",
    1916: "Extreme",
    2021: "Net-SNMP",  # UCD-SNMP legacy
    2272: "Extreme",  # ex-Avaya/Nortel VOSS
    2636: "Juniper",
    4329: "Siemens",
    4413: "Ubiquiti",  # Broadcom FASTPATH, used by UniFi/EdgeSwitch
    4881: "Ruijie",
    6027: "Dell",  # Force10 / OS9
    6486: "Alcatel-Lucent",
    6527: "Nokia",  # ex-Alcatel-Lucent TiMOS
    8072: "Net-SNMP",
    12356: "Fortinet",
    14988: "MikroTik",
    25506: "HPE",  # H3C / Comware
    30065: "Arista",
    41112: "Ubiquiti",
    47196: "HPE",  # Aruba
    52642: "FS",
}


@dataclass(frozen=True)
class VendorScalar:
    """A vendor-MIB scalar (OID without ``.0``) and an optional pattern whose group 1 is kept."""

    oid: Oid
    pattern: re.Pattern[str] | None = None

    def extract(self, value: str | None) -> str | None:
        if value is None or self.pattern is None:
            return value
        match = self.pattern.search(value)
        return match.group(1).strip() if match else value


@dataclass(frozen=True)
class OsFamily:
    os_name: str
    # None: the agent says nothing about the hardware's maker (net-snmp on Linux).
    vendor: str | None
    object_ids: tuple[Oid, ...] = ()  # sysObjectID prefixes
    descr: re.Pattern[str] | None = None  # sysDescr must match (if object_ids also given: either)
    facts: tuple[re.Pattern[str], ...] = ()  # sysDescr patterns with named groups model / version
    model_prefix: str = ""  # vendor's marketing prefix the sysDescr leaves out ("ERS-")
    # True where ENTITY-MIB's model is a bare part number and sysDescr names the product.
    descr_model_first: bool = False
    platform: str | None = None  # netmiko device_type for the SSH collector
    role: str | None = None
    # Product lines whose role differs from the family's: (model pattern, role), first match wins.
    model_roles: tuple[tuple[re.Pattern[str], str], ...] = ()
    server: bool = False
    scalars: dict[str, VendorScalar] = field(default_factory=dict)  # "model" / "serial" / "version"

    def matches(self, object_id: Oid | None, descr: str | None) -> bool:
        by_oid = object_id is not None and any(object_id[: len(p)] == p for p in self.object_ids)
        by_descr = descr is not None and self.descr is not None and bool(self.descr.search(descr))
        return by_oid or by_descr

    def role_of(self, model: str | None) -> str | None:
        for pattern, role in self.model_roles:
            if model and pattern.search(model):
                return role
        return self.role

    def fact(self, descr: str | None, name: str) -> str | None:
        for pattern in self.facts:
            match = pattern.search(descr or "")
            if match and name in pattern.groupindex and match.group(name):
                value = match.group(name).strip()
                return f"{self.model_prefix}{value}" if name == "model" else value
        return None


def _oids(*texts: str) -> tuple[Oid, ...]:
    return tuple(parse_oid(t) for t in texts)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


OS_FAMILIES: tuple[OsFamily, ...] = (
    OsFamily(
        "NX-OS",
        "Cisco",
        descr=_re(r"NX-OS"),
        facts=(_re(r"Version (?P<version>[^\s,]+)"),),
        platform="cisco_nxos",
        role="switch",
    ),
    OsFamily(
        "IOS-XR",
        "Cisco",
        descr=_re(r"IOS XR"),
        facts=(_re(r"Version (?P<version>[^\s,\[]+)"),),
        platform="cisco_xr",
        role="router",
    ),
    OsFamily(
        "IOS-XE",
        "Cisco",
        descr=_re(r"IOS[- _]?XE|Cisco\s+IE3[0-9]00"),  # "(CAT9K_IOSXE)" on Catalyst 9k
        facts=(_re(r"Version (?P<version>[^\s,]+)"),),
        platform="cisco_xe",
        model_roles=(
            (_re(r"^(?:WS-)?C(?:9[2-6]|3[6-8]|2960)|^IE-?3"), "switch"),  # Catalyst, IE
            (_re(r"^(?:ISR|ASR|C8[0-5]|C11)"), "router"),
        ),
    ),
    OsFamily(
        "IOS",
        "Cisco",
        descr=_re(r"Cisco IOS Software|Cisco Internetwork Operating System"),
        facts=(_re(r"Version (?P<version>[^\s,]+)"),),
        platform="cisco_ios",
    ),
    OsFamily("Cisco", "Cisco", object_ids=_oids("1.3.6.1.4.1.9")),
    OsFamily(
        "EOS",
        "Arista",
        object_ids=_oids("1.3.6.1.4.1.30065"),
        descr=_re(r"Arista Networks EOS"),
        facts=(_re(r"EOS version (?P<version>\S+) running on an Arista Networks (?P<model>\S+)"),),
        platform="arista_eos",
        role="switch",
    ),
    OsFamily(
        "Junos",
        "Juniper",
        object_ids=_oids("1.3.6.1.4.1.2636"),
        descr=_re(r"\bJUNOS\b"),
        facts=(_re(r"JUNOS (?P<version>[^\s,\[]+)"),),
        platform="juniper_junos",
        role="router",
        model_roles=(
            (_re(r"^(?:ex|qfx)"), "switch"),
            (_re(r"^srx"), "firewall"),
        ),
        scalars={
            "model": VendorScalar(parse_oid("1.3.6.1.4.1.2636.3.1.2")),  # jnxBoxDescr
            "serial": VendorScalar(parse_oid("1.3.6.1.4.1.2636.3.1.3")),  # jnxBoxSerialNo
        },
    ),
    OsFamily(
        "FortiOS",
        "Fortinet",
        object_ids=_oids("1.3.6.1.4.1.12356.101"),
        platform="fortinet",
        role="firewall",
        scalars={
            "version": VendorScalar(parse_oid("1.3.6.1.4.1.12356.101.4.1.1")),  # fgSysVersion
            "serial": VendorScalar(parse_oid("1.3.6.1.4.1.12356.100.1.1.1")),  # fnSysSerial
        },
    ),
    OsFamily(
        "RouterOS",
        "MikroTik",
        object_ids=_oids("1.3.6.1.4.1.14988"),
        descr=_re(r"^RouterOS"),
        facts=(_re(r"^RouterOS (?P<model>\S+)"),),
        platform="mikrotik_routeros",
        role="router",
        scalars={
            "version": VendorScalar(parse_oid("1.3.6.1.4.1.14988.1.1.4.4")),  # mtxrLicVersion
            "serial": VendorScalar(parse_oid("1.3.6.1.4.1.14988.1.1.7.3")),  # mtxrSerialNumber
        },
    ),
    OsFamily(
        "ArubaOS-CX",
        "HPE",
        object_ids=_oids("1.3.6.1.4.1.47196.4.1.1"),
        facts=(_re(r"^(?P<version>[A-Z]{2}\.\d+\.\d+\.\d+)$"),),
        platform="aruba_aoscx",
        role="switch",
    ),
    OsFamily(
        "ArubaOS-Switch",
        "HPE",
        object_ids=_oids("1.3.6.1.4.1.11.2.3.7.11"),
        facts=(
            _re(
                r"^(?:HP|Aruba|ProCurve) (?P<model>J\w+ [\w-]+) Switch.*revision (?P<version>[\w.]+)"
            ),
        ),
        descr_model_first=True,
        platform="hp_procurve",
        role="switch",
        # hpHttpMgSerialNumber
        scalars={"serial": VendorScalar(parse_oid("1.3.6.1.4.1.11.2.36.1.1.2.9"))},
    ),
    OsFamily(
        "Comware",
        "HPE",
        object_ids=_oids("1.3.6.1.4.1.25506"),
        platform="hp_comware",
        role="switch",
    ),
    OsFamily(
        "AOS",
        "Alcatel-Lucent",
        object_ids=_oids("1.3.6.1.4.1.6486.800", "1.3.6.1.4.1.6486.801"),
        facts=(_re(r"^Alcatel-Lucent(?: Enterprise)? (?P<model>\S+) (?P<version>\d[\w.]+)"),),
        platform="alcatel_aos",
        role="switch",
    ),
    OsFamily(
        "SR OS", "Nokia", object_ids=_oids("1.3.6.1.4.1.6527"), platform="nokia_sros", role="router"
    ),
    OsFamily(
        "BOSS",
        "Extreme",
        object_ids=_oids("1.3.6.1.4.1.45.3"),
        facts=(_re(r"Ethernet Routing Switch (?P<model>\S+).*SW:v(?P<version>\S+)"),),
        model_prefix="ERS-",
        descr_model_first=True,
        platform="extreme_ers",
        role="switch",
    ),
    OsFamily(
        "VOSS",
        "Extreme",
        object_ids=_oids("1.3.6.1.4.1.1916.2", "1.3.6.1.4.1.2272"),
        descr=_re(r"^(?:VSP|XA)\S* \("),
        facts=(_re(r"^(?P<model>\S+) \((?P<version>[^)\s]+)\)"),),
        descr_model_first=True,
        platform="extreme_vsp",
        role="switch",
    ),
    OsFamily(
        "EXOS",
        "Extreme",
        object_ids=_oids("1.3.6.1.4.1.1916"),
        platform="extreme_exos",
        role="switch",
    ),
    OsFamily(
        "OS10",
        "Dell",
        object_ids=_oids("1.3.6.1.4.1.674.11000.5000.100"),
        descr=_re(r"Networking OS10"),
        platform="dell_os10",
        role="switch",
    ),
    OsFamily(
        "FTOS", "Dell", object_ids=_oids("1.3.6.1.4.1.6027"), platform="dell_force10", role="switch"
    ),
    OsFamily(
        "D-Link",
        "D-Link",
        object_ids=_oids("1.3.6.1.4.1.171"),
        facts=(_re(r"^(?P<model>D[GEX]S-[\w-]+)"),),
        platform="dlink_ds",
        role="switch",
    ),
    OsFamily(
        "EdgeSwitch",
        "Ubiquiti",
        object_ids=_oids("1.3.6.1.4.1.4413", "1.3.6.1.4.1.41112"),
        facts=(_re(r"^(?P<model>[^,]+), (?P<version>\d[^,]*), Linux"),),
        descr_model_first=True,
        platform="ubiquiti_edgeswitch",
        role="switch",
    ),
    OsFamily(
        "Edgecore",
        "Edgecore",
        object_ids=_oids("1.3.6.1.4.1.259"),
        facts=(_re(r"^(?P<model>[A-Z]{2,4}\d{3,4}[\w-]*)$"),),
        platform="edgecore",
        role="switch",
    ),
    OsFamily(
        "FSOS",
        "FS",
        object_ids=_oids("1.3.6.1.4.1.52642"),
        facts=(_re(r"^(?P<model>S\d{4}[\w-]*)$"),),
        role="switch",
    ),
    OsFamily(
        "RGOS",
        "Ruijie",
        object_ids=_oids("1.3.6.1.4.1.4881"),
        facts=(_re(r"\((?P<model>[\w-]+)\) By Ruijie"),),
        platform="ruijie_os",
        role="switch",
    ),
    OsFamily(
        "SCALANCE",
        "Siemens",
        object_ids=_oids("1.3.6.1.4.1.4329.6"),
        facts=(_re(r"SCALANCE (?P<model>[\w-]+),.*FW: Version (?P<version>[^\s,]+)"),),
        descr_model_first=True,
        role="switch",
        scalars={"serial": VendorScalar(parse_oid("1.3.6.1.4.1.4329.6.3.2.1.1.3"))},
    ),
    OsFamily(
        "ZyNOS",
        "Zyxel",
        object_ids=_oids("1.3.6.1.4.1.890"),
        facts=(_re(r"^(?P<model>(?:GS|XGS|XS|ES|MGS)[\w-]+)$"),),
        platform="zyxel_os",
        role="switch",
        scalars={
            # ZYXEL-GS1900-MIB sysSwVersionString "V2.40(AAHN.0) | 11/14/2017": drop the date.
            "version": VendorScalar(
                parse_oid("1.3.6.1.4.1.890.1.15.3.1.6"), re.compile(r"^([^|]+)")
            ),
            "serial": VendorScalar(parse_oid("1.3.6.1.4.1.890.1.15.3.1.12")),
        },
    ),
    OsFamily(
        "Windows",
        "Microsoft",
        object_ids=_oids("1.3.6.1.4.1.311"),
        descr=_re(r"Windows"),
        facts=(_re(r"Windows Version (?P<version>[\d.]+)"),),
        server=True,
        role="server",
    ),
    OsFamily(
        "Linux",
        None,
        descr=_re(r"^Linux "),
        facts=(_re(r"^Linux \S+ (?P<version>\S+)"),),
        platform="linux",
        server=True,
        role="server",
    ),
)


def enterprise(object_id: Oid | None) -> int | None:
    """The enterprise number of a sysObjectID under 1.3.6.1.4.1, else ``None``."""
    size = len(ENTERPRISE_PREFIX)
    if object_id is None or len(object_id) <= size or object_id[:size] != ENTERPRISE_PREFIX:
        return None
    return object_id[size]


def os_family(object_id: Oid | None, descr: str | None) -> OsFamily | None:
    """The first family whose sysObjectID prefix or sysDescr pattern matches."""
    return next((f for f in OS_FAMILIES if f.matches(object_id, descr)), None)


def vendor_scalar_oids(object_id: Oid | None, descr: str | None) -> list[Oid]:
    """Vendor scalars (with ``.0``) the collector should GET for this device."""
    family = os_family(object_id, descr)
    return [s.oid + (0,) for s in family.scalars.values()] if family else []
