"""A blocked value on Neo4j (a shop's phone typed by strangers) is in no group, so it has no
group bucket of its own: it keeps the buckets of every group whose events carry it
(``Identifier.buckets``), and ``how`` reads those, not every stored event, before and after
a delta moves one of those groups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from n4j_support import Counting, group_index_problems, query
from support import clear_neo4j, cli_json, load_events, write_jsonl

from identigraph import answers
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.groupindex import BUCKET_ROWS

SHOP = "+14155550100"
PEOPLE, STRANGERS = 600, 4


def _person(i: int) -> list[dict[str, Any]]:
    """Two events of one person: an email, then the email with the person's phone."""
    email, phone = f"p{i}@example.com", f"+1415{3000000 + i:07d}"
    return [{"event_id": f"p{i}-a", "timestamp": f"2025-03-{1 + i % 28:02d}T10:00:00Z",
             "type": "form_submit", "email": email},
            {"event_id": f"p{i}-b", "timestamp": f"2025-03-{1 + i % 28:02d}T11:00:00Z",
             "type": "checkout", "email": email, "phone": phone}]


def _stranger(j: int, day: int) -> dict[str, Any]:
    """A checkout of stranger ``j`` at the shop's counter: their email, the shop's phone."""
    return {"event_id": f"s{j}-{day}", "timestamp": f"2025-04-{day:02d}T10:00:00Z",
            "type": "checkout", "email": f"s{j}@example.com", "phone": SHOP}


# the strangers among the people (each in a bucket of its own neighbours)
BASE = [e for i in range(PEOPLE) for e in _person(i)]
for _j in range(STRANGERS):
    BASE.insert(len(BASE) * (_j + 1) // (STRANGERS + 1), _stranger(_j, 1))
# one stranger comes back (its group moves to a new bucket), a new one comes in
DELTA = [_stranger(1, 2), _stranger(STRANGERS, 3)]


def _ruleset(root: Path) -> str:
    """klaviyo-sms with the shop's phone blocked."""
    text = Path(__file__).resolve().parents[2].joinpath(
        "rules", "shipped", "klaviyo-sms.yaml").read_text()
    path = root / "shop.yaml"
    path.write_text(text.replace("blocked: []", f"blocked:\n  - {{kind: phone, value: '{SHOP}'}}"))
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("blocked")
    return (write_jsonl(folder / "base.jsonl", BASE), write_jsonl(folder / "delta.jsonl", DELTA),
            _ruleset(folder))


@pytest.fixture(scope="module")
def loaded(neo4j_uri: str, files: tuple[Path, Path, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base loaded into Neo4j and into an embedded store (to compare answers with)."""
    clear_neo4j(neo4j_uri)
    embedded = str(tmp_path_factory.mktemp("blocked_once") / "once.db")
    for location in (neo4j_uri, embedded):
        load_events(location, files[0], ruleset=files[2])
    yield neo4j_uri, embedded


def _how_reads(uri: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The stored events ``how`` of the shop's phone reads, and the steps it tells."""
    store = Neo4jStore(uri)
    try:
        counting = Counting(store, monkeypatch)
        steps = len(answers.how(store, f"phone:{SHOP}").steps)
        return counting.rows, steps
    finally:
        store.close()


def _same_answers(uri: str, embedded: str) -> None:
    for command in ("how", "show"):
        assert cli_json(command, SHOP, store=uri) == cli_json(command, SHOP, store=embedded)


def test_how_of_a_blocked_value_reads_the_buckets_of_its_groups(
        loaded: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The strangers' groups' buckets (at most one each), not the store's 1,204 events; the
    answer is the embedded store's."""
    uri, embedded = loaded
    shop = query(uri, "MATCH (n:Identifier {key: $k}) RETURN n.blocked AS b, n.buckets AS bs",
                 k=f"phone:{SHOP}")
    assert shop[0]["b"] is True and 1 <= len(shop[0]["bs"]) <= STRANGERS
    assert group_index_problems(uri) == []
    read, steps = _how_reads(uri, monkeypatch)
    assert STRANGERS <= read <= STRANGERS * (BUCKET_ROWS + 2) < len(BASE) / 2
    assert steps >= STRANGERS
    _same_answers(uri, embedded)


def test_a_delta_keeps_the_blocked_value_s_buckets(
        loaded: tuple[str, str], files: tuple[Path, Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A delta moves a stranger's group into a new bucket and brings a new stranger: the
    shop's phone names the new buckets (and no emptied one), how still reads only those."""
    uri, embedded = loaded
    before = query(uri, "MATCH (n:Identifier {key: $k}) RETURN n.buckets AS bs",
                   k=f"phone:{SHOP}")[0]["bs"]
    for location in (uri, embedded):
        assert load_events(location, files[1], ruleset=files[2]).incremental
    after = query(uri, "MATCH (n:Identifier {key: $k}) RETURN n.buckets AS bs",
                  k=f"phone:{SHOP}")[0]["bs"]
    assert set(after) - set(before) and len(after) == len(set(after))
    live = {r["b"] for r in query(uri, "MATCH (g:GroupBucket) RETURN g.bucket AS b")}
    assert set(after) <= live
    assert group_index_problems(uri) == []
    read, steps = _how_reads(uri, monkeypatch)
    assert STRANGERS + 1 <= read <= (STRANGERS + 1) * (BUCKET_ROWS + 2) < len(BASE) / 2
    assert steps >= STRANGERS + 2
    _same_answers(uri, embedded)
