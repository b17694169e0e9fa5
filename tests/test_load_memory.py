"""What a first load keeps in memory (issue 13): DuckDB is handed the derived tables in
slices and lets go of each once written, so a load holds its replay's state and one slice,
not every table it wrote until the commit (~250 MB at 1M events before)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from support import cli, cli_load, write_jsonl

from identigraph import api
from identigraph.engine import state
from identigraph.engine.resolver import resolve
from identigraph.events import FEW_VALUES, EventTable
from identigraph.graph.embedded import delta, layout
from identigraph.graph.embedded.store import EmbeddedStore
from identigraph.rules.registry import load_ruleset

EVENTS = 3000


def _events() -> list[dict[str, Any]]:
    """Events of people with an email, some a phone and a customer id; one in ten shares
    its phone with the person before it (merges), so every derived table has rows."""
    out = []
    for i in range(EVENTS):
        person = i % 1200
        ev: dict[str, Any] = {"event_id": f"e{i}", "timestamp": f"2025-01-01T00:{i // 60 % 60:02d}:"
                              f"{i % 60:02d}Z", "type": "checkout",
                              "email": f"person{person}@example.com"}
        if person % 3 == 0:
            ev["phone"] = f"+1415555{(person - (person % 10 == 0)) % 10000:04d}"
        if person % 4 == 0:
            ev["external_id"] = f"cust-{person}"
        out.append(ev)
    return out


def test_first_load_lets_go_of_each_derived_table_once_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Arrow memory a first load holds when it starts writing its last derived table is
    what it held at its first one, give or take a slice: the tables written before it are
    not kept until the commit, and none is built whole."""
    monkeypatch.setattr(state, "SLICE_ROWS", 100)
    held: dict[str, int] = {}
    built = delta.derived_with_groups

    def measured(rows: state.StateRows, name: str, ids: Any) -> pa.RecordBatchReader:
        held[name] = pa.total_allocated_bytes()  # the load's pool: the C allocator's
        return built(rows, name, ids)

    monkeypatch.setattr(delta, "derived_with_groups", measured)
    store = EmbeddedStore(tmp_path / "s.db")
    try:
        api.load(store, [write_jsonl(tmp_path / "e.jsonl", _events())])
        written = {name: store.state_table(name).nbytes for name in ("identifiers", "edges",
                                                                     "profiles")}
    finally:
        store.close()
    assert list(held) == list(state.WRITE_ORDER)
    assert min(written.values()) > 0
    grown = held["log"] - held[state.WRITE_ORDER[0]]
    assert grown < sum(written.values()) / 4, (held, written)


def test_first_load_lets_go_of_its_events_once_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first load's events (here mostly their attributes) are written before its replay
    runs and let go of then: when the replay's kernel starts, and again when the lookup
    table is built, the load holds less Arrow memory than the events' attributes alone."""
    events = _events()
    for i, ev in enumerate(events):
        ev["attributes"] = {"note": f"{i:06d}" * 500}  # 3,000 characters each
    attributes = sum(len(ev["attributes"]["note"]) for ev in events)
    held: dict[str, int] = {}
    store = EmbeddedStore(tmp_path / "s.db")  # its empty lookup built before the patch
    replay, lookup = api.replay_prepared, layout.rebuild_lookup

    def replaying(prepared: Any) -> Any:
        held["replay"] = pa.total_allocated_bytes()
        return replay(prepared)

    def looking_up(db: Any) -> None:
        held["lookup"] = pa.total_allocated_bytes()
        lookup(db)

    monkeypatch.setattr(api, "replay_prepared", replaying)
    monkeypatch.setattr(layout, "rebuild_lookup", looking_up)
    try:
        api.load(store, [write_jsonl(tmp_path / "e.jsonl", events)])
        [stored] = store.db.execute("SELECT sum(length(attributes)) FROM events").fetchall()
    finally:
        store.close()
    assert stored is not None and stored[0] >= attributes  # the attributes were written
    assert set(held) == {"replay", "lookup"}
    assert max(held.values()) < attributes / 2, (held, attributes)


