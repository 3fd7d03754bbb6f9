"""Configuration snapshots: no secret survives masking, hashes ignore timestamps, diffs show changes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from deploy.lab.ssh import DATA
from discovery.ssh.config import config_diff, mask_secrets, snapshot
from discovery.ssh.platforms import PLATFORMS
from discovery.ssh.platforms.base import MASK

# Every secret written into the lab's configurations (deploy/lab/clisim/configs).
SECRETS: dict[str, list[str]] = {
    "cisco_ios": [
        "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$Xk2p$Pv9Yf1uTQw7sK3nLm0aB1/", "0822455D0A16544541",
        "1511021F0725", "070C285F4D06", "045802150C2E", "cisco-radius-lab", "lab-public-ro",
        "lab-private-rw", "labAuthPass1", "labPrivPass1", "02050D480809", "104D000A0618",
    ],
    "cisco_nxos": [
        "$5$KNHMIH$3Kk4nD2e3Lrw.3O5nU7yP9aWnM8Fj0QhWJ0xQ8W5yB9", "$1$Ul5GjR$gPq9eY8WcO2yH6vU1tR3s0",
        "lab-tacacs-key", "0x7c5a3b1f9e2d4c6a8b0e1f2a3b4c5d6e", "lab-nx-ro", "lab-nx-rw", "2c7f1e0a9b8d",
    ],
    "arista_eos": [
        "lab-eos-ro", "lab-eos-rw", "$6$Vq8n3rT1$", "$6$Lp2q8rS4$", "lab-ops-plain", "Ae9u2yB1kK8=",
        "l0NvGZ6L1kdsdr3oR+pqkQ==",
    ],
    "juniper_junos": [
        "$6$jx0Hn3Q1$", "$6$Hk2m9P4x$", "$9$lab.radius.Lk8vWxNdsYoJD", "$9$lab.ospf.dDsYoJDk.mT3",
        "$9$lab.bgp.Hk5FnCuO1hrK", "lab-junos-ro",
    ],
}
# Lines that hold no secret and must come through unchanged.
KEPT: dict[str, list[str]] = {
    "cisco_ios": ["snmp-server location Lab rack 1", " description uplink-core1", "key chain OSPF-KEYS"],
    "cisco_nxos": ["  ip address 192.0.2.11/24", "feature lldp"],
    "arista_eos": ["   description uplink-spine2", "router bgp 65001"],
    "juniper_junos": ['    location "Lab rack 2";', "            uid 2000;"],
}


def _config(platform: str) -> str:
    return (DATA / "configs" / f"{platform}.cfg").read_text().replace("{hostname}", "lab-dev")


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_no_secret_survives(platform: str) -> None:
    text = _config(platform)
    assert all(secret in text for secret in SECRETS[platform])  # the fixture really holds them
    snap = snapshot(text, PLATFORMS[platform])
    leaked = [secret for secret in SECRETS[platform] if secret in snap.text]
    assert leaked == []
    for line in KEPT[platform]:
        assert line in snap.text.splitlines()
    assert snap.sha256 == hashlib.sha256(snap.text.encode()).hexdigest()


def test_volatile_lines_do_not_change_the_hash() -> None:
    spec = PLATFORMS["cisco_nxos"]
    first = _config("cisco_nxos")
    later = first.replace("!Time: Tue Apr  9 10:00:00 2013", "!Time: Wed Apr 10 11:30:00 2013")
    assert first != later
    assert snapshot(first, spec).sha256 == snapshot(later, spec).sha256


def test_changed_line_changes_hash_and_shows_in_diff() -> None:
    spec = PLATFORMS["cisco_ios"]
    old = snapshot(_config("cisco_ios"), spec)
    new = snapshot(_config("cisco_ios").replace("switchport access vlan 20", "switchport access vlan 30"), spec)
    assert old.sha256 != new.sha256
    diff = config_diff(old.text, new.text)
    assert "- switchport access vlan 20" in diff.splitlines()
    assert "+ switchport access vlan 30" in diff.splitlines()
    assert config_diff(old.text, old.text) == ""


def test_a_changed_secret_is_invisible_after_masking() -> None:
    """Secrets are masked before hashing: rotating one does not leak through the diff."""
    spec = PLATFORMS["cisco_ios"]
    rotated = _config("cisco_ios").replace("lab-public-ro", "another-community")
    diff = config_diff(snapshot(_config("cisco_ios"), spec).text, snapshot(rotated, spec).text)
    assert "lab-public-ro" not in diff and "another-community" not in diff


SECRET_TEXT = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='"{};'),
                      min_size=6, max_size=24)


def _assume_distinct(secret: str, text: str) -> None:
    """Skip secrets that also occur in the text around them ("passwo") or in the mask itself."""
    assume(secret not in text.replace(secret, "\0") and secret not in MASK)


@given(secret=SECRET_TEXT)
def test_any_ios_secret_is_masked(secret: str) -> None:
    spec = PLATFORMS["cisco_ios"]
    lines = [
        f"snmp-server community {secret} RO",
        f"enable secret 9 {secret}",
        f"username ops privilege 15 password 0 {secret}",
        f"tacacs-server host 192.0.2.1 key {secret}",
    ]
    _assume_distinct(secret, "\n".join(lines))
    masked = mask_secrets("\n".join(lines), spec)
    assert secret not in masked


@given(secret=SECRET_TEXT)
def test_any_junos_secret_is_masked(secret: str) -> None:
    spec = PLATFORMS["juniper_junos"]
    text = f'encrypted-password "{secret}";\nauthentication-key "{secret}";\ncommunity {secret} {{'
    _assume_distinct(secret, text)
    assert secret not in mask_secrets(text, spec)
