"""The discovery inventory: what a run may talk to, and with which credential profiles.

An inventory is a YAML file written by people (or by the lab). It names seed targets, CIDR
ranges to sweep, exclusions, the scope inside which LLDP/CDP neighbours may be followed, and
the NAMES of credential profiles; the secrets themselves live in ``credentials_file`` and are
never part of the inventory, the flow's parameters or its logs.

Example::

    targets: [{address: 127.20.0.1, port: 161}, 127.20.0.2, "127.20.0.3:1161"]
    ranges: [127.20.0.0/28]
    exclude: [127.20.0.13/32]
    scope: [127.20.0.0/16]
    follow_neighbors: {enabled: true, max_depth: 2}
    credentials: [lab-v2c, lab-v3, lab-ssh]
    credentials_file: credentials.yaml
    ssh: [{address: 127.22.0.1, port: 2222, platform: cisco_ios}]
    ssh_from_snmp: false   # true: also SSH into SNMP-found devices with a known platform
    ssh_port: 22           # ... on this port

Loading validates everything up front, so a typo fails the run before any packet is sent,
with a message that names the file and the offending entry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from discovery.credentials import CredentialStore, SnmpProfile, SshProfile

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# A sweep of more addresses than this is almost certainly a typo (a /8 instead of a /24).
MAX_SWEEP_ADDRESSES = 1 << 20


class InventoryError(ValueError):
    """The inventory file cannot be used; the message says where and why."""


def _parse_network(value: Any) -> IPNetwork:
    if isinstance(value, IPv4Network | IPv6Network):
        return value
    text = str(value).strip()
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a CIDR network such as 10.1.0.0/16 ({exc})") from None


def _parse_address(value: Any) -> IPAddress:
    if isinstance(value, IPv4Address | IPv6Address):
        return value
    text = str(value).strip()
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address") from None


Network = Annotated[IPNetwork, BeforeValidator(_parse_network)]
Address = Annotated[IPAddress, BeforeValidator(_parse_address)]


def _split_host_port(text: str) -> dict[str, Any]:
    """``"10.0.0.1"``, ``"10.0.0.1:1161"`` or ``"[::1]:1161"`` -> {address, port?}."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return {"address": host, **({"port": rest.lstrip(":")} if rest else {})}
    if text.count(":") == 1:
        host, port = text.split(":")
        return {"address": host, "port": port}
    return {"address": text}


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return _split_host_port(value) if isinstance(value, str) else value


class SnmpTarget(_Entry):
    """A device to query over SNMP (seed, sweep responder or followed neighbour)."""

    address: Address
    port: int = Field(161, ge=1, le=65535)

    def __str__(self) -> str:
        return f"{self.address}:{self.port}"


class SshTarget(_Entry):
    """A host to collect over SSH even if SNMP says nothing about it (e.g. Linux servers)."""

    address: Address
    port: int = Field(22, ge=1, le=65535)
    platform: str | None = Field(None, description="netmiko device_type; None: from SNMP findings")
    credentials: list[str] | None = Field(None, description="profile names; default: inventory's")

    def __str__(self) -> str:
        return f"{self.address}:{self.port}"


