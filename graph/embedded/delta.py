"""Delta loads on the embedded store: replay only the connected groups new events touch.

Every stored event and every derived row carries ``grp``, the id of its connected group
(engine/groups.py); ``lookup`` (graph/embedded/layout.py) is the group index. A delta looks
up the groups of the keys its events carry, reads those groups' events alone, replays them
with the new events, deletes those groups' rows (events, derived rows, lookup rows) and
writes the new ones at each table's end, in group order. Rows of other groups are not
touched. Groups only ever join (adding events never splits one), so a replayed group keeps
the smallest id among the stored groups it joins.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.groups import identifier_keys
from identigraph.engine.resolver import groups_by_row, resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import EventTable
from identigraph.graph.embedded.layout import add_lookup, write_sorted
from identigraph.graph.embedded.store import event_columns
from identigraph.graph.store import Replayed
from identigraph.rules.model import RuleSet

#: derived table names in the file, by state table
DERIVED = {"identifiers": "identifiers", "edges": "edges", "profiles": "profiles",
           "log": "profile_log"}


def _group_column(groups: NDArray[np.int64]) -> pa.Array:
    """A ``grp`` column: null where the group is negative (blocked values); the array's own
    buffer when none is (a first load's events: no copy)."""
    negative = groups < 0
    return pa.array(groups, pa.int64(), mask=negative if negative.any() else None)


def with_groups(table: pa.Table, groups: NDArray[np.int64]) -> pa.Table:
    """A table with a ``grp`` column (null where the group is negative: blocked values)."""
    return table.append_column("grp", _group_column(groups))


def ungrouped(table: pa.Table) -> pa.Table:
    """A state table whose groups are not known (another engine's): ``grp`` all null."""
    return with_groups(table, np.full(table.num_rows, -1, np.int64))


def derived_with_groups(rows: StateRows, name: str,
                        ids: NDArray[np.int64]) -> pa.RecordBatchReader:
    """One state table with each row's group id, ``ids[local group]`` (null when blocked),
    in group order (a row without a group after every group, rows of a group in table
    order), in slices built as DuckDB reads them (``StateRows.batches``), never whole.
    Two arrays of the table's length are held, int32 where the ids fit (at 10M events the
    identifiers' were 150 MB as int64): the sort key and the order."""
    key = group_key(rows.groups(name), ids)
    none = np.iinfo(key.dtype).max
    order = np.argsort(key, kind="stable")
    if len(order) <= np.iinfo(np.int32).max:
        order = order.astype(np.int32)
    schema = SCHEMAS[name].append(pa.field("grp", pa.int64()))

    def slices() -> Iterator[pa.RecordBatch]:
        start = 0
        for batch in rows.batches(name, order=order):
            end = start + batch.num_rows
            grp = key[order[start:end]]
            batch = batch.append_column("grp", pa.array(grp, pa.int64(), mask=grp == none))
            del grp
            yield batch
            del batch  # before the next slice is built (DuckDB has read it)
            start = end

    return pa.RecordBatchReader.from_batches(schema, slices())


#: rows whose group ids are looked up at a time (bounds the lookup's temporaries)
_KEY_STEP = 1 << 20


def group_key(groups: NDArray[np.integer], ids: NDArray[np.int64]) -> NDArray[np.integer]:
    """Each row's group id, ``ids[local group]``, the dtype's largest value where the local
    group is negative (a blocked value: after every group): int32 when the ids fit."""
    small = not len(ids) or int(ids.max()) < np.iinfo(np.int32).max
    dtype = np.int32 if small else np.int64
    by_local = np.append(ids.astype(dtype), np.iinfo(dtype).max)  # [-1] is the last
    key: NDArray[np.integer] = np.empty(len(groups), dtype)
    for lo in range(0, len(groups), _KEY_STEP):
        np.take(by_local, groups[lo:lo + _KEY_STEP], out=key[lo:lo + _KEY_STEP], mode="wrap")
    return key


def event_arrow(events: EventTable, groups: NDArray[np.int64]) -> pa.Table:
    """The events as the stored table: their columns and their groups."""
    return with_groups(events.table, groups)


def sort_key(groups: NDArray[np.int64]) -> NDArray[np.int64]:
    """The order key of rows with these groups: the groups themselves, a negative one (no
    group) after every group."""
    negative = groups < 0
    return np.where(negative, np.iinfo(np.int64).max, groups) if negative.any() else groups


def _touched(db: duckdb.DuckDBPyConnection, keys: pa.Array) -> pa.Table:
    """The stored groups holding any of these identifier keys (through ``lookup``; a
    blocked value joins no groups)."""
    db.register("delta_keys", pa.table({"key": keys}))
    try:
        return db.sql("SELECT DISTINCT grp FROM lookup WHERE grp IS NOT NULL AND h IN ("
                      "SELECT hash(key) FROM delta_keys ANTI JOIN "
                      "(SELECT key FROM identifiers WHERE blocked) b USING (key))"
                      ).to_arrow_table()
    finally:
        db.unregister("delta_keys")


def replay_delta(db: duckdb.DuckDBPyConnection, ruleset: RuleSet, new: EventTable,
                 next_group: int) -> tuple[Replayed, int]:
    """Inside the caller's transaction: replay the groups ``new`` touches with it, delete
    their rows (events included) and write the new ones, each table's at its end in group
    order; returns what was replayed and the next free group id."""
    touched = _touched(db, identifier_keys(new, ruleset))
    db.register("touched", touched)
    old = db.sql("SELECT * FROM events WHERE grp IN (SELECT grp FROM touched)"
                 ).to_arrow_table()
    events = EventTable.concat([EventTable(old.drop_columns(["grp"])), new])
    rows = StateRows(events, resolve(events, ruleset))
    res = rows.res
    local = groups_by_row(res.order, res.group_at)  # local group of each event, by row
    n_local = int(res.group_at.max()) + 1 if len(events) else 0
    old_grp = np.asarray(old.column("grp").to_numpy(), np.int64)
    ids = np.full(n_local, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(ids, local[: len(old_grp)], old_grp)  # a group keeps its smallest stored id
    fresh = ids == np.iinfo(np.int64).max
    ids[fresh] = next_group + np.arange(int(fresh.sum()))
    next_group += int(fresh.sum())

    for table_name in (*DERIVED.values(), "events", "lookup"):
        _delete_touched(db, table_name)
    db.unregister("touched")
    written = {name: derived_with_groups(rows, name, ids).read_all() for name in DERIVED}
    written["events"] = event_arrow(events, ids[local])
    add_event_columns(db, events.namespaces)
    for name, table in written.items():
        write_sorted(db, DERIVED.get(name, name), _unstored(db, table)
                     if name == "identifiers" else table, create=False)
    for name, table in written.items():
        db.register(f"new_{name}", table)
    try:
        add_lookup(db, {name: f"new_{name}" for name in written})
    finally:
        for name in written:
            db.unregister(f"new_{name}")
    return Replayed(len(events), touched.num_rows, n_local), next_group


def _delete_touched(db: duckdb.DuckDBPyConnection, table_name: str) -> None:
    """Delete the touched groups' rows by their row ids: a ``DELETE ... WHERE grp IN
    (SELECT ...)`` kept every block it scanned pinned until the commit (a 10M store's
    deletes failed within 256 MB), a delete by row id the rows' blocks alone."""
    gone = db.sql(f"SELECT rowid AS r FROM {table_name} "
                  "WHERE grp IN (SELECT grp FROM touched)").to_arrow_table()
    if gone.num_rows:
        db.from_arrow(gone).query(
            "gone", f"DELETE FROM {table_name} WHERE rowid IN (SELECT r FROM gone)")


def _unstored(db: duckdb.DuckDBPyConnection, idents: pa.Table) -> pa.Table:
    """The replayed identifiers less the blocked values stored already (a blocked value,
    carried by events of several groups, is kept once, group-less)."""
    stored = db.sql("SELECT key FROM identifiers WHERE blocked").to_arrow_table()
    if not stored.num_rows:
        return idents
    again = pc.and_(pc.is_null(idents.column("grp")),
                    pc.is_in(idents.column("key"), stored.column("key")))
    return idents.filter(pc.invert(again))


def add_event_columns(db: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """A VARCHAR column in ``events`` for each id namespace not stored yet (older events:
    null). Names are kind names (``[a-z][a-z0-9_]*``, checked by the event table)."""
    have = set(event_columns(db))
    for name in names:
        if name not in have:
            db.execute(f'ALTER TABLE events ADD COLUMN "{name}" VARCHAR')


def empty_derived(name: str) -> pa.Table:
    """An empty state table with its ``grp`` column."""
    return with_groups(SCHEMAS[name].empty_table(), np.zeros(0, np.int64))
