"""``segment``: Segment-style JSON Lines, plain or gzipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from loaderkit import P, api_load, balanced, fixture, micros, profile_set, rejects, stored_events
from support import cli_load

SEGMENT = fixture("segment_events.jsonl")
NAME = "segment_events.jsonl"


def _gzipped(tmp_path: Path) -> Path:
    out = tmp_path / "segment_export.jsonl.gz"
    out.write_bytes(gzip.compress(SEGMENT.read_bytes()))
    return out


def test_profiles(store_location: str) -> None:
    summary = cli_load(str(SEGMENT), store=store_location)
    assert summary["files"][0]["format"] == "segment"
    assert profile_set(store_location) == {
        # identify, then a checkout with a new phone: the phone is replaced (rule 7); userId
        # and anonymousId each in a namespace of its own
        P(("segment_anonymous_id:anon-1", "segment_user_id:u_1001"), ("nora@example.com",),
          ("+14155550132",), "never_subscribed", "never_subscribed"),
        # an anonymous Order Completed with context.traits: a checkout (its cookie kept)
        P(("segment_anonymous_id:anon-2",), ("oscar@example.com",), ("+14155550131",),
          "never_subscribed", "never_subscribed"),
        # screen with a userId (its bad phone dropped)
        P(("segment_user_id:u_1002",), (), (), None, None),
        # numeric userId
        P(("segment_user_id:1004",), ("pia@example.com",), (), "never_subscribed", None),
    }


def test_events(store_location: str) -> None:
    cli_load(str(SEGMENT), store=store_location)
    events = stored_events(store_location)
    assert {k: v["type"] for k, v in events.items()} == {
        "segment:ajs-msg-0001": "profile_update",
        "segment:ajs-msg-0002": "profile_update",
        "segment:ajs-msg-0003": "checkout",
        "segment:ajs-msg-0006": "profile_update",
        "segment:ajs-msg-0008": "profile_update",
        "segment:ajs-msg-0009": "checkout",
    }
    order = events["segment:ajs-msg-0003"]
    assert order["ts"] == micros("2025-06-02T11:00:00Z")
    assert order["source"] == "Order Completed"
    assert json.loads(order["attributes"]) == {"currency": "USD", "event": "Order Completed",
                                               "order_id": "50314b8e", "total": 27.5}
    nora = events["segment:ajs-msg-0001"]
    assert (nora["email"], nora["country"]) == ("nora@example.com", "US")
    assert json.loads(nora["attributes"]) == {"address": {"country": "US"}, "firstName": "Nora"}


def test_rejects(store_location: str, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    summary = cli_load(str(SEGMENT), "--rejects", str(out), store=store_location)
    assert sorted(rejects(out)) == sorted([
        (NAME, 4, "userId", "", "page call without userId, email or phone (only an "
         "anonymousId): nothing to resolve", "rejected"),
        (NAME, 5, "userId", "", "group call without userId, email or phone (only an "
         "anonymousId): nothing to resolve", "rejected"),
        (NAME, 6, "", "", "malformed JSON: Expecting property name enclosed in double quotes "
         "at column 2", "rejected"),
        (NAME, 8, "traits.phone/context.traits.phone", "not a phone",
         "not a phone number (no digits to read)", "warning"),
        (NAME, 9, "type", "alias", "alias calls are not loaded: previousId is usually an "
         "anonymous id, not an email, phone or user id", "rejected"),
    ])
    # 10 non-blank lines: 9 messages and a malformed one
    assert (summary["rows_read"], summary["loaded"], summary["loaded_with_warnings"],
            summary["rejected"]) == (10, 5, 1, 4)
    assert balanced(summary)


def test_gzip_and_reload(store_location: str, tmp_path: Path) -> None:
    gz = _gzipped(tmp_path)
    first = cli_load(str(gz), store=store_location)
    assert first["files"][0]["format"] == "segment" and first["events_added"] == 6
    # the same messages again, plain this time: messageId makes them duplicates
    again = cli_load(str(SEGMENT), store=store_location)
    assert again["events_added"] == 0 and again["duplicates"] == 6 and balanced(again)


def test_checkout_events_option(store_location: str) -> None:
    api_load(store_location, [SEGMENT], checkout_events=("order completed",))
    types = {k: v["type"] for k, v in stored_events(store_location).items()}
    assert types["segment:ajs-msg-0003"] == "checkout"  # names compared case-insensitively
    assert types["segment:ajs-msg-0009"] == "profile_update"  # no longer a checkout


def test_checkout_event_cli_option(store_location: str) -> None:
    cli_load(str(SEGMENT), "--checkout-event", "Order Completed", store=store_location)
    types = {k: v["type"] for k, v in stored_events(store_location).items()}
    assert types["segment:ajs-msg-0003"] == "checkout"
    assert types["segment:ajs-msg-0009"] == "profile_update"  # only the named event counts
