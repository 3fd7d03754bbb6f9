"""Pure parsers for Linux command outputs (os-release, /proc/meminfo, DMI, ``ip -j``, ``lsblk -J``,
dpkg/rpm lists, ``ss``) into observations.

JSON is used wherever the tool offers it (``ip -j``, ``lsblk -J``). ``ss`` has no JSON mode and
ntc-templates has no template for it, so its fixed columns are split here.

Identity: a server's ``serial`` is its DMI product serial when readable and real; otherwise its
``/etc/machine-id`` (the identity the graph's Server key documents: "serial, machine id, ...").
DMI placeholders ("Not Specified", "To be filled by O.E.M.", ...) are dropped.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json

from discovery.observations import (
    AddressObservation,
    ComponentObservation,
    ConnectionObservation,
    DeviceKind,
    DeviceObservation,
    DeviceReport,
    InterfaceObservation,
    Section,
    SectionError,
    ServiceObservation,
    SoftwareObservation,
    Source,
    Status,
)
from discovery.ssh import normalise as n

# Command per purpose; ``outputs`` handed to the parsers are keyed by these purposes.
LINUX_COMMANDS: dict[str, str] = {
    "hostname": "hostname",
    "os_release": "cat /etc/os-release",
    "kernel": "uname -r",
    "machine_id": "cat /etc/machine-id",
    "cpu": "nproc --all",
    "meminfo": "cat /proc/meminfo",
    "dmi": "cd /sys/class/dmi/id 2>/dev/null && for f in sys_vendor product_name product_serial; "
    "do printf '%s=' \"$f\"; cat \"$f\" 2>/dev/null || echo; done; true",
    "disks": "lsblk -J -b -d -o NAME,TYPE,SIZE,MODEL,SERIAL,VENDOR",
    "ip": "ip -j addr show",
    "packages": "dpkg-query -W -f '${Package}\\t${Version}\\n' 2>/dev/null || rpm -qa --qf '%{NAME}\\t%{VERSION}-%{RELEASE}\\n'",
    "listen": "ss -H -tulnp",
    "established": "ss -H -tnp state established",
}

def batch_script(nonce: str) -> str:
    """One shell script running every command, each framed by ``<nonce> begin|end`` marker lines
    on stdout and stderr (the end marker carries the exit status). One SSH session instead of
    one per command: sshd forks a session for each channel, which is most of the cost."""
    parts = []
    for purpose, command in LINUX_COMMANDS.items():
        parts.append(
            f"printf '%s begin {purpose}\\n' {nonce}; printf '%s begin {purpose}\\n' {nonce} >&2; "
            f"( {command} ); rc=$?; "
            f"printf '\\n%s end {purpose} %d\\n' {nonce} $rc; printf '\\n%s end {purpose}\\n' {nonce} >&2"
        )
    return "\n".join(parts) + "\n"


def _frames(text: str, nonce: str) -> dict[str, tuple[str, int | None]]:
    """purpose -> (text between its markers, exit status from the end marker if present)."""
    frames: dict[str, tuple[str, int | None]] = {}
    purpose: str | None = None
    body: list[str] = []
    for line in text.split("\n"):
        words = line.split(" ")
        if len(words) >= 3 and words[0] == nonce and words[1] == "begin":
            purpose, body = words[2], []
        elif len(words) >= 3 and words[0] == nonce and words[1] == "end" and purpose == words[2]:
            status = int(words[3]) if len(words) > 3 and words[3].isdigit() else None
            frames[purpose] = ("\n".join(body[:-1] if body and body[-1] == "" else body), status)
            purpose = None
        elif purpose is not None:
            body.append(line)
    return frames


def split_batch(stdout: str, stderr: str, nonce: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Outputs per purpose, and (reason, detail) for commands that failed or never finished."""
    out, err = _frames(stdout, nonce), _frames(stderr, nonce)
    outputs: dict[str, str] = {}
    failures: dict[str, tuple[str, str]] = {}
    for purpose in LINUX_COMMANDS:
        if purpose not in out:
            failures[purpose] = ("timeout", "no result before the session ended")
            continue
        text, status = out[purpose]
        if status == 0:
            outputs[purpose] = text + "\n" if text else ""
        else:
            message = err.get(purpose, ("", None))[0].strip().splitlines()
            failures[purpose] = ("rejected", f"exit {status}: {message[-1][:200] if message else ''}")
    return outputs, failures


_IF_TYPES = {"ether": "ethernetCsmacd", "loopback": "softwareLoopback", "none": "other"}


