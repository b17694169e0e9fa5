"""Pytest fixtures for the viz tests: fresh copies of the sample clusters."""

from __future__ import annotations

import pytest
from vizdata import Cluster, make_big_cluster, make_cluster


@pytest.fixture
def cluster() -> Cluster:
    """A fresh copy of the sample cluster for each test."""
    return make_cluster()


@pytest.fixture
def big_cluster() -> Cluster:
    """A 180-node cluster to check drawings stay fast and readable at size."""
    return make_big_cluster()
