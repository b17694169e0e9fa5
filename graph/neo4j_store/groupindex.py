"""The group index on Neo4j: events kept by connected group (engine/groups.py), so that an
identifier's events and a delta's touched groups are found by index seeks, not a scan.

Whole groups are packed, in group order, into :GroupBucket nodes of about BUCKET_ROWS
events (a compressed Arrow blob each, unique ``bucket`` number); every identifier that is
not blocked carries the number of its group's bucket (``Identifier.bucket``). A group is
always in one bucket, so the bucket of any one of its identifiers holds all its events.
A delta moves the groups it touches into new buckets (numbers above every stored one) and
rewrites the buckets they came from without them. Each bucket also records its largest group
(``largest`` events, the first of them ``largest_first``), so ``stats`` finds the store's
largest groups in the few buckets whose largest groups are largest (an index read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.arrays import as_array
from identigraph.events import FIELDS, EventTable
from identigraph.graph.neo4j_store.batches import Params, params
from identigraph.graph.neo4j_store.chunks import encode
from identigraph.rules.model import RuleSet

#: Events per bucket, about (a bucket holds whole groups: one huge group is one bucket).
BUCKET_ROWS = 64
#: Buckets per write transaction.
BUCKETS_PER_BATCH = 200


def blob_batches(events: EventTable, of: NDArray[np.int64],
                 each: dict[str, list[object]] | None = None,
                 **fixed: object) -> Iterator[Params]:
    """The events cut by ``of`` (a number per event), one compressed Arrow blob per number,
    BUCKETS_PER_BATCH per batch: ``$bucket``, ``$rows``, ``$data``, each ``each`` list's
    value for the bucket (the lists in bucket number order) and each ``fixed`` value
    repeated (``$generation``). The events are put in bucket order once and sliced (a take
    per bucket from a table of many chunks costs the whole table each time)."""
    order = np.argsort(of, kind="stable")
    values, starts = np.unique(of[order], return_index=True)
    bounds = np.append(starts, len(order)).tolist()
    table = events.table.take(pa.array(order)).combine_chunks()
    per_bucket = each or {}
    batch: dict[str, list[object]] = {"bucket": [], "rows": [], "data": [],
                                      **{k: [] for k in per_bucket}, **{k: [] for k in fixed}}
    for i, bucket in enumerate(values.tolist()):
        lo, hi = bounds[i], bounds[i + 1]
        batch["bucket"].append(bucket)
        batch["rows"].append(hi - lo)
        batch["data"].append(encode(table.slice(lo, hi - lo)))
        for k, values_of in per_bucket.items():
            batch[k].append(values_of[i])
        for k, v in fixed.items():
            batch[k].append(v)
        if len(batch["bucket"]) >= BUCKETS_PER_BATCH:
            yield params(**batch)
            batch = {k: [] for k in batch}
    if batch["bucket"]:
        yield params(**batch)


def ranked_groups(ids: pa.Array, groups: NDArray[np.int64],
                  within: NDArray[np.int64] | None = None) -> pa.Table:
    """Each group's size (``id_count``) and first event id (``id_min``), in the order
    ``stats`` lists groups: most events first, then the smallest first id; per ``within``
    (a bucket, ascending, as column ``within``) when given."""
    keys = {"group": groups} if within is None else {"within": within, "group": groups}
    first = [] if within is None else [("within", "ascending")]
    return pa.table({**keys, "id": ids}).group_by(list(keys)).aggregate(
        [("id", "count"), ("id", "min")]).sort_by(
            [*first, ("id_count", "descending"), ("id_min", "ascending")])


def group_batches(events: EventTable, of: NDArray[np.int64],
                  groups: NDArray[np.int64]) -> Iterator[Params]:
    """Group buckets (the events cut by ``of``, whole groups each), for
    ``write_group_buckets``: :func:`blob_batches` with each bucket's largest group,
    ``$largest`` events, the first of them (the smallest id) ``$largest_first``; of groups
    as large, the one with the smallest first id, as ``stats`` orders them."""
    sizes = ranked_groups(events.column("event_id"), groups, within=of)
    _, first = np.unique(sizes.column("within").to_numpy(), return_index=True)
    best = sizes.take(pa.array(first))
    return blob_batches(events, of, {"largest": best.column("id_count").to_pylist(),
                                     "largest_first": best.column("id_min").to_pylist()})


def largest_groups(events: EventTable, ruleset: RuleSet, top: int
                   ) -> list[tuple[int, EventTable]]:
    """The ``top`` largest connected groups of these events (whole groups: every event, or
    the buckets whose largest groups are largest), most events first, then by first event
    id; each group's size and events."""
    from identigraph.engine.groups import event_groups  # the replay's kernels: not on the
    # query path

    groups = event_groups(events, ruleset)
    sizes = ranked_groups(events.column("event_id"), groups).slice(0, top)
    return [(n, events.take(np.flatnonzero(groups == g))) for g, n in zip(
        sizes.column("group").to_pylist(), sizes.column("id_count").to_pylist(), strict=True)]


