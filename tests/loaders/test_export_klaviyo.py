"""``klaviyo-profiles``: Klaviyo's profile export, columns found by name."""

from __future__ import annotations

from pathlib import Path

from loaderkit import P, balanced, fixture, micros, profile_set, rejects, stored_events
from support import cli_load

KLAVIYO = fixture("klaviyo_profiles.csv")
CUSTOM = fixture("klaviyo_custom_columns.csv")
NAME = "klaviyo_profiles.csv"


def test_profiles(store_location: str) -> None:
    summary = cli_load(str(KLAVIYO), store=store_location)
    assert summary["files"][0]["format"] == "klaviyo-profiles"
    assert profile_set(store_location) == {
        # 26-character Klaviyo ID, apostrophe phone, both consents
        P(("klaviyo_id:01HQ8Z6W4X3Y2V1T0S9R8Q7P6N",), ("ann@example.com",), ("+14155550101",),
          "subscribed", "subscribed"),
        # 6-character legacy id, (415) phone, mixed-case email
        P(("klaviyo_id:AbC123",), ("bob@example.com",), ("+14155550102",), "never_subscribed",
          "unsubscribed"),
        # Excel-mangled Klaviyo ID: not loaded; dotted phone
        P((), ("carol@example.com",), ("+14155550103",), "subscribed", "never_subscribed"),
        # a wrong-length Klaviyo ID is dropped; UK national number read with "United Kingdom"
        P((), ("dave@example.co.uk",), ("+447911123456",), "subscribed", "never_subscribed"),
        # multi-line quoted address; time from Date Added
        P(("klaviyo_id:01HQ8Z6W4X3Y2V1T0S9R8Q7P6P",), ("erin@example.com",), (), "subscribed", None),
        # unknown consent value dropped
        P(("klaviyo_id:01HQ8Z6W4X3Y2V1T0S9R8Q7P6Q",), ("frank@example.com",), ("+447911123457",),
          "never_subscribed", "never_subscribed"),
    }


def test_events_are_imports_with_profile_times(store_location: str) -> None:
    cli_load(str(KLAVIYO), store=store_location)
    events = stored_events(store_location)
    assert {e["type"] for e in events.values()} == {"import"}
    by_email = {e["email"]: e for e in events.values()}
    # Profile Created On wins over Date Added; a time without an offset is UTC
    assert by_email["bob@example.com"]["ts"] == micros("2024-01-20T08:15:30Z")
    assert by_email["carol@example.com"]["ts"] == micros("2024-03-03T12:00:00Z")
    # no Profile Created On: Date Added
    assert by_email["erin@example.com"]["ts"] == micros("2024-02-01T08:30:00Z")
    ann = by_email["ann@example.com"]
    assert ann["event_id"].startswith("klaviyo-profiles:01HQ8Z6W4X3Y2V1T0S9R8Q7P6N:")
    assert ann["attributes"] == '{"first_name": "Ann", "last_name": "Lee"}'
    assert ann["source"] == "Klaviyo Form"
    # no valid Klaviyo ID: a hash of the row's content
    assert by_email["carol@example.com"]["event_id"].startswith("klaviyo-profiles:")


def test_rejects_file(store_location: str, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    summary = cli_load(str(KLAVIYO), "--rejects", str(out), store=store_location)
    assert sorted(rejects(out)) == sorted([
        (NAME, 4, "Klaviyo ID", "7.21045E+12",
         "looks like a number mangled by a spreadsheet (scientific notation)", "warning"),
        (NAME, 5, "Klaviyo ID", "XYZ", "not a Klaviyo ID (26 or 6 letters and digits)",
         "warning"),
        (NAME, 6, "email/phone/external_id", "", "no valid identifier", "rejected"),
        (NAME, 7, "Email", "not-an-email", "not a valid email address", "warning"),
        (NAME, 7, "Phone Number", "12", "not a valid phone number for region US", "warning"),
        (NAME, 7, "email/phone/external_id", "", "no valid identifier", "rejected"),
        (NAME, 9, "Email Marketing Consent", "MAYBE",
         "consent must be subscribed, unsubscribed or never_subscribed", "warning"),
    ])
    assert {k: summary[k] for k in ("rows_read", "loaded", "loaded_with_warnings", "rejected",
                                    "duplicates")} == {
        "rows_read": 8, "loaded": 3, "loaded_with_warnings": 3, "rejected": 2, "duplicates": 0}
    assert balanced(summary)


def test_second_load_adds_nothing(store_location: str) -> None:
    first = cli_load(str(KLAVIYO), store=store_location)
    before = profile_set(store_location)
    again = cli_load(str(KLAVIYO), store=store_location)
    assert first["events_added"] == 6
    assert again["events_added"] == 0
    assert again["duplicates"] == 6 and again["rejected"] == 2 and balanced(again)
    assert profile_set(store_location) == before


def test_columns_by_name_not_position(store_location: str) -> None:
    """The user's columns in their order; aliases; a national number read with Country."""
    summary = cli_load(str(CUSTOM), store=store_location)
    assert summary["files"][0]["format"] == "klaviyo-profiles"
    assert profile_set(store_location) == {
        P(("klaviyo_id:01HQ8Z6W4X3Y2V1T0S9R8Q7P7A",), (), ("+31612345678",), None, "subscribed"),
        P(("klaviyo_id:01HQ8Z6W4X3Y2V1T0S9R8Q7P7B",), (), ("+14155550177",), None, "never_subscribed"),
    }
