"""Canonical events carry a field per id namespace the rule set declares (docs/formats.md)."""

from __future__ import annotations

from pathlib import Path

from support import write_csv, write_jsonl

from identigraph.api import load
from identigraph.graph.explain import explain
from identigraph.graph.open import open_store
from identigraph.loaders.batch import ReadOptions
from identigraph.loaders.report import LoadReport

T0 = "2026-01-02T10:00:00Z"


def _load(store: Path, *paths: Path, ruleset: str | None = None) -> LoadReport:
    s = open_store(str(store))
    try:
        return load(s, list(paths), ruleset=ruleset, options=ReadOptions())
    finally:
        s.close()


def _profile_of(store: Path, *keys: str) -> list[str | None]:
    """The profile id holding each identifier (None: not stored or on no profile)."""
    s = open_store(str(store), create=False)
    try:
        found = [s.identifier(k) for k in keys]
        return [None if f is None else f.profile_id for f in found]
    finally:
        s.close()


def _rows(report: LoadReport) -> tuple[int, int, int, int, int]:
    counts = [report.total(k) for k in ("rows_read", "loaded", "loaded_with_warnings",
                                        "rejected", "duplicates")]
    return counts[0], counts[1], counts[2], counts[3], counts[4]


def test_jsonl_and_csv_namespace_fields_become_identifiers(tmp_path: Path) -> None:
    """``klaviyo_id`` and ``shopify_customer_id`` fields are identifiers of their own
    kinds: the email joins them on one profile, a Shopify id is normalised to its digits."""
    jsonl = write_jsonl(tmp_path / "k.jsonl", [
        {"event_id": "k1", "timestamp": T0, "type": "import", "email": "ann@example.com",
         "klaviyo_id": "01HKANN"}])
    csv = write_csv(tmp_path / "s.csv", ["event_id", "timestamp", "type", "email",
                                         "shopify_customer_id"],
                    [["s1", "2026-01-03T10:00:00Z", "import", "Ann@Example.com", "'7001"]])
    store = tmp_path / "s.db"
    report = _load(store, jsonl, csv)
    assert _rows(report) == (2, 2, 0, 0, 0)
    ann = _profile_of(store, "email:ann@example.com", "klaviyo_id:01HKANN",
                      "shopify_customer_id:7001")
    assert ann[0] is not None and len(set(ann)) == 1


def test_a_row_with_only_undeclared_namespaces_is_rejected_naming_them(
        tmp_path: Path) -> None:
    """``zendesk_id`` is no kind of the rule set: a row with nothing else is rejected with a
    reason naming it and the declared kinds; on a row with an email its value is dropped
    with a warning. Every row is accounted for."""
    path = write_jsonl(tmp_path / "e.jsonl", [
        {"timestamp": T0, "type": "import", "zendesk_id": "z9"},
        {"timestamp": T0, "type": "import", "zendesk_id": "z10", "email": "b@example.com"},
        {"timestamp": T0, "type": "import", "klaviyo_id": "NULL", "email": "c@example.com"},
    ])
    report = _load(tmp_path / "s.db", path)
    assert _rows(report) == (3, 0, 2, 1, 0)
    rejected = [p for p in report.problems if p.severity == "rejected"]
    assert [(p.line, p.column) for p in rejected] == [(1, "zendesk_id")]
    assert "zendesk_id" in rejected[0].reason
    assert "klaviyo_id" in rejected[0].reason and "shopify_customer_id" in rejected[0].reason
    warned = {(p.line, p.column) for p in report.problems if p.severity == "warning"}
    assert {(2, "zendesk_id"), (3, "klaviyo_id")} <= warned  # NULL: a placeholder
    assert _profile_of(tmp_path / "s.db", "klaviyo_id:NULL") == [None]


def test_reloading_adds_nothing_and_a_namespace_id_tells_rows_apart(tmp_path: Path) -> None:
    """Rows without an event id are told apart by their namespace ids (their content id
    covers them), and loading the same file twice adds nothing."""
    path = write_jsonl(tmp_path / "e.jsonl", [
        {"timestamp": T0, "type": "import", "email": "a@example.com", "klaviyo_id": "K1"},
        {"timestamp": T0, "type": "import", "email": "a@example.com", "klaviyo_id": "K2"},
    ])
    store = tmp_path / "s.db"
    first = _load(store, path)
    assert first.events_added == 2
    assert _load(store, path).events_added == 0
    k1, k2 = _profile_of(store, "klaviyo_id:K1", "klaviyo_id:K2")
    assert k1 is not None and k2 is not None and k1 != k2  # one Klaviyo ID per profile


