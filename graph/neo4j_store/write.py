"""Bulk writes: rows sent in batches with ``UNWIND $rows``, one managed transaction each.

Batches of one step go out from a few threads at once (the server works on one batch
while Python packs the next); steps run one after another. A batch the driver retries
first undoes whatever an earlier attempt may have committed, so every batch takes effect
exactly once.

What makes a load fast (measured on a 2-core machine, docs/neo4j.md "Speed"): rows are
lists, not maps, built column by column from the state's Arrow tables; a profile is written
together with the identifiers on it and the evidence edges between them (no lookup for the
``ON`` relationship nor for three edges in four); the derived state's constraints are
dropped while it is written and built again afterwards; empty lists and ``false`` are not
stored; batches are small enough (2,000 rows) that the server's transaction state dies
young (10,000-row batches: 5-10x the GC time, slower overall); events go as a few
compressed Arrow chunks instead of a node each.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import islice
from typing import Any

import neo4j
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph import cypher
from identigraph.events import EventTable
from identigraph.graph.embedded.chunks import CHUNK_ROWS, event_chunks
from identigraph.graph.state import StateRows

#: Rows per transaction, and batches in flight at once, unless the store is told otherwise.
#: 2,000, not 10,000: with a 1 GiB heap a 10,000-row batch's transaction state outlives
#: young collections (GC 11-17 s instead of 1-4 s per 300,000 profiles, 1.3-2x the wall
#: time); 3 or 4 workers cost more server CPU (GC, locks) than they gain on 2 cores.
DEFAULT_BATCH_SIZE = 2_000
DEFAULT_WORKERS = 2
#: Events per stored chunk (one chunk per transaction), unless the store is told otherwise.
DEFAULT_EVENT_CHUNK_ROWS = 100_000

Row = list[object]
Progress = Callable[[str, int], None]  # (step, rows just written)
_KINDS = {"email": 0, "phone": 1, "external_id": 2}


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive lists of at most ``size`` rows."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _column(table: pa.Table, name: str) -> list[Any]:
    """A column as a Python list."""
    values: list[Any] = table.column(name).to_pylist()
    return values


def _no_empty(column: pa.ChunkedArray) -> list[Any]:
    """A list column as Python lists, None for an empty list (Neo4j would store ``[]``)."""
    col = column.combine_chunks()
    empty = pc.equal(pc.list_value_length(col), 0)
    values: list[Any] = pc.if_else(empty, pa.nulls(len(col), col.type), col).to_pylist()
    return values


class ProfileRows:
    """The rows of a load's identifiers, profiles and evidence edges, in the shapes the
    statements take, built column by column from the state's Arrow tables.

    - ``profiles``: one row per profile carrying the identifiers on it and the evidence edges
      between them (both ends on this profile: about three edges in four), so neither the
      ``ON`` relationship nor those edges need an index lookup: ``[id, created_by,
      created_for, emails, phones, external_ids, merged_ids, email_consent, sms_consent,
      created_ts, email_members, phone_members, external_id_members, edges]``; a member is
      ``[key, consent, consent_event, blocked]``, an edge ``[src, dst, event_id, type,
      channel, ts, rule, merges, seq]`` with ``src``/``dst`` the position of the end among
      the row's members (emails, then phones, then external ids);
    - ``loose``: identifiers on no profile, ``[key, kind, consent, consent_event, blocked]``;
    - ``edges``: every other edge (ends on two profiles, or on none), ends by key.

    ``seq`` is the edge's position in the state's edge rows, wherever it is written.
    """

    def __init__(self, state: StateRows) -> None:
        t = state.tables()
        ident, prof, edges = t["identifiers"], t["profiles"], t["edges"]
        n = prof.num_rows
        # each identifier's profile row (-1: on no profile) and kind (0 email, 1 phone, 2 id)
        row_of = pc.index_in(ident.column("profile_id"), value_set=prof.column("profile_id"))
        prow = row_of.fill_null(-1).to_numpy().astype(np.int64)
        orphans = int(np.count_nonzero((prow < 0) & ident.column("profile_id").is_valid()
                                       .to_numpy(zero_copy_only=False)))
        if orphans:  # the resolver puts every identifier with a profile id on a live profile
            raise RuntimeError(f"{orphans} identifier(s) on profiles that do not exist")
        kind = pc.index_in(ident.column("kind"), value_set=pa.array(list(_KINDS)))
        kinds = kind.fill_null(0).to_numpy().astype(np.int64)
        keys, consent = _column(ident, "key"), _column(ident, "consent")
        consent_event = _column(ident, "consent_event")
        blocked = [True if x else None for x in _column(ident, "blocked")]

        loose_at = np.flatnonzero(prow < 0).tolist()
        kind_names = list(_KINDS)
        self.loose: list[Row] = [[keys[i], kind_names[kinds[i]], consent[i], consent_event[i],
                                  blocked[i]] for i in loose_at]

        # members sorted by (profile row, kind, identifier order); offsets per (row, kind)
        on = np.flatnonzero(prow >= 0)
        order = on[np.lexsort((on, kinds[on], prow[on]))]
        slot = prow[order] * 3 + kinds[order]
        bounds = np.zeros(3 * n + 1, np.int64)
        np.cumsum(np.bincount(slot, minlength=3 * n), out=bounds[1:])
        position = np.empty(len(prow), np.int64)  # an identifier's place among its row's
        position[order] = np.arange(len(order)) - bounds[prow[order] * 3]
        self._ident = (keys, consent, consent_event, blocked)
        self._members, self._bounds = order.tolist(), bounds.tolist()

        # edges: those with both ends on one profile go with its row, by member position
        ends = [pc.index_in(edges.column(c), value_set=ident.column("key")).to_numpy()
                .astype(np.int64) for c in ("src", "dst")]
        src_row, dst_row = prow[ends[0]], prow[ends[1]]
        inner = (src_row >= 0) & (src_row == dst_row)
        self._edge_cols = [_column(edges, c) for c in ("event_id", "type", "channel", "ts",
                                                       "rule", "merges")]
        inner_at = np.flatnonzero(inner)
        self._inner = inner_at[np.argsort(src_row[inner_at], kind="stable")].tolist()
        self._ends = position[ends[0]].tolist(), position[ends[1]].tolist()
        edge_bounds = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(src_row[inner_at], minlength=n), out=edge_bounds[1:])
        self._edge_bounds = edge_bounds.tolist()
        src, dst = _column(edges, "src"), _column(edges, "dst")
        cols = self._edge_cols
        self.edges: list[Row] = [[src[i], dst[i], *(c[i] for c in cols), i]
                                 for i in np.flatnonzero(~inner).tolist()]
        self._profile_cols = [
            *(_column(prof, c) for c in ("profile_id", "created_by", "created_for")),
            *(_no_empty(prof.column(c)) for c in ("emails", "phones", "external_ids",
                                                   "merged_ids")),
            *(_column(prof, c) for c in ("email_consent", "sms_consent", "created_ts"))]
        self.log: list[Row] = [[*r, i] for i, r in enumerate(zip(
            *(_column(t["log"], c) for c in ("profile_id", "event_id", "ts", "action",
                                               "identifier", "other")), strict=True))]

    def profiles(self) -> Iterator[Row]:
        """The profile rows, built as they are sent (the server writes the batches before
        while Python builds the next: the two cores work at once)."""
        keys, consent, consent_event, blocked = self._ident
        members, b = self._members, self._bounds
        inner, e = self._inner, self._edge_bounds
        src_pos, dst_pos = self._ends
        event_id, type_, channel, ts, rule, merges = self._edge_cols
        for r, head in enumerate(zip(*self._profile_cols, strict=True)):
            row = list(head)
            at = 3 * r
            for k in range(3):
                lo, hi = b[at + k], b[at + k + 1]
                row.append([[keys[i], consent[i], consent_event[i], blocked[i]]
                            for i in members[lo:hi]] if hi > lo else None)
            lo, hi = e[r], e[r + 1]
            row.append([[src_pos[i], dst_pos[i], event_id[i], type_[i], channel[i], ts[i],
                         rule[i], merges[i], i] for i in inner[lo:hi]] if hi > lo else None)
            yield row


def chunk_rows(events: EventTable, generation: int, size: int) -> Iterator[Row]:
    """``[chunk_id, generation, part, rows, data]`` for each slice of ``size`` events."""
    cols, size = events.columns(), min(size, CHUNK_ROWS)
    for part, start in enumerate(range(0, len(events), size)):
        piece = EventTable()
        for mine, col in zip(piece.columns(), cols, strict=True):
            mine.extend(col[start:start + size])
        for rows, data in event_chunks(piece):  # one chunk: size <= CHUNK_ROWS
            yield [hashlib.sha256(data).hexdigest(), generation, part, rows, data]


class _Rows(list[Row]):
    """A batch's rows with a short ``repr``: the driver formats every RUN's parameters for
    its debug log even when debug logging is off, which cost as much CPU as packing them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


