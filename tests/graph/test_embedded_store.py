"""What only the embedded store has to show: its SQLite file is the graph after a restart."""

from __future__ import annotations

from pathlib import Path

from graph.model import EventKind
from graph.reconcile import reconcile
from graph.settings import get_settings
from graph.store import open_store
from tests.graph.builders import SW1, discover, lab, run


def test_reopened_store_has_the_same_graph_history_and_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'cmdb.sqlite'}"
    store = open_store(url, get_settings())
    discover(store, lab(), 1)
    store.set_manual_attrs(SW1, {"owner": "netops"}, "alice")
    store.put_record("token", "t1", {"role": "admin"})
    state = store.load_state()
    store.close()

    reopened = open_store(url, get_settings())
    again = reopened.load_state()
    assert again.cis == state.cis and again.rels == state.rels
    assert [e.kind for e in reopened.history(SW1)][-1] is EventKind.MANUAL
    assert reopened.get_record("token", "t1") == {"role": "admin"}
    assert reconcile(again, lab(), [], run(2)).is_empty
    reopened.close()