def test_memory_running_out_while_a_slice_is_built_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB reads a derived table's slices as they are built: memory running out while
    one is built is "out of memory" at the command line (not DuckDB's report that its
    Arrow source failed), and the store keeps no part of the load."""
    events = write_jsonl(tmp_path / "e.jsonl", _events())
    store = str(tmp_path / "s.db")

    def exhausted(self: state.StateRows, at: Any) -> dict[str, Any]:
        raise MemoryError

    with monkeypatch.context() as patched:
        patched.setattr(state.StateRows, "_profiles", exhausted)
        out = cli("load", str(events), store=store)
    assert out.returncode != 0 and out.stderr.strip().endswith("out of memory"), out.stderr
    assert cli_load(str(events), store=store)["events_added"] == EVENTS


def _resolved(tmp_path: Path) -> tuple[EventTable, state.StateRows]:
    """The test's events, validated as a load reads them, and their replay's rows."""
    from identigraph.loaders.batch import ReadOptions
    from identigraph.loaders.canonical import Canonicaliser
    from identigraph.loaders.formats import pick_format

    path = write_jsonl(tmp_path / "e.jsonl", _events())
    rs = load_ruleset(None)
    canon = Canonicaliser(rs, "US")
    opts = ReadOptions(kinds=rs.kind_names())
    events = EventTable.concat([canon.validate(b).events
                                for b in pick_format(path, "auto").read(path, opts)])
    return events, state.StateRows(events, resolve(events, rs))


def test_tables_written_in_order_let_go_of_what_later_ones_do_not_read(tmp_path: Path) -> None:
    """Written one after another in WRITE_ORDER, each table letting go of the arrays only
    it read, the tables are those built with every array held; the arrays are gone (the
    profiles' members, the edges' ends), and a table let go of cannot be built again."""
    _, whole = _resolved(tmp_path)
    expected = {name: whole.table(name) for name in state.WRITE_ORDER}
    _, lean = _resolved(tmp_path)
    for name in state.WRITE_ORDER:
        got = pa.Table.from_batches(list(lean.batches(name)), schema=state.SCHEMAS[name])
        assert got.equals(expected[name]), name
        lean.written(name)
    assert len(lean.res.members) == len(lean.res.edge_src) == 0
    assert len(whole.res.members) > 0 and len(whole.res.edge_src) > 0
    with pytest.raises(ValueError, match="edges table was written"):
        lean.table("edges")


def test_compacted_events_hold_the_same_text_in_less_memory(tmp_path: Path) -> None:
    """A first load holds its events with their few-valued columns as dictionaries with
    narrow indices: the same values, fewer bytes; the store gets the same text."""
    events, _ = _resolved(tmp_path)
    compact = events.compacted()
    for name in FEW_VALUES:
        column = compact.table.column(name)
        assert pa.types.is_dictionary(column.type) and column.type.index_type == pa.int8()
        assert column.to_pylist() == events.table.column(name).to_pylist()
    assert compact.table.nbytes < events.table.nbytes
    store = EmbeddedStore(tmp_path / "s.db")
    try:
        api.load(store, [write_jsonl(tmp_path / "again.jsonl", _events())])
        stored = store.events().table
    finally:
        store.close()
    for name in FEW_VALUES:
        assert stored.schema.field(name).type == pa.string()
        assert sorted(map(str, stored.column(name).to_pylist())) == sorted(
            map(str, events.table.column(name).to_pylist()))


def test_events_without_a_group_sort_after_every_group_and_store_null() -> None:
    """The events' sort key puts a row without a group (negative) after every group, and
    its ``grp`` is null; with every row grouped the column is the groups' own buffer."""
    import numpy as np

    groups = np.array([3, -1, 0, 2], np.int64)
    key = delta.sort_key(groups)
    assert list(np.argsort(key, kind="stable")) == [2, 3, 0, 1]
    assert delta.with_groups(pa.table({"x": [1, 2, 3, 4]}), groups).column(
        "grp").to_pylist() == [3, None, 0, 2]
    whole = np.array([1, 0, 2], np.int64)
    assert delta.sort_key(whole) is whole
    column = delta.with_groups(pa.table({"x": [1, 2, 3]}), whole).column("grp").chunk(0)
    assert column.null_count == 0 and np.shares_memory(column.to_numpy(), whole)


