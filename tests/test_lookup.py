"""The embedded store's ``lookup`` (graph/embedded/layout.py), the index every answer reads
through: every stored identifier, profile id (current or merged away) and event id is found
by it, blocked values included, after a first load, after a delta, and when it is written
afresh for rows that carry no group (a store another engine wrote)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from support import example_files, load_events, write_jsonl

from identigraph.graph.open import open_store

#: a phone two of the example people type (as 646-555-0102 and 646.555.0102)
SHARED_PHONE = "+16465550102"


def _blocking_rules(root: Path) -> str:
    """The shipped rule set with SHARED_PHONE blocked, as a YAML file."""
    text = Path(__file__).resolve().parent.parent.joinpath(
        "rules", "shipped", "klaviyo-identity-resolution.yaml").read_text()
    path = root / "blocking.yaml"
    path.write_text(text.replace("blocked: []",
                                 f"blocked:\n  - {{kind: phone, value: '{SHARED_PHONE}'}}"))
    return str(path)


def _stored(location: str, sql: str) -> list[str]:
    with duckdb.connect(location, read_only=True) as db:
        return sorted(str(v) for (v,) in db.execute(sql).fetchall())


def _everything_is_found(location: str) -> None:
    """Each stored identifier, profile, logged profile id and event is answered by value."""
    keys = _stored(location, "SELECT key FROM identifiers")
    profile_ids = _stored(location, "SELECT profile_id FROM profiles")
    logged = _stored(location, "SELECT DISTINCT profile_id FROM profile_log")
    event_ids = _stored(location, "SELECT event_id FROM events")
    carrying = _stored(location, f"SELECT event_id FROM events WHERE phone = '{SHARED_PHONE}'")
    assert len(carrying) > 1 and len(logged) > len(set(logged) & set(profile_ids))
    store = open_store(location, create=False)
    try:
        found = [store.identifier(k) for k in keys]
        assert [None if f is None else f.key for f in found] == keys
        assert any(f is not None and f.blocked for f in found)
        assert [getattr(store.profile(p), "profile_id", None) for p in profile_ids] == profile_ids
        assert sorted({e.profile_id for e in store.log(logged)}) == logged
        assert [getattr(store.event(e), "event_id", None) for e in event_ids] == event_ids
        assert sorted(e.event_id for e in store.events_for([f"phone:{SHARED_PHONE}"])
                      ) == carrying
    finally:
        store.close()


def test_every_stored_value_is_found_through_the_lookup(tmp_path: Path) -> None:
    """The example data with a phone two people share blocked: a first load, a delta with a
    late event on that phone, and the lookup rebuilt over rows without groups (another
    DuckDB's ``hash()`` or engine) all answer every value; a rebuilt lookup is in order of
    the hashes' buckets (a value's rows are one stretch)."""
    rules = _blocking_rules(tmp_path)
    location = str(tmp_path / "s.db")
    load_events(location, example_files(), ruleset=rules)
    _everything_is_found(location)
    late = write_jsonl(tmp_path / "late.jsonl", [
        {"event_id": "late-1", "timestamp": "2025-01-01T10:00:00Z", "type": "form_submit",
         "email": "late@example.com", "phone": SHARED_PHONE},
        {"event_id": "late-2", "timestamp": "2025-01-02T10:00:00Z", "type": "form_submit",
         "email": "late@example.com", "external_id": "CRM-0002"}])
    assert load_events(location, late, ruleset=rules).incremental
    _everything_is_found(location)
    with duckdb.connect(location) as db:
        for table in ("identifiers", "edges", "profiles", "profile_log", "events"):
            db.execute(f"UPDATE {table} SET grp = NULL")
        db.execute("UPDATE meta SET value = 'another hash' WHERE key = 'lookup_hash'")
    _everything_is_found(location)
    with duckdb.connect(location, read_only=True) as db:
        (rows, grouped, ordered), = db.execute(
            "SELECT count(*), count(grp), bool_and(coalesce(h >> 48 >= before, TRUE)) FROM "
            "(SELECT h, grp, lag(h >> 48) OVER (ORDER BY rowid) AS before FROM lookup)"
        ).fetchall()
    assert rows > 0 and grouped == 0 and ordered
