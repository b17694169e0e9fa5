"""The replay of one Spark partition: whole groups of events in, their state rows out.

It runs on the executors (``mapInArrow``). A partition holds whole groups, and replaying
several groups at once decides exactly what replaying each alone does (they share no
non-blocked identifier), so one call of the embedded engine's kernel replays them all.
Each row goes out with a sort key that places it where a replay of every event at once
would have put it: the four tables are then sorted by it and are the same, row for row.

The worker writes its rows itself, one Parquet file per table (``t=<table>/``), and hands
Spark one line per file (:data:`WRITTEN`): the rows never pass through the JVM, which
turned them into Spark rows and back and cost more than the replay (docs/scale.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet

TABLES: tuple[str, ...] = tuple(SCHEMAS)
#: The sort key of a row: table section, then the time and id of the event that placed it,
#: then its place among the rows of that event.
KEY = pa.schema([("k0", pa.int8()), ("k1", pa.int64()), ("k2", pa.string()),
                 ("k3", pa.int64())])
#: What a replayed partition returns to Spark: one line per Parquet file it wrote.
WRITTEN = pa.schema([("t", pa.int8()), ("rows", pa.int64()), ("path", pa.string())])


def keys(state: StateRows, name: str) -> list[pa.Array]:
    """The sort key of each row of one table (:meth:`StateRows.row_keys`, the event's
    position as its time and id)."""
    section, position, place = state.row_keys(name)
    rows = state.res.order[position]
    return [pa.array(section.astype(np.int8)), pa.array(state.res.ts[rows], pa.int64()),
            state.res.event_id.take(pa.array(rows)), pa.array(place, pa.int64())]


def table_folder(folder: Path, index: int) -> Path:
    """Where the replayed rows of table number ``index`` go."""
    return folder / f"t={index}"


def replay_partition(ruleset_json: str, folder: str, batches: Iterator[pa.RecordBatch]
                     ) -> Iterator[pa.RecordBatch]:
    """Runs on Spark: a partition's events in; its state rows, keyed, written as Parquet
    under ``folder`` (a file per table, named anew by each attempt of the task); one line
    per file out."""
    got = list(batches)
    if not got or not sum(b.num_rows for b in got):
        return
    events = EventTable(pa.Table.from_batches(got))
    del got
    state = StateRows(events, resolve(events, RuleSet.model_validate_json(ruleset_json)))
    name_of = uuid.uuid4().hex
    for index, name in enumerate(TABLES):
        table = state.table(name)
        if not table.num_rows:
            continue
        out = table_folder(Path(folder), index)
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"part-{name_of}.parquet"
        rows = pa.Table.from_arrays([*keys(state, name), *table.columns],
                                    names=[*KEY.names, *table.column_names])
        pq.write_table(rows, path)
        yield pa.RecordBatch.from_arrays(
            [pa.array([index], pa.int8()), pa.array([table.num_rows], pa.int64()),
             pa.array([str(path)])], schema=WRITTEN)
