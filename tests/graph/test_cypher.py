"""The generated Cypher, pinned as exact text, and the guards that keep data out of it."""

from __future__ import annotations

import pytest

from graph import cypher
from graph.history import META_FIELDS
from graph.schema import CI_CLASSES, CLASSES, REL_TYPES, indexed_attrs


def test_upsert_of_a_class_sets_its_declared_labels() -> None:
    assert cypher.upsert_cis(CLASSES["Server"]) == (
        "UNWIND $rows AS row\n"
        "MERGE (n:CI {uid: row.uid})\n"
        "SET n = row.props\n"
        "SET n:CI:Server:Device"
    )


def test_relationship_merge_expands_between_both_ends_by_type() -> None:
    assert cypher.merge_rels("CONNECTED_TO") == (
        "UNWIND $rows AS row\n"
        "MATCH (a:CI {uid: row.source})\n"
        "MATCH (b:CI {uid: row.target})\n"
        "MERGE (a)-[r:CONNECTED_TO]->(b)\n"
        "SET r += row.props"
    )
    assert cypher.set_rel_status("HAS_INTERFACE") == (
        "UNWIND $rows AS row\n"
        "MATCH ()-[r:HAS_INTERFACE {key: row.key}]->()\n"
        "SET r.status = row.status, r.missing_runs = row.missing_runs, r.last_run = $run,\n"
        "    r.last_seen = CASE WHEN row.status = 'active' THEN $at ELSE r.last_seen END"
    )


def test_relabel_keeps_the_ci_label() -> None:
    assert cypher.relabel(CLASSES["NetworkDevice"], CLASSES["Server"]) == (
        "UNWIND $uids AS uid\n"
        "MATCH (n:CI {uid: uid})\n"
        "REMOVE n:NetworkDevice:Device\n"
        "SET n:CI:Server:Device"
    )


def test_find_binds_every_value_as_a_parameter() -> None:
    count, page = cypher.find_cis(
        "NetworkDevice", ["vendor", "serial"], text=True, status=True, review=False, since=True
    )
    assert page == (
        "MATCH (n:NetworkDevice)\n"
        "WHERE n.serial = $f_serial\n"
        "  AND n.vendor = $f_vendor\n"
        "  AND n.status = $status\n"
        "  AND n.changed_at >= $since\n"
        "  AND (toLower(n.name) CONTAINS $text OR toLower(n.uid) CONTAINS $text)\n"
        "RETURN properties(n) AS props\n"
        "ORDER BY n.uid\n"
        "SKIP $offset LIMIT $limit"
    )
    assert count.endswith("RETURN count(n) AS total")
    assert cypher.find_cis(None, [], text=False, status=False, review=False, since=False)[0] == (
        "MATCH (n:CI)\nRETURN count(n) AS total"
    )


def test_shortest_paths_inlines_only_checked_integers() -> None:
    assert cypher.shortest_paths(4, 3).startswith(
        "MATCH p = SHORTEST 3 (a:CI {uid: $a})(()-[r WHERE ($types IS NULL OR type(r) IN $types) "
        "AND r.status <> 'retired']-()){1,4}(b:CI {uid: $b})\n"
    )
    with pytest.raises(ValueError):
        cypher.shortest_paths(0, 3)
    with pytest.raises(ValueError):
        cypher.shortest_paths(4, 10_000)


def test_constraints_come_first_and_indexes_follow_the_schema() -> None:
    assert (
        cypher.constraints()[0]
        == "CREATE CONSTRAINT ci_uid IF NOT EXISTS FOR (n:CI) REQUIRE n.uid IS UNIQUE"
    )
    stmts = cypher.indexes()
    assert (
        "CREATE INDEX networkdevice_serial IF NOT EXISTS FOR (n:NetworkDevice) ON (n.serial)"
        in stmts
    )
    assert (
        "CREATE INDEX rel_connected_to_key IF NOT EXISTS FOR ()-[r:CONNECTED_TO]-() ON (r.key)"
        in stmts
    )
    assert sum(s.startswith("CREATE INDEX rel_") for s in stmts) == len(REL_TYPES)
    assert sum(
        " FOR (n:CI) ON" not in s and "FOR (n:" in s and "HistoryEvent" not in s for s in stmts
    ) >= len(list(indexed_attrs()))


@pytest.mark.parametrize("bad", ["CI:Admin", "Server) DETACH DELETE n //", "Robot", "", "n`"])
def test_labels_types_and_properties_from_data_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        cypher.label(bad)
    with pytest.raises(ValueError):
        cypher.reltype(bad)
    with pytest.raises(ValueError):
        cypher.prop(bad)
    with pytest.raises(ValueError):
        cypher.find_cis(None, [bad], text=False, status=False, review=False, since=False)


def test_no_schema_attribute_collides_with_a_stored_field() -> None:
    attrs = {a.name for c in CI_CLASSES for a in c.all_attrs}
    assert not attrs & (set(cypher.CI_META_PROPS) | set(META_FIELDS))
    rel_attrs = {a.name for r in REL_TYPES for a in r.attrs}
    assert not rel_attrs & set(cypher.REL_META_PROPS)
