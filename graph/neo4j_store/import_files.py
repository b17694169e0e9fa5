"""A NEW Neo4j database in bulk: the state and events as ``neo4j-admin database import``
files, the same nodes, relationships and properties a load writes over Bolt (write.py).

``neo4j-admin database import full`` builds a database's store files directly from CSV (no
transactions, no Bolt): far faster than batches, but only into a database that does not
exist yet. The files are headed CSV; identifiers and profiles are found by their keys
(``:ID(Identifier)``, ``:ID(Profile)``). What a Bolt load leaves unstored is left out here
too: nulls, empty lists, ``blocked`` when false. The store's constraints and indexes are
built by the first identigraph command that opens the database (the Meta node says
``imported``; store.py ``_finish_import``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.engine.state import State
from identigraph.events import EventTable
from identigraph.graph.neo4j_store.chunks import event_chunks
from identigraph.graph.neo4j_store.eventindex import bucket_batches, bucket_count
from identigraph.graph.neo4j_store.groupindex import place
from identigraph.graph.neo4j_store.properties import no_empty
from identigraph.graph.neo4j_store.store import IMPORTED, SCHEMA_VERSION
from identigraph.graph.neo4j_store.write import DEFAULT_EVENT_CHUNK_ROWS
from identigraph.rules.model import RuleSet

#: Between the values of a list property, and of the labels (a list value may hold ``;``,
#: Neo4j's default).
ARRAY_DELIMITER = "\x1f"  # given to neo4j-admin as U+001F
ROWS_PER_SLICE = 65_536
#: neo4j-admin reads its input in buffers of this many bytes unless told otherwise; the
#: longest value must fit in one (an event chunk of 100,000 events is ~13 MB as text).
READ_BUFFER = 4 << 20

Row = Sequence[Any]


def _write(path: Path, header: list[str], rows: Iterable[Row]) -> int:
    """A headed CSV: strings quoted (an empty string stays one), null an empty unquoted
    field (which the import does not store); the length of its longest line."""
    longest = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(_field(h) for h in header) + "\n")
        for row in rows:
            line = ",".join(_field(v) for v in row) + "\n"
            longest = max(longest, len(line))
            fh.write(line)
    return longest


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = ARRAY_DELIMITER.join(map(str, value))
    return '"' + str(value).replace('"', '""') + '"'


def _rows(table: pa.Table, columns: list[str]) -> Iterator[list[Any]]:
    """The rows of some columns as Python values, a slice at a time."""
    for start in range(0, table.num_rows, ROWS_PER_SLICE):
        part = table.slice(start, ROWS_PER_SLICE).select(columns)
        yield from (list(values) for values in zip(
            *(c.to_pylist() for c in part.columns), strict=True))


def _seq(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """Each row with its row number last (``seq``: the state's order)."""
    for i, row in enumerate(rows):
        yield [*row, i]


def write_import_files(state: State, events: EventTable, ruleset: RuleSet,
                       folder: Path) -> list[str]:
    """Write the import files into ``folder``; the arguments of ``neo4j-admin database import
    full <database>`` that read them (relative to ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    t = state.tables()
    ident, edges, prof, log = t["identifiers"], t["edges"], t["profiles"], t["log"]
    nodes: list[str] = []
    relationships: list[str] = []

    placement = place(events, ruleset, 0)  # the group index, as a Bolt load writes it
    blocked = pc.if_else(ident.column("blocked"), True, None)
    rows = ident.select(["key", "kind", "consent", "consent_event"]).append_column(
        "blocked", blocked).append_column("bucket", placement.identifier_buckets(ident)
                                          ).append_column("buckets", placement.blocked_buckets(
                                              ident)).append_column("label", pa.repeat(
                                                  pa.scalar("Identifier"), ident.num_rows))
    _write(folder / "identifiers.csv", [":ID(Identifier)", "key", "kind", "consent",
                                        "consent_event", "blocked:boolean", "bucket:long",
                                        "buckets:long[]", ":LABEL"],
           ([r[0], *r] for r in _rows(rows, rows.column_names)))
    nodes.append("identifiers.csv")
    columns = ["bucket", "rows", "data", "largest", "largest_first"]
    _write(folder / "group_buckets.csv", ["bucket:long", "rows:long", "data:byte[]",
                                          "largest:long", "largest_first", ":LABEL"],
           ([b, n, _bytes(data), top, first, "GroupBucket"] for batch in placement.batches()
            for b, n, data, top, first in zip(*(batch[c] for c in columns), strict=True)))
    nodes.append("group_buckets.csv")

    lists = ("emails", "phones", "external_ids", "other_ids", "merged_ids")
    profiles = prof
    for name in lists:
        at = profiles.schema.get_field_index(name)
        profiles = profiles.set_column(at, name, no_empty(profiles.column(name)
                                                           .combine_chunks()))
    columns = ["profile_id", "created_by", "created_for", *lists,
               "email_consent", "sms_consent", "created_ts"]
    header = [":ID(Profile)", "profile_id", "created_by", "created_for",
              *[f"{c}:string[]" for c in lists], "email_consent", "sms_consent",
              "created_ts:long"]
    _write(folder / "profiles.csv", [*header, ":LABEL"],
           ([r[0], *r, "Profile"] for r in _rows(profiles, columns)))
    nodes.append("profiles.csv")

    log_columns = ["profile_id", "event_id", "ts", "action", "identifier", "other"]
    _write(folder / "log.csv", ["profile_id", "event_id", "ts:long", "action", "identifier",
                                "other", "seq:long", ":LABEL"],
           ([*r, "LogEntry"] for r in _seq(_rows(log, log_columns))))
    nodes.append("log.csv")

    _write(folder / "meta.csv", ["key", "ruleset", "schema_version", "state",
                                 "generation:long", "grouped:boolean", "next_bucket:long",
                                 "ranked:boolean", ":LABEL"],
           [["store", ruleset.model_dump_json(), SCHEMA_VERSION, IMPORTED, 1, True,
             placement.after(0), True, "Meta"]])
    nodes.append("meta.csv")
    longest = _write(
        folder / "event_chunks.csv",
        ["chunk_id", "generation:long", "part:long", "rows:long", "data:byte[]", ":LABEL"],
        ([hashlib.sha256(data).hexdigest(), 1, part, rows, _bytes(data), "EventChunk"]
         for part, (rows, data) in enumerate(event_chunks(events, DEFAULT_EVENT_CHUNK_ROWS))))
    nodes.append("event_chunks.csv")
    if len(events):  # the load's event id buckets, then their set (eventindex.py)
        _write(folder / "event_buckets.csv", ["generation:long", "bucket:long", "data:byte[]",
                                              ":LABEL"],
               ([1, b, _bytes(data), "EventBucket"] for batch in bucket_batches(events, 1)
                for b, data in zip(batch["bucket"], batch["data"], strict=True)))
        _write(folder / "event_bucket_set.csv", ["generation:long", "buckets:long",
                                                 "rows:long", ":LABEL"],
               [[1, bucket_count(len(events)), len(events), "EventBuckets"]])
        nodes += ["event_buckets.csv", "event_bucket_set.csv"]

    on = ident.filter(ident.column("profile_id").is_valid())
    _write(folder / "on.csv", [":START_ID(Identifier)", ":END_ID(Profile)", ":TYPE"],
           ([*r, "ON"] for r in _rows(on, ["key", "profile_id"])))
    relationships.append("on.csv")
    edge_columns = ["src", "dst", "event_id", "type", "channel", "ts", "rule", "merges"]
    _write(folder / "evidence.csv", [":START_ID(Identifier)", ":END_ID(Identifier)",
                                     "event_id", "type", "channel", "ts:long", "rule",
                                     "merges:boolean", "seq:long", ":TYPE"],
           ([*r, "EVIDENCE"] for r in _seq(_rows(edges, edge_columns))))
    relationships.append("evidence.csv")
    return [f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", *_read_buffer(longest),
            *[f"--nodes={n}" for n in nodes],
            *[f"--relationships={r}" for r in relationships]]


#: Each byte's text in a ``byte[]`` field (Java's bytes are signed): a lookup per byte is
#: 4x cheaper than formatting it (the events' blobs are most of a 10M export's text).
_BYTE_TEXT = [str(b - 256 if b > 127 else b) for b in range(256)]


def _read_buffer(longest: int) -> list[str]:
    """``--read-buffer-size`` when the longest line would not fit twice in the default
    buffer (a power of two that does)."""
    if 2 * longest <= READ_BUFFER:
        return []
    return [f"--read-buffer-size={1 << (2 * longest - 1).bit_length()}"]


def _bytes(data: bytes) -> str:
    """A ``byte[]`` field."""
    return ARRAY_DELIMITER.join(map(_BYTE_TEXT.__getitem__, data))
