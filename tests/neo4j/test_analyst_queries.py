"""The analyst queries of cypher/analyst/ run on a loaded store and find what they promise."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from n4j_support import query
from support import clear_neo4j

from identigraph import cypher
from identigraph.api import load
from identigraph.graph.neo4j_store import Neo4jStore

DATA = Path(__file__).parent / "data" / "parity.jsonl"
PARAMS: dict[str, dict[str, Any]] = {
    "largest_clusters": {"limit": 5},
    "blocked_links_by_rule": {},
    "profiles_with_blocked_links": {"rule": None, "limit": 10},
    "shared_identifiers": {"min_profiles": 2, "limit": 10},
    "non_merging_edges_for_email": {"email": "carol@example.com"},
    "cluster_view": {"key": "email:bob@example.com"},
    "why_not_merged": {"a": "email:carol@example.com", "b": "phone:+14155550103"},
    "identifier_events": {"email": "dave@example.com", "phone": None},
}


@pytest.fixture(scope="module")
def loaded(neo4j_uri: str) -> str:
    """The parity events in the test server."""
    clear_neo4j(neo4j_uri)
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [DATA])
    finally:
        store.close()
    return neo4j_uri


def _run(uri: str, name: str) -> list[dict[str, Any]]:
    return query(uri, cypher.load(f"analyst/{name}"), **PARAMS[name])


def test_every_analyst_query_is_covered() -> None:
    """Each shipped analyst file has parameters here, so each one is run below."""
    shipped = {p.name.removesuffix(".cypher")
               for p in resources.files("identigraph.cypher").joinpath("analyst").iterdir()
               if p.name.endswith(".cypher")}
    assert shipped == set(PARAMS)


def test_largest_clusters(loaded: str) -> None:
    """bob's profile absorbed two others: it comes first."""
    rows = _run(loaded, "largest_clusters")
    assert rows[0]["emails"] == ["bob@example.com"] and rows[0]["merged_profiles"] == 2


def test_blocked_links_by_rule(loaded: str) -> None:
    """Every non-merging rule of the data, with counts."""
    rows = {r["rule"]: r["edges"] for r in _run(loaded, "blocked_links_by_rule")}
    assert rows == {"never_merges": 2, "attach_only": 1, "limit": 2, "superseded": 3}


def test_profiles_with_blocked_links(loaded: str) -> None:
    """carol's profile has the checkout that only attaches (exception A2)."""
    rows = _run(loaded, "profiles_with_blocked_links")
    carol = next(r for r in rows if r["emails"] == ["carol@example.com"])
    assert carol["rules"] == ["attach_only"] and carol["not_merged_with"] == ["phone:+14155550103"]


def test_shared_identifiers(loaded: str) -> None:
    """ann's phone, also typed by gina, ties two profiles."""
    keys = {r["identifier"] for r in _run(loaded, "shared_identifiers")}
    assert "phone:+14155550101" in keys


def test_non_merging_edges_for_email(loaded: str) -> None:
    """The one edge of carol's that did not merge, and why."""
    (row,) = _run(loaded, "non_merging_edges_for_email")
    assert (row["other"], row["event_id"], row["rule"]) == ("phone:+14155550103", "c-001",
                                                             "attach_only")


def test_cluster_view_and_paths(loaded: str) -> None:
    """The picture queries return graph elements."""
    assert _run(loaded, "cluster_view")
    (row,) = _run(loaded, "why_not_merged")
    assert [s["rule"] for s in row["steps"]] == ["attach_only"]


def test_identifier_events(loaded: str) -> None:
    """dave's two events, oldest first."""
    assert [r["event_id"] for r in _run(loaded, "identifier_events")] == ["f-004", "c-002"]
