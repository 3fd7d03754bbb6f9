"""HOST-RESOURCES-MIB of a simulated Linux server, shaped like net-snmp's answers.

net-snmp numbers hrStorage 1/3/6/7/8/10 for memory figures and 31+ for file systems,
hrDevice 196608+ for processors, 262145+ for network interfaces and 393216+ for disks;
hrSWInstalledName is ``name_version_arch`` on Debian/Ubuntu and ``name-version.arch`` on RPM
systems; hrSWRunName is the 15-character process name. Packages and processes depend on the
server's role (web / app / db / cache, from its name) so dependency discovery has something
to find.
"""

from __future__ import annotations

from deploy.lab.encoding import Row, date_and_time, gauge, integer, octets, oid, ticks
from deploy.lab.topology import LabDevice

HR = (1, 3, 6, 1, 2, 1, 25)
HR_STORAGE_TYPES = (1, 3, 6, 1, 2, 1, 25, 2, 1)
HR_DEVICE_TYPES = (1, 3, 6, 1, 2, 1, 25, 3, 1)

# name, Debian version, RPM version
BASE_PACKAGES: tuple[tuple[str, str, str], ...] = (
    ("bash", "5.2.15-2+b2", "5.1.8-6.el9_1"),
    ("coreutils", "9.1-1", "8.32-34.el9"),
    ("openssh-server", "1:9.2p1-2+deb12u2", "8.7p1-34.el9"),
    ("openssh-client", "1:9.2p1-2+deb12u2", "8.7p1-34.el9"),
    ("openssl", "3.0.11-1~deb12u2", "3.0.7-24.el9"),
    ("systemd", "252.22-1~deb12u1", "252-18.el9"),
    ("rsyslog", "8.2302.0-1", "8.2102.0-117.el9"),
    ("chrony", "4.3-2+deb12u1", "4.3-1.el9"),
    ("cron", "3.0pl1-162", "1.5.7-8.el9"),
    ("snmpd", "5.9.3+dfsg-2", "5.9.1-11.el9"),
    ("lldpd", "1.0.16-1+deb12u1", "1.0.17-1.el9"),
    ("curl", "7.88.1-10+deb12u5", "7.76.1-26.el9"),
    ("ca-certificates", "20230311", "2023.2.60_v7.0.306-90.1.el9_2"),
    ("python3", "3.11.2-1+b1", "3.9.18-1.el9_3"),
    ("sudo", "1.9.13p3-1+deb12u1", "1.9.5p2-9.el9"),
    ("tzdata", "2024a-0+deb12u1", "2024a-1.el9"),
    ("iproute2", "6.1.0-3", "6.2.0-5.el9"),
    ("libc6", "2.36-9+deb12u4", "2.34-83.el9_3.7"),
    ("zlib1g", "1:1.2.13.dfsg-1", "1.2.11-40.el9"),
    ("vim-tiny", "2:9.0.1378-2", "8.2.2637-20.el9_1"),
    ("less", "590-2", "590-2.el9"),
    ("gnupg", "2.2.40-1.1", "2.3.3-4.el9"),
    ("tar", "1.34+dfsg-1.2", "1.34-6.el9_1"),
    ("logrotate", "3.21.0-1", "3.18.0-8.el9"),
    ("dbus", "1.14.10-1~deb12u1", "1.12.20-8.el9"),
)

ROLE_PACKAGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "web": (("nginx", "1.22.1-9", "1.20.1-14.el9_2.1"),),
    "app": (
        ("openjdk-17-jre-headless", "17.0.10+7-1~deb12u1", "17.0.10.0.7-2.el9"),
        ("tomcat10", "10.1.6-1", "9.0.62-37.el9"),
    ),
    "db": (
        ("postgresql-15", "15.6-0+deb12u1", "15.6-1.el9"),
        ("postgresql-client-15", "15.6-0+deb12u1", "15.6-1.el9"),
    ),
    "cache": (("redis-server", "5:7.0.15-1~deb12u1", "7.0.12-1.el9"),),
}

