"""The inventory file: what loads, and how precisely a broken one is reported."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.inventory import InventoryError, load_inventory

CREDENTIALS = {
    "profiles": [
        {"name": "site-v2c", "kind": "snmp_v2c", "community": "c0mmunity-xyz"},
        {
            "name": "site-v3",
            "kind": "snmp_v3",
            "user": "ops",
            "auth_protocol": "SHA",
            "auth_key": "auth-key-123",
            "priv_protocol": "AES",
            "priv_key": "priv-key-456",
        },
        {"name": "site-ssh", "kind": "ssh", "username": "ops", "password": "pw-789"},
    ]
}


def write_inventory(tmp_path: Path, doc: dict[str, Any]) -> Path:
    (tmp_path / "creds.yaml").write_text(yaml.safe_dump(CREDENTIALS))
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"credentials_file": "creds.yaml", **doc}))
    return path


def base(**extra: Any) -> dict[str, Any]:
    return {"targets": [{"address": "127.20.0.1"}], "credentials": ["site-v2c"], **extra}


def test_loads_targets_ranges_and_resolves_profiles_relative_to_the_file(tmp_path: Path) -> None:
    path = write_inventory(
        tmp_path,
        {
            "targets": [{"address": "127.20.0.1", "port": 1161}, "127.20.0.2", "127.20.0.3:2161"],
            "ranges": ["127.20.1.0/29"],
            "exclude": ["127.20.1.4/31", "127.20.1.1"],
            "scope": ["127.20.0.0/16"],
            "follow_neighbors": {"enabled": True, "max_depth": 1},
            "credentials": ["site-v3", "site-v2c", "site-ssh"],
            "ssh": [{"address": "127.22.0.1", "port": 2222, "platform": "cisco_ios"}],
        },
    )
    resolved = load_inventory(path)
    inv = resolved.inventory
    assert [str(t) for t in inv.targets] == ["127.20.0.1:1161", "127.20.0.2:161", "127.20.0.3:2161"]
    # /29 hosts are .1-.6; .1 and .4/.5 are excluded
    assert [str(a) for a in inv.sweep_addresses()] == ["127.20.1.2", "127.20.1.3", "127.20.1.6"]
    assert [p.name for p in resolved.snmp_profiles] == ["site-v3", "site-v2c"]
    assert [p.name for p in resolved.ssh_profiles()] == ["site-ssh"]
    assert inv.in_scope(ipaddress.ip_address("127.20.9.9"))
    assert not inv.in_scope(ipaddress.ip_address("127.20.1.4"))  # excluded
    assert not inv.in_scope(ipaddress.ip_address("127.23.0.1"))  # outside scope


def test_sweep_skips_listed_targets(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, base(ranges=["127.20.0.0/30"]))
    addresses = [str(a) for a in load_inventory(path).inventory.sweep_addresses()]
    assert addresses == ["127.20.0.2"]  # .1 is a listed target


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (base(ranges=["10.0.0.300/24"]), "ranges.0: '10.0.0.300/24' is not a CIDR network"),
        (base(ranges=["10.0.0.1/24"]), "has host bits set"),
        (base(scope=["nonsense"]), "scope.0: 'nonsense' is not a CIDR network"),
        (base(exclude=["127.20.0.1"]), "target 127.20.0.1 is listed and also excluded"),
        (base(exclude=["127.20.0.0/24"]), "target 127.20.0.1 is listed and also excluded"),
        (base(follow_neighbors={"enabled": True}), "follow_neighbors needs a scope"),
        ({"credentials": ["site-v2c"]}, "nothing to discover"),
        (base(targets=[{"address": "127.20.0.1", "port": 70000}]), "targets.0.port"),
        (base(targets=["host.example"]), "'host.example' is not an IP address"),
        (base(ranges=["10.0.0.0/8"]), "more than"),
        (base(colour="blue"), "colour: Extra inputs are not permitted"),
        (base(credentials=["site-v2c", "site-v2c"]), "listed twice: site-v2c"),
    ],
)
def test_invalid_inventories_name_the_entry_and_the_problem(
    tmp_path: Path, doc: dict[str, Any], expected: str
) -> None:
    path = write_inventory(tmp_path, doc)
    with pytest.raises(InventoryError) as err:
        load_inventory(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_unknown_profile_names_list_the_known_ones(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, base(credentials=["site-v2c", "lab-v9"]))
    with pytest.raises(InventoryError, match=r"unknown credential profile\(s\) 'lab-v9'") as err:
        load_inventory(path)
    assert "'site-v2c', 'site-v3', 'site-ssh'" in str(err.value)


def test_unknown_profile_on_an_ssh_target(tmp_path: Path) -> None:
    doc = base(ssh=[{"address": "127.22.0.1", "credentials": ["nope"]}])
    with pytest.raises(InventoryError, match="'nope'"):
        load_inventory(write_inventory(tmp_path, doc))


def test_errors_never_echo_secrets(tmp_path: Path) -> None:
    broken = {
        "profiles": [{"name": "bad", "kind": "snmp_v3", "user": "u", "auth_key": "s3cr3t-auth"}]
    }
    (tmp_path / "creds.yaml").write_text(yaml.safe_dump(broken))
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({**base(credentials=["bad"]), "credentials_file": "creds.yaml"}))
    with pytest.raises(InventoryError) as err:
        load_inventory(path)
    assert "auth_protocol and auth_key go together" in str(err.value)
    assert "s3cr3t-auth" not in str(err.value)


def test_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="does not exist"):
        load_inventory(tmp_path / "absent.yaml")
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({**base(), "credentials_file": "absent-creds.yaml"}))
    with pytest.raises(InventoryError, match="credentials_file .*absent-creds.yaml does not exist"):
        load_inventory(path)


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("targets: [unclosed\n")
    with pytest.raises(InventoryError, match="not valid YAML"):
        load_inventory(path)
    path.write_text("- just\n- a list\n")
    with pytest.raises(InventoryError, match="expected a mapping"):
        load_inventory(path)


def test_broken_credentials_yaml_does_not_quote_the_line(tmp_path: Path) -> None:
    (tmp_path / "creds.yaml").write_text("profiles:\n  - {name: x, community: 'open-sesame\n")
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({**base(credentials=["x"]), "credentials_file": "creds.yaml"}))
    with pytest.raises(InventoryError, match="credentials file is not valid YAML") as err:
        load_inventory(path)
    assert "open-sesame" not in str(err.value)
