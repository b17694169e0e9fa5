"""The parameters of each write statement, batch by batch, cut from the state's Arrow tables.

A batch is columnar: one Python list per statement parameter (``$key``, ``$consent``, …),
the statement walking them with ``UNWIND range(0, size($key) - 1) AS i``. Slicing an Arrow
column and calling ``to_pylist`` costs a fraction of building a list per row in Python, the
driver packs a few flat lists faster than thousands of small nested ones, and nothing is
built before the first batch goes out: a batch is cut while the server writes the ones
before it (docs/neo4j.md "Speed").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.arrays import as_array
from identigraph.engine.state import State
from identigraph.events import EventTable
from identigraph.graph.neo4j_store.chunks import event_chunks
from identigraph.graph.neo4j_store.properties import no_empty

if TYPE_CHECKING:  # groupindex builds its batches with params()
    from identigraph.graph.neo4j_store.groupindex import Placement

Params = dict[str, list[Any]]


class Column(list[Any]):
    """A parameter's values with a short ``repr``: the driver formats every RUN's parameters
    for its debug log even when debug logging is off, which cost as much CPU as packing
    them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} values>"


def params(**columns: list[Any]) -> Params:
    """A batch's parameters, each column wrapped so that formatting it is cheap."""
    return {name: Column(values) for name, values in columns.items()}


def size(batch: Params) -> int:
    """Rows in a batch: the length of its first column."""
    return len(next(iter(batch.values()))) if batch else 0


def _true_or_null(array: pa.Array) -> pa.Array:
    """``true`` where set, null elsewhere: ``false`` is not stored either."""
    return pc.if_else(array, pa.scalar(True), pa.scalar(None, pa.bool_()))


def _take(columns: dict[str, pa.Array], at: NDArray[np.int64]) -> dict[str, list[Any]]:
    """The rows ``at`` of some columns, as Python lists."""
    index = pa.array(at, pa.int64())
    return {name: col.take(index).to_pylist() for name, col in columns.items()}


def _cut(columns: dict[str, pa.Array], start: int, stop: int) -> dict[str, list[Any]]:
    """The rows ``start:stop`` of some columns, as Python lists."""
    return {name: col.slice(start, stop - start).to_pylist() for name, col in columns.items()}


def _spans(n: int, batch_size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, batch_size):
        yield start, min(n, start + batch_size)


