"""The SPEC scenario table on the Spark engine: every scenario's events, side by side in
one Spark load (identifiers and event ids renamed per scenario so that they stay apart),
give the embedded engine's state, row for row."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest
from scenarios import BOTH, SCENARIOS
from support import load_events, write_jsonl
from test_spark_equivalence import assert_same_state

from identigraph.events import EventTable
from identigraph.graph.open import open_store
from identigraph.rules.registry import load_ruleset
from identigraph.spark.engine import SparkEngine

RENAMED = ("event_id", "email", "phone", "external_id")


def canonical(events: list[dict[str, object]], folder: Path) -> EventTable:
    """A scenario's events as the loader validates and normalises them."""
    location = str(folder / "scenario.db")
    load_events(location, write_jsonl(folder / "events.jsonl", events))
    store = open_store(location)
    try:
        return store.events()
    finally:
        store.close()


def apart(events: EventTable, tag: str) -> EventTable:
    """The same events with event ids and identifiers of their own (``tag.`` before)."""
    table = events.table
    for name in RENAMED:
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, pc.binary_join_element_wise(
            tag, table.column(name), "."))
    return EventTable(table)


@pytest.mark.parametrize("name", BOTH)
def test_every_scenario_gives_the_embedded_state(spark_engine: SparkEngine, name: str,
                                                 tmp_path: Path) -> None:
    parts = []
    for i, scenario in enumerate(SCENARIOS):
        if name in scenario.profiles:
            folder = tmp_path / f"s{i}"
            folder.mkdir()
            parts.append(apart(canonical(scenario.events, folder), f"s{i}"))
    combined = EventTable.concat(parts)
    assert len(combined) > len(SCENARIOS)
    assert_same_state(spark_engine, combined, load_ruleset(name))