def parse_key_values(text: str, sep: str = "=") -> dict[str, str]:
    """``KEY=value`` lines (os-release, our DMI dump); quotes around values removed."""
    result = {}
    for line in text.splitlines():
        key, found, value = line.partition(sep)
        if found and key.strip():
            result[key.strip()] = value.strip().strip('"').strip("'")
    return result


def parse_meminfo(text: str) -> int | None:
    """MemTotal in bytes (``/proc/meminfo`` prints kB)."""
    fields = parse_key_values(text, ":")
    total = fields.get("MemTotal", "").split()
    return int(total[0]) * 1024 if total and total[0].isdigit() else None


def parse_device(outputs: dict[str, str], address: str) -> DeviceObservation:
    """Identity, OS and hardware summary of one Linux host."""
    release = parse_key_values(outputs.get("os_release", ""))
    dmi = parse_key_values(outputs.get("dmi", ""))
    name, domain = n.split_domain(n.text(outputs.get("hostname")))
    machine_id = n.text(outputs.get("machine_id"))
    return DeviceObservation(
        kind=DeviceKind.SERVER,
        role="server",
        sys_name=name,
        domain=domain,
        vendor=_dmi_value(dmi.get("sys_vendor")),
        model=_dmi_value(dmi.get("product_name")),
        serial=_dmi_value(dmi.get("product_serial"), serial=True) or machine_id,
        os_name=release.get("NAME") or None,
        os_version=release.get("VERSION_ID") or release.get("VERSION") or None,
        sys_descr=release.get("PRETTY_NAME") or None,
        mgmt_ip=address,
        platform="linux",
        kernel=n.text(outputs.get("kernel")),
        cpu_count=n.integer(outputs.get("cpu")),
        memory_bytes=parse_meminfo(outputs.get("meminfo", "")),
    )


def _dmi_value(value: str | None, serial: bool = False) -> str | None:
    cleaned = n.serial(value)  # the junk list covers DMI placeholders for every field
    if cleaned is None or (not serial and cleaned.lower() in ("system product name", "system manufacturer")):
        return None
    return cleaned


def parse_lsblk(text: str) -> list[ComponentObservation]:
    """Whole disks from ``lsblk -J -b -d`` (sizes in bytes)."""
    devices = json.loads(text).get("blockdevices", [])
    return [
        ComponentObservation(
            index=f"disk:{dev['name']}",
            component_class="disk",
            section=Section.STORAGE,
            name=dev["name"],
            model=n.text(dev.get("model")),
            serial=n.serial(dev.get("serial")),
            vendor=n.text(dev.get("vendor")),
            size_bytes=int(dev["size"]) if dev.get("size") is not None else None,
        )
        for dev in devices
        if dev.get("type") == "disk" and int(dev.get("size") or 0) > 0
    ]


def parse_ip_addr(text: str) -> tuple[list[InterfaceObservation], list[AddressObservation]]:
    """Interfaces and addresses from ``ip -j addr show``."""
    interfaces, addresses = [], []
    for link in json.loads(text):
        name = link["ifname"]
        flags = link.get("flags", [])
        interfaces.append(
            InterfaceObservation(
                name=name,
                if_index=link.get("ifindex"),
                if_type=_IF_TYPES.get(link.get("link_type", ""), link.get("link_type")),
                mac=n.mac(link.get("address")) if link.get("link_type") != "loopback" else None,
                admin_status="up" if "UP" in flags else "down",
                oper_status=_oper(link.get("operstate"), flags),
                mtu=link.get("mtu"),
            )
        )
        for info in link.get("addr_info", []):
            ip = ipaddress.ip_address(info["local"])
            addresses.append(AddressObservation(ip.compressed, info.get("prefixlen"), name, ip.version))
    return interfaces, addresses


def _oper(state: str | None, flags: list[str]) -> str:
    if state and state != "UNKNOWN":
        return state.lower()
    return "up" if "LOWER_UP" in flags else "down"  # loopback and tunnels report UNKNOWN


def parse_packages(text: str) -> list[SoftwareObservation]:
    """``name<TAB>version`` lines (dpkg-query / rpm formats chosen in LINUX_COMMANDS)."""
    result = []
    for line in text.splitlines():
        name, _, version = line.partition("\t")
        if name.strip():
            result.append(SoftwareObservation(name=name.strip(), version=version.strip() or None))
    return result


