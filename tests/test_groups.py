"""Connected groups of events (engine/groups.py): replaying groups apart gives the same state.

This is what makes a delta load correct: it replays only the groups its events touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from test_properties import SETTINGS, events

from identigraph.engine.groups import event_groups
from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet
from identigraph.rules.registry import load_ruleset


def split(events: EventTable, groups: NDArray[np.int64],
          parts: int) -> list[EventTable]:
    """The events cut into ``parts`` tables by group (group number modulo ``parts``):
    whole groups only, so each part replays on its own."""
    return [events.take(np.flatnonzero(groups % parts == i)) for i in range(parts)]


def combine(states: Sequence[StateRows]) -> dict[str, pa.Table]:
    """The state tables of separately replayed groups, put together: the same rows as one
    replay of all their events (in another row order). A blocked identifier, carried by
    events of several groups, is kept once."""
    out: dict[str, pa.Table] = {}
    for name, schema in SCHEMAS.items():
        tables = [s.table(name) for s in states] or [schema.empty_table()]
        out[name] = pa.concat_tables(tables)
    idents = out["identifiers"]
    if idents.num_rows:
        rows = pa.table({"key": idents.column("key"), "row": np.arange(idents.num_rows)})
        first = rows.group_by("key").aggregate([("row", "min")]).column("row_min")
        out["identifiers"] = idents.take(pa.array(np.sort(first.to_numpy())))
    return out


def _blocking(name: str) -> RuleSet:
    """A shipped rule set that also blocks one email and, by regex, one phone."""
    base = load_ruleset(name).model_dump()
    base["blocked"] = [{"kind": "email", "value": "u0@example.com"},
                       {"kind": "phone", "regex": r"\+14155550101"}]
    return RuleSet.model_validate(base)


RULESETS = st.sampled_from([load_ruleset("klaviyo-sms"),
                            load_ruleset("klaviyo-identity-resolution"),
                            _blocking("klaviyo-sms")])


def _table(evs: list[dict[str, Any]]) -> EventTable:
    return EventTable.of({
        "event_id": [ev["event_id"] for ev in evs],
        "ts": [int(ev["timestamp"][17:19]) * 1_000_000 + i % 3 for i, ev in enumerate(evs)],
        **{f: [ev.get(f) for ev in evs] for f in ("type", "email", "phone", "external_id",
                                                   "email_consent", "sms_consent")}})


def _rows(tables: dict[str, pa.Table]) -> dict[str, list[str]]:
    """Each table's rows, in a canonical order (row order is not part of the state)."""
    return {name: sorted(repr(sorted(r.items())) for r in table.to_pylist())
            for name, table in tables.items()}


def _blocked(rs: RuleSet, kind: str, value: str) -> bool:
    return any(b.kind == kind and value in (b.value, b.regex and b.regex.replace("\\", ""))
               for b in rs.blocked)


@SETTINGS
@given(evs=events(18), rs=RULESETS)
def test_groups_are_the_events_linked_by_non_blocked_identifiers(
    evs: list[dict[str, Any]], rs: RuleSet
) -> None:
    """Two events share a group exactly when a chain of non-blocked identifiers joins them."""
    groups = event_groups(_table(evs), rs)
    g: nx.Graph[tuple[str, object]] = nx.Graph()  # ("event", row) and (kind, value) nodes
    for i, ev in enumerate(evs):
        g.add_node(("event", i))
        for kind in ("email", "phone", "external_id"):
            if kind in ev and not _blocked(rs, kind, ev[kind]):
                g.add_edge(("event", i), (kind, ev[kind]))
    components = [[int(str(n[1])) for n in c if n[0] == "event"]
                  for c in nx.connected_components(g)]
    assert all(len({int(groups[i]) for i in c}) == 1 for c in components)
    assert len({int(groups[c[0]]) for c in components}) == len(components)


@SETTINGS
@given(evs=events(18), rs=RULESETS, data=st.data())
def test_groups_replayed_apart_and_combined_equal_one_replay(
    evs: list[dict[str, Any]], rs: RuleSet, data: st.DataObject
) -> None:
    """Any grouping of the groups into separate replays: the combined state tables hold
    exactly the rows of one replay of everything, profile ids included."""
    table = _table(evs)
    whole = StateRows(table, resolve(table, rs)).tables()
    groups = event_groups(table, rs)
    shuffle = np.array(data.draw(st.permutations(range(int(groups.max()) + 1))))
    parts = split(table, shuffle[groups], data.draw(st.integers(1, 4)))
    combined = combine([StateRows(p, resolve(p, rs)) for p in parts if len(p)])
    assert _rows(combined) == _rows(whole)


def test_a_blocked_shared_value_does_not_join_groups() -> None:
    """Two people typing the store's blocked phone stay apart; unblocked, one group."""
    evs = [{"event_id": "a", "timestamp": "2025-01-01T10:00:01Z", "type": "form_submit",
            "email": "u1@example.com", "phone": "+14155550101"},
           {"event_id": "b", "timestamp": "2025-01-01T10:00:02Z", "type": "form_submit",
            "email": "u2@example.com", "phone": "+14155550101"}]
    assert event_groups(_table(evs), _blocking("klaviyo-sms")).tolist() == [0, 1]
    assert event_groups(_table(evs), load_ruleset("klaviyo-sms")).tolist() == [0, 0]


@SETTINGS
@given(evs=events(18), rs=RULESETS)
def test_each_row_is_tagged_with_the_group_that_replays_it(
    evs: list[dict[str, Any]], rs: RuleSet
) -> None:
    """The rows a replay tags with a group are exactly what that group's events replay to
    (blocked identifiers, tagged with no group, aside): what a store rewrites per group."""
    table = _table(evs)
    whole = StateRows(table, resolve(table, rs))
    by_row = np.empty(len(table), np.int64)
    by_row[whole.res.order] = whole.res.group_at
    for g in range(int(by_row.max()) + 1):
        part = table.take(np.flatnonzero(by_row == g).tolist())
        alone = StateRows(part, resolve(part, rs))
        for name in SCHEMAS:
            mine = whole.table(name).filter(pa.array(whole.groups(name) == g))
            theirs = alone.table(name).filter(pa.array(alone.groups(name) >= 0))
            assert _rows({name: mine})[name] == _rows({name: theirs})[name], name