def key_groups(events: EventTable, ruleset: RuleSet, groups: NDArray[np.int64]
               ) -> tuple[pa.Table, pa.Table]:
    """``key``, ``group``: each identifier the events carry, with its group (a blocked one,
    carried in several groups, with the smallest); and ``key``, ``group`` once per group of
    each identifier carried in more than one (blocked values: a shop's phone)."""
    parts = []
    for kind in ruleset.kind_names():
        if kind in FIELDS or kind in events.namespaces:
            column = events.column(kind)
            keys = pc.binary_join_element_wise(kind, column, ":")
            parts.append(pa.table({"key": keys, "group": groups}).filter(column.is_valid()))
    if not parts:
        none = pa.table({"key": pa.array([], pa.string()), "group": pa.array([], pa.int64())})
        return none, none
    every = pa.concat_tables(parts)
    both = every.group_by("key").aggregate([("group", "min"), ("group", "max")])
    spread = both.filter(pc.not_equal(both.column("group_min"), both.column("group_max")))
    many = every.filter(pc.is_in(every.column("key"), value_set=spread.column("key")))
    return (both.select(["key", "group_min"]).rename_columns(["key", "group"]),
            many.group_by(["key", "group"]).aggregate([]))


@dataclass(frozen=True)
class Placement:
    """Where some whole groups' events go: a bucket per event, and per identifier key."""

    events: EventTable
    bucket: NDArray[np.int64]  # per event
    group: NDArray[np.int64]  # per event
    keys: pa.Table  # key, bucket (of its smallest group)
    spread: dict[str, list[int]]  # key -> every bucket of its groups, keys in several groups

    @classmethod
    def of(cls, events: EventTable, ruleset: RuleSet, groups: NDArray[np.int64],
           first: int) -> Placement:
        """Whole groups packed in group order into buckets numbered from ``first``."""
        _, dense = np.unique(groups, return_inverse=True)
        dense = dense.astype(np.int64)
        sizes = np.bincount(dense)
        start = np.cumsum(sizes) - sizes
        of_group = first + start // BUCKET_ROWS
        keyed, many = key_groups(events, ruleset, dense)
        bucket = of_group[keyed.column("group").to_numpy()] if keyed.num_rows else np.zeros(
            0, np.int64)
        spread: dict[str, set[int]] = {}
        for key, b in zip(many.column("key").to_pylist(),
                          of_group[many.column("group").to_numpy()].tolist(), strict=True):
            spread.setdefault(key, set()).add(b)
        return cls(events, of_group[dense], dense, pa.table({
            "key": keyed.column("key"), "bucket": pa.array(bucket, pa.int64())}),
            {k: sorted(v) for k, v in spread.items()})

    def after(self, first: int) -> int:
        """The first bucket number above these (``first`` when there is none)."""
        return int(self.bucket.max()) + 1 if len(self.bucket) else first

    def batches(self) -> Iterator[Params]:
        """The buckets, for ``write_group_buckets``."""
        return group_batches(self.events, self.bucket, self.group)

    def identifier_buckets(self, identifiers: pa.Table) -> pa.Array:
        """The bucket of each row of an identifiers table (engine/state.py; null for a
        blocked one, or one the placed events do not carry)."""
        found = self._bucket(identifiers)
        return as_array(pc.if_else(_blocked(identifiers), pa.scalar(None, pa.int64()), found))

    def blocked_buckets(self, identifiers: pa.Table) -> pa.Array:
        """For each blocked row of an identifiers table, the buckets of every group whose
        placed events carry it (a blocked value is in no group: show and how read these);
        null for the others, and for one no placed event carries."""
        at = np.flatnonzero(np.asarray(_blocked(identifiers).to_numpy(zero_copy_only=False)))
        out: list[list[int] | None] = [None] * identifiers.num_rows
        if len(at):
            keys = identifiers.column("key").take(pa.array(at)).to_pylist()
            found = self._bucket(identifiers.take(pa.array(at))).to_pylist()
            for i, key, bucket in zip(at.tolist(), keys, found, strict=True):
                out[i] = self.spread.get(key) or (None if bucket is None else [bucket])
        return pa.array(out, pa.list_(pa.int64()))

    def _bucket(self, identifiers: pa.Table) -> pa.ChunkedArray:
        at = pc.index_in(identifiers.column("key"), value_set=self.keys.column("key"))
        return self.keys.column("bucket").take(at)


def _blocked(identifiers: pa.Table) -> pa.ChunkedArray:
    return pc.fill_null(identifiers.column("blocked"), False)


def place(events: EventTable, ruleset: RuleSet, first: int,
          groups: NDArray[np.int64] | None = None) -> Placement:
    """Where the events' groups (found when not given) go: buckets numbered from ``first``."""
    from identigraph.engine.groups import event_groups  # the replay's kernels: not on the
    # query path

    found = event_groups(events, ruleset) if groups is None else groups
    return Placement.of(events, ruleset, found, first)