def split_endpoint(text: str) -> tuple[str, int | None]:
    """``0.0.0.0:22`` / ``[::]:22`` / ``*:68`` / ``127.0.0.53%lo:53`` / ``[::ffff:127.0.0.1]:80``
    -> (address, port)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]").split("%", 1)[0]
    if host == "*":
        host = "0.0.0.0"
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(host)
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        host = (mapped or ip).compressed  # [::ffff:127.0.0.1] is an IPv4 peer
    return host, int(port) if port.isdigit() else None


def _process(column: str | None) -> tuple[str | None, int | None]:
    """``users:(("sshd",pid=11496,fd=3))`` -> ("sshd", 11496); first process only."""
    if not column or not column.startswith("users:"):
        return None, None
    inner = column.split("((", 1)[-1]
    name = inner.split('"')[1] if inner.count('"') >= 2 else None
    pid_text = inner.split("pid=", 1)[1].split(",", 1)[0] if "pid=" in inner else ""
    return name, int(pid_text) if pid_text.isdigit() else None


def parse_listening(text: str) -> list[ServiceObservation]:
    """``ss -H -tulnp``: Netid State Recv-Q Send-Q Local Peer [Process]."""
    services = []
    for line in text.splitlines():
        cols = line.split(None, 6)
        if len(cols) < 6 or cols[0] not in ("tcp", "udp"):
            continue
        address, port = split_endpoint(cols[4])
        if port is None:
            continue
        process, pid = _process(cols[6] if len(cols) > 6 else None)
        services.append(ServiceObservation(cols[0], port, address, process, pid))
    return services


def parse_established(text: str, services: list[ServiceObservation]) -> list[ConnectionObservation]:
    """Outgoing TCP connections from ``ss -H -tnp state established`` (Recv-Q Send-Q Local Peer [Process]).

    A connection whose local port is one this host listens on is an incoming one (someone uses
    our service), not a dependency of ours, and is left out.
    """
    listening = {s.port for s in services if s.protocol == "tcp"}
    connections = []
    for line in text.splitlines():
        cols = line.split(None, 4)
        if len(cols) < 4:
            continue
        local, local_port = split_endpoint(cols[2])
        remote, remote_port = split_endpoint(cols[3])
        if local_port is None or remote_port is None or local_port in listening:
            continue
        process, _pid = _process(cols[4] if len(cols) > 4 else None)
        connections.append(ConnectionObservation("tcp", local, local_port, remote, remote_port, process))
    return connections


# Section -> purposes it needs; SYSTEM tolerates missing DMI (unreadable in containers / as non-root).
_SECTIONS: dict[Section, tuple[str, ...]] = {
    Section.SYSTEM: ("hostname", "os_release", "kernel", "machine_id", "cpu", "meminfo"),
    Section.STORAGE: ("disks",),
    Section.INTERFACES: ("ip",),
    Section.ADDRESSES: ("ip",),
    Section.SOFTWARE: ("packages",),
    Section.SERVICES: ("listen",),
    Section.CONNECTIONS: ("established", "listen"),
}


def build_linux_report(
    target: str,
    address: str,
    outputs: dict[str, str],
    failures: dict[str, tuple[str, str]],
    credential: str | None = None,
    elapsed: float | None = None,
) -> DeviceReport:
    """A report from the outputs that were read; a failed or unparseable command costs its sections."""
    report = DeviceReport(target=target, source=Source.SSH, status=Status.OK, credential=credential,
                          elapsed_seconds=elapsed)
    for purpose, (reason, detail) in failures.items():
        for section, needs in _SECTIONS.items():
            if purpose in needs:
                report.errors.append(SectionError(section, reason, f"{LINUX_COMMANDS[purpose]}: {detail}"[:300]))
    report.device = parse_device(outputs, address)
    _fill(report, outputs)
    for section, needs in _SECTIONS.items():
        if all(p in outputs and p not in failures for p in needs) and not any(e.section is section for e in report.errors):
            report.sections.add(section)
    report.status = Status.PARTIAL if report.errors else Status.OK
    return report


def _fill(report: DeviceReport, outputs: dict[str, str]) -> None:
    """Run each parser whose input exists; a parser error becomes a 'malformed' section error."""
    steps = [
        (Section.STORAGE, "disks", lambda t: setattr(report, "components", parse_lsblk(t))),
        (Section.INTERFACES, "ip", lambda t: _set_ip(report, t)),
        (Section.SOFTWARE, "packages", lambda t: setattr(report, "software", parse_packages(t))),
        (Section.SERVICES, "listen", lambda t: setattr(report, "services", parse_listening(t))),
        (Section.CONNECTIONS, "established",
         lambda t: setattr(report, "connections", parse_established(t, report.services))),
    ]
    for section, purpose, step in steps:
        if purpose not in outputs:
            continue
        try:
            step(outputs[purpose])
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            report.errors.append(SectionError(section, "malformed", f"{type(exc).__name__}: {exc}"[:300]))


def _set_ip(report: DeviceReport, text: str) -> None:
    report.interfaces, report.addresses = parse_ip_addr(text)
