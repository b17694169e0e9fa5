"""Column-wise validation gives what the per-value rules give (ids, reports, order)."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa

from identigraph.loaders._columns import json_objects
from identigraph.loaders.batch import RawBatch
from identigraph.loaders.canonical import Canonicaliser, parse_timestamp
from identigraph.rules.registry import load_ruleset


def _batch(cols: dict[str, list[str | None]]) -> RawBatch:
    n = len(next(iter(cols.values())))
    data = {k: pa.array(v, pa.string()) for k, v in cols.items()}
    return RawBatch("f.csv", list(range(2, n + 2)), data, "events")


COLS: dict[str, list[str | None]] = {
    "timestamp": ["2025-01-01T10:00:00Z", " 2025-01-02T00:00:00+01:00", None, "yesterday",
                  "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"],
    "type": ["form_submit", "checkout", "form_submit", "form_submit", "nope", " import "],
    "email": ["Ann@Example.COM", "bad@", None, "c@example.com", "d@example.com", None],
    "phone": ["(415) 555-0101", "'+14155550101", "07911 123456", None, None, "1.41555E+10"],
    "country": ["us", "Germany", None, None, None, "GB"],
    "email_consent": ["Subscribed", "maybe", None, None, None, None],
    "attributes": ['{"a": 1}', None, "[1]", None, None, None],
}


def test_rows_kept_and_rejected_with_their_lines() -> None:
    """Each row is kept or rejected, by its first problem, with its record number."""
    canon = Canonicaliser(load_ruleset(None))
    a = canon.validate(_batch(COLS))
    assert a.lines.tolist() == [2, 3]
    assert a.warned.tolist() == [False, True]  # row 3: a bad email and consent dropped
    assert a.rejected == 4
    assert [(p.line, p.column, p.reason) for p in a.problems if p.severity == "rejected"] == [
        (4, "timestamp", "missing timestamp"), (5, "timestamp", "not an ISO 8601 timestamp"),
        (6, "type", "unknown event type for rule set klaviyo-sms"),
        (7, "email/phone/external_id", "no valid identifier")]


def content_event_id(prefix: str, parts: list[str]) -> str:
    """The id a row without one gets: its format's name and a BLAKE2b-80 digest of its parts
    (stable across versions: reloading a file stored long ago must find its events)."""
    return f"{prefix}:{hashlib.blake2b(chr(0x1f).join(parts).encode(), digest_size=10).hexdigest()}"


def test_content_ids_are_stable_digests_of_the_rows_parts() -> None:
    """Rows without an event id get a digest of their parts."""
    canon = Canonicaliser(load_ruleset(None))
    out = canon.validate(_batch(COLS)).events
    for row in out.table.to_pylist():
        eid, ts, typ, channel, source, email, phone, ext, _c, ec, sc, attrs = row.values()
        assert eid == content_event_id("events", [
            str(ts), str(typ), str(email or ""), str(phone or ""), str(ext or ""),
            str(ec or ""), str(sc or ""), "", str(source or ""), str(attrs or "")])
        assert channel is not None
    assert out.column("ts")[0].as_py() == parse_timestamp("2025-01-01T10:00:00Z")


def test_same_national_phone_under_two_countries_in_one_batch() -> None:
    """A national number means what its row's country says, even when repeated in a batch."""
    cols: dict[str, list[str | None]] = {
        "timestamp": ["2025-01-01T10:00:00Z"] * 3,
        "type": ["form_submit"] * 3,
        "phone": ["06 12345678", "06 12345678", "06 12345678"],
        "country": ["NL", "FR", "NL"],
    }
    checked = Canonicaliser(load_ruleset(None), "US").validate(_batch(cols))
    assert checked.events.column("phone").to_pylist() == [
        "+31612345678", "+33612345678", "+31612345678"]


def test_attributes_made_in_bulk_are_json_dumps_of_each_row() -> None:
    """An export's attributes (names, notes) become the JSON text ``json.dumps`` gives, also
    for values with quotes, backslashes, control characters or accents among plain ones."""
    first = ["Ann", 'Bo "the boss"', None, "C:\\dir", "tab\there", "Zoë", "Ed"]
    orders = [1, 2, 3, None, 5, 6, 7]
    made = json_objects([("first_name", pa.array(first, pa.string())),
                         ("orders", pa.array(orders, pa.int64()))])
    assert made.to_pylist() == [json.dumps({"first_name": f, "orders": n}, ensure_ascii=False)
                                for f, n in zip(first, orders, strict=True)]
