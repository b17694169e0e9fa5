"""Delta loads (issue 13): any split of a stream into loads, late events included, ends in the
state of one load of everything, on both backends; and a delta replays only what it touches.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import clear_neo4j, examples, load_events, write_jsonl
from test_properties import EMAILS, EXTERNAL, PHONES, SETTINGS, events

from identigraph.graph.open import open_store

KEYS = ([f"email:{e}" for e in EMAILS] + [f"phone:{p}" for p in PHONES]
        + [f"external_id:{x}" for x in EXTERNAL])


def keys_of(evs: list[dict[str, Any]]) -> list[str]:
    """The identifier keys some events carry."""
    return sorted({f"{kind}:{ev[kind]}" for ev in evs for kind in ("email", "phone",
                                                                   "external_id") if kind in ev})


def _dump(record: Any) -> Any:
    return None if record is None else record.model_dump()


def state(location: str, keys: list[str] = KEYS) -> str:
    """Everything a user can ask a store about these identifiers (every profile, by its id
    or a merged one's, the identifiers, their edges and events, each event by its id, the
    log), as text."""
    store = open_store(location)
    try:
        profiles = store.profiles()
        ids = sorted({p.profile_id for p in profiles}
                     | {m for p in profiles for m in p.merged_ids})
        events = store.events_for(keys)
        return json.dumps({
            "profiles": [p.model_dump() for p in profiles],
            "by_id": [_dump(store.profile(i)) for i in [*ids, "no-such-profile"]],
            "identifiers": [_dump(store.identifier(k)) for k in [*keys, "email:no@such.x"]],
            "edges": [e.model_dump() for e in store.edges_touching(keys)],
            "events": [e.model_dump() for e in events],
            "event": [_dump(store.event(e)) for e in [*(e.event_id for e in events), "no"]],
            "log": sorted(json.dumps(e.model_dump(), sort_keys=True) for e in store.log(ids)),
        }, sort_keys=True, default=str)
    finally:
        store.close()


def _loads(evs: list[dict[str, Any]], data: st.DataObject) -> list[list[dict[str, Any]]]:
    """The events shuffled (so later loads bring late events) and cut into 2 to 4 loads."""
    shuffled = data.draw(st.permutations(evs))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(evs) - 1)), min_size=1,
                                    max_size=3)))
    parts, start = [], 0
    for cut in [*cuts, len(shuffled)]:
        if cut > start:
            parts.append(shuffled[start:cut])
            start = cut
    return parts


def _check_split(evs: list[dict[str, Any]], parts: list[list[dict[str, Any]]], root: Path,
                 location: str, reset: Any, ruleset: str) -> None:
    reset()
    load_events(location, write_jsonl(root / "all.jsonl", evs), ruleset=ruleset)
    expected = state(location)
    reset()
    for i, part in enumerate(parts):
        load_events(location, write_jsonl(root / f"part{i}.jsonl", part), ruleset=ruleset)
    assert state(location) == expected


RULESETS = st.sampled_from(["klaviyo-sms", "klaviyo-identity-resolution"])


@settings(SETTINGS, max_examples=examples(20))
@given(evs=events(16), data=st.data(), ruleset=RULESETS)
def test_embedded_any_split_and_late_events_give_one_loads_state(
    evs: list[dict[str, Any]], data: st.DataObject, ruleset: str
) -> None:
    """Embedded: loads in any split and order (each after the first a delta) hold exactly the
    state of one load of everything, profile ids included."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        loc = root / "s.db"

        def reset() -> None:
            loc.unlink(missing_ok=True)

        _check_split(evs, _loads(evs, data), root, str(loc), reset, ruleset)


@settings(SETTINGS, max_examples=5)
@given(evs=events(12), data=st.data(), ruleset=RULESETS)
def test_neo4j_any_split_and_late_events_give_one_loads_state(
    neo4j_uri: str, evs: list[dict[str, Any]], data: st.DataObject, ruleset: str
) -> None:
    """Neo4j, on the real test server: the same property."""
    with tempfile.TemporaryDirectory() as tmp:
        _check_split(evs, _loads(evs, data), Path(tmp), neo4j_uri,
                     lambda: clear_neo4j(neo4j_uri), ruleset)


