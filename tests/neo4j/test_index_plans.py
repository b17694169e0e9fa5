"""Every lookup an answer makes on Neo4j is an index seek, not a scan (issue 12): identifier
-> profile, profile -> its members, identifier -> edges, profile id (current, or merged via
the log) -> profile, event id -> event (the id buckets), identifier -> its group's events
(the group buckets: show, how, a delta); checked in the real server's plans.
An event is found by id after a first load and a delta, and in a store whose loads have no
buckets (read from its chunks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from n4j_support import query, synthetic_events
from neo4j import GraphDatabase
from support import write_jsonl

from identigraph import cypher
from identigraph.api import load
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.eventindex import probes
from identigraph.graph.neo4j_store.store import SCHEMA_VERSION

SEEKS = {"NodeIndexSeek", "NodeUniqueIndexSeek", "MultiNodeIndexSeek",
         "NodeIndexSeekByRange", "NodeUniqueIndexSeekByRange"}
SCANS = {"AllNodesScan", "NodeByLabelScan", "NodeIndexScan", "DirectedRelationshipTypeScan",
         "UndirectedRelationshipTypeScan"}


@pytest.fixture(scope="module")
def loaded(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store of 3,000 events, then a 300-event delta (two loads, two bucket sets)."""
    from support import clear_neo4j

    clear_neo4j(neo4j_uri)
    events = synthetic_events(3300, seed=5)
    folder = tmp_path_factory.mktemp("plans")
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [write_jsonl(folder / "first.jsonl", events[:3000])])
        load(store, [write_jsonl(folder / "delta.jsonl", events[3000:])])
    finally:
        store.close()
    yield neo4j_uri


def _operators(plan: Any) -> set[str]:
    found = {str(plan["operatorType"]).split("@")[0]}
    for child in plan.get("children", []):
        found |= _operators(child)
    return found


def _plan(uri: str, name: str, **params: Any) -> set[str]:
    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver, \
            driver.session() as session:
        summary = session.run("EXPLAIN " + cypher.load(name), params).consume()
        assert summary.plan is not None
        return _operators(summary.plan)


def _one(uri: str, text: str) -> Any:
    return query(uri, text)[0]["v"]


def test_every_lookup_is_an_index_seek(loaded: str) -> None:
    """The plan of each lookup statement seeks an index and scans no label or type."""
    key = _one(loaded, "MATCH (n:Identifier)-[:EVIDENCE]-() RETURN n.key AS v LIMIT 1")
    pid = _one(loaded, "MATCH (p:Profile) RETURN p.profile_id AS v LIMIT 1")
    eid = "s000042"
    sets = {int(r["g"]): int(r["n"]) for r in query(
        loaded, "MATCH (s:EventBuckets) RETURN s.generation AS g, s.buckets AS n")}
    assert len(sets) == 2  # the first load's and the delta's
    lookups = {
        "identifier": {"key": key},  # identifier -> profile
        "profile": {"profile_id": pid},  # profile -> members (its identifier lists)
        "edges_touching": {"keys": [key]},  # identifier -> edges
        "log": {"profile_ids": [pid]},  # a merged profile id -> the one it merged into
        "event_buckets": probes(sets, eid),  # event id -> event
        "events_of_keys": {"keys": [key]},  # identifier -> its group's events (show, how)
    }
    for name, params in lookups.items():
        ops = _plan(loaded, name, **params)
        assert ops & SEEKS, (name, ops)
        assert not ops & SCANS, (name, ops)


def test_stats_finds_the_largest_groups_in_index_order(loaded: str) -> None:
    """``stats``' largest groups: the group buckets read in the order of the index on their
    largest group, as far as the top few need (a partial top), never by label scan."""
    ops = _plan(loaded, "largest_group_buckets", top=5, schema_version=SCHEMA_VERSION)
    assert {"NodeIndexScan", "PartialTop"} <= ops, ops
    assert "NodeByLabelScan" not in ops, ops


def test_events_are_found_by_id_after_a_delta(loaded: str) -> None:
    """Events of both loads are found through the buckets; an unknown id is None."""
    store = Neo4jStore(loaded)
    try:
        for eid in ("s000000", "s001234", "s002999", "s003000", "s003299"):
            found = store.event(eid)
            assert found is not None and found.event_id == eid
        assert store.event("s009999") is None
        assert store._buckets() is not None  # answered by the buckets, not the chunks
    finally:
        store.close()


def test_a_load_without_buckets_is_read_from_its_chunks(neo4j_uri: str,
                                                        tmp_path: Path) -> None:
    """A store whose load left no bucket set (written before buckets, or cut short) still
    finds every event, by reading the chunks."""
    from support import clear_neo4j

    clear_neo4j(neo4j_uri)
    events = synthetic_events(400, seed=9)
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [write_jsonl(tmp_path / "e.jsonl", events)])
    finally:
        store.close()
    query(neo4j_uri, "MATCH (s:EventBuckets) DELETE s")
    store = Neo4jStore(neo4j_uri)
    try:
        assert store._buckets() is None
        found = store.event("s000123")
        assert found is not None and found.event_id == "s000123"
    finally:
        store.close()
