"""Settings for every part of the product, from environment variables and an optional YAML file.

Environment variables are prefixed ``CMDB_`` (``CMDB_STORE_URL``, ``CMDB_NEO4J_PASSWORD``...);
a YAML file named by ``CMDB_CONFIG`` (or ``./cmdb.yaml`` if present) supplies defaults that the
environment overrides. Nested values use ``__`` (``CMDB_PRECEDENCE__SSH=20``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


def _yaml_file() -> Path | None:
    named = os.environ.get("CMDB_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"CMDB_CONFIG names {path}, which does not exist")
        return path
    default = Path("cmdb.yaml")
    return default if default.is_file() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CMDB_", env_nested_delimiter="__", extra="forbid")

    store_url: str = Field(
        "sqlite:///var/cmdb.sqlite",
        description="sqlite:///PATH for the embedded store, neo4j://HOST:PORT or bolt://HOST:PORT for Neo4j",
    )
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str | None = None
    batch_size: int = Field(2000, ge=1, description="rows per UNWIND batch")

    precedence: dict[str, int] = Field(
        default_factory=lambda: {"manual": 30, "ssh": 20, "snmp": 10},
        description="higher wins when two sources disagree about an attribute",
    )
    missing_runs_before_retire: int = Field(
        3, ge=1, description="K: missing K runs in a row -> retired"
    )

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    snmp_concurrency: int = Field(64, ge=1)
    ssh_concurrency: int = Field(8, ge=1)
    snmp_timeout: float = Field(2.0, gt=0)
    snmp_retries: int = Field(1, ge=0)
    ssh_timeout: float = Field(20.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _yaml_file()
        if path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


def get_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
