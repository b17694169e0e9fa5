"""Event-id conflicts (issue 17, class 2): one id with two contents is named, never counted
as a duplicate, and which event is kept does not depend on the order of files or rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from support import cli, key_sets, load_events, write_jsonl

from identigraph.api import load
from identigraph.events import EventTable
from identigraph.graph.embedded.store import EmbeddedStore

TS = "2025-01-01T10:00:00Z"


def _ev(eid: str, **fields: str) -> dict[str, str]:
    return {"event_id": eid, "timestamp": TS, "type": "form_submit", **fields}


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_conflict_is_reported_not_counted_as_a_duplicate(tmp_path: Path) -> None:
    """Same id, same content: a duplicate. Same id, other content: ``conflicting_event_id``
    in the summary, ``load --json`` and ``--rejects``, with file and record number."""
    src = write_jsonl(tmp_path / "a.jsonl", [
        _ev("e1", email="ann@example.com"), _ev("e1", email="ann@example.com"),
        _ev("e2", email="bob@example.com"), _ev("e2", email="zed@example.com")])
    db, rejects = str(tmp_path / "s.db"), tmp_path / "r.csv"
    out = cli("load", str(src), "--json", "--rejects", str(rejects), store=db)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["loaded"], summary["duplicates"], summary["rejected"],
            summary["conflicting_event_ids"]) == (2, 1, 1, 1)
    assert summary["files"][0]["conflicting_event_ids"] == 1
    (row,) = _rejects(rejects)
    assert (row["line"], row["column"], row["value"], row["severity"]) == (
        "4", "event_id", "e2", "rejected")
    assert row["reason"].startswith("conflicting_event_id")
    text = cli("load", str(src), store=str(tmp_path / "t.db"))
    assert "1 conflicting event id" in text.stdout


def test_the_winner_within_a_load_does_not_depend_on_order(tmp_path: Path) -> None:
    """Two files giving one id to two different events: the same event is kept whichever
    file comes first, and whichever row of one file."""
    a = write_jsonl(tmp_path / "a.jsonl", [_ev("x", email="alpha@example.com", phone="(415) 555-0101")])
    b = write_jsonl(tmp_path / "b.jsonl", [_ev("x", email="beta@example.com")])
    results = []
    for n, files in enumerate(([a, b], [b, a])):
        db = str(tmp_path / f"s{n}.db")
        report = load_events(db, files)
        assert (report.total("loaded"), report.total("rejected")) == (1, 1)
        results.append(key_sets(db))
    assert results[0] == results[1]
    one = write_jsonl(tmp_path / "ab.jsonl", [_ev("x", email="beta@example.com"),
                                               _ev("x", email="alpha@example.com",
                                                   phone="(415) 555-0101")])
    load_events(str(tmp_path / "one.db"), one)
    assert key_sets(str(tmp_path / "one.db")) == results[0]


def test_the_stored_event_wins_over_a_later_load(tmp_path: Path) -> None:
    """An id already stored with other content: the new row is rejected, the store keeps
    what it had (the replay does not change)."""
    db = str(tmp_path / "s.db")
    load_events(db, write_jsonl(tmp_path / "a.jsonl", [_ev("x", email="beta@example.com")]))
    before = key_sets(db)
    report = load_events(db, write_jsonl(tmp_path / "b.jsonl", [
        _ev("x", email="alpha@example.com"), _ev("x", email="beta@example.com"),
        _ev("y", email="new@example.com")]))
    assert (report.total("loaded"), report.total("duplicates"), report.total("rejected")) == (
        1, 1, 1)
    (conflict,) = [p for p in report.problems if p.severity == "rejected"]
    assert (conflict.line, conflict.value) == (1, "x") and "stored" in conflict.reason
    assert key_sets(db) == before | {frozenset({"email:new@example.com"})}


def test_segment_message_ids_conflict_too(tmp_path: Path) -> None:
    """A Segment ``messageId`` reused for another message is a conflict, not a duplicate."""
    src = tmp_path / "seg.jsonl"
    rows = [{"type": "identify", "messageId": "m-1", "userId": f"u-{i}", "timestamp": TS,
             "traits": {"email": f"s{i}@example.com"}} for i in (1, 2)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = load_events(str(tmp_path / "s.db"), src)
    assert (report.total("loaded"), report.total("duplicates"), report.total("rejected")) == (
        1, 0, 1)


class _NoWholeReads(EmbeddedStore):
    """An embedded store that refuses to hand out every stored event."""

    def events(self) -> EventTable:
        raise AssertionError("the load read every stored event")


def test_repeated_ids_are_checked_against_those_events_only(tmp_path: Path) -> None:
    """A delta repeating stored ids (one the same, one with other content) is settled from
    the stored events with those ids: the store is never asked for all its events."""
    db = tmp_path / "s.db"
    stored = [_ev(f"s{i}", email=f"u{i}@example.com") for i in range(50)]
    load_events(str(db), write_jsonl(tmp_path / "a.jsonl", stored))
    store = _NoWholeReads(db)
    try:
        report = load(store, [write_jsonl(tmp_path / "b.jsonl", [
            stored[3], _ev("s7", email="other@example.com"),
            _ev("n1", email="u9@example.com")])])
    finally:
        store.close()
    assert (report.total("loaded"), report.total("duplicates"), report.total("rejected")) == (
        1, 1, 1)
    (conflict,) = [p for p in report.problems if p.severity == "rejected"]
    assert (conflict.line, conflict.value) == (2, "s7") and "stored" in conflict.reason
    assert report.incremental
