"""``--engine spark``: the replay of a load on Apache Spark, partitioned by connected group.

On the driver the events are read and validated as for the embedded engine; then, on
Spark: the events' connected groups (groups.py), each partition of whole groups replayed by
the embedded engine's kernel (replay.py), whose worker writes the state rows as Parquet (a
file per table) with the keys that order them; the store then reads them back a table at a
time, sorted into the order of one full replay.
"""

from __future__ import annotations

import functools
import math
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from identigraph.engine.state import SCHEMAS, StateTables
from identigraph.events import EventTable
from identigraph.rules.model import RuleSet
from identigraph.spark.groups import GROUP, with_groups
from identigraph.spark.replay import KEY, TABLES, WRITTEN, replay_partition
from identigraph.spark.session import require, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Events per replay partition, at most (a partition is replayed in one Python worker).
EVENTS_PER_PARTITION = 250_000
DEFAULT_MASTER = "local[*]"
#: Rows per row group of the staged events (the unit Spark splits a Parquet file by).
ROW_GROUP = 131_072


def _first_of_each(keys: pa.ChunkedArray, among: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Rows to keep: all outside ``among``, and the first row of each key inside it."""
    keep = ~among
    rows = np.flatnonzero(among)
    if len(rows):
        codes = keys.take(pa.array(rows)).combine_chunks().dictionary_encode().indices
        _, first = np.unique(np.asarray(codes.to_numpy()), return_index=True)
        keep[rows[first]] = True
    return keep


def read_state_table(parts: list[str], name: str) -> pa.Table:
    """One table of the replayed rows the workers wrote (``parts``: its Parquet files), in
    the order of one full replay; a blocked identifier once (it is in every group that
    carries it, the same row each time)."""
    if not parts:
        return SCHEMAS[name].empty_table()
    rows = pa.concat_tables([pq.read_table(p) for p in sorted(parts)])
    rows = rows.take(pc.sort_indices(rows, sort_keys=[(k, "ascending") for k in KEY.names]))
    state = rows.drop_columns(KEY.names)
    if name == "identifiers":
        blocked = np.asarray(state.column("blocked").to_numpy(), np.bool_)
        state = state.filter(pa.array(_first_of_each(state.column("key"), blocked)))
    return state.cast(SCHEMAS[name])


class SparkEngine:
    """Replays loads on Spark; one session for all of them, started at the first."""

    def __init__(self, master: str = DEFAULT_MASTER, *, staging: Path | None = None,
                 conf: dict[str, str] | None = None) -> None:
        require()
        self.master, self.conf = master, dict(conf or {})
        self.staging = staging
        self._session: SparkSession | None = None
        self._work: list[Path] = []

    @property
    def session(self) -> SparkSession:
        """The Spark session (started on first use)."""
        if self._session is None:
            self._session = spark_session(self.master, self.conf)
        return self._session

    def replay(self, events: EventTable, ruleset: RuleSet) -> StateTables:
        """The state of all these events, computed on Spark; its tables stay readable until
        :meth:`close`."""
        work = Path(tempfile.mkdtemp(prefix="identigraph-spark-", dir=self.staging))
        self._work.append(work)
        spark = self.session
        (work / "events").mkdir()
        pq.write_table(events.table, work / "events" / "part-00000.parquet",
                       row_group_size=ROW_GROUP)  # Spark splits a file by row group
        frame = spark.read.parquet(str(work / "events"))
        parts = max(spark.sparkContext.defaultParallelism,
                    math.ceil(len(events) / EVENTS_PER_PARTITION))
        # whole groups per partition; the group column itself is no event field
        grouped = with_groups(frame, ruleset).repartition(parts, GROUP).drop(GROUP)
        from pyspark.sql.pandas.types import from_arrow_schema

        written = grouped.mapInArrow(
            functools.partial(replay_partition, ruleset.model_dump_json(), str(work / "state")),
            from_arrow_schema(WRITTEN)).collect()
        files: dict[str, list[str]] = {name: [] for name in TABLES}
        for line in written:  # the files of the tasks that succeeded, none of a failed try
            files[TABLES[line["t"]]].append(line["path"])
        return StateTables(lambda name: read_state_table(files[name], name),
                           ruleset.kind_names())

    def close(self) -> None:
        """Delete the staged files and stop Spark."""
        for work in self._work:
            shutil.rmtree(work, ignore_errors=True)
        self._work.clear()
        if self._session is not None:
            self._session.stop()
            self._session = None

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
