"""The replay of one Spark partition: whole groups of events in, their state rows out.

It runs on the executors (``mapInArrow``). A partition holds whole groups, and replaying
several groups at once decides exactly what replaying each alone does (they share no
non-blocked identifier), so one call of the embedded engine's kernel replays them all.
Each row goes out with a sort key that places it where a replay of every event at once
would have put it: the four tables are then sorted by it and are the same, row for row.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet

TABLES: tuple[str, ...] = tuple(SCHEMAS)
#: The sort key of a row: table section, then the time and id of the event that placed it,
#: then its place among the rows of that event.
KEY = pa.schema([("k0", pa.int8()), ("k1", pa.int64()), ("k2", pa.string()),
                 ("k3", pa.int64())])
OUTPUT = pa.schema([("t", pa.int8()), *KEY,
                    *[(name, pa.struct(list(SCHEMAS[name]))) for name in TABLES]])
ROWS_PER_BATCH = 65_536


def keys(state: StateRows, name: str) -> list[pa.Array]:
    """The sort key of each row of one table (:meth:`StateRows.row_keys`, the event's
    position as its time and id)."""
    section, position, place = state.row_keys(name)
    rows = state.res.order[position]
    return [pa.array(section.astype(np.int8)), pa.array(state.res.ts[rows], pa.int64()),
            state.res.event_id.take(pa.array(rows)), pa.array(place, pa.int64())]


def _tagged(index: int, table: pa.Table, keys: list[pa.Array]) -> Iterator[pa.RecordBatch]:
    """One table's rows with their keys, in the shape of :data:`OUTPUT`."""
    n = table.num_rows
    if n == 0:
        return
    name = TABLES[index]
    rows = pa.StructArray.from_arrays([table.column(f.name).combine_chunks()
                                       for f in SCHEMAS[name]], fields=list(SCHEMAS[name]))
    columns = [pa.array(np.full(n, index, np.int8)), *keys]
    columns += [rows if other == name else pa.nulls(n, OUTPUT.field(other).type)
                for other in TABLES]
    batch = pa.RecordBatch.from_arrays(columns, schema=OUTPUT)
    for start in range(0, n, ROWS_PER_BATCH):
        yield batch.slice(start, ROWS_PER_BATCH)


def replay_partition(ruleset_json: str, batches: Iterator[pa.RecordBatch]
                     ) -> Iterator[pa.RecordBatch]:
    """Runs on Spark: a partition's events in, its state rows (tagged, keyed) out."""
    got = list(batches)
    if not got or not sum(b.num_rows for b in got):
        return
    events = EventTable(pa.Table.from_batches(got))
    del got
    state = StateRows(events, resolve(events, RuleSet.model_validate_json(ruleset_json)))
    for index, name in enumerate(TABLES):
        yield from _tagged(index, state.table(name), keys(state, name))
