"""The group index on Neo4j: events kept by connected group (engine/groups.py), so that an
identifier's events and a delta's touched groups are found by index seeks, not a scan.

Whole groups are packed, in group order, into :GroupBucket nodes of about BUCKET_ROWS
events (a compressed Arrow blob each, unique ``bucket`` number); every identifier that is
not blocked carries the number of its group's bucket (``Identifier.bucket``). A group is
always in one bucket, so the bucket of any one of its identifiers holds all its events.
A delta moves the groups it touches into new buckets (numbers above every stored one) and
rewrites the buckets they came from without them.
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
                 **fixed: object) -> Iterator[Params]:
    """The events cut by ``of`` (a number per event), one compressed Arrow blob per number,
    BUCKETS_PER_BATCH per batch: ``$bucket``, ``$rows``, ``$data`` and each ``fixed``
    value repeated (``$generation``). The events are put in bucket order once and sliced
    (a take per bucket from a table of many chunks costs the whole table each time)."""
    order = np.argsort(of, kind="stable")
    values, starts = np.unique(of[order], return_index=True)
    bounds = np.append(starts, len(order)).tolist()
    table = events.table.take(pa.array(order)).combine_chunks()
    batch: dict[str, list[object]] = {"bucket": [], "rows": [], "data": [],
                                      **{k: [] for k in fixed}}
    for i, bucket in enumerate(values.tolist()):
        lo, hi = bounds[i], bounds[i + 1]
        batch["bucket"].append(bucket)
        batch["rows"].append(hi - lo)
        batch["data"].append(encode(table.slice(lo, hi - lo)))
        for k, v in fixed.items():
            batch[k].append(v)
        if len(batch["bucket"]) >= BUCKETS_PER_BATCH:
            yield params(**batch)
            batch = {k: [] for k in batch}
    if batch["bucket"]:
        yield params(**batch)


def key_groups(events: EventTable, ruleset: RuleSet, groups: NDArray[np.int64]) -> pa.Table:
    """``key``, ``group``: each identifier the events carry, with its group (a blocked one,
    carried in several groups, with the smallest: its bucket is not kept)."""
    parts = []
    for kind in ruleset.kind_names():
        if kind in FIELDS or kind in events.namespaces:
            column = events.column(kind)
            keys = pc.binary_join_element_wise(kind, column, ":")
            parts.append(pa.table({"key": keys, "group": groups}).filter(column.is_valid()))
    if not parts:
        return pa.table({"key": pa.array([], pa.string()), "group": pa.array([], pa.int64())})
    both = pa.concat_tables(parts).group_by("key").aggregate([("group", "min")])
    return both.rename_columns(["key", "group"])


@dataclass(frozen=True)
class Placement:
    """Where some whole groups' events go: a bucket per event, and per identifier key."""

    events: EventTable
    bucket: NDArray[np.int64]  # per event
    keys: pa.Table  # key, bucket

    @classmethod
    def of(cls, events: EventTable, ruleset: RuleSet, groups: NDArray[np.int64],
           first: int) -> Placement:
        """Whole groups packed in group order into buckets numbered from ``first``."""
        _, dense = np.unique(groups, return_inverse=True)
        dense = dense.astype(np.int64)
        sizes = np.bincount(dense)
        start = np.cumsum(sizes) - sizes
        of_group = first + start // BUCKET_ROWS
        keyed = key_groups(events, ruleset, dense)
        bucket = of_group[keyed.column("group").to_numpy()] if keyed.num_rows else np.zeros(
            0, np.int64)
        return cls(events, of_group[dense], pa.table({
            "key": keyed.column("key"), "bucket": pa.array(bucket, pa.int64())}))

    def after(self, first: int) -> int:
        """The first bucket number above these (``first`` when there is none)."""
        return int(self.bucket.max()) + 1 if len(self.bucket) else first

    def batches(self) -> Iterator[Params]:
        """The buckets, for ``write_group_buckets``."""
        return blob_batches(self.events, self.bucket)

    def identifier_buckets(self, identifiers: pa.Table) -> pa.Array:
        """The bucket of each row of an identifiers table (engine/state.py; null for a
        blocked one, or one the placed events do not carry)."""
        at = pc.index_in(identifiers.column("key"), value_set=self.keys.column("key"))
        found = self.keys.column("bucket").take(at)
        blocked = pc.fill_null(identifiers.column("blocked"), False)
        return as_array(pc.if_else(blocked, pa.scalar(None, pa.int64()), found))


def place(events: EventTable, ruleset: RuleSet, first: int,
          groups: NDArray[np.int64] | None = None) -> Placement:
    """Where the events' groups (found when not given) go: buckets numbered from ``first``."""
    from identigraph.engine.groups import event_groups  # the replay's kernels: not on the
    # query path

    found = event_groups(events, ruleset) if groups is None else groups
    return Placement.of(events, ruleset, found, first)
