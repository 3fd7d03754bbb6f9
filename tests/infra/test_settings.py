"""Settings come from a YAML file named by CMDB_CONFIG, overridden by CMDB_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.settings import get_settings


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CMDB_STORE_URL", "CMDB_API_PORT", "CMDB_BATCH_SIZE", "CMDB_PRECEDENCE__SSH"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cmdb.yaml"
    path.write_text(
        "store_url: bolt://127.0.0.1:7687\n"
        "api_port: 8123\n"
        "batch_size: 500\n"
        "neo4j_password: from-yaml\n"
        "precedence: {manual: 30, ssh: 20, snmp: 10}\n"
    )
    monkeypatch.setenv("CMDB_CONFIG", str(path))
    return path


def test_yaml_file_supplies_values(config_file: Path) -> None:
    settings = get_settings()

    assert settings.store_url == "bolt://127.0.0.1:7687"
    assert settings.api_port == 8123
    assert settings.batch_size == 500


def test_environment_overrides_yaml(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_API_PORT", "9001")
    monkeypatch.setenv("CMDB_STORE_URL", "sqlite:///tmp/x.sqlite")

    settings = get_settings()

    assert (settings.api_port, settings.store_url) == (9001, "sqlite:///tmp/x.sqlite")
    assert settings.batch_size == 500  # untouched keys still come from the file


def test_nested_environment_variable_overrides_one_key(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CMDB_PRECEDENCE__SSH", "25")

    assert get_settings().precedence["ssh"] == 25


def test_password_is_kept_secret(config_file: Path) -> None:
    settings = get_settings()

    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == "from-yaml"
    assert "from-yaml" not in repr(settings)


def test_missing_config_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_CONFIG", str(tmp_path / "absent.yaml"))

    with pytest.raises(FileNotFoundError, match="absent.yaml"):
        get_settings()


def test_unknown_key_in_yaml_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text("stor_url: bolt://127.0.0.1:7687\n")
    monkeypatch.setenv("CMDB_CONFIG", str(path))

    with pytest.raises(ValueError, match="stor_url"):
        get_settings()
