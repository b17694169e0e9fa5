"""The server's way to the store: one answer at a time sees one finished state, or a 503.

An embedded store is a DuckDB file that a load holds alone, so the server keeps its read
connection only while no load runs: a load announces itself with a lock beside the file
(graph/embedded/loadlock.py), the server then answers 503 and lets go of the file, and
opens it again when the lock is gone. A Neo4j store marks itself ``writing`` during a
load; the server answers 503 while it does, and checks that no load began while it was
answering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from identigraph.errors import IdentigraphError, StoreError
from identigraph.graph.open import is_bolt, open_store
from identigraph.graph.store import Store

T = TypeVar("T")
#: Seconds between two looks for a load while the server is idle.
POLL_SECONDS = 0.2


class Busy(IdentigraphError):
    """A load is writing the store: try again when it has finished (HTTP 503)."""

    exit_code = 3


def _busy(location: str) -> Busy:
    return Busy(f"a load is writing the store {location}; the server answers again by "
                "itself when it has finished (retry in a few seconds)")


class StoreAccess:
    """Hands each request a store in a finished state, sharing connections between them."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.bolt = is_bolt(location)
        self._lock = threading.Lock()
        self._shared: Store | None = None  # kept open between requests
        self._in_use = 0
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None
        self._opened = 0  # how many times the shared store was opened (a load closes it)
        self._generation: int | None = None  # Neo4j: the last finished write seen
        self._memo: dict[str, tuple[object, Any]] = {}
        self._memo_lock = threading.Lock()

    def start(self) -> None:
        """Check the store opens, and watch for loads (embedded) while idle."""
        with self.store():
            pass
        if not self.bolt:
            self._watch = threading.Thread(target=self._watch_loads, name="identigraph-watch",
                                           daemon=True)
            self._watch.start()

    def close(self) -> None:
        """Stop watching and close the shared connection."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join(2)
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        """Close the shared store (caller holds the lock)."""
        if self._shared is not None and self._in_use == 0:
            self._shared.close()
            self._shared = None

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """An answer that only a load changes (``stats``), computed once per store state
        (by one request: the others asking meanwhile wait for it); call it inside
        :meth:`store`."""
        state = (self._opened, self._generation)
        with self._memo_lock:
            found = self._memo.get(name)
            if found is not None and found[0] == state:
                return cast(T, found[1])
            value = compute()
            self._memo[name] = (state, value)
            return value

    def _load_running(self) -> bool:
        if self.bolt:
            return False
        from identigraph.graph.embedded.loadlock import load_running

        return load_running(self.location)

    def _watch_loads(self) -> None:
        """Let go of the file as soon as a load wants it, even when no request comes."""
        while not self._stop.wait(POLL_SECONDS):
            if self._shared is not None and self._load_running():
                with self._lock:
                    self._drop()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A store for one answer; raises :class:`Busy` while a load writes it."""
        if self._load_running():
            with self._lock:
                self._drop()
            raise _busy(self.location)
        with self._lock:
            if self._shared is None:
                try:
                    self._shared = open_store(self.location, create=False)
                    self._opened += 1
                except StoreError as exc:
                    if "in use" in str(exc):
                        raise _busy(self.location) from exc
                    raise
            shared = self._shared
            self._in_use += 1
        try:
            if self.bolt:
                yield from self._neo4j_answer(shared)
            else:
                yield from self._embedded_answer(shared)
        finally:
            with self._lock:
                self._in_use -= 1
                if self._load_running():
                    self._drop()

    def _embedded_answer(self, shared: Store) -> Iterator[Store]:
        """A connection of its own for this thread, to the database the server holds open."""
        from identigraph.graph.embedded.store import EmbeddedStore

        assert isinstance(shared, EmbeddedStore)
        own = shared.cursor_store()
        try:
            yield own
        finally:
            own.close()

    def _neo4j_answer(self, shared: Store) -> Iterator[Store]:
        """The shared driver; the answer stands only if no load began or ran meanwhile."""
        from identigraph.graph.neo4j_store import Neo4jStore

        assert isinstance(shared, Neo4jStore)
        before = shared.write_generation()
        if before is None:
            raise _busy(self.location)
        self._generation = before
        yield shared
        if shared.write_generation() != before:
            raise _busy(self.location)
