"""``shopify-customers`` and ``shopify-orders``: Shopify's own export files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loaderkit import P, api_load, balanced, fixture, micros, profile_set, rejects, stored_events
from support import cli_load

from identigraph.loaders.batch import ReadOptions
from identigraph.loaders.shopify import ShopifyOrders

CUSTOMERS = fixture("shopify_customers.csv")
CUSTOMERS_2023 = fixture("shopify_customers_2023.csv")
CUSTOMERS_LEGACY = fixture("shopify_customers_legacy.csv")
ORDERS = fixture("shopify_orders.csv")


# -- customers --------------------------------------------------------------------------

def test_customer_profiles(store_location: str) -> None:
    summary = cli_load(str(CUSTOMERS), store=store_location)
    assert summary["files"][0]["format"] == "shopify-customers"
    assert profile_set(store_location) == {
        # Shopify's apostrophe-prefixed phones; yes/yes consent
        P(("shopify_customer_id:7210450001",), ("ann@example.com",), ("+14155550101",), "subscribed", "subscribed"),
        P(("shopify_customer_id:7210450002",), ("bob@example.com",), (), "subscribed", None),
        # "no" is not an unsubscribe: no consent recorded
        P(("shopify_customer_id:7210450003",), ("carol@example.com",), (), "never_subscribed", None),
        # multi-line quoted Note with doubled quotes
        P(("shopify_customer_id:7210450005",), ("erin@example.com",), (), "subscribed", None),
        # Excel-mangled Customer ID: not loaded as an id
        P((), ("frank@example.com",), (), "never_subscribed", None),
        # Dutch national number read with the Default Address Country Code
        P(("shopify_customer_id:7210450007",), ("gina@example.nl",), ("+31612345678",), "subscribed", "subscribed"),
        # a customer known only by the shop's id
        P(("shopify_customer_id:7210450008",), (), (), None, None),
    }


def test_customers_get_the_undated_time(store_location: str) -> None:
    cli_load(str(CUSTOMERS), store=store_location)
    events = stored_events(store_location)
    assert {e["ts"] for e in events.values()} == {0}  # default: 1970-01-01T00:00:00Z
    assert {e["type"] for e in events.values()} == {"import"}
    ann = next(e for e in events.values() if e["email"] == "ann@example.com")
    assert ann["event_id"].startswith("shopify-customers:7210450001:")
    assert json.loads(ann["attributes"]) == {"first_name": "Ann", "last_name": "Lee"}


def test_undated_time_option(store_location: str) -> None:
    cli_load(str(CUSTOMERS), "--undated-time", "2025-01-31T00:00:00Z", store=store_location)
    assert {e["ts"] for e in stored_events(store_location).values()} == {
        micros("2025-01-31T00:00:00Z")}


def test_customer_rejects_and_reload(store_location: str, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    first = cli_load(str(CUSTOMERS), "--rejects", str(out), store=store_location)
    assert rejects(out) == [
        ("shopify_customers.csv", 6, "Customer ID", "7.21045E+12",
         "looks like a number mangled by a spreadsheet (scientific notation)", "warning"),
    ]
    assert (first["rows_read"], first["loaded"], first["loaded_with_warnings"]) == (7, 6, 1)
    assert balanced(first)
    before = profile_set(store_location)
    # the same export again, even with another --undated-time, adds nothing
    again = cli_load(str(CUSTOMERS), "--undated-time", "2025-01-31T00:00:00Z", store=store_location)
    assert again["events_added"] == 0 and again["duplicates"] == 7 and balanced(again)
    assert profile_set(store_location) == before


def test_older_customer_exports(store_location: str) -> None:
    summary = cli_load(str(CUSTOMERS_2023), str(CUSTOMERS_LEGACY), store=store_location)
    assert [f["format"] for f in summary["files"]] == ["shopify-customers"] * 2
    assert profile_set(store_location) == {
        P((), ("ivy@example.com",), ("+14165550111",), "subscribed", "subscribed"),
        P((), ("jon@example.com",), ("+12125550112",), "never_subscribed", "never_subscribed"),
        # legacy "Accepts Marketing"; Korean number with its country code
        P((), ("kim@example.com",), ("+821012345678",), "subscribed", "never_subscribed"),
    }


# -- orders -----------------------------------------------------------------------------

def test_order_profiles(store_location: str) -> None:
    summary = cli_load(str(ORDERS), store=store_location)
    assert summary["files"][0]["format"] == "shopify-orders"
    assert profile_set(store_location) == {
        P((), ("ann@example.com",), ("+14155550199",), "subscribed", "never_subscribed"),
        # phone from the Phone column
        P((), ("bob@example.com",), ("+14155550102",), "never_subscribed", "never_subscribed"),
        # only a Shipping Phone, national UK number read with Billing Country GB
        P((), ("hank@example.co.uk",), ("+447911123458",), "subscribed", "never_subscribed"),
    }


def test_one_checkout_per_order(store_location: str) -> None:
    summary = cli_load(str(ORDERS), store=store_location)
    # 9 line-item rows: 5 orders; 4 extra line items folded (duplicates); #1003 (no
    # identifier) and #1005 (unreadable time) rejected
    assert {k: summary[k] for k in ("rows_read", "loaded", "loaded_with_warnings", "rejected",
                                    "duplicates", "events_added")} == {
        "rows_read": 9, "loaded": 2, "loaded_with_warnings": 1, "rejected": 2,
        "duplicates": 4, "events_added": 3}
    assert balanced(summary)
    events = stored_events(store_location)
    assert set(events) == {"shopify-orders:5601234567001", "shopify-orders:5601234567002",
                           "shopify-orders:#1004@2025-08-24T18:05:00+01:00"}
    ann = events["shopify-orders:5601234567001"]
    assert ann["type"] == "checkout"
    assert ann["ts"] == micros("2025-08-22T11:43:50Z")  # 2025-08-22 12:43:50 +0100
    assert ann["source"] == "shopify order #1001"
    assert json.loads(ann["attributes"]) == {"currency": "USD", "line_items": 2,
                                             "order": "#1001", "total": "34.98"}
    assert ann["country"] == "US"


def test_order_rejects(store_location: str, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    cli_load(str(ORDERS), "--rejects", str(out), store=store_location)
    assert sorted(rejects(out)) == sorted([
        ("shopify_orders.csv", 5, "email/phone/external_id", "", "no valid identifier",
         "rejected"),
        ("shopify_orders.csv", 8, "Id", "5.60123E+12", "order id mangled by a spreadsheet "
         "(scientific notation); the order Name makes the event id", "warning"),
        ("shopify_orders.csv", 10, "Created at", "22/08/2025 12:43",
         "not an ISO 8601 timestamp", "rejected"),
    ])


def test_order_reload_adds_nothing(store_location: str) -> None:
    cli_load(str(ORDERS), store=store_location)
    before = profile_set(store_location)
    again = cli_load(str(ORDERS), store=store_location)
    assert again["events_added"] == 0
    assert (again["duplicates"], again["rejected"]) == (7, 2) and balanced(again)
    assert profile_set(store_location) == before


def test_orders_split_across_batches(store_location: str, tmp_path: Path) -> None:
    """An order whose line items straddle a batch boundary is still one event."""
    report = api_load(store_location, [ORDERS], batch_rows=2)
    summary = report.as_dict()
    assert (summary["rows_read"], summary["duplicates"], report.events_added) == (9, 4, 3)
    assert set(stored_events(store_location)) == {
        "shopify-orders:5601234567001", "shopify-orders:5601234567002",
        "shopify-orders:#1004@2025-08-24T18:05:00+01:00"}


def test_orders_and_customers_sort_apart() -> None:
    from identigraph.loaders.formats import pick_format

    assert pick_format(ORDERS).name == "shopify-orders"
    for f in (CUSTOMERS, CUSTOMERS_2023, CUSTOMERS_LEGACY):
        assert pick_format(f).name == "shopify-customers"


@pytest.mark.parametrize("batch_rows", [1, 3, 100_000])
def test_orders_with_malformed_rows(tmp_path: Path, batch_rows: int) -> None:
    """Malformed rows in and after orders: record numbers right, orders whole, all counted."""
    lines = ORDERS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "orders_export.csv"
    path.write_text("\n".join([*lines[:6], "#1003,oops,too,few", *lines[6:],
                               "#1006,x@example.com"]) + "\n", encoding="utf-8")
    fmt = ShopifyOrders()
    rows = folded = 0
    ids: list[str | None] = []
    bad: list[tuple[int, str]] = []
    for batch in fmt.read(path, ReadOptions(batch_rows=batch_rows)):
        rows += len(batch) + len(batch.rejected) + batch.folded
        folded += batch.folded
        column = batch.cols.get("event_id", [])
        ids += column if isinstance(column, list) else column.to_pylist()
        bad += [(p.line, p.reason) for p in batch.rejected]
    assert (rows, folded) == (11, 4)
    assert bad == [(6, "wrong number of fields (expected 79)"),
                   (12, "wrong number of fields (expected 79)")]
    assert ids == ["shopify-orders:5601234567001", "shopify-orders:5601234567002",
                   "shopify-orders:5601234567003",
                   "shopify-orders:#1004@2025-08-24T18:05:00+01:00",
                   "shopify-orders:5601234567005"]