class _Batch:
    """The transaction function of one batch: undo an earlier attempt, then write.

    An attempt that failed inside the function was rolled back; one that returned may have
    committed before the connection failed (the driver then retries): only that is undone.
    """

    def __init__(self, write: str, undo: str | None, rows: list[Row]) -> None:
        self.write, self.undo, self.rows = write, undo, rows
        self.returned = False  # an earlier attempt got as far as its commit

    def __call__(self, tx: neo4j.ManagedTransaction) -> None:
        rows = _Rows(self.rows)
        if self.returned and self.undo is not None:
            tx.run(self.undo, rows=rows).consume()
        self.returned = False
        tx.run(self.write, rows=rows).consume()
        self.returned = True


def _count(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    """Run one statement; its first value when it returns one (``deleted``), else 0."""
    record = tx.run(query, params).single()
    return int(record[0]) if record is not None else 0


def statements(text: str) -> list[str]:
    """The statements of a multi-statement file (each ends with a semicolon at line end;
    comment lines are not statements)."""
    return [s for s in re.split(r";\s*$", text, flags=re.MULTILINE)
            if any(line.strip() and not line.strip().startswith("//")
                   for line in s.splitlines())]


class Writer:
    """Writes the rows of one load, batch by batch, from ``workers`` threads."""

    def __init__(self, driver: neo4j.Driver, database: str | None, batch_size: int,
                 workers: int = DEFAULT_WORKERS, progress: Progress | None = None,
                 event_chunk_rows: int = DEFAULT_EVENT_CHUNK_ROWS) -> None:
        self.driver, self.database = driver, database
        self.batch_size, self.workers = batch_size, workers
        self.event_chunk_rows = event_chunk_rows
        self.progress = progress
        self.timings: dict[str, float] = {}  # seconds per step, for benchmarks

    def _timed(self, step: str, started: float) -> None:
        self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def statement(self, name: str, **params: Any) -> int:
        """Run one named statement in its own managed write transaction."""
        with self._session() as session:
            return session.execute_write(_count, cypher.load(name), params)

    def schema(self, name: str) -> None:
        """Run each statement of a schema file (auto-commit: schema changes need their own
        transactions), then wait until every index is online."""
        with self._session() as session:
            for text in statements(cypher.load(name)):
                session.run(text).consume()
            session.run(cypher.load("await_indexes"), seconds=3600).consume()

    def _send(self, batch: _Batch) -> int:
        with self._session() as session:
            session.execute_write(batch)
        return len(batch.rows)

    def rows(self, name: str, rows: Iterable[Row], *, workers: int | None = None,
             batch_size: int | None = None, undo: bool = True) -> None:
        """Send rows to ``write_<name>`` in batches (``undo_<name>`` guards retries)."""
        started = time.perf_counter()
        write = cypher.load(f"write_{name}")
        undo_text = cypher.load(f"undo_{name}") if undo else None
        n = workers or self.workers
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="neo4j-write") as pool:
            pending: set[Future[int]] = set()
            try:
                for batch in chunks(rows, batch_size or self.batch_size):
                    pending.add(pool.submit(self._send, _Batch(write, undo_text, batch)))
                    if len(pending) >= 2 * n:  # bounded: at most 2n batches in memory
                        pending = self._settle(name, pending, wait_for_one=True)
                self._settle(name, pending, wait_for_one=False)
                self._timed(name, started)
            except BaseException:
                for f in pending:
                    f.cancel()
                raise

    def _settle(self, name: str, pending: set[Future[int]],
                wait_for_one: bool) -> set[Future[int]]:
        """Wait for one (or all) batches; re-raise the first failure; report progress."""
        done, rest = wait(pending, return_when=FIRST_COMPLETED if wait_for_one else ALL_COMPLETED)
        for f in done:
            written = f.result()  # raises the batch's error
            if self.progress is not None:
                self.progress(name, written)
        return rest

    def clear(self, name: str) -> None:
        """Run ``clear_<name>`` (``... LIMIT $limit DELETE``) until it deletes nothing."""
        while self.statement(f"clear_{name}", limit=self.batch_size):
            pass

    def clear_state(self) -> None:
        """Delete the derived state: the log (nothing links to it) alongside the identifiers
        with their relationships, then the profiles."""
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-clear") as bg:
            log = bg.submit(self.clear, "log")
            try:
                self.clear("identifiers")
            finally:
                log.result()
        self.clear("profiles")
        self._timed("clear", started)

    def replace_state(self, state: StateRows) -> None:
        """Delete the derived nodes and relationships, then write the new ones.

        Index builds run on one server thread: the log, then the edges between profiles,
        are written while they run (those edges once the identifier key constraint they look
        their ends up by is built; the others went with their profiles).
        """
        self._schema("drop_derived_schema")  # no index upkeep while the state is rewritten
        self.clear_state()
        started = time.perf_counter()
        rows = ProfileRows(state)  # Python work, before the server has any to do
        self._timed("prepare", started)
        self.rows("identifiers", rows.loose)
        self.rows("profiles", rows.profiles())
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-schema") as bg:
            keys = bg.submit(self._schema, "identifier_schema")
            try:
                self.rows("log", rows.log)
            finally:
                keys.result()
            rest = bg.submit(self._schema, "derived_schema")
            try:
                # two at once: a batch that deadlocks on a shared node is rolled back and
                # retried, which still beats one batch at a time
                self.rows("edges", rows.edges)
            finally:
                rest.result()

    def _schema(self, name: str) -> None:
        started = time.perf_counter()
        self.schema(name)
        self._timed(name, started)

    def append_events(self, events: EventTable, generation: int) -> None:
        """Add the new events as compressed chunks (MERGEd by content hash: idempotent)."""
        self.rows("event_chunks", chunk_rows(events, generation, self.event_chunk_rows),
                  batch_size=1, undo=False)