@pytest.mark.slow  # 260,000 events: three row groups of each big table
def test_each_row_group_holds_one_stretch_of_groups(tmp_path: Path) -> None:
    """DuckDB's two threads write a first load's slices in any order, yet each row group is
    one slice: its groups are one stretch, disjoint from every other row group's, which is
    what lets a lookup read one row group of a table (docs/incremental.md, "Layout")."""
    from support import write_csv

    n = 260_000
    rows = ((f"e{i}", f"2025-01-{1 + i % 28:02d}T00:00:00Z", "checkout",
             f"p{i % 150_000}@example.com", f"+1415{(i * 7919) % 10_000_000:07d}"
             if i % 3 == 0 else "") for i in range(n))
    path = write_csv(tmp_path / "e.csv", ["event_id", "timestamp", "type", "email", "phone"],
                     rows)
    store = EmbeddedStore(tmp_path / "s.db")
    try:
        api.load(store, [path])
        for table in ("events", "identifiers", "profiles"):
            spans: dict[int, tuple[int, int]] = {}
            for group, stats in store.db.execute(
                    "SELECT row_group_id, stats FROM pragma_storage_info(?) "
                    "WHERE column_name = 'grp' AND segment_type <> 'VALIDITY'",
                    [table]).fetchall():
                if stats.get("min") is None:
                    continue
                low, high = int(stats["min"]), int(stats["max"])
                was = spans.get(group, (low, high))
                spans[group] = (min(was[0], low), max(was[1], high))
            ordered = sorted(spans.values())
            assert len(ordered) >= 2, (table, ordered)
            for (_, high), (low, _) in itertools.pairwise(ordered):
                assert low >= high, (table, ordered)  # a group may end one and start the next
    finally:
        store.close()


@pytest.mark.parametrize(("distinct", "index"), [(3, pa.int8()), (300, pa.int16()),
                                                 (40_000, pa.int32())])
def test_compacted_columns_take_the_narrowest_index_their_values_fit(
        distinct: int, index: pa.DataType) -> None:
    """A column of many sources keeps every value: its indices widen as it needs."""
    n = 50_000
    events = EventTable.of({"event_id": [f"e{i}" for i in range(n)], "ts": list(range(n)),
                            "type": ["checkout"] * n,
                            "source": [f"form-{i % distinct}" for i in range(n)]})
    column = events.compacted().table.column("source")
    assert column.type.index_type == index
    assert column.to_pylist() == [f"form-{i % distinct}" for i in range(n)]


def test_compacted_batches_share_one_dictionary_sized_by_all_their_values() -> None:
    """Events read in batches (one chunk each) are encoded with one dictionary across the
    batches, so the index width fits every value of the load, not of one batch: two
    batches of 100 sources each need int16, and every value survives."""
    batch = [EventTable.of({"event_id": [f"{part}{i}" for i in range(100)],
                            "ts": list(range(100)), "type": ["checkout"] * 100,
                            "source": [f"{part}-form-{i}" for i in range(100)]})
             for part in ("a", "b")]
    compact = EventTable.concat(batch).compacted()
    assert compact.table.column("source").type.index_type == pa.int16()
    assert compact.column("source").to_pylist() == [
        f"{part}-form-{i}" for part in ("a", "b") for i in range(100)]
