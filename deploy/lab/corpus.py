"""Real device recordings (``../shared/corpus/librenms/snmprec``) as lab devices.

The recordings are served unchanged. Their topology entries say what the recording itself
says (sysName, sysDescr, sysObjectID, chassis serial and model from ENTITY-MIB, LLDP chassis
id, IF-MIB interfaces), so tests can compare discovery with the recording, not with guesses.
LibreNMS anonymised them: most report the sysName ``<private>``; the topology name is then
``corpus-<stem>`` so that names stay unique, and ``sys_descr`` keeps the original text.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from pathlib import Path

from deploy.lab.topology import LabDevice, LabInterface

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms" / "snmprec"
CORPUS_NET = ipaddress.IPv4Network("127.21.0.0/16")

_IF_TYPES = {
    6: "ethernetCsmacd",
    24: "softwareLoopback",
    161: "ieee8023adLag",
    53: "propVirtual",
    135: "l2vlan",
}
_STATUS = {1: "up", 2: "down", 3: "testing"}


def corpus_dir() -> Path:
    """Where the real recordings are (``CMDB_SNMP_CORPUS`` overrides the shared default)."""
    return Path(os.environ.get("CMDB_SNMP_CORPUS", DEFAULT_CORPUS))


def read_snmprec(path: Path) -> dict[str, str | bytes]:
    """OID -> value (text, or bytes for hex-encoded values) of one recording."""
    values: dict[str, str | bytes] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split("|", 2)
        if len(parts) != 3:
            continue
        oid, tag, value = parts
        values[oid] = bytes.fromhex(value) if tag.endswith("x") else value
    return values


def text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _column(values: dict[str, str | bytes], prefix: str) -> Iterator[tuple[str, str | bytes]]:
    """(index, value) of one table column."""
    start = prefix + "."
    for oid, value in values.items():
        if oid.startswith(start):
            yield oid[len(start) :], value


def _chassis(values: dict[str, str | bytes]) -> tuple[str, str]:
    """(serial, model) of the first chassis row of entPhysicalTable."""
    for index, cls in _column(values, "1.3.6.1.2.1.47.1.1.1.1.5"):
        if text(cls) == "3":
            serial = text(values.get(f"1.3.6.1.2.1.47.1.1.1.1.11.{index}"))
            model = text(values.get(f"1.3.6.1.2.1.47.1.1.1.1.13.{index}"))
            return serial, model
    return "", ""


def _mac(value: str | bytes | None) -> str:
    if isinstance(value, bytes) and len(value) == 6:
        return ":".join(f"{b:02x}" for b in value)
    return ""


def _interfaces(values: dict[str, str | bytes]) -> list[LabInterface]:
    result = []
    for index, descr in _column(values, "1.3.6.1.2.1.2.2.1.2"):
        if not index.isdigit():
            continue

        def col(table: str, column: int, index: str = index) -> str | bytes | None:
            return values.get(f"{table}.{column}.{index}")

        if_table, ifx_table = "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1"
        high_speed = text(col(ifx_table, 15))
        speed = (
            int(high_speed) * 1_000_000
            if high_speed.isdigit()
            else int(text(col(if_table, 5)) or 0)
        )
        name = text(col(ifx_table, 1)) or text(descr)
        result.append(
            LabInterface(
                name=name,
                if_index=int(index),
                mac=_mac(col(if_table, 6)),
                speed_bps=speed,
                alias=text(col(ifx_table, 18)),
                if_type=_IF_TYPES.get(int(text(col(if_table, 3)) or 1), "other"),
                mtu=int(text(col(if_table, 4)) or 0),
                admin_status=_STATUS.get(int(text(col(if_table, 7)) or 2), "down"),
                oper_status=_STATUS.get(int(text(col(if_table, 8)) or 2), "down"),
            )
        )
    return sorted(result, key=lambda i: i.if_index)


def corpus_device(path: Path, number: int, snmp_port: int) -> LabDevice:
    """The lab device that serves recording ``path`` on 127.21.0.<number + 1>."""
    values = read_snmprec(path)
    serial, model = _chassis(values)
    recorded_name = text(values.get("1.3.6.1.2.1.1.5.0"))
    return LabDevice(
        name=recorded_name
        if recorded_name and recorded_name != "<private>"
        else f"corpus-{path.stem}",
        role="corpus",
        address=str(CORPUS_NET.network_address + number + 1),
        snmp_port=snmp_port,
        community="public",
        vendor="",
        model=model,
        serial=serial,
        os_name="",
        os_version="",
        sys_object_id=text(values.get("1.3.6.1.2.1.1.2.0")),
        chassis_mac=_mac(values.get("1.0.8802.1.1.2.1.3.2.0")),
        source=f"corpus:{path.stem}",
        interfaces=_interfaces(values),
        sys_descr=text(values.get("1.3.6.1.2.1.1.1.0")),
        location=text(values.get("1.3.6.1.2.1.1.6.0")),
    )


def corpus_devices(directory: Path, snmp_port: int) -> list[tuple[LabDevice, Path]]:
    """Every ``*.snmprec`` in ``directory`` (sorted, so addresses are stable) as a lab device."""
    if not directory.is_dir():
        return []
    paths = sorted(directory.glob("*.snmprec"))
    return [(corpus_device(p, n, snmp_port), p) for n, p in enumerate(paths)]
