"""Connected components on Spark DataFrames: the large-star / small-star algorithm.

R. Kiveris, S. Lattanzi, V. Mirrokni, V. Rastogi, S. Vassilvitskii, "Connected Components
in MapReduce and Beyond", ACM SoCC 2014. Both steps are a group-by and a join on an edge
list of ``long`` node ids; alternated, they turn every component into a star around its
smallest node in O(log² n) rounds (a handful in practice). GraphFrames' own
``connectedComponents`` would need its jar at run time, which a load cannot fetch.

Before the rounds, each partition of the edge list is contracted on its own (a union-find
over its edges, :func:`local_stars`): every component of the partition's edges becomes a star
around its smallest node. That keeps each component's node set, so the components of the
whole are the same, and the rounds start from stars that only need joining across
partitions: fewer, smaller rounds (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from identigraph.engine.kernels import component_roots

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

#: Rounds after which the algorithm is stopped as broken (it converges in far fewer).
MAX_ROUNDS = 100


EDGES = pa.schema([("src", pa.int64()), ("dst", pa.int64())])


def local_stars(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Runs on Spark: one partition's edges in; for each component they make, an edge from
    each of its nodes to its smallest node out (``src > dst``)."""
    got = [b for b in batches if b.num_rows]
    if not got:
        return
    edges = pa.Table.from_batches(got)
    ends = np.concatenate([np.asarray(edges.column("src").to_numpy(), np.int64),
                           np.asarray(edges.column("dst").to_numpy(), np.int64)])
    nodes, dense = np.unique(ends, return_inverse=True)  # sorted: smaller index, smaller node
    half = len(edges)
    roots = component_roots(dense[:half], dense[half:], len(nodes))
    moved = np.flatnonzero(roots != np.arange(len(nodes)))
    yield pa.RecordBatch.from_arrays([pa.array(nodes[moved]), pa.array(nodes[roots[moved]])],
                                     schema=EDGES)


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node's larger neighbours are linked to the smallest node of its neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.unionByName(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    least = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
    return (both.join(least, "src").where(F.col("dst") > F.col("src"))
            .select(F.col("dst").alias("src"), F.col("m").alias("dst")).distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours are linked to the smallest of them (the edges
    come from :func:`_large_star`, so ``src > dst``)."""
    from pyspark.sql import functions as F

    least = edges.groupBy("src").agg(F.min("dst").alias("m"))
    joined = edges.join(least, "src")
    return (joined.where(F.col("dst") != F.col("m")).select(F.col("dst").alias("src"), "m")
            .unionByName(joined.select("src", "m"))
            .select("src", F.col("m").alias("dst")).distinct())


def _stars(edges: DataFrame) -> bool:
    """True when every node has one parent at most and no parent has one: each component
    is then one star, and a node's parent names its component."""
    from pyspark.sql import functions as F

    ends = edges.select(F.col("src").alias("node"), F.lit(1).alias("out"), F.lit(0).alias("in_")
                        ).unionByName(edges.select(F.col("dst").alias("node"),
                                                   F.lit(0).alias("out"), F.lit(1).alias("in_")))
    degrees = ends.groupBy("node").agg(F.sum("out").alias("out"), F.sum("in_").alias("in_"))
    return degrees.where((F.col("out") > 1) | ((F.col("out") > 0) & (F.col("in_") > 0))
                         ).isEmpty()


def components(edges: DataFrame) -> DataFrame:
    """``(node, root)`` for every node of an edge list ``(src, dst)`` of longs: ``root`` is
    the same for the nodes of a component (its centre once it is a star). Nodes on no edge
    are their own components (and not in the result)."""
    from pyspark.sql import functions as F

    current = edges.where(F.col("src") != F.col("dst")).select("src", "dst")
    from pyspark.sql.pandas.types import from_arrow_schema

    current = current.mapInArrow(local_stars, from_arrow_schema(EDGES))
    for _ in range(MAX_ROUNDS):
        current = _small_star(_large_star(current)).localCheckpoint()
        if _stars(current):
            return current.select(F.col("src").alias("node"), F.col("dst").alias("root"))
    raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")
