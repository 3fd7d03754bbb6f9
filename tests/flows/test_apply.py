"""Applying a change set in ordered parts equals applying it at once (real reconcile output)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from discovery.observations import Section
from flows.apply import discovery_run_changes, iter_items, split_changes
from graph.model import ChangeSet, RunContext
from graph.reconcile import reconcile
from graph.store import GraphStore, open_store
from tests.flows.test_plan import report_from_recording

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def snapshot(store: GraphStore) -> tuple[dict[str, Any], dict[str, Any]]:
    graph = store.export_graph(include_retired=True)
    cis = {c.uid: (c.ci_class, c.status.value, c.attributes) for c in graph.cis}
    rels = {r.key: (r.status.value, r.attributes) for r in graph.rels}
    return cis, rels


def lab_changes() -> ChangeSet:
    reports = [
        report_from_recording("aos6", "127.20.0.1:161"),
        report_from_recording("arista_eos_vrf", "127.20.0.2:161"),
    ]
    for r in reports:
        r.sections.update({Section.SYSTEM, Section.NEIGHBORS})
    store = open_store("memory://")
    return reconcile(store.load_state(), reports, [], RunContext("run-1", AT))


def test_parts_are_bounded_ordered_and_complete() -> None:
    changes = lab_changes()
    parts = split_changes(changes, 7)
    assert all(len(list(iter_items(p))) <= 7 for p in parts)
    assert sum(len(list(iter_items(p))) for p in parts) == len(list(iter_items(changes)))
    kinds = [
        next(n for n in ("creates", "rel_adds") if getattr(p, n))
        for p in parts
        if p.creates or p.rel_adds
    ]
    assert kinds == sorted(kinds, key=lambda n: n != "creates")  # every create before any rel


def test_applying_parts_equals_applying_the_whole() -> None:
    changes = lab_changes()
    whole, in_parts = open_store("memory://"), open_store("memory://")
    whole.apply(changes, "run-1", AT)
    for part in split_changes(changes, 5):
        in_parts.apply(part, "run-1", AT)
    assert snapshot(whole) == snapshot(in_parts)
    assert len(snapshot(whole)[0]) > 10


def test_discovery_run_record() -> None:
    store = open_store("memory://")
    store.apply(
        discovery_run_changes("r1", "discovery x", AT, AT, "completed", '{"swept": 3}'), "r1", AT
    )
    ci = store.get_ci("run:r1")
    assert ci is not None and ci.ci_class == "DiscoveryRun"
    assert ci.attributes["state"] == "completed" and ci.attributes["counts"] == '{"swept": 3}'
    # the run record never looks "missing" to the next reconcile
    later = reconcile(store.load_state(), [], [], RunContext("r2", AT))
    assert later.is_empty
