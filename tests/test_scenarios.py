"""Every rule of SPEC section 1, on both backends and under both shipped rule sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenarios import SCENARIOS, Scenario
from support import key_sets, load_events, profiles, write_jsonl

from identigraph.graph.explain import explain
from identigraph.graph.open import open_store

CASES = [(s, rs) for s in SCENARIOS for rs in s.profiles]


@pytest.mark.parametrize(("scenario", "ruleset"), CASES,
                         ids=[f"{s.rule}:{s.name[:40]}:{rs}" for s, rs in CASES])
def test_scenario(scenario: Scenario, ruleset: str, store_location: str, tmp_path: Path) -> None:
    """The profiles, explanations and consent the rules say."""
    src = write_jsonl(tmp_path / "events.jsonl", scenario.events)
    report = load_events(store_location, src, ruleset=ruleset)
    assert report.total("rejected") == 0
    assert key_sets(store_location) == {frozenset(p) for p in scenario.profiles[ruleset]}
    store = open_store(store_location)
    try:
        for why in scenario.why.get(ruleset, []):
            x = explain(store, why.a, why.b)
            assert (x.same_profile, x.reason) == (why.same, why.reason), x
            if why.same:
                assert x.path, "a same-profile answer shows the merging path"
                assert x.path[0].from_ == why.a and x.path[-1].to == why.b
                assert tuple(sorted({edge.rule for edge in x.path})) == why.rules
                assert all(edge.event_id for edge in x.path)
            else:
                assert tuple(sorted({edge.rule for edge in x.blocked})) == why.rules
        for key in scenario.unprofiled:
            ident = store.identifier(key)
            assert ident is not None and ident.profile_id is None
        by_key = {}
        for p in profiles(store_location):
            for k in ([f"email:{v}" for v in p.emails] + [f"phone:{v}" for v in p.phones]):
                by_key[k] = p
        for key, (email_c, sms_c) in scenario.consent.get(ruleset, {}).items():
            assert (by_key[key].email_consent, by_key[key].sms_consent) == (email_c, sms_c)
    finally:
        store.close()


def test_every_rule_has_a_scenario() -> None:
    """Rules 1 to 10 of SPEC section 1 each appear at least once."""
    assert {s.rule for s in SCENARIOS} >= {str(i) for i in range(1, 11)}


def test_merged_profile_keeps_the_landing_id(store_location: str, tmp_path: Path) -> None:
    """When profiles merge, the one the event landed on keeps its id and records the other."""
    s3 = next(s for s in SCENARIOS if s.rule == "3")
    load_events(store_location, write_jsonl(tmp_path / "e.jsonl", s3.events))
    (merged,) = profiles(store_location)
    assert merged.created_by == "s2"  # the email's profile: the form landed on it
    assert len(merged.merged_ids) == 1 and merged.merged_ids[0] != merged.profile_id