class FollowNeighbors(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    enabled: bool = False
    max_depth: int = Field(2, ge=0, le=32, description="hops away from a seed or sweep responder")


class Inventory(BaseModel):
    """One site's discovery inventory (validated; credentials not yet resolved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: list[SnmpTarget] = Field(default_factory=list)
    ranges: list[Network] = Field(default_factory=list)
    exclude: list[Network | Address] = Field(default_factory=list)
    scope: list[Network] = Field(default_factory=list)
    follow_neighbors: FollowNeighbors = FollowNeighbors(enabled=False, max_depth=2)
    snmp_port: int = Field(161, ge=1, le=65535, description="port for sweeps and neighbours")
    credentials: list[str] = Field(default_factory=list)
    credentials_file: Path | None = None
    ssh: list[SshTarget] = Field(default_factory=list)
    # Opt-in: SSH logins to every SNMP-found device show up in the devices' AAA logs.
    ssh_from_snmp: bool = Field(
        False, description="also try SSH on SNMP-found devices whose platform is known"
    )
    ssh_port: int = Field(22, ge=1, le=65535, description="SSH port for SNMP-found devices")
    site: str | None = Field(None, description="label of the site this inventory covers")

    @model_validator(mode="after")
    def _consistent(self) -> Inventory:
        if not (self.targets or self.ranges or self.ssh):
            raise ValueError("nothing to discover: give targets, ranges or ssh")
        listed = [t.address for t in self.targets] + [t.address for t in self.ssh]
        for address in listed:
            if self.is_excluded(address):
                raise ValueError(
                    f"target {address} is listed and also excluded; remove one of the two"
                )
        size = sum(net.num_addresses for net in self.ranges)
        if size > MAX_SWEEP_ADDRESSES:
            raise ValueError(
                f"ranges cover {size} addresses, more than {MAX_SWEEP_ADDRESSES}; split the site"
            )
        if self.follow_neighbors.enabled and not self.scope:
            raise ValueError("follow_neighbors needs a scope (CIDR list) to stay inside")
        names = [*self.credentials, *(n for s in self.ssh for n in (s.credentials or []))]
        dupes = sorted({n for n in self.credentials if self.credentials.count(n) > 1})
        if dupes:
            raise ValueError(f"credential profiles listed twice: {', '.join(dupes)}")
        if names and self.credentials_file is None:
            raise ValueError("credentials names profiles but credentials_file is missing")
        return self

    def is_excluded(self, address: IPAddress) -> bool:
        for item in self.exclude:
            if isinstance(item, IPv4Network | IPv6Network):
                if address.version == item.version and address in item:
                    return True
            elif address == item:
                return True
        return False

    def in_scope(self, address: IPAddress) -> bool:
        """May a neighbour at ``address`` be followed? Inside ``scope`` and not excluded."""
        inside = any(address.version == n.version and address in n for n in self.scope)
        return inside and not self.is_excluded(address)

    def sweep_addresses(self) -> Iterator[IPAddress]:
        """Every host address of ``ranges`` that is neither excluded nor a listed target."""
        listed = {t.address for t in self.targets}
        seen: set[IPAddress] = set()
        for network in self.ranges:
            hosts: Iterator[IPAddress] = (
                network.hosts() if network.num_addresses > 2 else iter(network)
            )
            for address in hosts:
                if address in listed or address in seen or self.is_excluded(address):
                    continue
                seen.add(address)
                yield address


class ResolvedInventory:
    """An inventory with its credential profiles looked up (secrets stay inside profiles)."""

    def __init__(self, inventory: Inventory, credentials: CredentialStore, path: Path):
        self.inventory = inventory
        self.credentials = credentials
        self.path = path

    @property
    def snmp_profiles(self) -> list[SnmpProfile]:
        return self.credentials.snmp(self.inventory.credentials)

    def ssh_profiles(self, target: SshTarget | None = None) -> list[SshProfile]:
        return self.ssh_profiles_named(target.credentials if target else None)

    def ssh_profiles_named(self, names: Sequence[str] | None) -> list[SshProfile]:
        """SSH profiles among ``names`` (the inventory's list when None or empty), in order."""
        return self.credentials.ssh(list(names) if names else self.inventory.credentials)


def _format_errors(path: Path, what: str, exc: ValidationError) -> str:
    """One line per problem, without the offending input (it may hold a secret)."""
    lines = [f"{path}: invalid {what}"]
    for err in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_inventory(raw: Any, path: Path) -> Inventory:
    """Validate already-loaded YAML; ``path`` is only used in messages."""
    if not isinstance(raw, dict):
        raise InventoryError(
            f"{path}: expected a mapping at the top level, got {type(raw).__name__}"
        )
    try:
        return Inventory.model_validate(raw)
    except ValidationError as exc:
        raise InventoryError(_format_errors(path, "inventory", exc)) from None


def _load_credentials(inventory: Inventory, path: Path) -> CredentialStore:
    if inventory.credentials_file is None:
        return CredentialStore([])
    cred_path = inventory.credentials_file
    if not cred_path.is_absolute():
        cred_path = path.parent / cred_path
    if not cred_path.is_file():
        raise InventoryError(f"{path}: credentials_file {cred_path} does not exist")
    try:
        return CredentialStore.from_yaml(cred_path)
    except ValidationError as exc:
        raise InventoryError(_format_errors(cred_path, "credentials file", exc)) from None
    except yaml.YAMLError:
        # The YAML error quotes the offending line, which may be a secret: say where only.
        raise InventoryError(f"{cred_path}: credentials file is not valid YAML") from None
    except ValueError as exc:  # duplicate profile names: names only, no values
        raise InventoryError(f"{cred_path}: {exc}") from None


def _check_profile_names(inventory: Inventory, store: CredentialStore, path: Path) -> None:
    wanted = [*inventory.credentials, *(n for s in inventory.ssh for n in (s.credentials or []))]
    unknown = []
    for name in dict.fromkeys(wanted):
        try:
            store.get(name)
        except KeyError:
            unknown.append(name)
    if unknown:
        known = [p.name for p in [*store.snmp(), *store.ssh()]]
        raise InventoryError(
            f"{path}: unknown credential profile(s) {', '.join(map(repr, unknown))}; "
            f"the credentials file defines {', '.join(map(repr, known)) or 'none'}"
        )


def load_inventory(path: Path | str) -> ResolvedInventory:
    """Read, validate and resolve an inventory file; raises ``InventoryError`` on any problem."""
    path = Path(path)
    if not path.is_file():
        raise InventoryError(f"inventory file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InventoryError(f"{path}: not valid YAML: {exc}") from None
    inventory = parse_inventory(raw, path)
    store = _load_credentials(inventory, path)
    _check_profile_names(inventory, store, path)
    return ResolvedInventory(inventory, store, path)
