"""``sms-subscribers``: SMS platform subscriber exports; the opt-in source picks the type."""

from __future__ import annotations

from pathlib import Path

import pytest
from loaderkit import P, balanced, fixture, micros, profile_set, rejects, stored_events
from support import cli, cli_load

from identigraph.loaders.sms import source_resolver

POSTSCRIPT = fixture("sms_postscript.csv")
YOTPO = fixture("sms_yotpo.csv")
ATTENTIVE = fixture("sms_attentive.csv")


@pytest.mark.parametrize(("source", "event_type"), [
    ("CODE", "sms_keyword"), ("Keyword (SPRING)", "sms_keyword"),
    ("Keyword API", "sms_keyword"), ("Keyword - Form (BOOTCAMP)", "sms_keyword"),
    ("keyword", "sms_keyword"), ("Text to Join", "sms_keyword"),
    ("DIRECT", "form_submit"), ("DOUBLE_OPT_IN", "form_submit"),
    ("Desktop Popup", "form_submit"), ("Klaviyo Form", "form_submit"),
    ("welcome_popup", "form_submit"), ("Mobile Popup", "form_submit"),
    ("CHECKOUT", "checkout"), ("Shopify Checkout Customer Consent", "checkout"),
    ("Shopify Checkout (Consent)", "checkout"), ("ReCharge Checkout", "checkout"),
    ("CartHook Checkout", "checkout"),
    ("Manual Upload", "import"), ("API", "import"), ("manual_upload", "import"),
    ("Click-to-Text", "click_to_text"),
    ("Spin To Win Wheel", None), ("", None), (None, None),
])
def test_source_table(source: str | None, event_type: str | None) -> None:
    assert source_resolver({})(source) == event_type


def test_user_source_map_wins_and_catch_all() -> None:
    resolve = source_resolver({"spin to win wheel": "form_submit", "DIRECT": "import"})
    assert resolve("Spin To Win Wheel") == "form_submit"
    assert resolve("direct") == "import"
    assert resolve("Something Else") is None
    assert source_resolver({"*": "import"})("Something Else") == "import"


def test_postscript_profiles(store_location: str) -> None:
    summary = cli_load(str(POSTSCRIPT), store=store_location)
    assert summary["files"][0]["format"] == "sms-subscribers"
    assert profile_set(store_location) == {
        # keyword opt-in, phone only
        P((), (), ("+14155550102",), None, "subscribed"),
        # Klaviyo form with an email: one profile
        P((), ("carol@example.com",), ("+14155550103",), "never_subscribed", "subscribed"),
        # Shopify checkout consent: a checkout attaching the new phone
        P((), ("dave@example.com",), ("+14155550104",), "never_subscribed", "subscribed"),
        # keyword opt-in carrying an email: never merges
        P((), ("erin@example.com",), (), "never_subscribed", None),
        P((), (), ("+14155550105",), None, "subscribed"),
        # manual upload, since unsubscribed
        P((), (), ("+14155550107",), None, "unsubscribed"),
    }
    types = {e["phone"] or e["email"]: e["type"] for e in stored_events(store_location).values()}
    assert types == {"+14155550102": "sms_keyword", "+14155550103": "form_submit",
                     "+14155550104": "checkout", "+14155550105": "sms_keyword",
                     "+14155550107": "import"}


def test_postscript_rejects(store_location: str, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    summary = cli_load(str(POSTSCRIPT), "--rejects", str(out), store=store_location)
    name = "sms_postscript.csv"
    assert sorted(rejects(out)) == sorted([
        (name, 6, "Opt-in Source", "Spin To Win Wheel",
         "unknown opt-in source 'Spin To Win Wheel': map it to an event type with "
         "--source-map (YAML like {'My Source': form_submit})", "rejected"),
        (name, 8, "Phone Number", "1.41555E+10",
         "phone number mangled by a spreadsheet (scientific notation)", "warning"),
        (name, 8, "email/phone/external_id", "", "no valid identifier", "rejected"),
        (name, 9, "Phone Number", "06 12345678", "not a valid phone number for region US",
         "warning"),
        (name, 9, "email/phone/external_id", "", "no valid identifier", "rejected"),
    ])
    assert (summary["rows_read"], summary["loaded"], summary["rejected"]) == (8, 5, 3)
    assert balanced(summary)


def test_source_map_file(store_location: str, tmp_path: Path) -> None:
    """The documented YAML: ``{"My Source": form_submit}``; keys compared loosely."""
    mapping = tmp_path / "sources.yaml"
    mapping.write_text('"spin to win WHEEL": form_submit\n', encoding="utf-8")
    summary = cli_load(str(POSTSCRIPT), "--source-map", str(mapping), store=store_location)
    assert (summary["loaded"], summary["rejected"]) == (6, 2)
    assert P((), (), ("+14155550106",), None, "subscribed") in profile_set(store_location)


def test_default_region(store_location: str) -> None:
    """A national number in an export without a country column: ``--default-region``."""
    summary = cli_load(str(POSTSCRIPT), "--default-region", "NL", store=store_location)
    # the NL region reads 06 12345678, and no longer the US national (415) 555-0102;
    # numbers written with +1 still load
    assert summary["rejected"] == 3
    assert P((), (), ("+31612345678",), None, "subscribed") in profile_set(store_location)


def test_yotpo_and_attentive_exports(store_location: str) -> None:
    summary = cli_load(str(YOTPO), str(ATTENTIVE), store=store_location)
    assert [f["format"] for f in summary["files"]] == ["sms-subscribers"] * 2
    assert summary["rejected"] == 0 and balanced(summary)
    assert profile_set(store_location) == {
        # CODE is a keyword; the Country column reads the Dutch national number
        P((), (), ("+31612345678",), None, "subscribed"),
        P((), ("lee@example.co.uk",), ("+447911123459",), "never_subscribed", "subscribed"),
        P((), (), ("+12125550113",), None, "subscribed"),
        # a pending double opt-in is not consent yet
        P((), (), ("+12125550114",), None, "never_subscribed"),
        P((), ("mia@example.com",), ("+13125550120",), "never_subscribed", "subscribed"),
        P((), (), ("+13125550121",), None, "subscribed"),
        P((), (), ("+13125550122",), None, "unsubscribed"),
    }
    times = {e["phone"]: e["ts"] for e in stored_events(store_location).values()}
    assert times["+13125550120"] == micros("2025-05-01T15:00:00Z")  # "... -0500"
    assert times["+31612345678"] == micros("2025-06-01T08:00:00Z")


def test_second_load_adds_nothing(store_location: str) -> None:
    cli_load(str(POSTSCRIPT), str(YOTPO), store=store_location)
    before = profile_set(store_location)
    again = cli_load(str(POSTSCRIPT), str(YOTPO), store=store_location)
    assert again["events_added"] == 0 and again["duplicates"] == 9 and balanced(again)
    assert profile_set(store_location) == before


def test_missing_source_column(tmp_path: Path) -> None:
    path = tmp_path / "subs.csv"
    path.write_text("Phone,Subscribed At\n+14155550101,2025-01-01\n", encoding="utf-8")
    out = cli("load", str(path), store=str(tmp_path / "s.db"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "no opt-in source column" in out.stderr
    mapping = tmp_path / "all.yaml"
    mapping.write_text('"*": import\n', encoding="utf-8")
    summary = cli_load(str(path), "--source-map", str(mapping), store=str(tmp_path / "s.db"))
    assert summary["loaded"] == 1
