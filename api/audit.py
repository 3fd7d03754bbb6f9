"""Configuration audit: discovered changes that no approved change request covers.

Discovery only notices a change when it next looks, so a change seen by run R happened
between the previous run's start and R's time. It is authorised when an approved change
request names the CI, its device, or impacted it, with a window overlapping that interval.
Only attributes the schema declares ``audited`` (and discovered) count, plus new
configuration versions (a different hash of the masked running configuration).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from api.changes import all_changes, approved_covering
from api.models import DiscoveryRunPublic, UnauthorizedChange
from graph.identity import device_of
from graph.model import CI, EventKind, HistoryEvent
from graph.schema import CLASSES, DEVICE_CLASSES
from graph.store import GraphStore

RUN_PREFIX = "run:"
_HISTORY_LIMIT = 100_000


def iter_cis(store: GraphStore, ci_class: str) -> Iterator[CI]:
    offset = 0
    while True:
        page = store.find_cis(ci_class=ci_class, offset=offset, limit=500)
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def discovery_runs(store: GraphStore) -> list[DiscoveryRunPublic]:
    """Every recorded run, oldest first."""
    runs = []
    for ci in iter_cis(store, "DiscoveryRun"):
        counts: dict[str, Any] = {}
        raw = ci.attributes.get("counts")
        if isinstance(raw, str):
            try:
                loaded = json.loads(raw)
            except ValueError:
                loaded = {}
            counts = loaded if isinstance(loaded, dict) else {}
        runs.append(
            DiscoveryRunPublic(
                uid=ci.uid,
                name=ci.name,
                state=ci.attributes.get("state"),
                started_at=ci.attributes.get("started_at"),
                finished_at=ci.attributes.get("finished_at"),
                counts=counts,
            )
        )
    return sorted(runs, key=lambda r: r.started_at or "")


class _RunClock:
    """When each run started, to bound when a change it saw can have happened."""

    def __init__(self, runs: list[DiscoveryRunPublic]) -> None:
        self.starts = sorted(datetime.fromisoformat(r.started_at) for r in runs if r.started_at)
        self.by_id = {
            r.uid.removeprefix(RUN_PREFIX): datetime.fromisoformat(r.started_at)
            for r in runs
            if r.started_at
        }

    def previous(self, run_id: str | None, seen_at: datetime) -> datetime | None:
        """The start of the run before the one that saw the change (None: no earlier run)."""
        start = self.by_id.get(run_id or "", seen_at)
        i = bisect_left(self.starts, start)
        return self.starts[i - 1] if i > 0 else None


def _audited(event: HistoryEvent, ci_class: str | None) -> Iterator[tuple[str, Any, Any]]:
    cls = CLASSES.get(ci_class or "")
    if cls is None:
        return
    for name, change in event.changes.items():
        attr = cls.attr(name)
        if attr is not None and attr.discovered and attr.audited and len(change) == 2:
            yield name, change[0], change[1]


def unauthorized_changes(
    store: GraphStore, since: datetime | None = None, run_id: str | None = None
) -> list[UnauthorizedChange]:
    """Audited attribute changes and configuration changes without an approved change."""
    clock = _RunClock(discovery_runs(store))
    changes = list(all_changes(store))
    found: list[UnauthorizedChange] = []
    cis: dict[str, CI | None] = {}  # events do not always carry the class; look each CI up once
    for event in store.history(since=since, limit=_HISTORY_LIMIT):
        if (
            event.subject_kind != "ci"
            or event.kind is not EventKind.UPDATED
            or event.source == "manual"
        ):
            continue
        if run_id is not None and event.actor != run_id:
            continue
        previous = clock.previous(event.actor, event.at)
        if approved_covering(
            changes, {event.subject, device_of(event.subject)}, previous, event.at
        ):
            continue
        ci = (
            cis.get(event.subject)
            if event.subject in cis
            else cis.setdefault(event.subject, store.get_ci(event.subject))
        )
        ci_class = event.ci_class or (ci.ci_class if ci else None)
        for name, old, new in _audited(event, ci_class):
            found.append(
                UnauthorizedChange(
                    uid=event.subject,
                    ci_class=ci_class,
                    name=ci.name if ci else None,
                    kind="attribute",
                    attribute=name,
                    old=old,
                    new=new,
                    run_id=event.actor,
                    at=event.at,
                    previous_run_at=previous,
                )
            )
    found.extend(_config_changes(store, clock, changes, since, run_id))
    return sorted(found, key=lambda c: (c.at, c.uid))


def _config_changes(
    store: GraphStore,
    clock: _RunClock,
    changes: list[dict[str, Any]],
    since: datetime | None,
    run_id: str | None,
) -> Iterator[UnauthorizedChange]:
    for cls in DEVICE_CLASSES:
        for device in iter_cis(store, cls):
            if not device.attributes.get("platform"):
                continue  # configurations are only collected over SSH, from known platforms
            versions = store.config_versions(device.uid)
            for old, new in zip(versions, versions[1:], strict=False):
                if (since is not None and new.at < since) or (
                    run_id is not None and new.run_id != run_id
                ):
                    continue
                previous = clock.previous(new.run_id, new.at)
                if approved_covering(changes, {device.uid}, previous, new.at):
                    continue
                yield UnauthorizedChange(
                    uid=device.uid,
                    ci_class=device.ci_class,
                    name=device.name,
                    kind="config",
                    old=old.sha256,
                    new=new.sha256,
                    run_id=new.run_id,
                    at=new.at,
                    previous_run_at=previous,
                    config_versions=[old.version, new.version],
                )
