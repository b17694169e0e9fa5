"""One shop's Shopify customers, Shopify orders and SMS subscribers loaded together."""

from __future__ import annotations

import json
from pathlib import Path

from loaderkit import P, balanced, explain, fixture, profile_set
from support import cli, cli_load

CUSTOMERS = fixture("shopify_customers.csv")
ORDERS = fixture("shopify_orders.csv")
SMS = fixture("sms_postscript.csv")

EXPECTED = {
    # customer export (1970) then order #1001 with another phone and no SMS consent for
    # it: the phone is replaced and SMS consent is gone (rules 7 and 8)
    P(("shopify_customer_id:7210450001",), ("ann@example.com",), ("+14155550199",), "subscribed",
      "never_subscribed"),
    # Bob: a keyword opt-in (phone only) stays apart (rule 9), and his order with that phone
    # does not bridge the two profiles (rule 6: a checkout never joins two profiles)
    P(("shopify_customer_id:7210450002",), ("bob@example.com",), (), "subscribed", None),
    P((), (), ("+14155550102",), None, "subscribed"),
    # Carol: a Klaviyo form with her email brings the phone onto her profile (rule 2)
    P(("shopify_customer_id:7210450003",), ("carol@example.com",), ("+14155550103",), "never_subscribed",
      "subscribed"),
    # Dave: a checkout consent with a new email and phone: one new profile
    P((), ("dave@example.com",), ("+14155550104",), "never_subscribed", "subscribed"),
    # Erin: a keyword opt-in carrying her email still never merges
    P(("shopify_customer_id:7210450005",), ("erin@example.com",), (), "subscribed", None),
    P((), (), ("+14155550105",), None, "subscribed"),
    P((), ("frank@example.com",), (), "never_subscribed", None),
    P(("shopify_customer_id:7210450007",), ("gina@example.nl",), ("+31612345678",), "subscribed", "subscribed"),
    P(("shopify_customer_id:7210450008",), (), (), None, None),
    P((), (), ("+14155550107",), None, "unsubscribed"),
    # a guest checkout
    P((), ("hank@example.co.uk",), ("+447911123458",), "subscribed", "never_subscribed"),
}


def test_mixed_sources(store_location: str) -> None:
    summary = cli_load(str(CUSTOMERS), str(ORDERS), str(SMS), store=store_location)
    assert [f["format"] for f in summary["files"]] == [
        "shopify-customers", "shopify-orders", "sms-subscribers"]
    assert balanced(summary)
    assert profile_set(store_location) == EXPECTED

    # the checkout did not bridge Bob's email profile and his keyword phone profile
    bob = explain(store_location, "bob@example.com", "+1 415 555 0102")
    assert (bob["same_profile"], bob["reason"]) == (False, "blocked")
    assert {(e["rule"], e["event_type"]) for e in bob["blocked"]} >= {
        ("attach_only", "checkout")}
    assert any(e["event_id"] == "shopify-orders:5601234567002" for e in bob["blocked"])

    # Erin's keyword opt-in carried her email, and never merges
    erin = explain(store_location, "erin@example.com", "+14155550105")
    assert erin["reason"] == "blocked"
    assert [(e["rule"], e["event_type"]) for e in erin["blocked"]] == [
        ("never_merges", "sms_keyword")]

    # Carol's form merged
    carol = explain(store_location, "carol@example.com", "+14155550103")
    assert carol["same_profile"] is True
    assert [(e["rule"], e["event_type"]) for e in carol["path"]] == [("merge", "form_submit")]

    # Ann's customer-export phone was replaced by the order's
    ann = explain(store_location, "ann@example.com", "+14155550101")
    assert ann["same_profile"] is False
    assert {e["rule"] for e in ann["blocked"]} == {"superseded"}


def test_file_order_does_not_matter(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    cli_load(str(CUSTOMERS), str(ORDERS), str(SMS), store=a)
    cli_load(str(SMS), store=b)
    cli_load(str(ORDERS), str(CUSTOMERS), store=b)

    def profiles(store: str) -> list[dict[str, object]]:
        out = cli("profiles", "--json", store=store)
        assert out.returncode == 0, out.stderr
        data: list[dict[str, object]] = json.loads(out.stdout)
        return data

    assert profiles(a) == profiles(b)
