"""The connected groups of events on Spark: events sharing a non-blocked identifier, under
any link mode, are in one group; a profile's whole history lies inside one group.

Identifiers become ``long`` nodes (a 64-bit hash of ``kind:value``); each event links its
non-blocked identifiers to its first one (its *anchor*); :func:`components` finds the
components. A hash collision can only join two groups, never split one: replaying two
groups together decides exactly what replaying each alone does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from identigraph.engine.resolver import blocked_values
from identigraph.rules.model import RuleSet
from identigraph.spark.components import components

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

#: The group column added to the events.
GROUP = "_group"


def _flag_blocked(ruleset_json: str, batches: Iterator[pa.RecordBatch]
                  ) -> Iterator[pa.RecordBatch]:
    """Runs on Spark: (kind, value) batches in, the blocked ones out (by the resolver's own
    test of the rule set's blocked values)."""
    rs = RuleSet.model_validate_json(ruleset_json)
    for batch in batches:
        for name in rs.kind_names():
            sub = batch.filter(pc.equal(batch.column(0), name))
            if sub.num_rows:
                yield sub.filter(pa.array(blocked_values(rs, name, sub.column(1))))


def _unblocked(nodes: DataFrame, present: list[str], ruleset: RuleSet) -> DataFrame:
    """The nodes with those of blocked identifiers set to null (the rule set's values are
    tested by the resolver's own function, on Spark, once per distinct value)."""
    from pyspark.sql import functions as F

    values = functools.reduce(lambda a, b: a.unionByName(b), [
        nodes.where(F.col(k).isNotNull()).select(F.lit(k).alias("kind"),
                                                 F.col(k).alias("value"))
        for k in present]).distinct()
    blocked = values.mapInArrow(functools.partial(_flag_blocked, ruleset.model_dump_json()),
                                values.schema).localCheckpoint()
    for k in present:
        hit = F.broadcast(blocked.where(F.col("kind") == k)
                          .select(F.col("value").alias("_blocked")))
        nodes = (nodes.join(hit, nodes[k] == hit["_blocked"], "left")
                 .withColumn(f"_n_{k}", F.when(F.col("_blocked").isNull(), F.col(f"_n_{k}")))
                 .drop("_blocked"))
    return nodes


def with_groups(events: DataFrame, ruleset: RuleSet) -> DataFrame:
    """The events with a ``_group`` column (a long): equal for events of one group."""
    from pyspark.sql import functions as F

    present = [k for k in ruleset.kind_names() if k in events.columns]
    nodes = events
    for k in present:  # a node per non-blocked identifier; null when absent or blocked
        nodes = nodes.withColumn(f"_n_{k}", F.when(F.col(k).isNotNull(),
                                                   F.xxhash64(F.lit(k), F.col(k))))
    if ruleset.blocked:
        nodes = _unblocked(nodes, present, ruleset)
    node_cols = [F.col(f"_n_{k}") for k in present]
    nodes = nodes.withColumn("_anchor", F.coalesce(*node_cols))
    edges = functools.reduce(lambda a, b: a.unionByName(b), [
        nodes.where(c.isNotNull() & (c != F.col("_anchor")))
        .select(F.col("_anchor").alias("src"), c.alias("dst")) for c in node_cols[1:]])
    roots = components(edges)
    grouped = nodes.join(roots, nodes["_anchor"] == roots["node"], "left")
    group = F.coalesce(F.col("root"), F.col("_anchor"), F.xxhash64(F.col("event_id")))
    return (grouped.withColumn(GROUP, group)
            .drop("node", "root", "_anchor", *[f"_n_{k}" for k in present]))
