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
from identigraph.graph.neo4j_store.batches import Params
from identigraph.graph.neo4j_store.chunks import chunk_table, joined
from identigraph.graph.neo4j_store.groupindex import blob_batches

#: Events per bucket, about: a lookup decodes one bucket per load.
BUCKET_ROWS = 256
#: Event ids hashed at a time.
ID_SLICE = 65_536


def bucket_count(rows: int) -> int:
    """A load's buckets: a power of two, about ``rows / BUCKET_ROWS`` of them."""
    return 1 << max(0, int(np.ceil(np.log2(max(1, rows) / BUCKET_ROWS))))


def bucket_of(event_id: str, buckets: int) -> int:
    """The bucket an event id hashes into (CRC-32: stable across processes)."""
    return zlib.crc32(event_id.encode()) & (buckets - 1)


def bucket_batches(events: EventTable, generation: int) -> Iterator[Params]:
    """The load's buckets, a batch of them at a time (groupindex.blob_batches):
    ``$generation``, ``$bucket``, ``$data`` (the bucket's events, as one chunk)."""
    n = len(events)
    if not n:
        return
    buckets = bucket_count(n)
    ids = events.column("event_id")
    of = np.empty(n, np.int64)
    for start in range(0, n, ID_SLICE):  # ids as Python strings a slice at a time (10M: 0.9 GB)
        part = ids.slice(start, ID_SLICE).to_pylist()
        of[start:start + len(part)] = [bucket_of(i, buckets) for i in part]
    yield from blob_batches(events, of, generation=generation)


def probes(sets: dict[int, int], event_id: str) -> dict[str, list[int]]:
    """The (generation, bucket) of each load's bucket that may hold the event."""
    gens = sorted(sets)
    return {"generation": gens, "bucket": [bucket_of(event_id, sets[g]) for g in gens]}


def probes_of(sets: dict[int, int], ids: pa.Array) -> dict[str, list[int]]:
    """The (generation, bucket) of every load's bucket that may hold one of these ids,
    each once."""
    names = ids.to_pylist()
    out: dict[str, list[int]] = {"generation": [], "bucket": []}
    for g in sorted(sets):
        buckets = sorted({bucket_of(i, sets[g]) for i in names})
        out["generation"] += [g] * len(buckets)
        out["bucket"] += buckets
    return out


def bucket_events(blobs: list[bytes]) -> pa.Table | None:
    """The events of the buckets read, as one table (None when there is none); loads that
    brought different id namespaces wrote buckets with different columns (missing: null)."""
    return joined([chunk_table(b) for b in blobs])