def test_a_declared_namespace_of_any_name_is_a_csv_column(tmp_path: Path) -> None:
    """A user's rule set declaring ``loyalty`` (no ``_id``) takes a ``loyalty`` column,
    normalised by its normaliser."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "name: loyal\n"
        "identifiers: [{name: loyalty, normaliser: digits}, {name: email, normaliser: email},"
        " {name: phone, normaliser: phone}]\n"
        "strength: [loyalty, email, phone]\n"
        "event_types: {import: {link: merge}}\n", encoding="utf-8")
    path = write_csv(tmp_path / "e.csv", ["timestamp", "type", "email", "loyalty"], [
        [T0, "import", "a@example.com", "LOY-0042"],
        [T0, "import", "", "0042"]])
    store = tmp_path / "s.db"
    report = _load(store, path, ruleset=str(rules))
    assert _rows(report) == (2, 2, 0, 0, 0)
    a, loyal = _profile_of(store, "email:a@example.com", "loyalty:0042")
    assert a is not None and a == loyal


def test_an_orders_export_with_customer_ids_joins_the_customers_profile(
        tmp_path: Path) -> None:
    """A Shopify orders export that has a ``Customer ID`` column (apps add one) puts it in
    ``shopify_customer_id``, the customers export's namespace: the order lands on the
    customer's profile, where its other email meets the email limit (SPEC section 3)."""
    customers = write_csv(tmp_path / "customers.csv", [
        "Customer ID", "First Name", "Email", "Accepts Email Marketing", "Phone",
        "Accepts SMS Marketing", "Total Spent", "Total Orders", "Tax Exempt"],
        [["'7781234560017", "Ava", "ava@example.com", "yes", "", "no", "10.00", "1", "no"]])
    orders = write_csv(tmp_path / "orders.csv", [
        "Name", "Email", "Financial Status", "Created at", "Lineitem name", "Customer ID"],
        [["#1001", "ava.work@example.com", "paid", "2025-08-22 12:43:50 +0100", "Tee",
          "7781234560017"]])
    store = tmp_path / "s.db"
    report = _load(store, customers, orders)
    assert _rows(report) == (2, 2, 0, 0, 0)
    found = _profile_of(store, "email:ava@example.com", "email:ava.work@example.com",
                        "shopify_customer_id:7781234560017")
    assert found[0] is not None and found[2] == found[0] and found[1] != found[0]
    s = open_store(str(store), create=False)
    try:
        why = explain(s, "shopify_customer_id:7781234560017", "email:ava.work@example.com")
    finally:
        s.close()
    assert [(e.event_type, e.rule) for e in why.blocked] == [("checkout", "limit")]


def test_a_blocked_value_of_a_declared_namespace_finds_every_event_carrying_it(
        tmp_path: Path) -> None:
    """A rule set that blocks the loyalty number staff type for walk-ins (``0000``): the
    customers who share it stay apart, and the store finds every event carrying it, from
    the first load and from a later one (the lookup of a blocked value, by group)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "name: walk-ins\n"
        "identifiers: [{name: loyalty, normaliser: digits}, {name: email, normaliser: email},"
        " {name: phone, normaliser: phone}]\n"
        "strength: [loyalty, email, phone]\n"
        "event_types: {import: {link: merge}}\n"
        "blocked: [{kind: loyalty, value: '0000'}]\n", encoding="utf-8")
    header = ["event_id", "timestamp", "type", "email", "loyalty"]
    first = [["w1", T0, "import", "a@example.com", "0000"],
             ["w2", T0, "import", "b@example.com", "0000"]]
    later = [["w3", "2026-01-05T10:00:00Z", "import", "c@example.com", "00-00"]]
    store = tmp_path / "s.db"
    _load(store, write_csv(tmp_path / "first.csv", header, first), ruleset=str(rules))
    _load(store, write_csv(tmp_path / "later.csv", header, later), ruleset=str(rules))
    people = _profile_of(store, *(f"email:{row[3]}" for row in first + later))
    assert None not in people and len(set(people)) == len(people)
    s = open_store(str(store), create=False)
    try:
        blocked = s.identifier("loyalty:0000")
        assert blocked is not None and blocked.blocked
        assert sorted(e.event_id for e in s.events_for(["loyalty:0000"])) == sorted(
            row[0] for row in first + later)
    finally:
        s.close()
