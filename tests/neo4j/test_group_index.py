"""The group index on Neo4j (graph/neo4j_store/groupindex.py): a delta reads the events of
the groups it touches, not the store's; show and how read an identifier's group; every
event is in the bucket its identifiers name, once; an older store is rewritten by its next
load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from n4j_support import Counting, group_index_problems, query
from support import clear_neo4j, cli_json, load_events, write_jsonl

from identigraph.api import load
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.eventindex import bucket_count
from identigraph.graph.neo4j_store.groupindex import BUCKET_ROWS

PEOPLE = 2000


def _person(i: int) -> list[dict[str, Any]]:
    """Three events of one person: an email, the email with a phone, the phone: one group."""
    email, phone = f"p{i}@example.com", f"+1415{3000000 + i:07d}"
    ts = f"2025-0{1 + i % 9}-1{i % 10}T10:00:00Z"
    return [{"event_id": f"g{i}-a", "timestamp": ts, "type": "form_submit", "email": email},
            {"event_id": f"g{i}-b", "timestamp": ts.replace("10:", "11:"), "type": "checkout",
             "email": email, "phone": phone},
            {"event_id": f"g{i}-c", "timestamp": ts.replace("10:", "12:"), "type": "sms_keyword",
             "phone": phone, "sms_consent": "subscribed"}]


BASE = [e for i in range(PEOPLE) for e in _person(i)]
DELTA = [  # one group grows, two join, one is new; one arrives late
    {"event_id": "d-1", "timestamp": "2025-12-01T10:00:00Z", "type": "checkout",
     "email": "p7@example.com", "phone": "+14155559999"},
    {"event_id": "d-2", "timestamp": "2024-01-01T10:00:00Z", "type": "form_submit",
     "email": "p100@example.com", "phone": f"+1415{3000000 + 1500:07d}"},
    {"event_id": "d-3", "timestamp": "2025-12-02T10:00:00Z", "type": "form_submit",
     "email": "new@example.com"},
]
TOUCHED = ["email:p7@example.com", "email:p100@example.com", "email:p1500@example.com",
           "email:new@example.com"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("groups")
    return (write_jsonl(folder / "base.jsonl", BASE), write_jsonl(folder / "delta.jsonl", DELTA))


@pytest.fixture(scope="module")
def embedded(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    """One embedded load of everything: the answers to compare with."""
    location = str(tmp_path_factory.mktemp("once") / "once.db")
    load_events(location, list(files))
    return location


@pytest.fixture(scope="module")
def delta_read(neo4j_uri: str, files: tuple[Path, Path]) -> Iterator[tuple[int, int]]:
    """The base, then the delta with the events it reads counted: (all of them, those
    write_delta read)."""
    clear_neo4j(neo4j_uri)
    assert not load_events(neo4j_uri, files[0]).incremental
    store = Neo4jStore(neo4j_uri)
    with pytest.MonkeyPatch.context() as patch:
        counting = Counting(store, patch)
        try:
            report = load(store, [files[1]])
        finally:
            store.close()
    assert report.incremental and report.events_added == len(DELTA)
    assert (report.replayed_events, report.replayed_groups) == (4 + 7 + 1, 3)
    yield counting.rows, counting.in_delta


def test_a_delta_reads_only_the_buckets_of_the_groups_it_touches(
        delta_read: tuple[int, int]) -> None:
    """The delta reads the touched groups' events (3 groups of 3) and the others in their
    buckets, at most three buckets' worth; the load around it, the id buckets its event
    ids hash into (is any stored already?): not the store's 6,000 events."""
    everything, in_delta = delta_read
    assert 9 <= in_delta <= 3 * (BUCKET_ROWS + 3)
    per_id_bucket = len(BASE) / bucket_count(len(BASE))
    assert everything - in_delta <= 2 * len(DELTA) * per_id_bucket
    assert everything < len(BASE) / 4


def test_the_delta_answers_as_one_load(delta_read: tuple[int, int], neo4j_uri: str, embedded: str) -> None:
    """show and how of the touched identifiers, and every profile, as one load of all."""
    for key in TOUCHED:
        for command in ("show", "how"):
            assert cli_json(command, key, store=neo4j_uri) == cli_json(command, key,
                                                                       store=embedded)
    assert cli_json("profiles", store=neo4j_uri) == cli_json("profiles", store=embedded)


def test_every_event_is_in_its_identifiers_bucket_once(delta_read: tuple[int, int],
                                                       neo4j_uri: str) -> None:
    """The buckets hold every stored event once, and each identifier's bucket holds every
    event carrying it."""
    assert group_index_problems(neo4j_uri) == []
    nodes = query(neo4j_uri, "MATCH (n:Identifier) RETURN n.bucket AS b")
    assert len(nodes) == 2 * PEOPLE + 2 and all(r["b"] is not None for r in nodes)


def test_show_and_how_read_one_bucket(delta_read: tuple[int, int], neo4j_uri: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer about one identifier reads its group's bucket, not every event."""
    from identigraph import answers

    store = Neo4jStore(neo4j_uri)
    try:
        counting = Counting(store, monkeypatch)
        answers.how(store, "email:p1234@example.com")
        answers.show(store, "phone:+14155559999")
        assert 0 < counting.rows <= 2 * (BUCKET_ROWS + 4)
    finally:
        store.close()


def test_stats_reads_the_largest_groups_from_their_buckets(
        delta_read: tuple[int, int], neo4j_uri: str, embedded: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``stats``' largest groups after the delta (the two that joined, the one that grew,
    then groups as large ordered by first event id) are one embedded load's, read from
    the five group buckets whose largest groups are largest, not from every event."""
    store = Neo4jStore(neo4j_uri)
    try:
        counting = Counting(store, monkeypatch)
        groups = store.stats()["largest_groups"]
        assert 0 < counting.rows <= 5 * (BUCKET_ROWS + len(DELTA) + 4)
    finally:
        store.close()
    assert groups == cli_json("stats", store=embedded)["largest_groups"]
    assert isinstance(groups, list)
    assert [g["events"] for g in groups] == [7, 4, 3, 3, 3]  # ties of 3: by first event id


def test_a_store_without_the_group_index_is_rewritten_by_its_next_load(
        neo4j_uri: str, files: tuple[Path, Path], embedded: str) -> None:
    """A store of schema version 3 (no group buckets, no Identifier.bucket) answers from
    its chunks; its next load rewrites it whole, with the index, and the one after is a
    delta again."""
    clear_neo4j(neo4j_uri)
    load_events(neo4j_uri, files[0])
    query(neo4j_uri, "MATCH (g:GroupBucket) DELETE g")
    query(neo4j_uri, "MATCH (n:Identifier) REMOVE n.bucket")
    query(neo4j_uri, "MATCH (m:Meta) SET m.schema_version = '3' REMOVE m.grouped, m.next_bucket")
    key = "email:p7@example.com"
    assert cli_json("how", key, store=neo4j_uri)["steps"]
    first = load_events(neo4j_uri, files[1])
    assert not first.incremental and first.replayed_events == len(BASE) + len(DELTA)
    assert cli_json("how", key, store=neo4j_uri) == cli_json("how", key, store=embedded)
    assert query(neo4j_uri, "MATCH (g:GroupBucket) RETURN sum(g.rows) AS n") == [
        {"n": len(BASE) + len(DELTA)}]
    late = write_jsonl(files[1].parent / "late.jsonl", [
        {"event_id": "d-4", "timestamp": "2025-12-03T10:00:00Z", "type": "form_submit",
         "email": "p8@example.com"}])
    assert load_events(neo4j_uri, late).incremental
