"""Bulk writes: columnar batches (``UNWIND range(0, size($key) - 1)``), one managed
transaction each.

Batches of one step go out from a few threads at once (the server works on one batch
while Python cuts the next); steps run one after another. A batch the driver retries
first undoes whatever an earlier attempt may have committed, so every batch takes effect
exactly once.

What makes a load fast (measured on a 2-core machine, docs/neo4j.md "Speed"): batches are
columns cut from the state's Arrow tables (batches.py); a profile is written together with
the identifiers on it and the evidence edges between them (no lookup for the ``ON``
relationship nor for three edges in four); the derived state's constraints are dropped
while it is written and built again afterwards; empty lists and ``false`` are not stored;
batches are small enough (2,000 rows) that the server's transaction state dies young
(10,000-row batches: 5-10x the GC time, slower overall); events go as a few compressed
Arrow chunks instead of a node each.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, NoReturn

import neo4j
import numpy as np
from numpy.typing import NDArray

from identigraph import cypher
from identigraph.engine.state import State
from identigraph.events import EventTable
from identigraph.graph.neo4j_store.batches import Params, StateBatches, chunk_batches, size

#: Rows per transaction, and batches in flight at once, unless the store is told otherwise.
#: 2,000, not 10,000: with a 1 GiB heap a 10,000-row batch's transaction state outlives
#: young collections (GC 11-17 s instead of 1-4 s per 300,000 profiles, 1.3-2x the wall
#: time); 3 or 4 workers cost more server CPU (GC, locks) than they gain on 2 cores.
DEFAULT_BATCH_SIZE = 2_000
DEFAULT_WORKERS = 2
#: Events per stored chunk (one chunk per transaction), unless the store is told otherwise.
DEFAULT_EVENT_CHUNK_ROWS = 100_000

if TYPE_CHECKING:
    from identigraph.graph.neo4j_store.groupindex import Placement

Progress = Callable[[str, int], None]  # (step, rows just written)


class Stopped(Exception):
    """A delete given up because the load failed elsewhere (``Writer.stopping``)."""


class _Batch:
    """The transaction function of one batch: undo an earlier attempt, then write.

    An attempt that failed inside the function was rolled back; one that returned may have
    committed before the connection failed (the driver then retries): only that is undone.
    """

    def __init__(self, write: str, undo: str | None, batch: Params) -> None:
        self.write, self.undo, self.batch = write, undo, batch
        self.returned = False  # an earlier attempt got as far as its commit

    def __call__(self, tx: neo4j.ManagedTransaction) -> None:
        if self.returned and self.undo is not None:
            tx.run(self.undo, self.batch).consume()
        self.returned = False
        tx.run(self.write, self.batch).consume()
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
        #: Set when the load fails elsewhere: a delete (:meth:`clear`) stops before its next
        #: batch (the events' append is short and goes on, so what it sends is kept).
        self.stopping = threading.Event()
        #: The first batch that found the server gone: the batches after it are not sent,
        #: so the load stops after one retry window of the driver, not one per batch
        self.failure: BaseException | None = None

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

    def _stop(self) -> NoReturn:
        """Give up before the next batch or delete: with the first failure, if one failed."""
        if self.failure is not None:
            raise self.failure
        raise Stopped("the load stopped")

    def _send(self, batch: _Batch) -> int:
        if self.failure is not None:  # not ``stopping``: the events' append goes on
            raise self.failure
        try:
            with self._session() as session:
                session.execute_write(batch)
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
            if self.failure is None:  # the server is gone: each later batch would wait too
                self.failure = exc
            raise
        return size(batch.batch)

    def rows(self, name: str, batches: Iterable[Params], *, workers: int | None = None,
             undo: bool = True) -> None:
        """Send batches to ``write_<name>`` (``undo_<name>`` guards retries)."""
        started = time.perf_counter()
        write = cypher.load(f"write_{name}")
        undo_text = cypher.load(f"undo_{name}") if undo else None
        n = workers or self.workers
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="neo4j-write") as pool:
            pending: set[Future[int]] = set()
            try:
                for batch in batches:
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
            if self.stopping.is_set() or self.failure is not None:
                self._stop()

    def clear_state(self) -> None:
        """Delete the derived state: the log (nothing links to it) alongside the identifiers
        with their relationships, then the profiles and the group buckets (the group index)."""
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-clear") as bg:
            log = bg.submit(self.clear, "log")
            try:
                self.clear("identifiers")
            finally:
                log.result()
        self.clear("profiles")
        self.clear("group_buckets")
        self._timed("clear", started)

    def clear_groups(self, keys: list[str], event_ids: list[str]) -> None:
        """Delete the derived state of the groups a delta replays: their identifiers (with
        their edges and profiles) and their events' log entries, batch by batch."""
        started = time.perf_counter()
        step = self.batch_size
        for start in range(0, len(keys), step):
            self.statement("clear_group_state", keys=keys[start:start + step])
        for start in range(0, len(event_ids), step):
            self.statement("clear_group_log", event_ids=event_ids[start:start + step])
        self._timed("clear", started)

    def clear_derived(self) -> None:
        """Drop the derived state's constraints (no index upkeep while it is rewritten) and
        delete its nodes and relationships."""
        self._schema("drop_derived_schema")
        self.clear_state()

    def write_state(self, state: State, stored: NDArray[np.bool_] | None = None,
                    placement: Placement | None = None) -> None:
        """Write the derived state into a store cleared by :meth:`clear_derived` (or, for a
        delta, the state of its groups once :meth:`clear_groups` deleted theirs; ``stored``
        marks the identifiers that are already there: blocked values; ``placement`` gives each
        identifier's group bucket and each blocked one's buckets: groupindex.py).

        Index builds run on one server thread: the log, then the edges between profiles,
        are written while they run (those edges once the identifier key constraint they look
        their ends up by is built; the others went with their profiles).
        """
        started = time.perf_counter()
        rows = StateBatches(state, self.batch_size, stored, placement)  # cut as sent
        self._timed("prepare", started)
        self.rows("identifiers", rows.loose())
        self.rows("profiles", rows.profiles())
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-schema") as bg:
            keys = bg.submit(self._schema, "identifier_schema")
            try:
                self.rows("log", rows.log())
            finally:
                keys.result()
            rest = bg.submit(self._schema, "derived_schema")
            try:
                # two at once: a batch that deadlocks on a shared node is rolled back and
                # retried, which still beats one batch at a time
                self.rows("edges", rows.edges())
            finally:
                rest.result()

    def _schema(self, name: str) -> None:
        started = time.perf_counter()
        self.schema(name)
        self._timed(name, started)

    def append_events(self, events: EventTable, generation: int) -> None:
        """Add the new events as compressed chunks (MERGEd by content hash: idempotent), then
        their id buckets and the load's bucket set (eventindex.py: event id -> event)."""
        from identigraph.graph.neo4j_store.eventindex import bucket_batches, bucket_count

        self.rows("event_chunks", chunk_batches(events, generation, self.event_chunk_rows),
                  undo=False)
        if len(events):
            self.rows("event_buckets", bucket_batches(events, generation), undo=False)
            self.statement("write_event_bucket_set", generation=generation,
                           buckets=bucket_count(len(events)), rows=len(events))
