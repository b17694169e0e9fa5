"""Vendor ids in queries and answers, on both backends: ``klaviyo_id:…`` finds its profile,
JSON lists it under ``identifiers`` (not ``external_ids``), events and explain name it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import clear_neo4j, cli, cli_json, write_jsonl

import identigraph
from identigraph.handle import IdentityGraph
from identigraph.rules.registry import load_ruleset

EVENTS = [
    {"event_id": "k1", "timestamp": "2026-01-02T10:00:00Z", "type": "import",
     "email": "ann@example.com", "klaviyo_id": "01HQANN"},
    {"event_id": "s1", "timestamp": "2026-01-03T10:00:00Z", "type": "import",
     "email": "ann@example.com", "shopify_customer_id": "'7001"},
    {"event_id": "k2", "timestamp": "2026-01-04T10:00:00Z", "type": "import",
     "klaviyo_id": "01HQBOB"},
]


@pytest.fixture(scope="module",
                params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[IdentityGraph]:
    """Canonical events with vendor ids (klaviyo-sms declares their namespaces)."""
    folder = tmp_path_factory.mktemp("vendor")
    if request.param == "embedded":
        location = str(folder / "v.db")
    else:
        location = str(request.getfixturevalue("neo4j_uri"))
        clear_neo4j(location)
    with identigraph.open(location) as g:
        report = g.load(write_jsonl(folder / "v.jsonl", EVENTS))
        assert report.events_added == len(EVENTS), report.problems
        yield g


def test_vendor_ids_in_every_answer(graph: IdentityGraph, tmp_path: Path) -> None:
    store = graph.location
    ann = graph.show("klaviyo_id:01HQANN")
    assert ann.known and ann.profile is not None
    assert sorted(ann.profile.other_ids) == ["klaviyo_id:01HQANN", "shopify_customer_id:7001"]
    assert graph.show("shopify_customer_id: 7001").profile == ann.profile
    assert ann.profile.external_ids == [] and ann.profile.emails == ["ann@example.com"]
    row = next(p for p in cli_json("profiles", store=store)
               if p["profile_id"] == ann.profile.profile_id)
    assert {(i["kind"], i["value"]) for i in row["identifiers"]} == {
        ("email", "ann@example.com"), ("klaviyo_id", "01HQANN"),
        ("shopify_customer_id", "7001")}
    assert row["external_ids"] == []
    held = cli_json("profiles", "--kind", "klaviyo_id", store=store)
    assert sorted(p["profile_id"] for p in held) == sorted(
        p.profile_id for p in graph.profiles() if any(
            k.startswith("klaviyo_id:") for k in p.other_ids))
    assert len(held) == 2 and graph.profiles(kind="shopify_customer_id") == [ann.profile]
    fax = cli("profiles", "--kind", "fax_id", store=store)
    assert fax.returncode == 2 and "klaviyo_id" in fax.stderr  # names the declared kinds
    text = cli("profiles", store=store).stdout
    assert "klaviyo_id:01HQANN" in text and "shopify_customer_id:7001" in text
    why = graph.explain("klaviyo_id:01HQANN", "shopify_customer_id:7001")
    assert why.same_profile
    path = why.as_json()["path"]
    assert all((e["from_kind"], e["to_kind"]) == (e["from"].split(":")[0], e["to"].split(":")[0])
               for e in path)
    assert {k for e in path for k in (e["from_kind"], e["to_kind"])} == {
        "klaviyo_id", "email", "shopify_customer_id"}  # through ann's email: k1, then s1
    event = graph.show("event:k1")
    assert event.event is not None and set(event.event.identifiers) == {
        "email:ann@example.com", "klaviyo_id:01HQANN"}
    assert graph.how("klaviyo_id:01HQANN").known
    bob = graph.show("klaviyo_id:01HQBOB")
    assert bob.known and bob.profile is not None and bob.profile.other_ids == [
        "klaviyo_id:01HQBOB"]
    out = tmp_path / "ann.json"
    assert cli("viz", "klaviyo_id:01HQANN", "-o", str(out), store=store).returncode == 0
    nodes = {n["id"]: n for n in json.loads(out.read_text())["nodes"]}
    assert nodes["klaviyo_id:01HQANN"]["kind"] == "klaviyo_id"
    assert cli_json("show", "klaviyo_id:01HQANN", store=store) == ann.as_json()


def test_a_prefix_that_is_no_declared_kind_says_so(graph: IdentityGraph, tmp_path: Path) -> None:
    """``klaviyo_idd:01HQANN`` (a typo) reads as an external id, which is not in the store:
    every answer says the prefix is no declared kind and names the declared ones (command
    line exit 2, the API's unknown answers); a declared prefix's unknown value does not."""
    declared = load_ruleset(None).kind_names()
    said = "klaviyo_idd is not a declared identifier kind"
    for command in (["show"], ["how"], ["viz", "-o", str(tmp_path / "x.json")]):
        out = cli(*command[:1], "klaviyo_idd:01HQANN", *command[1:], store=graph.location)
        assert out.returncode == 2 and said in out.stderr, out.stderr
        assert all(k in out.stderr for k in declared) and len(out.stderr.splitlines()) == 1
        assert "external_id:klaviyo_idd:01HQANN is not in the store" in out.stderr
    shown, told = graph.show("klaviyo_idd:01HQANN"), graph.how("KLAVIYO_IDD:01HQANN")
    assert not shown.known and not told.known
    assert said in shown.summary and said in told.summary
    assert said in graph.explain("klaviyo_idd:01HQANN", "ann@example.com").summary
    for typed in ("klaviyo_id:01HQNOBODY", "external_id:klaviyo_id:01HQANN", "gid://shop/9"):
        missing = graph.show(typed)
        assert not missing.known and missing.summary == f"{missing.identifier} is not in the store"
