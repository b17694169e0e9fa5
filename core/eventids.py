"""Repeated event ids in a load, settled the same whatever the order files and rows come in.

The same id with the same content is a duplicate (nothing to add). The same id with other
content is a conflict, ``conflicting_event_id``: the stored event wins over a new one, and
among the new events of one load the one whose content sorts first wins; every loser is a
rejected row, reported with its file and record number. Whole columns in the common case
(every id new); only the rows whose ids repeat are looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.events import FIELDS, EventTable
from identigraph.loaders.report import FileReport, Problem

CONFLICT = "conflicting_event_id"
#: what "the same content" compares: every field but the id and the country (it only
#: chooses how the phone is read, and the phone as read is compared)
CONTENT = tuple(f for f in FIELDS if f not in ("event_id", "country"))
_STORED_WINS = "the stored event keeps it"
_FIRST_WINS = "of the rows sharing it, the one whose content sorts first is kept"

Content = tuple[tuple[bool, object], ...]


class Checked(Protocol):
    """A validated batch (``loaders.canonical.Validated``): what settling ids reads."""

    events: EventTable
    lines: np.ndarray  # record number of each event (int64)
    warned: np.ndarray
    made_up: frozenset[str]


class _Rows:
    """Some rows of the load's events as Python values, compared by content."""

    def __init__(self, events: EventTable, rows: np.ndarray) -> None:
        taken = events.take(rows)
        self.values = {f: taken.column(f).to_pylist() for f in CONTENT}
        spaces = {k: taken.column(k).to_pylist() for k in taken.namespaces}
        self.ids = [tuple((k, v[i]) for k, v in spaces.items() if v[i] is not None)
                    for i in range(len(rows))]  # the namespace ids, whatever columns exist
        self.at = {int(r): k for k, r in enumerate(rows.tolist())}

    def key(self, row: int, ignore: frozenset[str]) -> Content:
        """A row's content as a sortable key (a missing value sorts first), without the
        fields its reader made up (an undated export's time)."""
        k = self.at[row]
        return (*((self.values[f][k] is not None, self.values[f][k] or "")
                  for f in CONTENT if f not in ignore), (True, self.ids[k]))


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), bool)


def settle_ids(checked: Sequence[tuple[FileReport, Checked]],
               stored: EventTable) -> tuple[EventTable, list[Problem]]:
    """The new events of a load to store, each id once, and a problem per conflict; counts
    every event of each file as loaded, loaded with warnings, a duplicate or rejected.

    ``stored`` holds the stored events whose ids the load repeats (the store finds them:
    ``Store.events_with_ids``), to compare contents with.
    """
    events = EventTable.concat([v.events for _, v in checked])
    ids = events.column("event_id")
    n = len(ids)
    hit = (_mask(pc.is_in(ids, value_set=stored.column("event_id"))) if len(stored)
           else np.zeros(n, bool))
    encoded = pc.dictionary_encode(ids)
    repeated = np.zeros(n, bool)
    codes = np.zeros(0, np.int64)
    if len(encoded.dictionary) < n:
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), np.int64)
        repeated = np.bincount(codes, minlength=len(encoded.dictionary))[codes] > 1
    keep = ~hit
    conflict = np.zeros(n, bool)
    owner = np.repeat(np.arange(len(checked)), [len(v.events) for _, v in checked])
    made_up = [v.made_up for _, v in checked]
    problems: list[Problem] = []
    rows = np.flatnonzero(hit | repeated)
    if len(rows):
        mine = _Rows(events, rows)
        lines = np.concatenate([v.lines for _, v in checked])

        def lose(row: int, key: Content, winner: Content, why: str) -> None:
            keep[row] = False
            if key != winner:
                conflict[row] = True
                problems.append(Problem(checked[owner[row]][0].file, int(lines[row]),
                                        "event_id", ids[row].as_py(), f"{CONFLICT}: this event "
                                        f"id is already used by an event with other content "
                                        f"({why})", "rejected"))

        hits = np.flatnonzero(hit)
        if len(hits):
            theirs = _stored_rows(stored)
            for row in hits.tolist():
                ignore = made_up[owner[row]]
                lose(row, mine.key(row, ignore), theirs(ids[row].as_py(), ignore), _STORED_WINS)
        groups: dict[int, list[int]] = {}
        for row in np.flatnonzero(repeated & ~hit).tolist():
            groups.setdefault(int(codes[row]), []).append(row)
        for group in groups.values():
            ignore = frozenset().union(*(made_up[owner[r]] for r in group))
            keys = {r: mine.key(r, ignore) for r in group}
            best = min(group, key=lambda r: (keys[r], r))
            for r in group:
                if r != best:
                    lose(r, keys[r], keys[best], _FIRST_WINS)
    start = 0
    for fr, v in checked:
        end = start + len(v.events)
        kept, warned, bad = keep[start:end], np.asarray(v.warned, bool), conflict[start:end]
        fr.duplicates += int((~kept & ~bad).sum())
        fr.rejected += int(bad.sum())
        fr.conflicts += int(bad.sum())
        fr.loaded_with_warnings += int((kept & warned).sum())
        fr.loaded += int((kept & ~warned).sum())
        start = end
    return (events if keep.all() else events.filter(keep)), problems


def _stored_rows(stored: EventTable) -> Callable[[str, frozenset[str]], Content]:
    """The content key of a stored event by id."""
    theirs = _Rows(stored, np.arange(len(stored)))
    by_id = {eid: row for row, eid in enumerate(stored.column("event_id").to_pylist())}
    return lambda eid, ignore: theirs.key(by_id[eid], ignore)
