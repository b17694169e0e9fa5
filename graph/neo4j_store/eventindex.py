"""Event id -> event on Neo4j by an index seek: each load's events, hashed by id into
buckets of about BUCKET_ROWS, stored as small compressed Arrow blobs (:EventBucket nodes,
range-indexed on generation and bucket) beside the load's chunks.

A lookup reads one bucket per load (the store's loads are few: a first load and its
deltas) instead of every chunk. A load's bucket set (:EventBuckets, with its bucket count)
is written after its buckets, so a load cut short before it has no set, and lookups then
read the chunks (as stores written before buckets existed do).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from identigraph.events import EventTable
from identigraph.graph.neo4j_store.batches import Params, params
from identigraph.graph.neo4j_store.chunks import chunk_table, event_chunks

#: Events per bucket, about: a lookup decodes one bucket per load.
BUCKET_ROWS = 256
#: Buckets per transaction.
BUCKETS_PER_BATCH = 200


def bucket_count(rows: int) -> int:
    """A load's buckets: a power of two, about ``rows / BUCKET_ROWS`` of them."""
    return 1 << max(0, int(np.ceil(np.log2(max(1, rows) / BUCKET_ROWS))))


def bucket_of(event_id: str, buckets: int) -> int:
    """The bucket an event id hashes into (CRC-32: stable across processes)."""
    return zlib.crc32(event_id.encode()) & (buckets - 1)


def bucket_batches(events: EventTable, generation: int) -> Iterator[Params]:
    """The load's buckets, BUCKETS_PER_BATCH per batch: ``$generation``, ``$bucket``,
    ``$data`` (the bucket's events, as one chunk)."""
    n = len(events)
    if not n:
        return
    buckets = bucket_count(n)
    ids = events.column("event_id").to_pylist()
    of = np.fromiter((bucket_of(i, buckets) for i in ids), np.int64, n)
    order = np.argsort(of, kind="stable")
    bounds = np.searchsorted(of[order], np.arange(buckets + 1))
    table = events.take(order)
    batch: dict[str, list[object]] = {"generation": [], "bucket": [], "data": []}
    for b in range(buckets):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        if lo == hi:
            continue
        for _, data in event_chunks(EventTable(table.table.slice(lo, hi - lo))):
            batch["generation"].append(generation)
            batch["bucket"].append(b)
            batch["data"].append(data)
        if len(batch["bucket"]) >= BUCKETS_PER_BATCH:
            yield params(**batch)
            batch = {k: [] for k in batch}
    if batch["bucket"]:
        yield params(**batch)


def probes(sets: dict[int, int], event_id: str) -> dict[str, list[int]]:
    """The (generation, bucket) of each load's bucket that may hold the event."""
    gens = sorted(sets)
    return {"generation": gens, "bucket": [bucket_of(event_id, sets[g]) for g in gens]}


def bucket_events(blobs: list[bytes]) -> pa.Table | None:
    """The events of the buckets read, as one table (None when there is none); loads that
    brought different id namespaces wrote buckets with different columns (missing: null)."""
    tables = [chunk_table(b) for b in blobs]
    return pa.concat_tables(tables, promote_options="default") if tables else None
