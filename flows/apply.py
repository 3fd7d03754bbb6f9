"""Writing a run's change set in ordered, bounded parts, plus the DiscoveryRun record.

Each part is applied by ``GraphStore.apply`` in one transaction. The order (CIs, then
relationships between them, then stale marks) means that a crash between two parts leaves a
graph whose every relationship has both ends, and a re-run reconciles the rest: what the
crashed run already wrote is confirmed, what it did not write is created.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from flows.plan import chunks
from graph.model import CI, ChangeSet, CIStatus, Provenance

# ChangeSet list fields in the order they must reach the store.
_PHASES: tuple[tuple[str, ...], ...] = (
    ("creates",),
    ("updates", "completed", "reappeared", "confirmations"),
    ("rel_adds",),
    ("rel_updates", "rel_reappeared", "rel_confirmations"),
    ("missing", "retired", "rel_missing", "rel_retired"),
)
_LIST_FIELDS = {f.name for f in fields(ChangeSet) if f.name not in ("run_id", "at")}
assert {name for phase in _PHASES for name in phase} == _LIST_FIELDS, "ChangeSet grew a field"


def split_changes(changes: ChangeSet, max_items: int) -> list[ChangeSet]:
    """``changes`` as consecutive parts of at most ``max_items`` entries, in dependency order.

    Applying the parts in order has the same effect as applying ``changes`` at once.
    """
    parts: list[ChangeSet] = []
    for phase in _PHASES:
        for name in phase:
            items: Sequence[Any] = getattr(changes, name)
            for chunk in chunks(items, max_items):
                parts.append(_part(changes, name, chunk))
    return parts or [ChangeSet(changes.run_id, changes.at)]


def _part(changes: ChangeSet, name: str, items: list[Any]) -> ChangeSet:
    part = ChangeSet(changes.run_id, changes.at)
    getattr(part, name).extend(items)
    return part


def iter_items(changes: ChangeSet) -> Iterator[Any]:
    for name in sorted(_LIST_FIELDS):
        yield from getattr(changes, name)


def run_uid(run_id: str) -> str:
    return f"run:{run_id}"


def discovery_run_changes(
    run_id: str, name: str, started: datetime, finished: datetime, state: str, counts_json: str
) -> ChangeSet:
    """The change set that records one run as a DiscoveryRun CI (written once, at the end)."""
    attrs: dict[str, Any] = {
        "name": name,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "state": state,
        "counts": counts_json,
    }
    provenance = {key: Provenance("system", run_id, finished) for key in attrs}
    ci = CI(
        uid=run_uid(run_id),
        ci_class="DiscoveryRun",
        name=name,
        attributes=attrs,
        provenance=provenance,
        status=CIStatus.ACTIVE,
        first_seen=finished,
        last_seen=finished,
        last_run=run_id,
        changed_at=finished,
        identity_keys=[],
    )
    return ChangeSet(run_id, finished, creates=[ci])
