"""The canonical event table every loader produces (SPEC section 3), stored by columns.

Columns rather than one object per event: a million events stay a few lists of strings,
which is what keeps bulk loads fast and small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

FIELDS: tuple[str, ...] = (
    "event_id", "ts", "type", "channel", "source", "email", "phone", "external_id",
    "country", "email_consent", "sms_consent", "attributes",
)
#: The stored events' Arrow schema (both backends): ``ts`` in UTC microseconds, text otherwise.
SCHEMA = pa.schema([(f, pa.int64() if f == "ts" else pa.string()) for f in FIELDS])


@dataclass(slots=True)
class EventTable:
    """Validated canonical events; identifiers already normalised, ``ts`` in UTC microseconds."""

    event_id: list[str] = field(default_factory=list)
    ts: list[int] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    channel: list[str | None] = field(default_factory=list)
    source: list[str | None] = field(default_factory=list)
    email: list[str | None] = field(default_factory=list)
    phone: list[str | None] = field(default_factory=list)
    external_id: list[str | None] = field(default_factory=list)
    country: list[str | None] = field(default_factory=list)
    email_consent: list[str | None] = field(default_factory=list)
    sms_consent: list[str | None] = field(default_factory=list)
    attributes: list[str | None] = field(default_factory=list)  # JSON text
    _arrow: dict[str, pa.Array] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.event_id)

    def columns(self) -> list[list[object]]:
        """The columns in FIELDS order."""
        return [getattr(self, f) for f in FIELDS]

    def arrow(self, name: str) -> pa.Array:
        """One column as an Arrow array, converted once: the replay and the store both read
        the same columns of a big load."""
        got = self._arrow.get(name)
        if got is None or len(got) != len(self):
            got = pa.array(getattr(self, name), pa.int64() if name == "ts" else pa.string())
            self._arrow[name] = got
        return got

    def append_row(self, row: tuple[object, ...]) -> None:
        """Add one event given as a tuple in FIELDS order."""
        self._arrow.clear()
        for col, value in zip(self.columns(), row, strict=True):
            col.append(value)

    def rows(self) -> list[tuple[object, ...]]:
        """All events as tuples in FIELDS order (for writing to a store)."""
        return list(zip(*self.columns(), strict=True))

    def extend(self, other: EventTable) -> None:
        """Append every event of ``other``."""
        self._arrow.clear()
        for mine, theirs in zip(self.columns(), other.columns(), strict=True):
            mine.extend(theirs)

    def take(self, index: list[int]) -> EventTable:
        """A new table holding the events at these positions, in this order."""
        out = EventTable()
        for mine, theirs in zip(out.columns(), self.columns(), strict=True):
            mine.extend([theirs[i] for i in index])
        return out

    @classmethod
    def from_rows(cls, rows: list[tuple[object, ...]]) -> EventTable:
        """Build a table from tuples in FIELDS order."""
        out = cls()
        if rows:
            for col, values in zip(out.columns(), zip(*rows, strict=True), strict=True):
                col.extend(values)
        return out
