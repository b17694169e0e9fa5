"""The Python API, ``identigraph.open``: what a script or notebook sees on the example data."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import cli, cli_json, example_files, example_outcome

import identigraph
from identigraph.errors import NotFoundError, UsageError
from identigraph.handle import IdentityGraph, InvalidIdentifier
from identigraph.loaders.report import LoadReport


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityGraph]:
    """The example data loaded through the API; kept open for the module's questions."""
    with identigraph.open(tmp_path_factory.mktemp("api") / "demo.db") as g:
        report = g.load(example_files())
        assert report.events_added == example_outcome().events
        yield g


def test_plain_strings_in_any_cli_form(graph: IdentityGraph) -> None:
    """Identifiers as typed: a formatted phone and a mixed-case email find the same profile,
    and ``explain`` on plain strings answers what the command line answers."""
    assert graph.key("+1 (415) 555-0134") == graph.key("phone:4155550134") == "phone:+14155550134"
    merged = graph.explain("Maria.Lopez@Example.com", "(415) 555-0134")
    assert (merged.same_profile, merged.reason) == (True, "same_profile") and merged.path
    apart = graph.explain("sam.okafor@example.com", "+1 212 555 0147")
    assert (apart.same_profile, apart.reason) == (False, "blocked")
    assert [(e.event_id, e.rule, e.why) for e in apart.blocked] == [
        ("c-sam-1", "attach_only", apart.blocked[0].why)] and "never joins" in apart.blocked[0].why
    store = str(graph.location)
    assert cli_json("explain", "Maria.Lopez@Example.com", "(415) 555-0134",
                    store=store) == merged.as_json()


def test_unknown_is_an_answer_malformed_is_an_error(graph: IdentityGraph) -> None:
    """An identifier not in the store: an answer; text that is no identifier: an exception."""
    x = graph.explain("nobody@example.com", "maria.lopez@example.com")
    assert (x.reason, x.unknown) == ("unknown_identifier", ["email:nobody@example.com"])
    shown = graph.show("nobody@example.com")
    assert (shown.known, shown.profile) == (False, None)
    timeline = graph.how("nobody@example.com")
    assert (timeline.known, timeline.steps) == (False, [])
    for bad in ("email:not-an-email", "phone:12"):
        with pytest.raises(InvalidIdentifier, match="is not a valid"):
            graph.explain(bad, "maria.lopez@example.com")
    assert issubclass(InvalidIdentifier, ValueError) and issubclass(InvalidIdentifier, UsageError)
    with pytest.raises(NotFoundError):
        graph.cluster("nobody@example.com")


def test_typed_answers_match_the_command_line(graph: IdentityGraph) -> None:
    """profiles, show, how and stats: pydantic results whose JSON is the CLI's JSON."""
    store = str(graph.location)
    profiles = graph.profiles()
    assert len(profiles) == example_outcome().profiles
    assert [p.as_json() for p in profiles] == cli_json("profiles", store=store)
    biggest = graph.profiles(sort="size", limit=1)[0]
    assert len(biggest.emails + biggest.phones + biggest.external_ids) == max(
        len(p.emails + p.phones + p.external_ids) for p in profiles)
    shown = graph.show("ana.silva@example.com")
    assert shown.known and shown.profile is not None
    assert shown.profile.phones == ["+13055550188"]
    assert shown.as_json() == cli_json("show", "ana.silva@example.com", store=store)
    how = graph.how("lee.chen@example.com")
    assert how.known and ("replaced", "c-lee-1") in [(s.action, s.event_id) for s in how.steps]
    assert how.as_json() == cli_json("how", "lee.chen@example.com", store=store)
    stats = graph.stats()
    assert stats.events == example_outcome().events and stats.ruleset == "klaviyo-sms"
    assert stats.as_json() == cli_json("stats", store=store)


def test_cluster_and_render(graph: IdentityGraph, tmp_path: Path) -> None:
    """The cluster around an identifier, drawn to the format its file name asks for."""
    cluster = graph.cluster("sam.okafor@example.com", other="+12125550147")
    keys = {n["id"] for n in cluster.nodes}
    assert {"email:sam.okafor@example.com", "phone:+12125550147"} <= keys
    assert cluster.highlight["edges"] and cluster.summary
    drawn = graph.render("sam.okafor@example.com", tmp_path / "sam.json", other="+12125550147")
    assert (drawn.nodes, drawn.edges) == (len(cluster.nodes), len(cluster.edges))
    assert json.loads(drawn.path.read_text(encoding="utf-8")) == cluster.as_json()
    with pytest.raises(UsageError, match="unsupported output extension"):
        graph.render("sam.okafor@example.com", tmp_path / "sam.bmp")


def test_load_options_and_a_source_map_file(tmp_path: Path) -> None:
    """``load`` takes the command line's options; a source map may be a YAML file or a dict."""
    export = tmp_path / "sms.csv"
    export.write_text("Phone Number,Subscribed At,Opt-in Source\n"
                      "(415) 555-0101,2025-01-01T00:00:00Z,Quiz Funnel\n", encoding="utf-8")
    mapping = tmp_path / "sources.yaml"
    mapping.write_text("Quiz Funnel: sms_keyword\n", encoding="utf-8")
    for n, source_map in enumerate([mapping, {"Quiz Funnel": "sms_keyword"}]):
        with identigraph.open(tmp_path / f"s{n}.db") as g:
            report = g.load(export, source_map=source_map)
            assert report.events_added == 1, report.problems
            # a typed pydantic record: its JSON reads back as the same report
            assert LoadReport.model_validate_json(report.model_dump_json()) == report
            assert [(f.rows_read, f.loaded + f.loaded_with_warnings) for f in report.files] == [
                (1, 1)]
            assert g.show("(415) 555-0101").known
    broken = tmp_path / "broken.yaml"
    broken.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(UsageError, match="expected a mapping"), \
            identigraph.open(tmp_path / "s.db") as g:
        g.load(export, source_map=broken)


def test_neo4j_without_the_extra_is_a_one_line_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the ``neo4j`` extra, a Bolt URI says what to install (embedded stores work)."""
    monkeypatch.setitem(sys.modules, "neo4j", None)  # as if the driver were not installed
    for name in [m for m in sys.modules if m.startswith("identigraph.graph.neo4j_store")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(UsageError, match=r"pip install 'identigraph\[neo4j\]'"):
        identigraph.open("bolt://127.0.0.1:7687").stats()
    out = cli("stats", store="bolt://127.0.0.1:7687")
    assert out.returncode == 2 and "identigraph[neo4j]" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
