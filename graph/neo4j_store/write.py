"""Bulk writes: rows sent in batches with ``UNWIND $rows``, one managed transaction each.

Batches of one step go out from a few threads at once (the server works on one batch
while Python packs the next); steps run one after another. A batch the driver retries
first undoes whatever an earlier attempt may have committed, so every batch takes effect
exactly once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import islice
from typing import Any

import neo4j

from identigraph import cypher
from identigraph.events import EventTable
from identigraph.graph.state import StateRows

#: Rows per transaction, and batches in flight at once, unless the store is told otherwise.
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_WORKERS = 2

Row = list[object]
Progress = Callable[[str, int], None]  # (step, rows just written)


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive lists of at most ``size`` rows."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _json_list(text: str | None) -> list[str]:
    """A JSON list of strings as a list; a fast path for the common empty and one-item ones."""
    s = text or "[]"
    if s == "[]":
        return []
    if s.count('"') == 2 and "\\" not in s:
        return [s[2:-2]]
    return list(json.loads(s))


def profile_rows(state: StateRows) -> Iterator[Row]:
    """Profile rows with their identifier and merged-id lists as lists, not JSON text."""
    for r in state.profiles():
        yield [r[0], r[1], r[2], _json_list(r[3]), _json_list(r[4]), _json_list(r[5]),
               _json_list(r[6]), r[7], r[8], r[9]]


def numbered(rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    """Rows with their position appended (the order the embedded store keeps as rowid)."""
    for i, r in enumerate(rows):
        yield [*r, i]


def as_lists(rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    """Rows as lists (packed without the tuple-to-list conversion hook)."""
    for r in rows:
        yield list(r)


class _Batch:
    """The transaction function of one batch: undo an earlier attempt, then write.

    An attempt that failed inside the function was rolled back; one that returned may have
    committed before the connection failed (the driver then retries): only that is undone.
    """

    def __init__(self, write: str, undo: str | None, rows: list[Row]) -> None:
        self.write, self.undo, self.rows = write, undo, rows
        self.returned = False  # an earlier attempt got as far as its commit

    def __call__(self, tx: neo4j.ManagedTransaction) -> None:
        if self.returned and self.undo is not None:
            tx.run(self.undo, rows=self.rows).consume()
        self.returned = False
        tx.run(self.write, rows=self.rows).consume()
        self.returned = True


def _count(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    """Run one statement; its first value when it returns one (``deleted``), else 0."""
    record = tx.run(query, params).single()
    return int(record[0]) if record is not None else 0


class Writer:
    """Writes the rows of one load, batch by batch, from ``workers`` threads."""

    def __init__(self, driver: neo4j.Driver, database: str | None, batch_size: int,
                 workers: int = DEFAULT_WORKERS, progress: Progress | None = None) -> None:
        self.driver, self.database = driver, database
        self.batch_size, self.workers = batch_size, workers
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

    def _send(self, batch: _Batch) -> int:
        with self._session() as session:
            session.execute_write(batch)
        return len(batch.rows)

    def rows(self, name: str, rows: Iterable[Row], *, workers: int | None = None) -> None:
        """Send rows to ``write_<name>`` in batches (``undo_<name>`` guards retries)."""
        started = time.perf_counter()
        write, undo = cypher.load(f"write_{name}"), cypher.load(f"undo_{name}")
        n = workers or self.workers
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="neo4j-write") as pool:
            pending: set[Future[int]] = set()
            try:
                for batch in chunks(rows, self.batch_size):
                    pending.add(pool.submit(self._send, _Batch(write, undo, batch)))
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
        started = time.perf_counter()
        while self.statement(f"clear_{name}", limit=self.batch_size):
            pass
        self._timed("clear", started)

    def replace_state(self, state: StateRows) -> None:
        """Delete the derived nodes and relationships, then write the new ones."""
        for name in ("log", "identifiers", "profiles"):
            self.clear(name)
        self.rows("profiles", profile_rows(state))
        self.rows("identifiers", as_lists(state.identifiers()))
        self.rows("edges", numbered(state.edges()), workers=1)  # no lock waits on big nodes
        self.rows("log", numbered(state.log()))

    def append_events(self, events: EventTable) -> None:
        """Add the new events (ids not stored yet, so CREATE; undo guards retries)."""
        self.rows("events", as_lists(zip(*events.columns(), strict=True)))