# pid, name, path, parameters, type (2 operatingSystem, 4 application)
BASE_PROCESSES: tuple[tuple[int, str, str, str, int], ...] = (
    (1, "systemd", "/sbin/init", "", 4),
    (2, "kthreadd", "", "", 2),
    (312, "systemd-journal", "/lib/systemd/systemd-journald", "", 4),
    (340, "systemd-udevd", "/lib/systemd/systemd-udevd", "", 4),
    (
        601,
        "dbus-daemon",
        "/usr/bin/dbus-daemon",
        "--system --address=systemd: --nofork --nopidfile",
        4,
    ),
    (610, "rsyslogd", "/usr/sbin/rsyslogd", "-n -iNONE", 4),
    (615, "systemd-logind", "/lib/systemd/systemd-logind", "", 4),
    (640, "chronyd", "/usr/sbin/chronyd", "-F 1", 4),
    (655, "cron", "/usr/sbin/cron", "-f", 4),
    (702, "lldpd", "/usr/sbin/lldpd", "", 4),
    (731, "snmpd", "/usr/sbin/snmpd", "-LOw -f -p /run/snmpd.pid", 4),
    (760, "sshd", "/usr/sbin/sshd", "-D", 4),
    (790, "agetty", "/sbin/agetty", "-o -p -- \\u --noclear - linux", 4),
)

ROLE_PROCESSES: dict[str, tuple[tuple[int, str, str, str, int], ...]] = {
    "web": (
        (1201, "nginx", "/usr/sbin/nginx", "-g daemon on; master_process on;", 4),
        (1202, "nginx", "/usr/sbin/nginx", "", 4),
        (1203, "nginx", "/usr/sbin/nginx", "", 4),
    ),
    "app": (
        (
            1301,
            "java",
            "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
            "-Djava.util.logging.config.file=/var/lib/tomcat10/conf/logging.properties -Xms2g -Xmx8g "
            "org.apache.catalina.startup.Bootstrap start",
            4,
        ),
    ),
    "db": (
        (
            1401,
            "postgres",
            "/usr/lib/postgresql/15/bin/postgres",
            "-D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf",
            4,
        ),
        (1402, "postgres", "/usr/lib/postgresql/15/bin/postgres", "", 4),
        (1403, "postgres", "/usr/lib/postgresql/15/bin/postgres", "", 4),
    ),
    "cache": ((1501, "redis-server", "/usr/bin/redis-server", "127.0.0.1:6379", 4),),
}


def server_role(device: LabDevice) -> str:
    """web / app / db / cache, from the host name's prefix ("db-00042")."""
    prefix = device.name.split("-", 1)[0]
    return prefix if prefix in ROLE_PACKAGES else "app"


def packages(device: LabDevice) -> list[tuple[str, str]]:
    """(name, version) of every installed package, in the distribution's own version format."""
    rpm = device.os_name.startswith(("Rocky", "Red Hat", "CentOS"))
    rows = BASE_PACKAGES + ROLE_PACKAGES[server_role(device)]
    return [(name, rpm_v if rpm else deb_v) for name, deb_v, rpm_v in rows]


def processes(device: LabDevice) -> list[tuple[int, str, str, str, int]]:
    return list(BASE_PROCESSES + ROLE_PROCESSES[server_role(device)])


def memory_kib(device: LabDevice) -> int:
    return (64 + 64 * (hash_number(device) % 4)) * 1024 * 1024


def cpu_count(device: LabDevice) -> int:
    return 8 * (1 + hash_number(device) % 4)


def hash_number(device: LabDevice) -> int:
    """A small stable number per device (from its address), to vary sizes without randomness."""
    return sum(int(part) for part in device.address.split("."))


def host_resources(device: LabDevice, number: int) -> list[Row]:
    return [
        *_system(device, number),
        *_storage(device),
        *_devices(device),
        *_software_run(device),
        *_software_installed(device),
    ]


def _system(device: LabDevice, number: int) -> list[Row]:
    kernel = device.sys_descr.split()[2]
    return [
        (HR + (1, 1, 0), ticks((number * 7_919_003 + 4_000_000) % (400 * 86_400 * 100) + 1234)),
        (HR + (1, 2, 0), date_and_time(2026, 11, 25, 21, 0)),
        (HR + (1, 3, 0), integer(393216)),
        (
            HR + (1, 4, 0),
            octets(f"BOOT_IMAGE=/boot/vmlinuz-{kernel} root=/dev/mapper/vg0-root ro quiet"),
        ),
        (HR + (1, 5, 0), gauge(number % 3)),
        (HR + (1, 6, 0), gauge(len(processes(device)) + 180)),
        (HR + (1, 7, 0), integer(0)),
        (HR + (2, 2, 0), integer(memory_kib(device))),
    ]


