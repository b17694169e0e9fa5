"""The same events in the embedded store and in Neo4j give identical answers."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from support import clear_neo4j, cli_json

from identigraph.api import load
from identigraph.graph.open import open_store

DATA = Path(__file__).parent / "data" / "parity.jsonl"
IDENTIFIERS = [
    "ann@example.com", "+14155550101", "external_id:C-1001", "bob@example.com",
    "+14155550102", "external_id:C-2002", "carol@example.com", "+1 (415) 555-0103",
    "dave@example.com", "+14155550104", "+14155550105", "erin@example.com", "+14155550106",
    "frank@example.com", "+14155550107", "gina@example.com", "hal@example.com",
    "ivy@example.com", "+447911123457", "+447911123458", "external_id:C-3003",
    "jo@example.com", "+14155550108", "+14155550109", "kim@example.com",
    "nobody@example.com",
]


def _load(location: str, *files: Path) -> None:
    store = open_store(location)
    try:
        for f in files:
            load(store, [f])
    finally:
        store.close()


@pytest.fixture(scope="module")
def stores(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(embedded file, Neo4j URI), both loaded with the parity events."""
    db = str(tmp_path_factory.mktemp("parity") / "parity.db")
    clear_neo4j(neo4j_uri)
    _load(db, DATA)
    _load(neo4j_uri, DATA)
    return db, neo4j_uri


def test_profiles_identical(stores: tuple[str, str]) -> None:
    """``profiles --json``: same profiles, ids, identifiers and consent, same order."""
    embedded, graph = (cli_json("profiles", store=s) for s in stores)
    assert len(embedded) > 1  # the parity events are several people
    assert embedded == graph


def test_explain_identical_for_every_pair(stores: tuple[str, str]) -> None:
    """``explain --json`` for every pair, covering each reason and edge rule."""
    reasons, rules = set(), set()
    for a, b in combinations(IDENTIFIERS, 2):
        embedded, graph = (cli_json("explain", a, b, store=s) for s in stores)
        assert embedded == graph, (a, b)
        reasons.add(embedded["reason"])
        rules |= {e["rule"] for e in embedded["path"]}
    assert reasons == {"same_profile", "blocked", "no_evidence", "unknown_identifier"}
    assert rules >= {"merge", "attach", "never_merges", "attach_only", "limit", "superseded"}


def test_how_and_show_identical(stores: tuple[str, str]) -> None:
    """``how --json`` and ``show --json`` for every known identifier."""
    for x in IDENTIFIERS[:-1]:
        assert cli_json("how", x, store=stores[0]) == cli_json("how", x, store=stores[1]), x
        assert cli_json("show", x, store=stores[0]) == cli_json("show", x, store=stores[1]), x


def test_stats_identical_but_for_the_backend(stores: tuple[str, str]) -> None:
    """``stats --json``: the same counts and keys."""
    embedded, graph = (cli_json("stats", store=s) for s in stores)
    assert graph.pop("backend") == "neo4j" and embedded.pop("backend") == "embedded"
    assert graph.pop("store") == stores[1]
    embedded.pop("store")
    assert embedded == graph


def test_loads_in_parts_and_late_events_match(stores: tuple[str, str], neo4j_uri: str,
                                              tmp_path: Path) -> None:
    """Loading the events in two late-first parts, then again, ends where one load does."""
    lines = DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    late, early = tmp_path / "late.jsonl", tmp_path / "early.jsonl"
    late.write_text("".join(lines[12:]), encoding="utf-8")
    early.write_text("".join(lines[:12]), encoding="utf-8")
    expected = {c: cli_json(c, store=stores[0]) for c in ("profiles",)}
    expected_how = cli_json("how", "dave@example.com", store=stores[0])
    clear_neo4j(neo4j_uri)
    try:
        _load(neo4j_uri, late, early, DATA)
        assert cli_json("profiles", store=neo4j_uri) == expected["profiles"]
        assert cli_json("how", "dave@example.com", store=neo4j_uri) == expected_how
        assert (cli_json("stats", store=neo4j_uri)["events"]
                == cli_json("stats", store=stores[0])["events"])  # one load of DATA
    finally:
        clear_neo4j(neo4j_uri)
        _load(neo4j_uri, DATA)  # leave the module's store as the fixture made it


def test_events_replay_round_trip(stores: tuple[str, str]) -> None:
    """``events()`` gives back exactly the stored canonical events."""
    embedded, graph = open_store(stores[0]), open_store(stores[1])
    try:
        rows_e = sorted(embedded.events().table.to_pylist(), key=lambda r: str(r["event_id"]))
        rows_g = sorted(graph.events().table.to_pylist(), key=lambda r: str(r["event_id"]))
        assert rows_e == rows_g
        assert sorted(embedded.event_ids().to_pylist()) == sorted(graph.event_ids().to_pylist())
        assert embedded.stored_ruleset() == graph.stored_ruleset()
        attrs = rows_g[0]["attributes"]
        assert json.loads(attrs or "null") is None or attrs
    finally:
        embedded.close()
        graph.close()
