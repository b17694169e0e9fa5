"""The canonical event table every loader produces (SPEC section 3): one Arrow table.

Arrow from the reader to the store: a million events stay a few contiguous buffers (no
Python object per event), the replay reads them as numpy views and the stores take them
in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from identigraph.arrays import as_array

FIELDS: tuple[str, ...] = (
    "event_id", "ts", "type", "channel", "source", "email", "phone", "external_id",
    "country", "email_consent", "sms_consent", "attributes",
)
#: The stored events' Arrow schema (both backends): ``ts`` in UTC microseconds, text otherwise.
SCHEMA = pa.schema([(f, pa.int64() if f == "ts" else pa.string()) for f in FIELDS])


@dataclass(slots=True)
class EventTable:
    """Validated canonical events (``table`` has :data:`SCHEMA`); identifiers already
    normalised, ``ts`` in UTC microseconds, ``attributes`` JSON text."""

    table: pa.Table = field(default_factory=SCHEMA.empty_table)
    _columns: dict[str, pa.Array] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.table.schema != SCHEMA:
            self.table = self.table.select(list(FIELDS)).cast(SCHEMA)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @classmethod
    def of(cls, columns: Mapping[str, Sequence[object] | pa.Array]) -> EventTable:
        """A table from some columns by name (the others all null)."""
        n = len(next(iter(columns.values()))) if columns else 0
        unknown = set(columns) - set(FIELDS)
        if unknown:
            raise ValueError(f"not event fields: {sorted(unknown)}")
        arrays = [pa.array(columns[f], SCHEMA.field(f).type) if f in columns
                  else pa.nulls(n, SCHEMA.field(f).type) for f in FIELDS]
        return cls(pa.Table.from_arrays(arrays, schema=SCHEMA))

    @classmethod
    def concat(cls, tables: Sequence[EventTable]) -> EventTable:
        """The events of several tables, in order (no copy of their buffers)."""
        if not tables:
            return cls()
        if len(tables) == 1:
            return tables[0]
        return cls(pa.concat_tables([t.table for t in tables]))

    def column(self, name: str) -> pa.Array:
        """One column as a contiguous Arrow array, combined once: the replay and the store
        both read the same columns of a big load."""
        got = self._columns.get(name)
        if got is None:
            got = as_array(self.table.column(name))
            self._columns[name] = got
        return got

    def take(self, index: Sequence[int] | NDArray[np.integer] | pa.Array) -> EventTable:
        """A new table holding the events at these positions, in this order."""
        if not isinstance(index, pa.Array):
            index = pa.array(np.asarray(index, np.int64))
        return EventTable(self.table.take(index))

    def filter(self, keep: NDArray[np.bool_] | pa.Array) -> EventTable:
        """A new table of the events where ``keep`` is true."""
        return EventTable(self.table.filter(keep))