def _storage(device: LabDevice) -> list[Row]:
    mem = memory_kib(device)
    # index, type (hrStorageTypes arc), description, allocation unit, size, used
    entries = (
        (1, 2, "Physical memory", 1024, mem, mem * 3 // 5),
        (3, 3, "Virtual memory", 1024, mem + 8 * 1024 * 1024, mem * 3 // 5),
        (6, 1, "Memory buffers", 1024, mem, mem // 50),
        (7, 1, "Cached memory", 1024, mem // 4, mem // 4),
        (8, 1, "Shared memory", 1024, mem // 64, mem // 64),
        (10, 3, "Swap space", 1024, 8 * 1024 * 1024, 0),
        (31, 4, "/", 4096, 24_000_000, 9_000_000),
        (32, 4, "/boot", 4096, 240_000, 60_000),
        (33, 4, "/var", 4096, 120_000_000, 41_000_000),
    )
    rows: list[Row] = []
    for index, kind, descr, unit, size, used in entries:
        entry = HR + (2, 3, 1)
        rows += [
            (entry + (1, index), integer(index)),
            (entry + (2, index), oid(".".join(map(str, HR_STORAGE_TYPES + (kind,))))),
            (entry + (3, index), octets(descr)),
            (entry + (4, index), integer(unit)),
            (entry + (5, index), integer(size)),
            (entry + (6, index), integer(used)),
        ]
    return rows


def _devices(device: LabDevice) -> list[Row]:
    cpu = "GenuineIntel: Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz"
    entries: list[tuple[int, int, str]] = [(196608 + n, 3, cpu) for n in range(cpu_count(device))]
    nics = [i for i in device.interfaces if i.if_type != "softwareLoopback"]
    entries += [(262144 + i.if_index, 4, f"network interface {i.name}") for i in nics]
    entries.append((393216, 6, "SCSI disk (/dev/sda)"))
    rows: list[Row] = []
    entry = HR + (3, 2, 1)
    for index, kind, descr in entries:
        rows += [
            (entry + (1, index), integer(index)),
            (entry + (2, index), oid(".".join(map(str, HR_DEVICE_TYPES + (kind,))))),
            (entry + (3, index), octets(descr)),
            (entry + (4, index), oid("0.0")),
            (entry + (5, index), integer(2)),  # running
            (entry + (6, index), "65|0"),
        ]
        if kind == 3:
            rows += [
                (HR + (3, 3, 1, 1, index), oid("0.0")),
                (HR + (3, 3, 1, 2, index), integer((index * 37) % 60)),
            ]
    return rows


def _software_run(device: LabDevice) -> list[Row]:
    rows: list[Row] = []
    entry, perf = HR + (4, 2, 1), HR + (5, 1, 1)
    for pid, name, path, params, kind in processes(device):
        rows += [
            (entry + (1, pid), integer(pid)),
            (entry + (2, pid), octets(name[:15])),
            (entry + (3, pid), oid("0.0")),
            (entry + (4, pid), octets(path)),
            (entry + (5, pid), octets(params)),
            (entry + (6, pid), integer(kind)),
            (entry + (7, pid), integer(1 if pid % 5 == 0 else 2)),  # running / runnable
            (perf + (1, pid), integer(pid * 13 % 50_000)),
            (perf + (2, pid), integer(4096 + pid * 97 % 900_000)),
        ]
    return rows


def _software_installed(device: LabDevice) -> list[Row]:
    rpm = device.os_name.startswith(("Rocky", "Red Hat", "CentOS"))
    rows: list[Row] = [
        (HR + (6, 1, 0), ticks(4200)),
        (HR + (6, 2, 0), date_and_time(2026, 11, 20, 3, 12)),
    ]
    entry = HR + (6, 3, 1)
    for index, (name, version) in enumerate(packages(device), start=1):
        label = f"{name}-{version}.x86_64" if rpm else f"{name}_{version}_amd64"
        rows += [
            (entry + (1, index), integer(index)),
            (entry + (2, index), octets(label)),
            (entry + (3, index), oid("0.0")),
            (entry + (4, index), integer(4)),  # application
            (entry + (5, index), date_and_time(2024, 1 + index % 12, 1 + index % 28, 10, 0)),
        ]
    return rows
