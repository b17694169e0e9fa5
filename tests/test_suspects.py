"""``suspects``: profiles that look like one person but did not merge, and hub identifiers,
on a store where the pairs are known, on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import cli, load_events, write_jsonl

from identigraph.graph.open import open_store
from identigraph.graph.suspects import Suspects, suspects

SHOP = "+12125550100"


def _e(eid: str, day: int, type_: str, **kw: Any) -> dict[str, Any]:
    return {"event_id": eid, "timestamp": f"2025-04-{day:02d}T10:00:00Z", "type": type_, **kw}


def _amy(**kw: Any) -> dict[str, Any]:
    return {"attributes": {"first_name": "Amy", "last_name": "Stone"}, **kw}


EVENTS = [
    # Amy: her email and her SMS-popup phone, tied by two checkouts (attach_only), one name
    _e("f-amy-1", 1, "form_submit", email="amy@example.com", **_amy()),
    _e("f-amy-2", 2, "form_submit", phone="+14155550111", **_amy()),
    _e("c-amy-1", 5, "checkout", email="amy@example.com", phone="+14155550111"),
    _e("c-amy-2", 9, "checkout", email="amy@example.com", phone="+14155550111"),
    # Ben: an SMS keyword with his email and a new phone (never_merges)
    _e("f-ben-1", 1, "form_submit", email="ben@example.com"),
    _e("s-ben-1", 3, "sms_keyword", email="ben@example.com", phone="+14155550122"),
    # Cat: a work email with her phone (limit: her profile has an email)
    _e("f-cat-1", 1, "form_submit", email="cat@example.com", phone="+14155550133"),
    _e("f-cat-2", 6, "form_submit", email="cat.work@example.com", phone="+14155550133"),
    # Dan: one form, everything merges: no suspect
    _e("f-dan-1", 1, "form_submit", email="dan@example.com", phone="+14155550144"),
    # six customers who all typed the shop's phone at checkout: a hub
    *[_e(f"f-crowd-{i}", 1, "form_submit", email=f"crowd{i}@example.com") for i in range(6)],
    *[_e(f"c-crowd-{i}", 10 + i, "checkout", email=f"crowd{i}@example.com", phone=SHOP)
      for i in range(6)],
]


@pytest.fixture
def loaded(store_location: str, tmp_path: Path) -> str:
    """A store holding EVENTS."""
    load_events(store_location, write_jsonl(tmp_path / "events.jsonl", EVENTS))
    return store_location


def _find(location: str, limit: int = 20) -> Suspects:
    store = open_store(location)
    try:
        return suspects(store, limit=limit)
    finally:
        store.close()


def _who(location: str, key: str) -> str:
    store = open_store(location)
    try:
        found = store.identifier(key)
        assert found is not None and found.profile_id is not None
        return found.profile_id
    finally:
        store.close()


def test_the_known_pairs_ranked_and_the_hub(loaded: str) -> None:
    """Amy (two events, one name) first, then Cat (limit), then Ben (older); the shop's
    phone is a hub and none of its customers is paired through it."""
    found = _find(loaded)
    expected = [
        (("email:amy@example.com", "phone:+14155550111"), 2, ["attach_only"], True),
        (("email:cat.work@example.com", "phone:+14155550133"), 1, ["limit"], False),
        (("email:ben@example.com", "phone:+14155550122"), 1, ["never_merges"], False),
    ]
    got = [(p.profiles, p.events, p.rules, p.same_name) for p in found.pairs]
    want = [(tuple(sorted((_who(loaded, a), _who(loaded, b)))), n, r, s)
            for (a, b), n, r, s in expected]
    assert got == want
    assert found.pairs_total == 3
    amy = found.pairs[0]
    assert amy.names == ("Amy Stone", "Amy Stone")
    assert "may be one person, both named Amy Stone: 2 events tie them; the latest, the " \
           "checkout on 9 Apr 2025 (event c-amy-2), carried both" in amy.summary
    assert "exception A2" in amy.summary
    assert [h.identifier for h in found.hubs] == [f"phone:{SHOP}"]
    hub = found.hubs[0]
    assert (hub.profiles, hub.events) == (6, 5)
    assert f"{SHOP} is tied to 6 profiles by 5 events (checkout)" in hub.summary
    assert f'value: "{SHOP}"' in hub.suggestion


def test_limit_keeps_the_strongest(loaded: str) -> None:
    """``--limit 1``: the strongest pair only; the total still counts them all."""
    found = _find(loaded, limit=1)
    assert len(found.pairs) == 1 and found.pairs[0].same_name
    assert found.pairs_total == 3


def test_cli_text_and_json(tmp_path: Path) -> None:
    """``suspects`` prints each pair's summary; ``--json`` the same data."""
    db = str(tmp_path / "s.db")
    load_events(db, write_jsonl(tmp_path / "events.jsonl", EVENTS))
    out = cli("suspects", store=db)
    assert out.returncode == 0, out.stderr
    assert "3 pairs of profiles" in out.stdout
    assert "both named Amy Stone" in out.stdout
    assert f"phone:{SHOP}" in out.stdout and "block" in out.stdout
    data = json.loads(cli("suspects", "--limit", "2", "--json", store=db).stdout)
    assert [p["rules"] for p in data["pairs"]] == [["attach_only"], ["limit"]]
    assert data["pairs_total"] == 3 and data["hubs"][0]["profiles"] == 6
    assert all(e["sentence"] for p in data["pairs"] for e in p["evidence"])
