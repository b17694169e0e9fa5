"""Shortest paths: explain's search (both ends, indexed edge lookups) finds what Neo4j's
allShortestPaths finds, on either backend; retried batches apply once."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from n4j_support import query
from neo4j.exceptions import SessionExpired
from support import clear_neo4j, write_jsonl

from identigraph import cypher
from identigraph.api import load
from identigraph.graph.neo4j_store import Neo4jStore, read
from identigraph.graph.neo4j_store.batches import Params, params
from identigraph.graph.neo4j_store.write import _Batch
from identigraph.graph.open import open_store
from identigraph.graph.paths import MAX_HOPS, canonical_path, search_paths

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


def _as_set(paths: list[list[Any]]) -> set[tuple[Any, ...]]:
    return {tuple(paths_edge for paths_edge in p) for p in paths}


def _cypher_paths(uri: str, a: str, b: str, merging: bool) -> list[list[Any]]:
    """Every shortest a-b path by Neo4j's own allShortestPaths (the reference)."""
    if a == b:
        return []
    name = "shortest_paths_merging" if merging else "shortest_paths"
    rows = query(uri, cypher.load(name), a=a, b=b, max_paths=10_000)
    return [[read.edge(*e) for e in r["path"]] for r in rows]  # [src, dst, event_id, ...]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_all_shortest_paths_match_breadth_first(neo4j_uri: str, tmp_path: Path,
                                                seed: int) -> None:
    """For every pair: the search over either store's edges finds the set of shortest paths
    Cypher's allShortestPaths finds, merging-only and not, and shows the same path."""
    clear_neo4j(neo4j_uri)
    src = write_jsonl(tmp_path / "dense.jsonl", _dense_events(seed))  # type: ignore[arg-type]
    emb, graph = open_store(str(tmp_path / "d.db")), Neo4jStore(neo4j_uri)
    try:
        load(emb, [src])
        load(graph, [src])
        keys = sorted(r["key"] for r in query(neo4j_uri, "MATCH (n:Identifier) RETURN n.key AS key"))
        assert len(keys) > 15
        nonempty = 0
        for a in keys:
            for b in keys:
                for merging in (True, False):
                    pe = search_paths(emb.edges_touching, a, b, merging)
                    pn = search_paths(graph.edges_touching, a, b, merging)
                    pc = _cypher_paths(neo4j_uri, a, b, merging)
                    assert not pe.bounded and not pn.bounded
                    assert _as_set(pe.paths) == _as_set(pc) == _as_set(pn.paths), (a, b, merging)
                    assert len(pe.paths) == len(pc)
                    assert canonical_path(pe.paths, a) == canonical_path(pc, a)
                    nonempty += bool(pc)
        assert nonempty > 100
    finally:
        emb.close()
        graph.close()


def test_path_queries_are_bounded_by_max_hops() -> None:
    """The hop bound written in the reference Cypher files is graph/paths.py's MAX_HOPS."""
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


_MEMBERS = ("[(n:Identifier)-[:ON]->(p) | "
            "[n.key, n.kind, n.consent, n.consent_event, n.blocked, n.bucket]]")
_ROWS = {  # every stored row of each step, as the writer sends them
    "identifiers": "MATCH (n:Identifier) WHERE NOT (n)-[:ON]->() "
                   "RETURN [n.key, n.kind, n.consent, n.consent_event, n.blocked, n.bucket, "
                   "n.buckets] AS r",
    "profiles": "MATCH (p:Profile) RETURN [p.profile_id, p.created_by, p.created_for, p.emails, "
                "p.phones, p.external_ids, p.other_ids, p.merged_ids, p.email_consent, "
                f"p.sms_consent, p.created_ts, nullIf({_MEMBERS}, [])] AS r",
    "edges": "MATCH (s)-[e:EVIDENCE]->(d) RETURN [s.key, d.key, e.event_id, e.type, e.channel, "
             "e.ts, e.rule, toInteger(e.merges), e.seq] AS r ORDER BY e.seq",
    "log": "MATCH (l:LogEntry) RETURN [l.profile_id, l.event_id, l.ts, l.action, l.identifier, "
           "l.other, l.seq] AS r ORDER BY l.seq",
}
_SHAPE = ("MATCH (n) OPTIONAL MATCH (n)-[r]->() "
          "RETURN labels(n) AS l, type(r) AS t, count(DISTINCT n) AS n, count(r) AS r "
          "ORDER BY l, t")
_PROPS = ("MATCH (n) RETURN labels(n) AS l, properties(n) AS p ORDER BY l, "
          "coalesce(n.key, n.chunk_id, toString(n.seq), n.profile_id)")


