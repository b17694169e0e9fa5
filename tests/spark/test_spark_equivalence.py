"""The Spark engine against the embedded one: the same four state tables, row for row
(profiles, profile ids, edge decisions, and the log and edges explanations are read from)."""

from __future__ import annotations

import pytest
from random_events import SHOP, random_events

from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, State, StateRows
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet
from identigraph.rules.registry import load_ruleset
from identigraph.spark.engine import SparkEngine


def with_blocked(name: str) -> RuleSet:
    """A shipped rule set that also blocks the shop's phone and test emails."""
    data = load_ruleset(name).model_dump(mode="json")
    data["blocked"] = [{"kind": "phone", "value": SHOP},
                       {"kind": "email", "regex": r"test\d*@example\.com"}]
    return RuleSet.model_validate(data)


def assert_same_state(spark: SparkEngine, events: EventTable, rs: RuleSet) -> State:
    """Spark's tables equal one embedded replay's, in the same row order; Spark's state."""
    want = StateRows(events, resolve(events, rs))
    got = spark.replay(events, rs)
    for name in SCHEMAS:
        a, b = got.table(name), want.table(name)
        assert a.num_rows == b.num_rows, name
        for column in SCHEMAS[name].names:
            assert a.column(column).equals(b.column(column)), (name, column)
    return got


@pytest.mark.timeout(1800)  # ~1-2 min alone; far longer on a machine shared with others
@pytest.mark.parametrize("name", ["klaviyo-sms", "klaviyo-identity-resolution"])
def test_100k_random_events_give_the_embedded_state(spark_engine: SparkEngine,
                                                    name: str) -> None:
    rs = load_ruleset(name)
    assert_same_state(spark_engine, random_events(100_000, rs, seed=14), rs)


def test_a_blocked_value_in_many_groups_is_one_identifier(spark_engine: SparkEngine) -> None:
    """A blocked value carried by events of many groups is one identifier row, as in one
    replay, on no profile."""
    rs = with_blocked("klaviyo-sms")
    state = assert_same_state(spark_engine, random_events(20_000, rs, seed=3), rs)
    ident = state.table("identifiers")
    blocked = ident.filter(ident.column("blocked"))
    assert blocked.column("key").to_pylist().count(f"phone:{SHOP}") == 1
    assert blocked.column("profile_id").null_count == blocked.num_rows
