"""The compiled replay against the readable reference (engine/reference.py): the same rows,
ids included, on every rule set: any declared id namespaces (issue 11) in any declaration
and strength order, limits that replace or refuse at any size, any link mode per type,
absorb, blocked values; and the replace-limit property.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import examples

from identigraph.engine.reference import Columns, event_order
from identigraph.engine.reference import reference_rows as _reference
from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import FIELDS, EventTable
from identigraph.model import PROFILE_FIELDS, Kind
from identigraph.rules.model import PastLimit, RuleSet
from identigraph.rules.registry import load_ruleset

# -- what is compared ----------------------------------------------------------------------
TYPES = ["form_submit", "checkout", "sms_keyword", "import", "click_to_text"]
EMAILS = [f"u{i}@example.com" for i in range(6)]
PHONES = [f"+1415555010{i}" for i in range(6)]
EXTERNAL = ["c1", "c2", 'c"3', "ç4", "c\\5"]  # quotes, non-ASCII, backslash: JSON escaping
CONSENT = [None, None, "subscribed", "unsubscribed", ""]
KINDS = [Kind.EXTERNAL_ID, Kind.EMAIL, Kind.PHONE]
#: id namespaces a random rule set may declare (the shipped ones declare all three), with
#: the (normalised) values events carry; shopify ids are digits, so a blocked
#: ``gid://shopify/Customer/72`` must be normalised by the declaration to block ``72``
NAMESPACES: dict[str, tuple[dict[str, str], list[str]]] = {
    "klaviyo_id": ({"normaliser": "exact"}, ["k1", "K1", 'k"3']),
    "shopify_customer_id": ({"normaliser": "digits"}, ["71", "72", "73"]),
    "segment_anonymous_id": ({"normaliser": "lower"}, ["a1", "a2", "a3", "a4"]),
}
ID_VALUES: dict[str, list[str]] = {"external_id": EXTERNAL, "email": EMAILS, "phone": PHONES,
                                   **{name: values for name, (_, values) in NAMESPACES.items()}}


@st.composite
def rulesets(draw: st.DrawFn) -> RuleSet:
    """Any declared namespaces (external_id too may go) in any declaration order, strength
    order, limits, link modes, absorbs and blocked values."""
    kept = draw(st.sets(st.sampled_from([Kind.EXTERNAL_ID.value, *NAMESPACES])))
    kinds = draw(st.permutations([Kind.EMAIL.value, Kind.PHONE.value, *sorted(kept)]))
    declared = [{"name": k, "normaliser": k} if k in ("email", "phone")
                else {"name": k, **NAMESPACES.get(k, ({}, []))[0]} for k in kinds]
    limits: dict[str, Any] = {}
    for kind in kinds:
        size = draw(st.sampled_from([None, 1, 1, 2, 3]))
        limits[kind] = {"max": size, "past_limit": draw(st.sampled_from(["replace", "refuse"]))}
    types = {}
    for name in TYPES:
        link = draw(st.sampled_from(["merge", "attach", "none"]))
        absorb = draw(st.sets(st.sampled_from(kinds))) if link == "attach" else set()
        types[name] = {"link": link, "absorb_profiles_known_only_by": sorted(absorb)}
    blocks = [
        st.builds(lambda v: {"kind": "phone", "value": v}, st.sampled_from(PHONES)),
        st.builds(lambda v: {"kind": "email", "value": v.upper()}, st.sampled_from(EMAILS)),
        st.just({"kind": "email", "regex": r"u[45]@.*"})]
    blocks += [st.just(b) for b in ({"kind": "external_id", "value": "c2"},
                                    {"kind": "klaviyo_id", "value": " K1 "},
                                    {"kind": "shopify_customer_id",
                                     "value": "gid://shopify/Customer/72"},
                                    {"kind": "segment_anonymous_id", "regex": "a[34]"})
               if b["kind"] in kinds]
    return RuleSet.model_validate({
        "name": "random", "identifiers": declared, "strength": draw(st.permutations(kinds)),
        "limits": limits, "event_types": types,
        "blocked": draw(st.lists(st.one_of(blocks), max_size=3))})


@st.composite
def event_tables(draw: st.DrawFn, max_size: int = 24) -> EventTable:
    """Events over few identifiers of every kind (namespaces included) and few timestamps:
    merges, limits and ties happen."""
    columns: dict[str, list[Any]] = {f: [] for f in (*FIELDS, *NAMESPACES)}
    for i in range(draw(st.integers(0, max_size))):
        kinds = draw(st.sets(st.sampled_from(list(ID_VALUES)), min_size=1))
        row = {f: None for f in columns} | {
            kind: draw(st.sampled_from(values)) for kind, values in ID_VALUES.items()
            if kind in kinds}
        row |= {"event_id": f"e{draw(st.integers(0, 99)):02d}-{i}",
                "ts": draw(st.integers(0, 6)), "type": draw(st.sampled_from(TYPES)),
                "channel": draw(st.sampled_from([None, "web", "sms"])),
                "email_consent": draw(st.sampled_from(CONSENT)) if row["email"] else None,
                "sms_consent": draw(st.sampled_from(CONSENT)) if row["phone"] else None}
        for f, value in row.items():
            columns[f].append(value)
    return EventTable.of(columns)


def table_of(rows: list[tuple[Any, ...]]) -> EventTable:
    """Events given as tuples in FIELDS order."""
    return EventTable.of({f: [r[i] for r in rows] for i, f in enumerate(FIELDS)})


def _assert_same(events: EventTable, ruleset: RuleSet) -> None:
    state = StateRows(events, resolve(events, ruleset))
    expected = _reference(events, ruleset)
    tables = state.tables()
    decoded = {  # the tables hold the same rows: booleans as such, lists decoded
        "identifiers": [(*r[:4], bool(r[4]), *r[5:]) for r in expected["identifiers"]],
        "edges": [(*r[:7], bool(r[7])) for r in expected["edges"]],
        "profiles": [(*r[:3], *(json.loads(x) for x in r[3:7]), *r[7:10], json.loads(r[10]))
                     for r in expected["profiles"]],
        "log": expected["log"],
    }
    for name, rows in decoded.items():
        table = tables[name]
        assert table.schema == SCHEMAS[name]
        assert [tuple(r.values()) for r in table.to_pylist()] == rows
    one_by_one = StateRows(events, resolve(events, ruleset))  # as the embedded store reads
    for name in SCHEMAS:
        assert one_by_one.table(name).equals(tables[name])


SETTINGS = settings(max_examples=examples(300), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(events=event_tables(), ruleset=rulesets())
def test_compiled_replay_matches_the_reference_on_any_rule_set(
    events: EventTable, ruleset: RuleSet
) -> None:
    """Every row of every table, for random events under random rule sets."""
    _assert_same(events, ruleset)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=event_tables(60),
       name=st.sampled_from(["klaviyo-sms", "klaviyo-identity-resolution"]))
def test_compiled_replay_matches_the_reference_on_shipped_rule_sets(
    events: EventTable, name: str
) -> None:
    """The shipped rule sets, on longer histories."""
    _assert_same(events, load_ruleset(name))


def test_no_events_give_empty_tables() -> None:
    """An empty replay: empty tables with their schemas, no rows."""
    _assert_same(EventTable(), load_ruleset(None))


def test_only_blocked_identifiers_make_no_profile() -> None:
    """Identifiers but no profile at all (every value blocked), consent on none."""
    ruleset = RuleSet.model_validate({
        **load_ruleset(None).model_dump(),
        "blocked": [{"kind": "phone", "value": PHONES[0]}, {"kind": "email", "regex": ".*"}]})
    events = table_of([
        ("a", 1, "form_submit", None, None, EMAILS[0], PHONES[0], None, None, "subscribed",
         "subscribed", None),
        ("b", 2, "sms_keyword", None, None, None, PHONES[0], None, None, None,
         "unsubscribed", None)])
    _assert_same(events, ruleset)


def _holders(events: EventTable, ruleset: RuleSet, kinds: list[str]) -> dict[str, set[str]]:
    """Per profile id (merged-away ids included, as the profile they went into), the kinds
    among ``kinds`` of which its profile holds an identifier."""
    res = resolve(events, ruleset)
    state = StateRows(events, res).table("profiles").to_pylist()
    out: dict[str, set[str]] = {}
    for row in state:
        held = {k for k in kinds if (row[PROFILE_FIELDS[k]] if k in PROFILE_FIELDS
                                     else any(x.startswith(f"{k}:") for x in row["other_ids"]))}
        for pid in [row["profile_id"], *row["merged_ids"]]:
            out[pid] = held
    return out


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=event_tables(16), ruleset=rulesets())
def test_no_event_leaves_a_profile_without_a_replace_kind_it_had(
    events: EventTable, ruleset: RuleSet
) -> None:
    """Issue 11: no event leaves a profile without an identifier of a ``replace`` kind it
    had unless another one of that kind landed on it (so it holds one still): replayed
    event by event, every profile (followed through merges) keeps each such kind."""
    kinds = [k for k, lim in ruleset.limits.items()
             if lim.max is not None and lim.past_limit == PastLimit.REPLACE]
    if not kinds or not len(events):
        return
    order = event_order(Columns(events))
    before: dict[str, set[str]] = {}
    for n in range(1, len(order) + 1):
        after = _holders(events.take(order[:n]), ruleset, kinds)
        for pid, held in before.items():
            assert held <= after.get(pid, set()), (pid, n)
        before = after


def test_identifiers_swapped_back_and_forth_match_the_reference() -> None:
    """One customer swapping two phones (a ``replace`` limit of 1) a hundred times, each
    phone alone between swaps: every swap detaches a phone and every lone event makes it a
    profile again, so the replay holds far more profiles and detachments than the three
    identifiers (its arrays start at the identifiers' count and must grow: issue 13)."""
    rows = []
    for i in range(100):
        ts = 10 * i
        rows += [(f"a{i}", ts, "form_submit", None, None, None, PHONES[0], "c1", None, None,
                  "subscribed", None),
                 (f"b{i}", ts + 1, "form_submit", None, None, None, PHONES[1], "c1", None, None,
                  None, None),
                 (f"c{i}", ts + 2, "sms_keyword", None, None, None, PHONES[0], None, None,
                  None, "unsubscribed", None),
                 (f"d{i}", ts + 3, "form_submit", None, None, None, PHONES[0], "c1", None, None,
                  None, None),
                 (f"e{i}", ts + 4, "sms_keyword", None, None, None, PHONES[1], None, None,
                  None, None, None)]
    events = table_of(rows)
    ruleset = load_ruleset(None)
    res = resolve(events, ruleset)
    assert len(res.detach_at) > 100 and len(res.profile_label) > 100
    _assert_same(events, ruleset)
