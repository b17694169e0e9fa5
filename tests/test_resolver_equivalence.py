"""The compiled replay against the readable reference (engine/reference.py): the same rows,
ids included, on every rule set: any strength order, limits that replace or refuse at any
size, any link mode per type, absorb, blocked values; and the replace-limit property.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import examples

from identigraph.engine.reference import KIND_CODE, KIND_NAMES, Columns, event_order
from identigraph.engine.reference import reference_rows as _reference
from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import FIELDS, EventTable
from identigraph.model import Kind
from identigraph.rules.model import PastLimit, RuleSet
from identigraph.rules.registry import load_ruleset

# -- what is compared ----------------------------------------------------------------------
TYPES = ["form_submit", "checkout", "sms_keyword", "import", "click_to_text"]
EMAILS = [f"u{i}@example.com" for i in range(6)]
PHONES = [f"+1415555010{i}" for i in range(6)]
EXTERNAL = ["c1", "c2", 'c"3', "ç4", "c\\5"]  # quotes, non-ASCII, backslash: JSON escaping
CONSENT = [None, None, "subscribed", "unsubscribed", ""]
KINDS = [Kind.EXTERNAL_ID, Kind.EMAIL, Kind.PHONE]


@st.composite
def rulesets(draw: st.DrawFn) -> RuleSet:
    """Any strength order, limits, link modes, absorbs and blocked values."""
    limits: dict[str, Any] = {}
    for kind in KINDS:
        size = draw(st.sampled_from([None, 1, 1, 2, 3]))
        limits[kind.value] = {"max": size,
                              "past_limit": draw(st.sampled_from(["replace", "refuse"]))}
    types = {}
    for name in TYPES:
        link = draw(st.sampled_from(["merge", "attach", "none"]))
        absorb = draw(st.sets(st.sampled_from(KINDS))) if link == "attach" else set()
        types[name] = {"link": link, "absorb_profiles_known_only_by": sorted(absorb)}
    blocked = draw(st.lists(st.one_of(
        st.builds(lambda v: {"kind": "phone", "value": v}, st.sampled_from(PHONES)),
        st.builds(lambda v: {"kind": "email", "value": v.upper()}, st.sampled_from(EMAILS)),
        st.just({"kind": "email", "regex": r"u[45]@.*"}),
        st.just({"kind": "external_id", "value": "c2"})), max_size=3))
    return RuleSet.model_validate({
        "name": "random", "strength": draw(st.permutations(KINDS)), "limits": limits,
        "event_types": types, "blocked": blocked})


@st.composite
def event_tables(draw: st.DrawFn, max_size: int = 24) -> EventTable:
    """Events over few identifiers and few timestamps: merges, limits and ties happen."""
    rows = []
    for i in range(draw(st.integers(0, max_size))):
        kinds = draw(st.sets(st.sampled_from(["email", "phone", "external_id"]), min_size=1))
        email = draw(st.sampled_from(EMAILS)) if "email" in kinds else None
        phone = draw(st.sampled_from(PHONES)) if "phone" in kinds else None
        rows.append((
            f"e{draw(st.integers(0, 99)):02d}-{i}", draw(st.integers(0, 6)),
            draw(st.sampled_from(TYPES)), draw(st.sampled_from([None, "web", "sms"])), None,
            email, phone,
            draw(st.sampled_from(EXTERNAL)) if "external_id" in kinds else None, None,
            draw(st.sampled_from(CONSENT)) if email else None,
            draw(st.sampled_from(CONSENT)) if phone else None, None))
    return table_of(rows)


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
        "profiles": [(*r[:3], *(json.loads(x) for x in r[3:7]), *r[7:], [])
                     for r in expected["profiles"]],  # other_ids: the events carry none
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


def _holders(events: EventTable, ruleset: RuleSet, codes: list[int]) -> dict[str, set[int]]:
    """Per profile id (merged-away ids included, as the profile they went into), the kind
    codes among ``codes`` of which its profile holds an identifier."""
    res = resolve(events, ruleset)
    state = StateRows(events, res).table("profiles").to_pylist()
    names = [KIND_NAMES[c] + "s" if KIND_NAMES[c] != "external_id" else "external_ids"
             for c in codes]
    out: dict[str, set[int]] = {}
    for row in state:
        held = {c for c, name in zip(codes, names, strict=True) if row[name]}
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
    codes = [KIND_CODE[k] for k, lim in ruleset.limits.items()
             if lim.max is not None and lim.past_limit == PastLimit.REPLACE]
    if not codes or not len(events):
        return
    order = event_order(Columns(events))
    before: dict[str, set[int]] = {}
    for n in range(1, len(order) + 1):
        after = _holders(events.take(order[:n]), ruleset, codes)
        for pid, held in before.items():
            assert held <= after.get(pid, set()), (pid, n)
        before = after
