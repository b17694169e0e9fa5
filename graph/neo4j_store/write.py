"""Bulk writes: rows sent in batches with ``UNWIND $rows``, one managed transaction each.

Batches of one step go out from a few threads at once (the server works on one batch
while Python packs the next); steps run one after another. A batch the driver retries
first undoes whatever an earlier attempt may have committed, so every batch takes effect
exactly once.

What makes a load fast (measured on a 2-core machine, docs/neo4j.md "Speed"): rows are
lists, not maps; a profile is written together with the identifiers on it (no lookup for
the ``ON`` relationship); the derived state's constraints are dropped while it is written
and built again afterwards; empty lists and ``false`` are not stored; batches are small
enough (2,000 rows) that the server's transaction state dies young instead of filling
the old generation; events go as a few compressed Arrow chunks instead of a node each.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import islice
from typing import Any

import neo4j

from identigraph import cypher
from identigraph.events import EventTable
from identigraph.graph.embedded.chunks import CHUNK_ROWS, event_chunks
from identigraph.graph.state import StateRows

#: Rows per transaction, and batches in flight at once, unless the store is told otherwise.
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


def _json_list(text: str | None) -> list[str] | None:
    """A JSON list of strings as a list, None when empty (not stored); a fast path for the
    common one-item lists."""
    s = text or "[]"
    if s == "[]":
        return None
    if s.count('"') == 2 and "\\" not in s:
        return [s[2:-2]]
    return list(json.loads(s)) or None


class ProfileRows:
    """Profile rows, each carrying the identifiers on it; identifiers on no profile apart.

    The identifiers are grouped by profile first (one pass), then each profile row takes its
    members along: ``[..., email_members, phone_members, external_id_members]``.
    """

    def __init__(self, state: StateRows) -> None:
        self.state = state
        self.loose: list[Row] = []  # [key, kind, consent, consent_event, blocked]
        self.members: dict[str, list[list[Row] | None]] = {}
        members, loose = self.members, self.loose
        for key, kind, _value, pid, blocked, consent, consent_event in state.identifiers():
            flag = True if blocked else None
            if pid is None:
                loose.append([key, kind, consent, consent_event, flag])
                continue
            groups = members.get(pid)
            if groups is None:
                groups = members[pid] = [None, None, None]
            k = _KINDS[kind]
            group = groups[k]
            if group is None:
                groups[k] = [[key, consent, consent_event, flag]]
            else:
                group.append([key, consent, consent_event, flag])

    def __iter__(self) -> Iterator[Row]:
        members, empty, lst = self.members, [None, None, None], _json_list
        for pid, by, for_, emails, phones, ext, merged, ec, sc, ts in self.state.profiles():
            g = members.pop(pid, empty)
            yield [pid, by, for_, None if emails == "[]" else lst(emails),
                   None if phones == "[]" else lst(phones), None if ext == "[]" else lst(ext),
                   None if merged == "[]" else lst(merged), ec, sc, ts, g[0], g[1], g[2]]
        if members:  # the resolver puts every identifier with a profile id on a live profile
            raise RuntimeError(f"identifiers on {len(members)} profile(s) that do not exist")


def numbered(rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    """Rows with their position appended (the order the embedded store keeps as rowid)."""
    for i, r in enumerate(rows):
        yield [*r, i]


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

        Index builds run on one server thread: the log, then the edges, are written while
        they run (the edges once the identifier key constraint they look ends up by is built).
        """
        self._schema("drop_derived_schema")  # no index upkeep while the state is rewritten
        self.clear_state()
        profiles = ProfileRows(state)
        self.rows("identifiers", profiles.loose)
        self.rows("profiles", profiles)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-schema") as bg:
            keys = bg.submit(self._schema, "identifier_schema")
            try:
                self.rows("log", numbered(state.log()))
            finally:
                keys.result()
            rest = bg.submit(self._schema, "derived_schema")
            try:
                # two at once: a batch that deadlocks on a shared node is rolled back and
                # retried, which still beats one batch at a time
                self.rows("edges", numbered(state.edges()))
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
