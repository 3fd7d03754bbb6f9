"""Credential profiles, tried in order per device; the first that works is remembered by NAME.

Secrets are ``pydantic.SecretStr``: they print as ``**********``, are never logged, never
written to the graph and never returned by the API. Only a profile's ``name`` leaves this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, model_validator


class _Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1)


class SnmpV2cProfile(_Profile):
    kind: Literal["snmp_v2c"] = "snmp_v2c"
    community: SecretStr


class SnmpV3Profile(_Profile):
    """SNMPv3 USM user. Security level follows from which keys are given."""

    kind: Literal["snmp_v3"] = "snmp_v3"
    user: str
    auth_protocol: Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] | None = None
    auth_key: SecretStr | None = None
    priv_protocol: Literal["DES", "AES", "AES128", "AES192", "AES256"] | None = None
    priv_key: SecretStr | None = None
    context: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> SnmpV3Profile:
        if (self.auth_protocol is None) != (self.auth_key is None):
            raise ValueError(f"profile {self.name}: auth_protocol and auth_key go together")
        if (self.priv_protocol is None) != (self.priv_key is None):
            raise ValueError(f"profile {self.name}: priv_protocol and priv_key go together")
        if self.priv_protocol is not None and self.auth_protocol is None:
            raise ValueError(f"profile {self.name}: privacy needs authentication (authPriv)")
        return self

    @property
    def security_level(self) -> str:
        if self.priv_protocol:
            return "authPriv"
        return "authNoPriv" if self.auth_protocol else "noAuthNoPriv"


class SshProfile(_Profile):
    kind: Literal["ssh"] = "ssh"
    username: str
    password: SecretStr | None = None
    key_file: Path | None = None
    secret: SecretStr | None = None  # enable secret, where a platform needs one

    @model_validator(mode="after")
    def _has_auth(self) -> SshProfile:
        if self.password is None and self.key_file is None:
            raise ValueError(f"profile {self.name}: needs a password or a key_file")
        return self


Profile = Annotated[SnmpV2cProfile | SnmpV3Profile | SshProfile, Field(discriminator="kind")]
SnmpProfile = SnmpV2cProfile | SnmpV3Profile

_PROFILES = TypeAdapter(list[Profile])


class CredentialStore:
    """Named profiles, loaded from a YAML file (``profiles: [...]``) or given directly."""

    def __init__(self, profiles: list[SnmpV2cProfile | SnmpV3Profile | SshProfile]):
        names = [p.name for p in profiles]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate credential profile names: {', '.join(dupes)}")
        self._by_name = {p.name: p for p in profiles}

    @classmethod
    def from_yaml(cls, path: Path) -> CredentialStore:
        raw = yaml.safe_load(path.read_text()) or {}
        return cls(_PROFILES.validate_python(raw.get("profiles", [])))

    def get(self, name: str) -> SnmpV2cProfile | SnmpV3Profile | SshProfile:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no credential profile named {name!r}") from None

    def snmp(self, names: list[str] | None = None) -> list[SnmpProfile]:
        return [p for p in self._select(names) if isinstance(p, SnmpV2cProfile | SnmpV3Profile)]

    def ssh(self, names: list[str] | None = None) -> list[SshProfile]:
        return [p for p in self._select(names) if isinstance(p, SshProfile)]

    def _select(self, names: list[str] | None) -> list[SnmpV2cProfile | SnmpV3Profile | SshProfile]:
        return list(self._by_name.values()) if names is None else [self.get(n) for n in names]
