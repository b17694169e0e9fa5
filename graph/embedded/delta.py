"""Delta loads on the embedded store: replay only the connected groups new events touch.

Every stored event and every derived row carries ``grp``, the id of its connected group
(engine/groups.py); ``identifiers`` (key -> grp) is the group index. A delta looks up the
groups of the keys its events carry, reads those groups' events alone, replays them with
the new events, deletes those groups' derived rows and inserts the new ones. Rows of
other groups are not touched. Groups only ever join (adding events never splits one), so
a replayed group keeps the smallest id among the stored groups it joins; the others'
events move to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from identigraph.engine.groups import identifier_keys
from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import EventTable
from identigraph.graph.embedded.store import event_columns, insert_arrow
from identigraph.graph.store import Replayed
from identigraph.rules.model import RuleSet

#: derived table names in the file, by state table
DERIVED = {"identifiers": "identifiers", "edges": "edges", "profiles": "profiles",
           "log": "profile_log"}


def _group_column(groups: NDArray[np.int64]) -> pa.Array:
    """A ``grp`` column: null where the group is negative (blocked values)."""
    return pa.array(groups, pa.int64(), mask=groups < 0)


def with_groups(table: pa.Table, groups: NDArray[np.int64]) -> pa.Table:
    """A table with a ``grp`` column (null where the group is negative: blocked values)."""
    return table.append_column("grp", _group_column(groups))


def ungrouped(table: pa.Table) -> pa.Table:
    """A state table whose groups are not known (another engine's): ``grp`` all null."""
    return with_groups(table, np.full(table.num_rows, -1, np.int64))


def derived_with_groups(rows: StateRows, name: str,
                        ids: NDArray[np.int64]) -> pa.RecordBatchReader:
    """One state table with each row's group id, ``ids[local group]`` (null when blocked),
    in slices built as DuckDB reads them (``StateRows.batches``), never whole."""
    local = rows.groups(name)
    gid = np.where(local >= 0, ids[np.maximum(local, 0)], -1)
    schema = SCHEMAS[name].append(pa.field("grp", pa.int64()))

    def slices() -> Iterator[pa.RecordBatch]:
        start = 0
        for batch in rows.batches(name):
            end = start + batch.num_rows
            yield batch.append_column("grp", _group_column(gid[start:end]))
            start = end

    return pa.RecordBatchReader.from_batches(schema, slices())


def event_arrow(events: EventTable, groups: NDArray[np.int64]) -> pa.Table:
    """The events as the stored table: their columns and their groups."""
    return with_groups(events.table, groups)


def replay_delta(db: duckdb.DuckDBPyConnection, ruleset: RuleSet, new: EventTable,
                 next_group: int) -> tuple[Replayed, int]:
    """Inside the caller's transaction: replay the groups ``new`` touches with it and rewrite
    their rows (events included); returns what was replayed and the next free group id."""
    db.register("delta_keys", pa.table({"key": identifier_keys(new, ruleset)}))
    touched = db.sql("SELECT DISTINCT i.grp FROM identifiers i SEMI JOIN delta_keys d "
                     "ON i.key = d.key WHERE i.grp IS NOT NULL").to_arrow_table()
    db.unregister("delta_keys")
    db.register("touched", touched)
    old = db.sql("SELECT * FROM events "
                 "SEMI JOIN touched t ON events.grp = t.grp").to_arrow_table()
    events = EventTable.concat([EventTable(old.drop_columns(["grp"])), new])
    rows = StateRows(events, resolve(events, ruleset))
    res = rows.res
    local = np.empty(len(events), np.int64)  # local group of each event, by row
    local[res.order] = res.group_at
    n_local = int(res.group_at.max()) + 1 if len(events) else 0
    old_grp = np.asarray(old.column("grp").to_numpy(), np.int64)
    ids = np.full(n_local, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(ids, local[: len(old_grp)], old_grp)  # a group keeps its smallest stored id
    fresh = ids == np.iinfo(np.int64).max
    ids[fresh] = next_group + np.arange(int(fresh.sum()))
    next_group += int(fresh.sum())

    for name, table_name in DERIVED.items():
        db.execute(f"DELETE FROM {table_name} WHERE grp IN (SELECT grp FROM touched)")
        skip = (" WHERE grp IS NOT NULL OR key NOT IN (SELECT key FROM identifiers)"
                if name == "identifiers" else "")  # a blocked value is kept once, group-less
        insert_arrow(db, derived_with_groups(rows, name, ids),
                     f"INSERT INTO {table_name} BY NAME SELECT * FROM incoming{skip}")
    moved = pa.table({"old": old_grp, "new": ids[local[: len(old_grp)]]})
    db.register("moved", moved.group_by(["old", "new"]).aggregate([]))
    db.execute("UPDATE events SET grp = moved.new FROM moved "
               "WHERE events.grp = moved.old AND moved.old <> moved.new")
    db.unregister("moved")
    add_event_columns(db, new.namespaces)
    insert_arrow(db, event_arrow(new, ids[local[len(old_grp):]]),
                 "INSERT INTO events BY NAME SELECT * FROM incoming")
    db.unregister("touched")
    return Replayed(len(events), touched.num_rows, n_local), next_group


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
