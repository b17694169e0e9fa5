"""Connected components on Spark (local contraction, then large-star / small-star) against
networkx's, on edges spread over several partitions so that the rounds must join stars
across them."""

from __future__ import annotations

import networkx as nx
import numpy as np

from identigraph.spark.components import components
from identigraph.spark.engine import SparkEngine


def test_components_are_networkx_components_across_partitions(
        spark_engine: SparkEngine) -> None:
    rng = np.random.default_rng(14)
    nodes = rng.choice(2**62, 3_000, replace=False) - 2**61  # signed, like xxhash64
    ends = rng.integers(0, len(nodes), (2_400, 2))
    chain = [(int(nodes[i]), int(nodes[i + 1])) for i in range(2_000, 2_200)]  # a long path
    edges = [(int(nodes[a]), int(nodes[b])) for a, b in ends] + chain[::-1]
    frame = spark_engine.session.createDataFrame(edges, "src long, dst long").repartition(6)
    got = {(r["node"], r["root"]) for r in components(frame).collect()}

    graph = nx.Graph(edges)
    want = {(n, min(c)) for c in nx.connected_components(graph) for n in c if n != min(c)}
    assert got == want
