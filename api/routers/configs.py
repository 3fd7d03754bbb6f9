"""Configuration snapshots of devices, and diffs between versions."""

from __future__ import annotations

import difflib
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import StoreDep, Viewer
from api.models import ConfigDiff, ConfigVersionPublic, ConfigVersionSummary
from api.routers.cis import Uid, get_or_404
from graph.model import ConfigVersion
from graph.store import GraphStore, NotFound

router = APIRouter(tags=["configuration"])
Version = Annotated[int, Path(ge=1, le=1_000_000)]


def _version(store: GraphStore, uid: str, version: int) -> ConfigVersion:
    found = store.get_config_version(uid, version)
    if found is None:
        raise NotFound(f"{uid!r} has no configuration version {version}")
    return found


@router.get("/cis/{uid:path}/configs/diff", response_model=ConfigDiff)
def config_diff(
    store: StoreDep,
    _who: Viewer,
    uid: Uid,
    from_version: Annotated[int, Query(ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(ge=1, le=1_000_000)],
) -> ConfigDiff:
    """Unified diff between two stored versions (secrets were masked before storing)."""
    get_or_404(store, uid)
    a, b = _version(store, uid, from_version), _version(store, uid, to_version)
    lines = difflib.unified_diff(
        a.text.splitlines(keepends=True),
        b.text.splitlines(keepends=True),
        fromfile=f"v{a.version} {a.at.isoformat()}",
        tofile=f"v{b.version} {b.at.isoformat()}",
    )
    return ConfigDiff(
        device_uid=uid, from_version=a.version, to_version=b.version, diff="".join(lines)
    )


@router.get("/cis/{uid:path}/configs/{version}", response_model=ConfigVersionPublic)
def config_version(
    store: StoreDep, _who: Viewer, uid: Uid, version: Version
) -> ConfigVersionPublic:
    get_or_404(store, uid)
    return ConfigVersionPublic.model_validate(_version(store, uid, version).to_json())


@router.get("/cis/{uid:path}/configs", response_model=list[ConfigVersionSummary])
def config_versions(store: StoreDep, _who: Viewer, uid: Uid) -> list[ConfigVersionSummary]:
    """Every stored version of the device's configuration, oldest first."""
    get_or_404(store, uid)
    return [ConfigVersionSummary.of(v) for v in store.config_versions(uid)]