_NAMES = {  # the statements' parameters, in the order of the rows above
    "identifiers": ("key", "kind", "consent", "consent_event", "blocked", "bucket", "buckets"),
    "profiles": ("profile_id", "created_by", "created_for", "emails", "phones", "external_ids",
                 "other_ids", "merged_ids", "email_consent", "sms_consent", "created_ts"),
    "edges": ("src", "dst", "event_id", "type", "channel", "ts", "rule", "merges", "seq"),
    "log": ("profile_id", "event_id", "ts", "action", "identifier", "other", "seq"),
}


def from_rows(names: tuple[str, ...], rows: list[Any]) -> Params:
    """Row-shaped values (``[key, kind, …]``) as the columns ``names``."""
    return params(**{name: [r[i] for r in rows] for i, name in enumerate(names)})


def _batches(snapshot: dict[str, list[Any]]) -> Iterator[tuple[str, Params]]:
    """The rows read back from the store as the columnar batches the writer sends for them,
    in its step order: the identifiers on no profile, the profiles with their members (their
    edges go with the others), the edges, the log."""
    yield "identifiers", from_rows(_NAMES["identifiers"], snapshot["identifiers"])
    members: list[list[Any]] = [[] for _ in range(6)]
    member_at = [0]
    for row in snapshot["profiles"]:
        for member in row[11] or []:
            for column, value in zip(members, member, strict=True):
                column.append(value)
        member_at.append(len(members[0]))
    none: list[Any] = []
    yield "profiles", {**from_rows(_NAMES["profiles"], [r[:11] for r in snapshot["profiles"]]),
                       **params(member_at=member_at, key=members[0], kind=members[1],
                                consent=members[2], consent_event=members[3],
                                blocked=members[4], bucket=members[5],
                                edge_at=[0] * (len(snapshot["profiles"]) + 1), src=none,
                                dst=none, event_id=none, type=none, channel=none, ts=none,
                                rule=none, merges=none, seq=none)}
    for name in ("edges", "log"):
        yield name, from_rows(_NAMES[name], snapshot[name])


def _sorted_members(row: list[object]) -> list[object]:
    """A profile row with its member lists in key order (collected in no fixed order)."""
    return [sorted(v) if i >= 11 and isinstance(v, list) else v
            for i, v in enumerate(row)]


def test_a_retried_batch_takes_effect_once(neo4j_uri: str, tmp_path: Path) -> None:
    """Each step's batch, committed and then sent again (a driver retry), is undone first.

    Undo statements run in the writer's step order over every row of the store; the event
    chunks need no undo: they are MERGEd by content.
    """
    clear_neo4j(neo4j_uri)
    src = write_jsonl(tmp_path / "e.jsonl", _dense_events(5))  # type: ignore[arg-type]
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [src])
        before = query(neo4j_uri, _SHAPE)
        props = query(neo4j_uri, _PROPS)
        snapshot = {name: [r["r"] for r in query(neo4j_uri, q)] for name, q in _ROWS.items()}
        assert all(snapshot.values())
        chunks = query(neo4j_uri, "MATCH (c:EventChunk) RETURN [c.chunk_id, c.generation, "
                                  "c.part, c.rows, c.data] AS r")
        with store.driver.session() as session:
            for name, rows in _batches(snapshot):  # in the writer's step order
                batch = _Batch(cypher.load(f"write_{name}"), cypher.load(f"undo_{name}"), rows)
                batch.returned = True  # as if a first attempt had committed, then been retried
                session.execute_write(batch)
            again = _Batch(cypher.load("write_event_chunks"), None, from_rows(
                ("chunk_id", "generation", "part", "rows", "data"), [c["r"] for c in chunks]))
            again.returned = True
            session.execute_write(again)
        assert query(neo4j_uri, _SHAPE) == before
        assert query(neo4j_uri, _PROPS) == props
        after = {name: sorted(repr(_sorted_members(r["r"])) for r in query(neo4j_uri, q))
                 for name, q in _ROWS.items()}
        assert after == {name: sorted(repr(_sorted_members(r)) for r in rows)
                         for name, rows in snapshot.items()}
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
    clear_neo4j(neo4j_uri)
    store = Neo4jStore(neo4j_uri)
    try:
        rows: list[list[object]] = [[f"p{i}", f"e{i}", i, "merged", f"email:u{i}@x.io", None, i]
                                    for i in range(25)]
        batch = _FlakyBatch(cypher.load("write_log"), cypher.load("undo_log"),
                            from_rows(_NAMES["log"], rows))
        with store.driver.session() as session:
            session.execute_write(batch)
        assert batch.failed and batch.returned
        assert query(neo4j_uri, "MATCH (l:LogEntry) RETURN count(l) AS n") == [{"n": 25}]
    finally:
        store.close()
