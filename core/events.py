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
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.arrays import as_array
from identigraph.model import KIND_NAME

FIELDS: tuple[str, ...] = (
    "event_id", "ts", "type", "channel", "source", "email", "phone", "external_id",
    "country", "email_consent", "sms_consent", "attributes",
)
#: The stored events' Arrow schema (both backends): ``ts`` in UTC microseconds, text otherwise.
SCHEMA = pa.schema([(f, pa.int64() if f == "ts" else pa.string()) for f in FIELDS])
_FIELD_SET = frozenset(FIELDS)
#: The columns whose values repeat: a few types, channels, sources, countries, consents.
FEW_VALUES: tuple[str, ...] = ("type", "channel", "source", "country", "email_consent",
                               "sms_consent")
#: A column after FIELDS is an id namespace a rule set declares (``klaviyo_id``...): its name
#: is the kind's name (identigraph.model.KIND_NAME), its values normalised ids, null when none.


def namespaces(schema: pa.Schema) -> tuple[str, ...]:
    """The id namespace columns of an event table's schema (those after FIELDS), sorted."""
    return tuple(sorted(n for n in schema.names if n not in _FIELD_SET))


def schema_with(names: Sequence[str]) -> pa.Schema:
    """The events' schema with these id namespace columns (sorted, after FIELDS)."""
    if not names:
        return SCHEMA
    bad = [n for n in names if not KIND_NAME.fullmatch(n) or n in _FIELD_SET]
    if bad:
        raise ValueError(f"not event fields: {sorted(bad)}")
    return pa.schema([*SCHEMA, *((n, pa.string()) for n in sorted(set(names)))])



def _narrow(encoded: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A dictionary column with the narrowest indices its dictionary fits (int8 for a few
    event types: a quarter of int32's bytes)."""
    size = max((len(c.dictionary) for c in getattr(encoded, "chunks", [encoded])), default=0)
    for index, most in ((pa.int8(), np.iinfo(np.int8).max), (pa.int16(), np.iinfo(np.int16).max)):
        if size <= most:
            return encoded.cast(pa.dictionary(index, pa.string()))
    return encoded


@dataclass(slots=True)
class EventTable:
    """Validated canonical events (``table`` has :data:`SCHEMA` and, after it, a column per
    id namespace its events carry); identifiers already normalised, ``ts`` in UTC
    microseconds, ``attributes`` JSON text."""

    table: pa.Table = field(default_factory=SCHEMA.empty_table)
    _columns: dict[str, pa.Array] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        schema = schema_with(namespaces(self.table.schema))
        if self.table.schema != schema:
            self.table = self.table.select(schema.names).cast(schema)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @classmethod
    def of(cls, columns: Mapping[str, Sequence[object] | pa.Array]) -> EventTable:
        """A table from some columns by name (the others all null)."""
        n = len(next(iter(columns.values()))) if columns else 0
        schema = schema_with([c for c in columns if c not in _FIELD_SET])
        arrays = [pa.array(columns[f.name], f.type) if f.name in columns
                  else pa.nulls(n, f.type) for f in schema]
        return cls(pa.Table.from_arrays(arrays, schema=schema))

    @property
    def namespaces(self) -> tuple[str, ...]:
        """The id namespaces this table has a column for (beyond email, phone, external_id)."""
        return namespaces(self.table.schema)

    @classmethod
    def concat(cls, tables: Sequence[EventTable]) -> EventTable:
        """The events of several tables, in order (no copy of their buffers)."""
        if not tables:
            return cls()
        if len(tables) == 1:
            return tables[0]
        names = {n for t in tables for n in t.namespaces}
        if all(t.namespaces == tuple(sorted(names)) for t in tables):
            return cls(pa.concat_tables([t.table for t in tables]))
        return cls(pa.concat_tables([t.widened(names).table for t in tables]))

    def widened(self, names: set[str] | Sequence[str]) -> EventTable:
        """This table with a (null) column for each of these namespaces it lacks."""
        missing = [n for n in names if n not in self.table.schema.names]
        table = self.table
        for name in missing:
            table = table.append_column(name, pa.nulls(len(self), pa.string()))
        return EventTable(table) if missing else self

    def column(self, name: str) -> pa.Array:
        """One column as a contiguous Arrow array, combined once: the replay and the store
        both read the same columns of a big load (all null for a namespace it has none of)."""
        got = self._columns.get(name)
        if got is None:  # a namespace without a column of its own: no ids of it
            got = (self._combined(name) if name in self.table.schema.names
                   else pa.nulls(len(self), pa.string()))
            self._columns[name] = got
        return got

    def _combined(self, name: str) -> pa.Array:
        """A column of the table as one array; the table then holds that array instead of
        its chunks, so a load's events (one chunk per batch read) are not held twice."""
        chunked = self.table.column(name)
        got = as_array(chunked)
        if chunked.num_chunks > 1:
            at = self.table.schema.get_field_index(name)
            self.table = self.table.set_column(at, self.table.field(at), pa.chunked_array([got]))
        return got

    def compacted(self) -> EventTable:
        """The same events with their few-valued text columns (:data:`FEW_VALUES`) as
        dictionaries: what a first load holds while it prepares and writes them (~45 MB
        less at 1M events; DuckDB stores them as text). Only for holding and writing: the
        table's columns are then not of :data:`SCHEMA`'s types (:meth:`plain` gives them
        back). This table lets go of its combined copies of those columns."""
        table = self.table
        for name in FEW_VALUES:
            at = table.schema.get_field_index(name)
            column = self._columns.pop(name, None) or table.column(name)
            table = table.set_column(at, name, _narrow(pc.dictionary_encode(column)))
            del column
        compact = EventTable.__new__(EventTable)  # no __post_init__: it would cast them back
        compact.table, compact._columns = table, dict(self._columns)
        return compact

    def plain(self) -> EventTable:
        """These events with :data:`SCHEMA`'s types (a compacted table's dictionaries
        decoded): what a store that keeps Arrow itself (Neo4j's event chunks) writes."""
        return self if self.table.schema == schema_with(self.namespaces) else EventTable(
            self.table)

    def take(self, index: Sequence[int] | NDArray[np.integer] | pa.Array) -> EventTable:
        """A new table holding the events at these positions, in this order."""
        if not isinstance(index, pa.Array):
            index = pa.array(np.asarray(index, np.int64))
        return EventTable(self.table.take(index))

    def filter(self, keep: NDArray[np.bool_] | pa.Array) -> EventTable:
        """A new table of the events where ``keep`` is true."""
        return EventTable(self.table.filter(keep))
