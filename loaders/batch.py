"""What a format reader hands over: raw canonical columns for a slice of one file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from identigraph.loaders.report import Problem
from identigraph.model import KIND_NAME, UNDATED_TIME

#: Canonical field names a reader may fill (SPEC section 3); values are raw strings.
RAW_FIELDS: tuple[str, ...] = (
    "event_id", "timestamp", "type", "email", "phone", "external_id", "country",
    "email_consent", "sms_consent", "channel", "source", "attributes",
)


def is_namespace(name: str, kinds: Sequence[str] = ()) -> bool:
    """True for a field that names an id namespace: a kind the rule set declares, or any
    other ``*_id`` name (an undeclared namespace: validation reports its values). Only the
    rule set decides which namespaces are identifiers; the reader just passes them on."""
    if name in RAW_FIELDS or not KIND_NAME.fullmatch(name):
        return False
    return name in kinds or name.endswith("_id")


@dataclass(slots=True)
class RawBatch:
    """Rows of one file mapped to canonical field names, not yet validated.

    ``cols`` maps a field of RAW_FIELDS to an Arrow string array of one raw value per row
    (null when empty); ``attributes`` values are JSON text. ``id_prefix`` namespaces
    content-hash event ids (the format name), so the same row loaded twice gets the same id.
    """

    file: str
    lines: list[int]
    cols: dict[str, pa.Array]
    id_prefix: str = "ev"
    #: rows the reader already settled: rejected ones (with problems) or folded into
    #: another row's event (e.g. an order's extra line items), counted as duplicates
    rejected: list[Problem] = field(default_factory=list)
    folded: int = 0
    #: warnings about values of rows that are in this batch (dropped values)
    warnings: list[Problem] = field(default_factory=list)
    #: raw source column names for each canonical field, for the rejects file
    source_columns: dict[str, str] = field(default_factory=dict)
    #: fields the reader made itself and guarantees valid, which validation then skips
    #: (``attributes`` built with json.dumps or ``_columns.json_objects``)
    checked: frozenset[str] = frozenset()
    #: fields the reader filled in itself rather than read (``timestamp`` of an undated
    #: export): they do not tell two events with one id apart
    made_up: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(slots=True)
class RowBatch:
    """Rows of a reader that parses one record at a time (JSON Lines), gathered as text
    and handed over as one Arrow :class:`RawBatch`."""

    file: str
    fields: tuple[str, ...]
    id_prefix: str
    source_columns: dict[str, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    values: dict[str, list[str | None]] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, line: int, row: Mapping[str, str | None]) -> None:
        """One record's raw values by field (missing fields are empty); a field beyond
        ``fields`` (an id namespace) gets a column of its own from its first value."""
        for f in self.fields:
            self.values.setdefault(f, []).append(row.get(f))
        for f, v in row.items():
            if f not in self.fields:
                self.values.setdefault(f, [None] * len(self.lines)).append(v)
        self.lines.append(line)
        for col in self.values.values():
            if len(col) < len(self.lines):
                col.append(None)

    def raw(self) -> RawBatch:
        """The rows gathered, as Arrow columns."""
        cols = {f: pa.array(self.values.get(f, [None] * len(self)), pa.string())
                for f in (*self.fields, *(f for f in self.values if f not in self.fields))}
        return RawBatch(self.file, self.lines, cols, self.id_prefix, rejected=self.rejected,
                        warnings=self.warnings, source_columns=self.source_columns)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options every format reader receives."""

    default_region: str = "US"
    #: rows per batch: a few batches are read and validated at once (core/readahead.py);
    #: 50,000 keeps a 1M load's reading peak ~60 MB under 100,000's at the same speed
    batch_rows: int = 50_000
    #: time given to rows of files that carry none (Shopify customers), ISO 8601
    undated_time: str = UNDATED_TIME
    #: user-supplied mapping of unknown opt-in sources to event types
    source_map: dict[str, str] = field(default_factory=dict)
    #: Segment track event names that are checkouts
    checkout_events: tuple[str, ...] = ("Order Completed", "Checkout Started")
    #: the rule set's identifier kinds (api.load sets them): canonical events take a field
    #: named after each; validation, not the reader, decides what each one is
    kinds: tuple[str, ...] = ()


class Format(Protocol):
    """A file format: how to recognise it and read it into raw batches."""

    name: str

    def matches(self, header: list[str]) -> bool:
        """True when a file's header (CSV columns or JSON keys) looks like this format."""
        ...

    def read(self, path: Path, options: ReadOptions) -> Iterator[RawBatch]:
        """Raw batches covering every row of the file exactly once."""
        ...
