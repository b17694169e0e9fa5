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
from numpy.typing import NDArray

from identigraph.engine.resolver import KIND_NAMES, Resolution, resolve
from identigraph.engine.state import SCHEMAS, StateRows
from identigraph.events import FIELDS, EventTable
from identigraph.rules.model import RuleSet

TABLES: tuple[str, ...] = tuple(SCHEMAS)
#: The sort key of a row: table section, then the time and id of the event that placed it,
#: then its place among the rows of that event.
KEY = pa.schema([("k0", pa.int8()), ("k1", pa.int64()), ("k2", pa.string()),
                 ("k3", pa.int64())])
OUTPUT = pa.schema([("t", pa.int8()), *KEY,
                    *[(name, pa.struct(list(SCHEMAS[name]))) for name in TABLES]])
ROWS_PER_BATCH = 65_536


def _seq(at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each item's place among the items of the same (ascending) position."""
    at = np.asarray(at, np.int64)
    return np.arange(len(at), dtype=np.int64) - np.searchsorted(at, at, "left")


class _Keys:
    """Sort keys of one replay's rows (see the module docstring)."""

    def __init__(self, events: EventTable, res: Resolution) -> None:
        self.events, self.r = events, res

    def at(self, section: NDArray[np.int64] | int, pos: NDArray[np.int64],
           seq: NDArray[np.int64]) -> list[pa.Array]:
        """Key columns of rows placed by the events at these positions."""
        rows = self.r.order[np.asarray(pos, np.int64)]
        k0 = np.broadcast_to(np.asarray(section, np.int8), rows.shape)
        return [pa.array(k0, pa.int8()), pa.array(self.r.ts[rows], pa.int64()),
                self.r.event_id.take(pa.array(rows)), pa.array(seq, pa.int64())]

    def identifiers(self) -> list[pa.Array]:
        """By kind, then the first event carrying the identifier (the resolver numbers
        identifiers that way)."""
        r = self.r
        first = np.empty(len(r.ident_kind), np.int64)
        start = 0
        for code, name in enumerate(KIND_NAMES):
            ordered = self.events.arrow(name).take(pa.array(r.order))
            codes = ordered.dictionary_encode().indices  # first-appearance order
            index = np.asarray(codes.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
            carried = np.flatnonzero(index >= 0)
            _, at = np.unique(index[carried], return_index=True)
            n = int(np.count_nonzero(r.ident_kind == code))
            if len(at) != n:
                raise RuntimeError(f"{name}: {len(at)} values but {n} identifiers")
            first[start:start + n] = carried[at]
            start += n
        return self.at(r.ident_kind.astype(np.int64), first, np.zeros(len(first), np.int64))

    def edges(self) -> list[pa.Array]:
        """By event, then the order the event decided them in."""
        at = self.r.edge_at.astype(np.int64)
        return self.at(0, at, _seq(at))

    def profiles(self) -> list[pa.Array]:
        """By the creation of the profile's root (the resolver lists roots ascending)."""
        r = self.r
        created = r.profile_created_at.astype(np.int64)
        live = r.live.astype(np.int64)
        return self.at(0, created[live], _seq(created)[live])

    def log(self) -> list[pa.Array]:
        """Creations of merged-away profiles, merges (two rows each), replacements: the
        sections of engine/state.py's log, each in event order."""
        r = self.r
        created = r.profile_created_at.astype(np.int64)
        alive = np.zeros(len(r.profile_label), np.bool_)
        alive[r.profile_label[r.live]] = True
        dead = np.flatnonzero(~alive)
        merge_at = np.repeat(r.merge_at.astype(np.int64), 2)
        merge_seq = 2 * np.repeat(_seq(r.merge_at.astype(np.int64)), 2) + np.tile(
            [0, 1], len(r.merge_at))
        detach_at = r.detach_at.astype(np.int64)
        parts = [self.at(0, created[dead], _seq(created)[dead]),
                 self.at(1, merge_at, merge_seq), self.at(2, detach_at, _seq(detach_at))]
        return [pa.concat_arrays([p[i] for p in parts]) for i in range(4)]


def event_table(table: pa.Table) -> EventTable:
    """The events of an Arrow table with the event columns."""
    return EventTable(*(table.column(f).to_pylist() for f in FIELDS))


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
    events = event_table(pa.Table.from_batches(got))
    del got
    res = resolve(events, RuleSet.model_validate_json(ruleset_json))
    state = StateRows(events, res)
    keys = _Keys(events, res)
    for index, name in enumerate(TABLES):
        yield from _tagged(index, state.table(name), getattr(keys, name)())
