"""What a query may name, on both backends: an identifier of any declared namespace
(normalised like input), a profile id (current or merged away) and ``event:ID``, in show,
explain, how and viz, through the command line and the Python API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import clear_neo4j, cli, cli_json, example_files, write_jsonl

import identigraph
from identigraph.handle import IdentityGraph, InvalidIdentifier


@pytest.fixture(scope="module",
                params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[IdentityGraph]:
    """The example data in a store of each backend."""
    if request.param == "embedded":
        location = str(tmp_path_factory.mktemp("targets") / "t.db")
    else:
        location = str(request.getfixturevalue("neo4j_uri"))
        clear_neo4j(location)
    with identigraph.open(location) as g:
        g.load(example_files())
        yield g


def _merged(graph: IdentityGraph) -> tuple[str, str]:
    """A profile that took another in, and the id of the one it took in."""
    p = next(p for p in graph.profiles() if p.merged_ids)
    return p.profile_id, p.merged_ids[0]


def test_profile_ids_current_and_merged(graph: IdentityGraph) -> None:
    """A profile id shows that profile; a merged-away id says which profile it became."""
    current, gone = _merged(graph)
    now = graph.show(current)
    assert (now.known, now.target, now.merged_into) == (True, "profile", None)
    assert now.profile is not None and now.profile.profile_id == current
    was = graph.show(gone)
    assert was.known and was.merged_into == current and was.profile == now.profile
    assert f"{gone} was merged into {current}" in was.summary
    assert graph.show(f"profile:{gone}").as_json() == was.as_json()
    store = graph.location
    assert cli_json("show", gone, store=store) == was.as_json()
    text = cli("show", gone, store=store)
    assert text.returncode == 0 and f"now profile {current}" in text.stdout
    how = graph.how(gone)
    assert how.known and how.profile_id == current and current in how.summary
    assert cli_json("how", gone, store=store) == how.as_json()
    same = graph.explain(gone, now.profile.identifier_keys()[-1])
    assert same.same_profile and same.reason == "same_profile"
    unknown = graph.show("p_0000000000000000")
    assert (unknown.known, unknown.target) == (False, "profile")
    out = cli("show", "p_0000000000000000", store=store)
    assert out.returncode == 2 and "p_0000000000000000 is not in the store" in out.stderr


def test_events_and_their_decisions(graph: IdentityGraph, tmp_path: Path) -> None:
    """``event:ID``: the event, what it carried and each edge's decision, in every query."""
    profile = next(p for p in graph.profiles() if p.merged_ids)
    event_id = profile.created_by
    assert event_id is not None
    shown = graph.show(f"event:{event_id}")
    assert shown.known and shown.target == "event" and shown.event is not None
    ev = shown.event
    assert ev.event.event_id == event_id and ev.identifiers
    stored = graph.how(ev.identifiers[0])  # the edges this event made, as a timeline sees them
    made = {(s.identifiers[0], s.identifiers[1], s.rule) for s in stored.steps
            if s.event_id == event_id and s.rule is not None}
    assert {(d.edge.from_, d.edge.to, d.edge.rule) for d in ev.edges} >= made
    assert all(d.sentence for d in ev.edges)
    store = graph.location
    assert cli_json("show", f"event:{event_id}", store=store) == shown.as_json()
    how = graph.how(f"event:{event_id}")
    assert how.known and [(s.event_id, s.rule) for s in how.steps] == [
        (event_id, d.edge.rule) for d in ev.edges]
    assert cli_json("how", f"EVENT:{event_id}", store=store) == how.as_json()
    out = tmp_path / "event.json"
    drawn = cli("viz", f"event:{event_id}", "-o", str(out), store=store)
    assert drawn.returncode == 0, drawn.stderr
    cluster = json.loads(out.read_text())
    lit = [cluster["edges"][i] for i in cluster["highlight"]["edges"]]
    assert lit and {e["event_id"] for e in lit} == {event_id}
    assert {n["id"] for n in cluster["nodes"]} >= set(ev.identifiers)
    missing = graph.show("event:no-such-event")
    assert (missing.known, missing.identifier) == (False, "event:no-such-event")
    assert not graph.how("event:no-such-event").known
    assert graph.explain("event:no-such-event", ev.identifiers[0]).reason == "unknown_identifier"


def test_malformed_is_a_one_line_error(graph: IdentityGraph) -> None:
    """Text that names nothing: InvalidIdentifier in the API, exit 2 and one line in the CLI."""
    for bad in ("event:", "profile:  ", "phone:12", "email:not-an-email"):
        with pytest.raises(InvalidIdentifier):
            graph.show(bad)
        for command in (["show", bad], ["how", bad], ["explain", bad, "x@example.com"],
                        ["viz", bad, "-o", "x.json"]):
            out = cli(*command, store=graph.location)
            assert out.returncode == 2 and out.stderr.count("\n") == 1, (command, out.stderr)


def test_declared_namespaces_are_normalised_like_input(tmp_path: Path) -> None:
    """A namespace the store's rule set declares is a query prefix, its value normalised
    by the declared normaliser; the same prefix on a store that does not declare it is part
    of an external id."""
    declared, plain = tmp_path / "vendor.yaml", tmp_path / "plain.yaml"
    seed = ("identifiers:\n  - {name: external_id}\n  - {name: email, normaliser: email}\n"
            "  - {name: phone, normaliser: phone}\n")
    declared.write_text("extends: klaviyo-sms\nname: vendor\n" + seed
                        + "  - {name: klaviyo_id, normaliser: lower}\n"
                        "strength: [external_id, email, phone, klaviyo_id]\n")
    plain.write_text("extends: klaviyo-sms\nname: plain\n" + seed
                     + "strength: [external_id, email, phone]\n")
    events = write_jsonl(tmp_path / "e.jsonl", [
        {"event_id": "e1", "timestamp": "2026-01-02T10:00:00Z", "type": "form_submit",
         "email": "ann@example.com"}])
    with identigraph.open(tmp_path / "vendor.db") as g:
        g.load(events, ruleset=str(declared))
        assert g.key(" Klaviyo_ID: 01HABC ") == "klaviyo_id:01habc"
        shown = g.show("klaviyo_id:01HABC")
        assert (shown.known, shown.identifier) == (False, "klaviyo_id:01habc")
        for bad in ("klaviyo_id:   ", "klaviyo_id: 7.21045E+12"):  # checked as a load checks
            with pytest.raises(InvalidIdentifier, match="not a valid klaviyo_id"):
                g.show(bad)
    out = cli("show", "klaviyo_id:", store=str(tmp_path / "vendor.db"))
    assert out.returncode == 2 and "klaviyo_id" in out.stderr
    with identigraph.open(tmp_path / "plain.db") as g:
        g.load(events, ruleset=str(plain))
        assert g.key("klaviyo_id:01HABC") == "external_id:klaviyo_id:01HABC"
