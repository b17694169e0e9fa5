"""Fixtures of the Neo4j store tests: a cleared database, a second server with auth on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import AUTH_PASSWORD, clear_neo4j, neo4j_server


@pytest.fixture
def neo4j_store(neo4j_uri: str) -> str:
    """The test server's URI, its database emptied first."""
    clear_neo4j(neo4j_uri)
    return neo4j_uri


@pytest.fixture(scope="session")
def auth_neo4j_uri() -> Iterator[str]:
    """A second test server, with authentication on (user neo4j, AUTH_PASSWORD)."""
    with neo4j_server(password=AUTH_PASSWORD) as uri:
        yield uri
