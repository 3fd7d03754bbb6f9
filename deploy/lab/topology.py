"""The lab's description of itself: which simulated devices exist, where, and how they are linked.

The generator writes it (``topology.json`` in the lab's work directory); the SNMP recordings,
the CLI simulator, the demo and the tests all read it, so they agree on every name, address,
serial and link. It is ground truth for tests: what discovery *should* find.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class LabInterface:
    name: str  # e.g. "Ethernet1/1", "eth0"
    if_index: int
    mac: str  # lower-case, colon separated
    speed_bps: int
    alias: str = ""
    ipv4: list[str] = field(default_factory=list)  # "10.1.2.3/24" style (never bound; data only)
    ipv6: list[str] = field(default_factory=list)
    # Added by the SNMP lab generator (ground truth for IF-MIB checks):
    if_name: str = ""  # ifName when the device abbreviates it (IOS "Gi1/0/1"), else ""
    if_type: str = "ethernetCsmacd"  # IANAifType name
    mtu: int = 1500
    admin_status: str = "up"
    oper_status: str = "up"


@dataclass
class LabDevice:
    name: str  # sysName
    role: str  # core / aggregation / access / server / router / ...
    address: str  # loopback address the simulated agent listens on, e.g. 127.20.0.5
    snmp_port: int
    community: str  # v2c community (== snmpsim data file stem)
    vendor: str
    model: str
    serial: str
    os_name: str
    os_version: str
    sys_object_id: str
    chassis_mac: str
    platform: str | None = None  # netmiko device_type if the CLI simulator impersonates it
    ssh_port: int | None = None  # CLI simulator / sshd port on ``address`` when reachable over SSH
    snmpv3_user: str | None = None  # user name configured on this agent, if any
    source: str = "generated"  # "generated" / "corpus:<name>" / "snmpd"
    interfaces: list[LabInterface] = field(default_factory=list)
    # Added by the SNMP lab generator:
    domain: str = ""  # DNS domain the device appends to sysName ("" = sysName is the bare name)
    sys_descr: str = ""
    location: str = ""


@dataclass
class LabLink:
    a_device: str
    a_interface: str
    b_device: str
    b_interface: str


@dataclass
class Topology:
    devices: list[LabDevice] = field(default_factory=list)
    links: list[LabLink] = field(default_factory=list)
    # Credentials of the lab itself (lab-only secrets, never production ones).
    snmpv3: dict[str, str] = field(
        default_factory=dict
    )  # user, auth_protocol, auth_key, priv_protocol, priv_key
    ssh: dict[str, str] = field(default_factory=dict)  # username, password / key_file

    def device(self, name: str) -> LabDevice:
        return next(d for d in self.devices if d.name == name)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Topology:
        raw = json.loads(path.read_text())
        devices = [
            LabDevice(**{**d, "interfaces": [LabInterface(**i) for i in d.get("interfaces", [])]})
            for d in raw.get("devices", [])
        ]
        links = [LabLink(**link) for link in raw.get("links", [])]
        return cls(
            devices=devices, links=links, snmpv3=raw.get("snmpv3", {}), ssh=raw.get("ssh", {})
        )
