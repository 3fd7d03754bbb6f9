"""Running configurations as snapshots: secrets masked BEFORE hashing or storing, plus diffs.

Masking is per platform (``PlatformSpec.secret_patterns``: group 1 is kept, group 2 is the
secret). Volatile lines (timestamps the device prints on every ``show``) are dropped so the
hash changes only when the configuration does.
"""

from __future__ import annotations

import difflib
import hashlib

from discovery.observations import ConfigSnapshot
from discovery.ssh.platforms.base import MASK, PlatformSpec


def mask_secrets(text: str, spec: PlatformSpec) -> str:
    """Replace every secret the platform's patterns know with ``<masked>``."""
    for pattern in spec.secret_patterns:
        text = pattern.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return text


def normalise_config(text: str, spec: PlatformSpec) -> str:
    """Drop volatile lines, unify line ends, strip trailing blanks."""
    text = text.replace("\r\n", "\n")
    for pattern in spec.volatile_patterns:
        text = pattern.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def snapshot(text: str, spec: PlatformSpec) -> ConfigSnapshot:
    """A storable snapshot: normalised, masked, then hashed (the hash never sees a secret)."""
    masked = mask_secrets(normalise_config(text, spec), spec)
    return ConfigSnapshot(
        text=masked,
        sha256=hashlib.sha256(masked.encode()).hexdigest(),
        format=spec.config_format,
    )


def config_diff(old: str, new: str, old_label: str = "previous", new_label: str = "current") -> str:
    """Unified diff between two (masked) configuration texts; empty when they are equal."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
        )
    )
