"""``explain`` near hubs: a value hundreds of strangers typed (a shop's phone) is not searched
through, the search stays small, and the answer says when it was bounded; on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from support import cli_json, load_events, write_jsonl

from identigraph.graph.explain import explain
from identigraph.graph.open import open_store
from identigraph.graph.paths import HUB_NEIGHBOURS
from identigraph.graph.records import Edge
from identigraph.graph.store import Store

SHOPS = ("+12125550100", "+13125550100")
CROWD = HUB_NEIGHBOURS + 20  # customers per shop phone: more than a hub's bound


def _e(eid: str, day: int, type_: str, **kw: Any) -> dict[str, Any]:
    return {"event_id": eid, "timestamp": f"2025-04-{day:02d}T10:{len(eid) % 60:02d}:00Z",
            "type": type_, **kw}


def _mail(shop: int, i: int) -> str:
    return f"crowd{shop}-{i}@example.com"


EVENTS = [
    # each customer signs up with an email, then types the shop's phone at checkout: the
    # first attaches it, every other checkout links it without merging (attach_only)
    *[_e(f"f-{s}-{i:03d}", 1, "form_submit", email=_mail(s, i))
      for s in range(2) for i in range(CROWD)],
    *[_e(f"c-{s}-{i:03d}", 2 + i % 20, "checkout", email=_mail(s, i), phone=SHOPS[s])
      for s in range(2) for i in range(CROWD)],
]


class _Counting:
    """A store that counts the identifiers explain asks the edges of."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def edges_touching(self, keys: Sequence[str]) -> list[Edge]:
        self.asked.extend(keys)
        return self.store.edges_touching(keys)


@pytest.fixture
def shops(store_location: str, tmp_path: Path) -> str:
    """A store holding EVENTS: two shop phones, each shared by CROWD customers."""
    load_events(store_location, write_jsonl(tmp_path / "events.jsonl", EVENTS))
    return store_location


def test_path_through_a_hub_is_found_without_searching_the_crowd(shops: str) -> None:
    """Two customers of one shop: the shop's phone links them (blocked, not merged); the
    search meets at the phone and never lists its other customers."""
    a, b = f"email:{_mail(0, 5)}", f"email:{_mail(0, 9)}"
    store = _Counting(open_store(shops, create=False))
    try:
        x = explain(store, a, b)  # type: ignore[arg-type]
    finally:
        store.close()
    assert (x.same_profile, x.reason) == (False, "blocked")
    assert [e.from_ for e in x.path] == [a, f"phone:{SHOPS[0]}"]
    assert x.path[-1].to == b
    assert not x.bounded
    assert len(set(store.asked)) <= 4  # a, b and the phone; not the crowd


def test_search_stops_at_hubs_and_says_so(shops: str) -> None:
    """Customers of two unrelated shops: each side reaches its shop's phone and stops there;
    the answer says the search was bounded and names both phones."""
    a, b = f"email:{_mail(0, 5)}", f"email:{_mail(1, 7)}"
    store = _Counting(open_store(shops, create=False))
    try:
        explain(store, a, b)  # type: ignore[arg-type]
    finally:
        store.close()
    # each side: its customer, the phone, and who the phone merged with (its first buyer)
    assert len(set(store.asked)) <= 6
    got = cli_json("explain", a, b, store=shops)
    assert (got["same_profile"], got["reason"], got["path"]) == (False, "no_evidence", [])
    assert got["bounded"] is True
    assert sorted(got["hubs"]) == sorted(f"phone:{p}" for p in SHOPS)
    assert "did not go through" in got["summary"]
    assert "no event ever connected" not in got["summary"]  # not claimed: it was not searched


def test_unbounded_answers_say_so(shops: str, tmp_path: Path) -> None:
    """A customer and an identifier nobody linked to anything: an exact no_evidence."""
    load_events(shops, write_jsonl(tmp_path / "lone.jsonl",
                                   [_e("f-lone", 3, "form_submit", email="lone@example.com")]))
    got = cli_json("explain", f"email:{_mail(0, 5)}", "email:lone@example.com", store=shops)
    assert (got["reason"], got["bounded"], got["hubs"]) == ("no_evidence", False, [])
    assert "no event ever connected" in got["summary"]
