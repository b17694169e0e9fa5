"""Shortest paths agree with the embedded store's search; retried batches apply once."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from n4j_support import clear, query, write_jsonl
from neo4j.exceptions import SessionExpired

from identigraph import cypher
from identigraph.api import load
from identigraph.graph.embedded.sqlite import SqliteStore
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.write import _Batch
from identigraph.graph.paths import canonical_path
from identigraph.graph.store import MAX_HOPS

TYPES = ["form_submit", "checkout", "sms_keyword", "import", "click_to_text"]


def _dense_events(seed: int) -> list[dict[str, object]]:
    """Few identifiers, many events: parallel edges, cycles, every decision."""
    rng = random.Random(seed)
    events = []
    for i in range(80):
        ev: dict[str, object] = {"event_id": f"d{i:03d}", "type": rng.choice(TYPES),
                                 "timestamp": f"2025-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z"}
        if rng.random() < 0.8:
            ev["email"] = f"u{rng.randrange(9)}@example.com"
        if rng.random() < 0.7 or "email" not in ev:
            ev["phone"] = f"+1415555{200 + rng.randrange(9):04d}"
        if rng.random() < 0.2:
            ev["external_id"] = f"x{rng.randrange(4)}"
        events.append(ev)
    return events


def _as_set(paths: list[list[object]]) -> set[tuple[object, ...]]:
    return {tuple(paths_edge for paths_edge in p) for p in paths}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_all_shortest_paths_match_breadth_first(neo4j_uri: str, tmp_path: Path,
                                                seed: int) -> None:
    """For every pair: the same set of shortest paths, merging-only and not, and path shown."""
    clear(neo4j_uri)
    src = write_jsonl(tmp_path / "dense.jsonl", _dense_events(seed))  # type: ignore[arg-type]
    emb, graph = SqliteStore(tmp_path / "d.db"), Neo4jStore(neo4j_uri)
    try:
        load(emb, [src])
        load(graph, [src])
        keys = sorted(r["key"] for r in query(neo4j_uri, "MATCH (n:Identifier) RETURN n.key AS key"))
        assert len(keys) > 15
        nonempty = 0
        for a in keys:
            for b in keys:
                for merging in (True, False):
                    pe, pg = emb.shortest_paths(a, b, merging), graph.shortest_paths(a, b, merging)
                    assert _as_set(pe) == _as_set(pg), (a, b, merging)
                    assert len(pe) == len(pg)
                    assert canonical_path(pe, a) == canonical_path(pg, a)
                    nonempty += bool(pe)
        assert nonempty > 100
    finally:
        emb.close()
        graph.close()


def test_path_queries_are_bounded_by_max_hops() -> None:
    """The hop bound written in the Cypher files is graph/store.py's MAX_HOPS."""
    for name in ("shortest_paths", "shortest_paths_merging"):
        bounds = re.findall(r"\*\.\.(\d+)", cypher.load(name))
        assert bounds == [str(MAX_HOPS)], name


def test_cypher_names_are_checked() -> None:
    """Only names of shipped files load."""
    assert "allShortestPaths" in cypher.load("shortest_paths")
    assert cypher.load("analyst/largest_clusters").strip()
    for bad in ("../pyproject", "nope", "analyst/", ""):
        with pytest.raises(ValueError):
            cypher.load(bad)


_ROWS = {  # every stored row of each step, as the writer sends them
    "profiles": "MATCH (p:Profile) RETURN [p.profile_id, p.created_by, p.created_for, p.emails, "
                "p.phones, p.external_ids, p.merged_ids, p.email_consent, p.sms_consent, "
                "p.created_ts] AS r",
    "identifiers": "MATCH (n:Identifier) RETURN [n.key, n.kind, n.value, n.profile_id, "
                   "toInteger(n.blocked), n.consent, n.consent_event] AS r",
    "edges": "MATCH (s)-[e:EVIDENCE]->(d) RETURN [s.key, d.key, e.event_id, e.type, e.channel, "
             "e.ts, e.rule, toInteger(e.merges), e.seq] AS r ORDER BY e.seq",
    "log": "MATCH (l:LogEntry) RETURN [l.profile_id, l.event_id, l.ts, l.action, l.identifier, "
           "l.other, l.seq] AS r ORDER BY l.seq",
    "events": "MATCH (e:Event) RETURN [e.event_id, e.ts, e.type, e.channel, e.source, e.email, "
              "e.phone, e.external_id, e.country, e.email_consent, e.sms_consent, "
              "e.attributes] AS r",
}
_SHAPE = ("MATCH (n) OPTIONAL MATCH (n)-[r]->() WITH labels(n) AS l, n, r "
          "RETURN l, count(DISTINCT n) AS n, count(r) AS r, collect(DISTINCT type(r)) AS t "
          "ORDER BY l")


def test_a_retried_batch_takes_effect_once(neo4j_uri: str, tmp_path: Path) -> None:
    """Each step's batch, committed and then sent again (a driver retry), is undone first.

    Undo statements run in the writer's step order over every row of the store.
    """
    clear(neo4j_uri)
    src = write_jsonl(tmp_path / "e.jsonl", _dense_events(5))  # type: ignore[arg-type]
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [src])
        before = query(neo4j_uri, _SHAPE)
        snapshot = {name: [r["r"] for r in query(neo4j_uri, q)] for name, q in _ROWS.items()}
        with store.driver.session() as session:
            for name, rows in snapshot.items():  # in the writer's step order
                batch = _Batch(cypher.load(f"write_{name}"), cypher.load(f"undo_{name}"), rows)
                batch.returned = True  # as if a first attempt had committed, then been retried
                session.execute_write(batch)
        assert query(neo4j_uri, _SHAPE) == before
        after = {name: sorted(repr(r["r"]) for r in query(neo4j_uri, q))
                 for name, q in _ROWS.items()}
        assert after == {name: sorted(map(repr, rows)) for name, rows in snapshot.items()}
    finally:
        store.close()


class _FlakyBatch(_Batch):
    """Fails once after writing, before the commit (the driver rolls back and retries)."""

    failed = False

    def __call__(self, tx: Any) -> None:
        super().__call__(tx)
        if not self.failed:
            self.failed = True
            raise SessionExpired("connection dropped (injected)")


def test_a_batch_retried_by_the_driver_is_written_once(neo4j_uri: str) -> None:
    """A real retry through ``execute_write``: rolled back, written again, no undo needed."""
    clear(neo4j_uri)
    store = Neo4jStore(neo4j_uri)
    try:
        rows: list[list[object]] = [[f"e{i}", i, "form_submit", "web", None, f"u{i}@x.io", None,
                                     None, None, None, None, None] for i in range(25)]
        batch = _FlakyBatch(cypher.load("write_events"), cypher.load("undo_events"), rows)
        with store.driver.session() as session:
            session.execute_write(batch)
        assert batch.failed and batch.returned
        assert query(neo4j_uri, "MATCH (e:Event) RETURN count(e) AS n") == [{"n": 25}]
    finally:
        store.close()
