"""``--format auto``: each real export's header picks its format; others are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from loaderkit import fixture
from support import cli, write_csv, write_jsonl

from identigraph.loaders.formats import FORMATS, pick_format

DETECTED = {
    "klaviyo_profiles.csv": "klaviyo-profiles",
    "klaviyo_custom_columns.csv": "klaviyo-profiles",
    "shopify_customers.csv": "shopify-customers",
    "shopify_customers_2023.csv": "shopify-customers",
    "shopify_customers_legacy.csv": "shopify-customers",
    "shopify_orders.csv": "shopify-orders",
    "sms_postscript.csv": "sms-subscribers",
    "sms_yotpo.csv": "sms-subscribers",
    "sms_attentive.csv": "sms-subscribers",
    "segment_events.jsonl": "segment",
}


def test_registered() -> None:
    assert list(FORMATS) == ["segment", "events", "shopify-orders", "shopify-customers",
                             "klaviyo-profiles", "sms-subscribers"]


@pytest.mark.parametrize(("name", "fmt"), sorted(DETECTED.items()))
def test_each_fixture_is_detected(name: str, fmt: str) -> None:
    assert pick_format(fixture(name)).name == fmt


def test_every_fixture_is_covered() -> None:
    assert {p.name for p in fixture("").iterdir() if p.is_file()} == set(DETECTED)


def test_canonical_events_stay_events(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "events.csv", ["timestamp", "type", "email", "phone", "source"],
                         [["2025-01-01T00:00:00Z", "form_submit", "a@example.com", "+14155550101",
                           "Popup"]])
    jsonl = write_jsonl(tmp_path / "events.jsonl", [{"timestamp": "2025-01-01T00:00:00Z",
                                                      "type": "import", "email": "a@example.com"}])
    assert pick_format(csv_path).name == "events"
    assert pick_format(jsonl).name == "events"


def test_unknown_header_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Order Ref,Amount,When\n1,2.00,2025-01-01\n", encoding="utf-8")
    out = cli("load", str(path), store=str(tmp_path / "s.db"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "header matches no known format" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(("fmt", "expected"), [
    ("shopify-orders", "no 'Name' column"),
    ("klaviyo-profiles", "no 'Email', 'Phone Number', 'Klaviyo ID' or 'External ID' column"),
    ("sms-subscribers", "no phone column"),
    ("segment", "the segment format reads JSON Lines"),
])
def test_forced_format_without_its_columns(tmp_path: Path, fmt: str, expected: str) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Order Ref,Amount,When\n1,2.00,2025-01-01\n", encoding="utf-8")
    out = cli("load", str(path), "--format", fmt, store=str(tmp_path / "s.db"))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and expected in out.stderr
