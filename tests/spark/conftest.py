"""Fixtures of the Spark engine tests: one Spark session (``local[2]``) for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from identigraph.spark.engine import SparkEngine


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[SparkEngine]:
    """The Spark engine every Spark test replays with (its session starts once)."""
    with SparkEngine("local[2]") as engine:
        yield engine
