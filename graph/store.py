"""The store interface both backends implement (the embedded DuckDB file, Neo4j).

Algorithms (explain, timeline, clusters) take a store as an argument and use only these
primitives, so they answer the same on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeAlias, TypeVar

from identigraph.graph.records import (
    CrossEdge,
    Edge,
    EventRecord,
    Identifier,
    LogEntry,
    Profile,
)

if TYPE_CHECKING:  # the replay's modules (numba, pyarrow) stay off the query path
    import numpy as np
    import pyarrow as pa
    from numpy.typing import NDArray

    from identigraph.engine.state import State
    from identigraph.events import EventTable
    from identigraph.graph.query import ProfileQuery
    from identigraph.rules.model import RuleSet

#: The derived state, or the function (the replay) that computes it.
StateLike: TypeAlias = "State | Callable[[], State]"
T = TypeVar("T")


class Handed(Generic[T]):
    """A value handed over once: the giver keeps no reference, so once the taker lets go of
    it, it is freed. A first load's events are most of its memory, and the store needs them
    only until they are written."""

    def __init__(self, value: T) -> None:
        self._box = [value]

    def take(self) -> T:
        """The value, which this no longer holds."""
        return self._box.pop()


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a delta load replayed: events, stored groups it touched, groups after it."""

    events: int
    touched: int
    groups: int


class Store(Protocol):
    """Persistence of events and of the state resolved from them."""

    location: str

    def stored_ruleset(self) -> RuleSet | None:
        """The rule set the store was resolved with (None for an empty store)."""
        ...

    def event_ids(self) -> pa.Array:
        """Ids of every stored event (for de-duplication), as an Arrow string array."""
        ...

    def events_with_ids(self, ids: pa.Array) -> EventTable:
        """The stored events whose ids are among ``ids``, each once: what de-duplication and
        the conflict check compare a load with (found by the store, not by reading every
        stored event)."""
        ...

    def has_events(self) -> bool:
        """True when any event is stored."""
        ...

    def events(self) -> EventTable:
        """Every stored event (for a replay)."""
        ...

    def write(self, ruleset: RuleSet, new_events: EventTable | Handed[EventTable],
              state: StateLike) -> None:
        """Add events and replace the derived state; all or nothing where the backend can.

        ``state`` may be the replay itself (a function): a backend can run it while it
        writes the events. Events ``Handed`` over are let go of once written.
        """
        ...

    def delta_ready(self) -> bool:
        """True when a load may replay only the connected groups its events touch."""
        ...

    def write_delta(self, ruleset: RuleSet, new_events: EventTable) -> Replayed:
        """Add events, replaying and rewriting only the groups they touch (when
        :meth:`delta_ready`); all or nothing where the backend can."""
        ...

    def unfinished(self) -> bool:
        """True when the last write did not end (the next load must rewrite the state)."""
        ...

    def identifier(self, key: str) -> Identifier | None:
        """One identifier by ``kind:value``."""
        ...

    def profiles(self) -> list[Profile]:
        """Every profile, ordered by profile id."""
        ...

    def profiles_where(self, query: ProfileQuery) -> Iterator[Profile]:
        """The profiles a ``profiles`` query asks for, streamed (never the whole list)."""
        ...

    def profile(self, profile_id: str) -> Profile | None:
        """One profile."""
        ...

    def edges_touching(self, keys: Sequence[str]) -> list[Edge]:
        """Every edge with an end among these identifier keys."""
        ...

    def cross_profile_edges(self, rules: Sequence[str]) -> list[CrossEdge]:
        """Edges decided by one of these rules whose ends are on two different profiles."""
        ...

    def log(self, profile_ids: Sequence[str]) -> list[LogEntry]:
        """Profile-level changes (merged, merged_into, replaced, created-then-merged)."""
        ...

    def events_for(self, keys: Sequence[str]) -> list[EventRecord]:
        """Stored events carrying any of these identifiers."""
        ...

    def event(self, event_id: str) -> EventRecord | None:
        """One stored event by id."""
        ...

    def state_table(self, name: str) -> pa.Table:
        """One table of the derived state (engine/state.py ``SCHEMAS``), rows in no promised
        order (``export-state`` sorts them)."""
        ...

    def stats(self) -> dict[str, object]:
        """Counts: events, identifiers by kind, profiles, edges by rule."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def refuse_newer(location: object, found: int, current: int) -> None:
    """:class:`StoreError` for a store whose schema version is newer than this version's."""
    if found > current:
        from identigraph.errors import StoreError

        raise StoreError(f"store {location} was written by a newer identigraph (store schema "
                         f"{found}, this version reads up to {current}): upgrade identigraph, "
                         "or load your files into a new store")


@dataclass(frozen=True, slots=True)
class GroupedReplay:
    """A whole replay whose events' connected groups are known before it runs: a store can
    write the new events (in group order) first and let go of them (and of their groups)
    before the replay."""

    groups: Handed[NDArray[np.int64]]  # the connected group of each new event, by row
    run: Callable[[], State]

    def __call__(self) -> State:
        return self.run()


def taken(events: EventTable | Handed[EventTable]) -> EventTable:
    """The events themselves, taken over when handed over."""
    return events.take() if isinstance(events, Handed) else events


def materialise(state: StateLike) -> State:
    """The state itself, running the replay when given one."""
    return state() if callable(state) else state
