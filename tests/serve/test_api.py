"""The HTTP API against the command line's ``--json``, on both backends (a real server
process, real HTTP), and its 400 / 404 rules."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_support import Server, get, running_server
from support import clear_neo4j, cli, example_files, example_outcome
from support import cli_json as _cli_json

q = urllib.parse.quote


def cli_json(store: str, *args: str) -> Any:
    return _cli_json(*args, store=store)


@pytest.fixture(scope="module",
                params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Server]]:
    """The examples loaded into a store of each backend, and a server over it."""
    if request.param == "embedded":
        store = str(tmp_path_factory.mktemp("api") / "api.db")
    else:
        store = str(request.getfixturevalue("neo4j_uri"))
        clear_neo4j(store)
    loaded = cli("load", *map(str, example_files()), store=store)
    assert loaded.returncode == 0, loaded.stderr
    with running_server(store) as server:
        yield store, server


def test_answers_are_the_cli_json(served: tuple[str, Server], tmp_path: Path) -> None:
    store, server = served
    api = server.url + "/api"
    for typed in ("maria.lopez@example.com", "+1 (415) 555-0134", "CRM-0001",
                  "lee.chen@example.com"):
        assert get(f"{api}/identifiers/{q(typed)}").body == cli_json(store, "show", typed)
        assert get(f"{api}/how/{q(typed)}").body == cli_json(store, "how", typed)
    for a, b in (("maria.lopez@example.com", "(415) 555-0134"),
                 ("sam.okafor@example.com", "212.555.0147"),
                 ("kim.nguyen@example.com", "nobody@example.com")):
        got = get(f"{api}/explain?a={q(a)}&b={q(b)}")
        assert got.status == 200 and got.body == cli_json(store, "explain", a, b)
    stats = get(f"{api}/stats").body
    assert stats == cli_json(store, "stats") and stats["events"] == example_outcome().events
    everything = cli_json(store, "profiles")
    assert get(f"{api}/profiles?limit=100000").body == everything
    assert get(f"{api}/profiles?limit=3").body == everything[:3]
    assert get(f"{api}/profiles?min_size=3&sort=size").body == cli_json(
        store, "profiles", "--min-size", "3", "--sort", "size")
    out = tmp_path / "maria.json"
    drawn = cli("viz", "maria.lopez@example.com", "--depth", "2", "--path", "+14155550134",
                "-o", str(out), store=store)
    assert drawn.returncode == 0, drawn.stderr
    cluster = get(f"{api}/cluster/maria.lopez%40example.com?depth=2&other=%2B14155550134").body
    assert cluster == json.loads(out.read_text())


def test_search_profile_card_and_event(served: tuple[str, Server]) -> None:
    store, server = served
    api = server.url + "/api"
    shown = cli_json(store, "show", "lee.chen@example.com")
    pid = shown["profile"]["profile_id"]
    merged = shown["profile"]["merged_ids"][0]
    assert get(f"{api}/search?q={pid}").body == {"kind": "profile", "profile_id": pid}
    assert get(f"{api}/search?q=LEE.CHEN@example.com").body == {
        "kind": "identifier", "key": "email:lee.chen@example.com"}
    assert get(f"{api}/search?q=c-lee-1").body == {"kind": "event", "event_id": "c-lee-1"}
    card = get(f"{api}/profiles/{merged}").body  # a merged id finds the surviving profile
    assert card["profile"] == shown["profile"] and card["asked"] == merged
    assert {i["key"] for i in card["identifiers"]} == {
        "email:lee.chen@example.com", "phone:+17185550199", "external_id:CRM-0002"}
    event = get(f"{api}/events/c-lee-1").body
    assert event["event"]["type"] == "checkout"
    assert {e["rule"] for e in event["edges"]} == {"attach"}
    # the query answers take profile ids and event:ID as the command line does
    for typed in (merged, pid, "event:c-lee-1"):
        assert get(f"{api}/identifiers/{q(typed)}").body == cli_json(store, "show", typed)
        assert get(f"{api}/how/{q(typed)}").body == cli_json(store, "how", typed)
    assert get(f"{api}/identifiers/{merged}").body["merged_into"] == pid
    assert get(f"{api}/identifiers/event%3Ac-lee-1").body["event"] == event
    assert get(f"{api}/search?q=event%3Ac-lee-1").body == {"kind": "event",
                                                          "event_id": "c-lee-1"}
    lit = get(f"{api}/cluster/event%3Ac-lee-1").body
    assert {lit["edges"][i]["event_id"] for i in lit["highlight"]["edges"]} == {"c-lee-1"}


def test_bad_and_unknown_input(served: tuple[str, Server]) -> None:
    _, server = served
    api = server.url + "/api"
    evil = "</script><img src=x onerror=alert(1)>@example.com"
    for path, status in ((f"/identifiers/{q('bad@')}", 400),
                         (f"/identifiers/{q(evil)}", 400),
                         ("/identifiers/nobody%40example.com", 404),
                         ("/how/%2B14155550000", 404), ("/cluster/nobody%40example.com", 404),
                         ("/explain?a=x%40example.com", 400),
                         ("/cluster/maria.lopez%40example.com?depth=lots", 400),
                         ("/profiles?sort=name", 400), ("/profiles?kind=fax", 400),
                         ("/profiles?limit=-1", 400), ("/search?q=nothing-here", 404),
                         ("/events/no-such-event", 404), ("/profiles/p_0000000000000000", 404),
                         ("/identifiers/event%3A", 400), ("/how/event%3Anope", 404),
                         ("/identifiers/p_0000000000000000", 404),
                         ("/identifiers/klaviyo_idd%3Ax", 404), ("/search?q=klaviyo_idd%3Ax", 404),
                         ("/nothing", 404)):
        got = get(api + path)
        assert got.status == status, (path, got.text)
        assert got.headers["content-type"].startswith("application/json")
        assert isinstance(got.body["error"], str) and got.body["error"]
        assert "<" not in got.text and ">" not in got.text, got.text  # escaped, never markup
    for path in ("/identifiers/klaviyo_idd%3Ax", "/search?q=klaviyo_idd%3Ax"):
        typo = get(api + path).body["error"]  # 404, as above
        assert "klaviyo_idd is not a declared identifier kind" in typo and "klaviyo_id," in typo
    page = get(server.url + "/")
    assert page.status == 200 and "connect-src 'self'" in page.headers["content-security-policy"]
    assert "<script src" not in page.text and "<link" not in page.text  # self-contained