class StateBatches:
    """The batches of a load's identifiers, profiles, evidence edges and log.

    - ``profiles``: each profile with the identifiers on it and the evidence edges between
      them (both ends on this profile: about three edges in four), so neither the ``ON``
      relationship nor those edges need an index lookup. Members are in one list per batch
      (``$key``, ``$kind``, ``$consent``, ``$consent_event``, ``$blocked``) ordered by
      profile, then kind code (any number of kinds); ``$member_at[i]`` is where profile
      ``i``'s members start. Its edges start at ``$edge_at[i]``; an edge's ``$src`` and
      ``$dst`` are positions among the profile's members;
    - ``loose``: identifiers on no profile;
    - ``edges``: every other edge (ends on two profiles, or on none), ends by key;
    - ``log``: the profile log.

    ``seq`` is an edge's (a log row's) position in the state's rows, wherever it is written.
    ``stored`` marks identifiers already in the store (a delta's blocked values): not written.
    ``placement`` gives each identifier's group bucket (groupindex.py; null: blocked) and each
    blocked one's list of buckets (``$buckets``, with the identifiers on no profile, where
    blocked values are); without it none is written.
    """

    def __init__(self, state: State, batch_size: int,
                 stored: NDArray[np.bool_] | None = None,
                 placement: Placement | None = None) -> None:
        t = state.tables()
        ident, prof, edges, log = t["identifiers"], t["profiles"], t["edges"], t["log"]
        self.batch_size = batch_size
        n = prof.num_rows
        # each identifier's profile row (-1: on no profile) and kind code
        links = state.links()
        prow = links.profile_row
        orphans = int(np.count_nonzero((prow < 0) & ident.column("profile_id").is_valid()
                                       .to_numpy(zero_copy_only=False)))
        if orphans:  # the resolver puts every identifier with a profile id on a live profile
            raise RuntimeError(f"{orphans} identifier(s) on profiles that do not exist")
        kinds = links.kind
        self._ident = {"key": as_array(ident.column("key")),
                       "kind": as_array(ident.column("kind")),
                       "consent": as_array(ident.column("consent")),
                       "consent_event": as_array(ident.column("consent_event")),
                       "blocked": _true_or_null(as_array(ident.column("blocked"))),
                       "bucket": (pa.nulls(ident.num_rows, pa.int64()) if placement is None
                                  else placement.identifier_buckets(ident))}
        self._loose = np.flatnonzero((prow < 0) if stored is None else (prow < 0) & ~stored)
        self._buckets = (pa.nulls(ident.num_rows, pa.list_(pa.int64())) if placement is None
                         else placement.blocked_buckets(ident))

        # members sorted by (profile row, kind, identifier order); offsets per row
        on = np.flatnonzero(prow >= 0)
        self._members = on[np.lexsort((on, kinds[on], prow[on]))]
        self._member_at = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(prow[self._members], minlength=n), out=self._member_at[1:])
        position = np.empty(len(prow), np.int64)  # an identifier's place among its row's
        position[self._members] = (np.arange(len(self._members))
                                   - self._member_at[prow[self._members]])

        # edges: those with both ends on one profile go with its row, by member position
        ends = links.edge_src, links.edge_dst
        src_row, dst_row = prow[ends[0]], prow[ends[1]]
        inner = (src_row >= 0) & (src_row == dst_row)
        inner_at = np.flatnonzero(inner)
        self._inner = inner_at[np.argsort(src_row[inner_at], kind="stable")]
        self._edge_at = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(src_row[inner_at], minlength=n), out=self._edge_at[1:])
        self._positions = position[ends[0]], position[ends[1]]
        self._outer = np.flatnonzero(~inner)
        self._edge = {c: as_array(edges.column(c)) for c in ("event_id", "type", "channel", "ts",
                                                          "rule", "merges")}
        self._ends = {c: as_array(edges.column(c)) for c in ("src", "dst")}
        self._profile = {c: as_array(prof.column(c)) for c in (
            "profile_id", "created_by", "created_for", "email_consent", "sms_consent",
            "created_ts")}
        self._profile.update({c: no_empty(as_array(prof.column(c))) for c in (
            "emails", "phones", "external_ids", "other_ids", "merged_ids")})
        self._log = {c: as_array(log.column(c)) for c in (
            "profile_id", "event_id", "ts", "action", "identifier", "other")}
        self.profile_count, self.log_count = n, log.num_rows

    def loose(self) -> Iterator[Params]:
        """Identifiers on no profile: ``$key``, ``$kind``, ``$consent``, … ."""
        for start, stop in _spans(len(self._loose), self.batch_size):
            yield params(**_take({**self._ident, "buckets": self._buckets},
                                 self._loose[start:stop]))

    def profiles(self) -> Iterator[Params]:
        """Profiles with their members and the edges between them (see the class)."""
        member_at, edge_at = self._member_at, self._edge_at
        src_pos, dst_pos = self._positions
        for start, stop in _spans(self.profile_count, self.batch_size):
            m0, m1 = int(member_at[start]), int(member_at[stop])
            e0, e1 = int(edge_at[start]), int(edge_at[stop])
            inner = self._inner[e0:e1]
            yield params(
                **_cut(self._profile, start, stop),
                member_at=(member_at[start:stop + 1] - m0).tolist(),
                **_take(self._ident, self._members[m0:m1]),
                edge_at=(edge_at[start:stop + 1] - e0).tolist(),
                src=src_pos[inner].tolist(), dst=dst_pos[inner].tolist(),
                **_take(self._edge, inner), seq=inner.tolist())

    def edges(self) -> Iterator[Params]:
        """Edges not written with a profile: ends by key (``$src``, ``$dst``), ``$seq``."""
        columns = {**self._ends, **self._edge}
        for start, stop in _spans(len(self._outer), self.batch_size):
            at = self._outer[start:stop]
            yield params(**_take(columns, at), seq=at.tolist())

    def log(self) -> Iterator[Params]:
        """The profile log, ``$seq`` its row numbers."""
        for start, stop in _spans(self.log_count, self.batch_size):
            yield params(**_cut(self._log, start, stop), seq=list(range(start, stop)))


def chunk_batches(events: EventTable, generation: int, size: int) -> Iterator[Params]:
    """One batch per stored chunk of ``size`` events: ``$chunk_id`` (SHA-256 of the data),
    ``$generation``, ``$part``, ``$rows``, ``$data``."""
    for part, (rows, data) in enumerate(event_chunks(events, size)):
        yield params(chunk_id=[hashlib.sha256(data).hexdigest()], generation=[generation],
                     part=[part], rows=[rows], data=[data])
