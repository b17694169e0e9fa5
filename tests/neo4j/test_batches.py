"""The Neo4j store's batches: every identifier and edge written once, whatever the batch
size; a store written in tiny batches is the same."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from n4j_support import query, synthetic_events
from support import clear_neo4j, write_jsonl

from identigraph.api import load
from identigraph.engine.state import StateRows
from identigraph.events import EventTable
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.batches import StateBatches
from identigraph.graph.store import StateLike, materialise
from identigraph.rules.model import RuleSet

EVENTS = synthetic_events(1200, seed=9)


class _Capture:
    """A store that only keeps the state a load hands it."""

    location = "capture"
    state: StateRows | None = None

    def stored_ruleset(self) -> RuleSet | None:
        return None

    def event_ids(self) -> pa.Array:
        return pa.array([], pa.string())

    def has_events(self) -> bool:
        return False

    def unfinished(self) -> bool:
        return False

    def write(self, ruleset: RuleSet, new_events: EventTable, state: StateLike) -> None:
        self.state = materialise(state)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> StateRows:
    src = write_jsonl(tmp_path_factory.mktemp("batches") / "e.jsonl", EVENTS)
    store = _Capture()
    load(store, [src])  # type: ignore[arg-type]
    assert store.state is not None
    return store.state


@pytest.mark.parametrize("batch_size", [1, 3, 50, 2000])
def test_every_identifier_and_edge_goes_once(state: StateRows, batch_size: int) -> None:
    """Across the batches: each identifier once (on its profile, or loose), each edge once:
    with its profile (ends by position among its members) or later, ends by key."""
    tables = state.tables()
    ident = {r["key"]: r for r in tables["identifiers"].to_pylist()}
    edges = tables["edges"].to_pylist()
    profile_ids: list[str] = []
    keys: list[str] = []
    seqs: list[int] = []
    batches = StateBatches(state, batch_size)
    for batch in batches.loose():
        assert len(batch["key"]) <= batch_size
        keys += batch["key"]
        assert all(ident[k]["profile_id"] is None and ident[k]["kind"] == kind
                   for k, kind in zip(batch["key"], batch["kind"], strict=True))
    for batch in batches.profiles():
        assert len(batch["profile_id"]) <= batch_size
        profile_ids += batch["profile_id"]
        keys += batch["key"]
        at = batch["member_at"]
        for i, pid in enumerate(batch["profile_id"]):
            mine = batch["key"][at[i]:at[i + 1]]
            for key, kind in zip(mine, batch["kind"][at[i]:at[i + 1]], strict=True):
                assert (ident[key]["profile_id"], ident[key]["kind"]) == (pid, kind)
            for e in range(batch["edge_at"][i], batch["edge_at"][i + 1]):
                seq = batch["seq"][e]
                assert (mine[batch["src"][e]], mine[batch["dst"][e]]) == (
                    edges[seq]["src"], edges[seq]["dst"])
                seqs.append(seq)
    inner = len(seqs)
    for batch in batches.edges():
        for src, dst, seq in zip(batch["src"], batch["dst"], batch["seq"], strict=True):
            assert (src, dst) == (edges[seq]["src"], edges[seq]["dst"])
            seqs.append(seq)
    assert Counter(profile_ids) == Counter(tables["profiles"].column("profile_id").to_pylist())
    assert Counter(keys) == Counter(ident.keys())
    assert sorted(seqs) == list(range(len(edges)))
    assert 0 < inner < len(seqs)  # edges of both kinds were there


_DUMP = {  # the whole derived graph, in a form that does not depend on write order
    "identifiers": "MATCH (n:Identifier) RETURN labels(n) AS l, properties(n) AS p, "
                   "[(n)-[:ON]->(q) | q.profile_id] AS on ORDER BY n.key",
    "profiles": "MATCH (p:Profile) RETURN properties(p) AS p ORDER BY p.profile_id",
    "edges": "MATCH (s)-[e:EVIDENCE]->(d) RETURN s.key AS s, d.key AS d, properties(e) AS p "
             "ORDER BY e.seq",
    "log": "MATCH (l:LogEntry) RETURN properties(l) AS p ORDER BY l.seq",
}


def _dump(uri: str) -> dict[str, list[dict[str, Any]]]:
    return {name: query(uri, text) for name, text in _DUMP.items()}


def test_tiny_batches_store_the_same_graph(neo4j_uri: str, tmp_path: Path) -> None:
    """Batches of 3 and of 2,000 store the same graph."""
    src = write_jsonl(tmp_path / "e.jsonl", random.Random(3).sample(EVENTS, 600))
    dumps = []
    for batch_size in (3, 2000):
        clear_neo4j(neo4j_uri)
        store = Neo4jStore(neo4j_uri, batch_size=batch_size)
        try:
            load(store, [src])
        finally:
            store.close()
        dumps.append(_dump(neo4j_uri))
    assert len(dumps[0]["edges"]) > 100
    assert dumps[0] == dumps[1]
