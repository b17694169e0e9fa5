"""Random canonical events for the Spark equivalence tests: shared identifiers, ties in
time, every event type, consent, and values a rule set may block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from identigraph.events import EventTable
from identigraph.rules.model import RuleSet

SHOP = "+12125550100"  # typed by many people at checkout
TEST_EMAIL = "test@example.com"
CONSENT = [None, None, "subscribed", "unsubscribed", "never_subscribed"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def random_rows(n: int, ruleset: RuleSet, seed: int) -> list[dict[str, Any]]:
    """``n`` canonical events (as JSON Lines objects) of about ``n / 3`` people; people
    share phones now and then, change numbers, and some events carry the shop's phone or
    the test email; many events share a timestamp."""
    rng = np.random.default_rng(seed)
    people = max(1, n // 3)
    types = list(ruleset.event_types)
    person = rng.integers(0, people, n)
    kinds = rng.random((n, 3)) < (0.15, 0.7, 0.55)
    kinds[~kinds.any(axis=1), 1] = True
    second = rng.random(n) < 0.05  # a second email / number of the same person
    shared = rng.random(n) < 0.02  # a neighbour's phone
    odd = rng.random((n, 2))
    when = rng.integers(0, n // 2 + 1, n)
    type_of = rng.integers(0, len(types), n)
    consent = rng.integers(0, len(CONSENT), (n, 2))
    rows: list[dict[str, Any]] = []
    for i in range(n):
        p = int(person[i])
        q = (int(rng.integers(0, people)) if shared[i] else p) * 2 + int(second[i])
        row: dict[str, Any] = {
            "event_id": f"e{i:07d}",
            "timestamp": (START + timedelta(seconds=int(when[i]))).isoformat(),
            "type": types[int(type_of[i])]}
        if kinds[i, 0]:
            row["external_id"] = f"cust-{p}"
        if kinds[i, 1]:
            row["email"] = TEST_EMAIL if odd[i, 0] < 0.002 else (
                f"user{p}{'.b' if second[i] else ''}@example.com")
            row["email_consent"] = CONSENT[int(consent[i, 0])]
        if kinds[i, 2]:
            row["phone"] = SHOP if odd[i, 1] < 0.004 else (
                f"+1415{200 + q % 800:03d}{q // 800 % 10_000:04d}")
            row["sms_consent"] = CONSENT[int(consent[i, 1])]
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def event_table(rows: list[dict[str, Any]]) -> EventTable:
    """Canonical events straight into an event table (no loader: values taken as given)."""
    columns: dict[str, list[object]] = {f: [r.get(f) for r in rows] for f in (
        "event_id", "type", "email", "phone", "external_id", "email_consent", "sms_consent")}
    columns["ts"] = [int(datetime.fromisoformat(r["timestamp"]).timestamp() * 1_000_000)
                     for r in rows]
    return EventTable.of(columns)


def random_events(n: int, ruleset: RuleSet, seed: int) -> EventTable:
    """:func:`random_rows` as an event table."""
    return event_table(random_rows(n, ruleset, seed))