def _ev(i: int, second: int, type_: str, **ids: str) -> dict[str, Any]:
    return {"event_id": f"e{i}", "timestamp": f"2025-01-01T10:00:{second:02d}Z",
            "type": type_, **ids}


def _rows(db: str, group_free: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(db, read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("events", "identifiers", "edges", "profiles", "profile_log")}
    finally:
        con.close()


BASE = [_ev(1, 10, "form_submit", email="a@x.com", phone="+14155550101"),
        _ev(2, 20, "checkout", email="b@x.com"),
        _ev(3, 30, "form_submit", email="c@x.com", external_id="c1"),
        _ev(4, 40, "sms_keyword", phone="+14155550103")]
DELTA = [_ev(5, 5, "form_submit", email="b@x.com", external_id="b1"),  # late
         _ev(6, 50, "profile_update", email="a@x.com", external_id="b1")]  # joins a and b


def test_a_delta_replays_only_the_groups_it_touches(tmp_path: Path) -> None:
    """Three people; a late event joins two of them: only their events are replayed, the
    third person's rows stay exactly as they were, and the result equals one load."""
    base, delta = BASE, DELTA
    db = str(tmp_path / "s.db")
    first = load_events(db, write_jsonl(tmp_path / "base.jsonl", base))
    assert not first.incremental and first.replayed_events == 4
    before = _rows(db)
    report = load_events(db, write_jsonl(tmp_path / "delta.jsonl", delta))
    assert report.incremental
    assert (report.replayed_events, report.replayed_groups) == (4, 1)  # e1, e2, e5, e6
    after = _rows(db)
    for table, rows in before.items():  # c's and the keyword's rows did not move
        kept = [r for r in rows if any(v in ("e3", "e4", "email:c@x.com",
                                             "phone:+14155550103") for v in r)]
        assert all(r in after[table] for r in kept), table
        assert kept or table == "profile_log", table
    once = str(tmp_path / "once.db")
    load_events(once, write_jsonl(tmp_path / "all.jsonl", base + delta))
    assert state(db, keys_of(base + delta)) == state(once, keys_of(base + delta))


def test_neo4j_a_delta_replays_only_the_groups_it_touches(neo4j_uri: str,
                                                         tmp_path: Path) -> None:
    """Neo4j: the same delta replays the same four events, and the store then answers
    exactly as an embedded store loaded once with everything."""
    clear_neo4j(neo4j_uri)
    assert not load_events(neo4j_uri, write_jsonl(tmp_path / "base.jsonl", BASE)).incremental
    report = load_events(neo4j_uri, write_jsonl(tmp_path / "delta.jsonl", DELTA))
    assert report.incremental
    assert (report.replayed_events, report.replayed_groups) == (4, 1)
    once = str(tmp_path / "once.db")
    load_events(once, write_jsonl(tmp_path / "all.jsonl", BASE + DELTA))
    keys = keys_of(BASE + DELTA)
    assert state(neo4j_uri, keys) == state(once, keys)


def _blocking_ruleset(root: Path) -> str:
    """klaviyo-sms with the shop's phone +14155550100 blocked, as a YAML file."""
    text = Path(__file__).resolve().parent.parent.joinpath(
        "rules", "shipped", "klaviyo-sms.yaml").read_text()
    path = root / "blocking.yaml"
    path.write_text(text.replace(
        "blocked: []", "blocked:\n  - {kind: phone, value: '+14155550100'}"))
    return str(path)


def test_a_delta_next_to_a_blocked_value_keeps_it_once(store_location: str,
                                                        tmp_path: Path) -> None:
    """Both backends: strangers typing the blocked shop phone stay apart; a delta about one
    of them rewrites that group and leaves the blocked value (and its other edges) alone."""
    rs = _blocking_ruleset(tmp_path)
    base = [_ev(1, 10, "form_submit", email="a@x.com", phone="+14155550100"),
            _ev(2, 20, "form_submit", email="b@x.com", phone="+14155550100"),
            _ev(3, 30, "checkout", phone="+14155550100", external_id="x")]
    delta = [_ev(4, 5, "form_submit", email="a@x.com", external_id="a1"),
             _ev(5, 40, "checkout", email="c@x.com", phone="+14155550100")]
    load_events(store_location, write_jsonl(tmp_path / "base.jsonl", base), ruleset=rs)
    report = load_events(store_location, write_jsonl(tmp_path / "delta.jsonl", delta),
                         ruleset=rs)
    assert report.incremental and report.replayed_events == 3  # e1, e4, e5
    once = str(tmp_path / "once.db")
    load_events(once, write_jsonl(tmp_path / "all.jsonl", base + delta), ruleset=rs)
    keys = keys_of(base + delta)
    assert state(store_location, keys) == state(once, keys)


def test_a_delta_whose_replay_fails_changes_nothing(store_location: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Both backends: a delta replays before it writes, so a replay that fails (a bug in
    the rules) leaves the store exactly as it was, finished, and the load can be redone."""
    import identigraph.engine.resolver as resolver
    import identigraph.graph.embedded.delta as delta

    load_events(store_location, write_jsonl(tmp_path / "base.jsonl", BASE))
    keys = keys_of(BASE + DELTA)
    before = state(store_location, keys)

    def broken(*_: object) -> None:
        raise RuntimeError("replay failed")

    with monkeypatch.context() as patched:
        patched.setattr(resolver, "resolve", broken)
        patched.setattr(delta, "resolve", broken)
        with pytest.raises(RuntimeError, match="replay failed"):
            load_events(store_location, write_jsonl(tmp_path / "delta.jsonl", DELTA))
    assert state(store_location, keys) == before
    store = open_store(store_location)
    try:
        assert not store.unfinished()
    finally:
        store.close()
    assert load_events(store_location, tmp_path / "delta.jsonl").incremental


def test_a_delta_of_known_events_replays_nothing(tmp_path: Path) -> None:
    """Reloading a file: every event is a duplicate, found by the store; nothing replayed."""
    evs = [_ev(1, 10, "form_submit", email="a@x.com", phone="+14155550101")]
    db = str(tmp_path / "s.db")
    load_events(db, write_jsonl(tmp_path / "a.jsonl", evs))
    again = load_events(db, write_jsonl(tmp_path / "a.jsonl", evs))
    assert (again.events_added, again.as_dict()["duplicates"]) == (0, 1)
    assert not again.replayed


@pytest.mark.parametrize("shared_blocked", [False, True])
def test_stats_shows_the_largest_groups(tmp_path: Path, shared_blocked: bool) -> None:
    """A phone typed by strangers makes one big group, shown by ``stats`` with that phone
    first; blocked in the rule set, it joins nothing."""
    evs = [_ev(i, i, "form_submit", email=f"u{i}@x.com", phone="+14155550100")
           for i in range(1, 6)] + [_ev(9, 9, "form_submit", email="solo@x.com")]
    db = str(tmp_path / "s.db")
    ruleset = _blocking_ruleset(tmp_path) if shared_blocked else None
    load_events(db, write_jsonl(tmp_path / "e.jsonl", evs), ruleset=ruleset)
    store = open_store(db)
    try:
        groups = store.stats()["largest_groups"]
    finally:
        store.close()
    assert isinstance(groups, list)
    if shared_blocked:
        assert [g["events"] for g in groups] == [1, 1, 1, 1, 1]
    else:
        assert groups[0]["events"] == 5
        assert next(iter(groups[0]["most_linked"])) == "phone:+14155550100"
        assert groups[1]["events"] == 1
