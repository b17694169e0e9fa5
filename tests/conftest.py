"""Shared fixtures: a real Neo4j test server, and one ``store`` fixture over both backends."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEO4J_START = ROOT / "tests" / "neo4j_server" / "start.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """Bolt URI of the real test server: ``$IDENTIGRAPH_TEST_NEO4J`` (started by .ci/run)
    or one started here for the session and stopped at its end."""
    given = os.environ.get("IDENTIGRAPH_TEST_NEO4J")
    if given:
        yield given
        return
    port = _free_port()
    out = subprocess.run([str(NEO4J_START), str(port)], capture_output=True, text=True,
                         timeout=600, check=False)
    if out.returncode != 0:
        pytest.fail(f"could not start the Neo4j test server: {out.stdout[-2000:]}"
                    f"{out.stderr[-2000:]}")
    pid = int(out.stdout.strip().splitlines()[-1])
    try:
        yield f"bolt://127.0.0.1:{port}"
    finally:
        subprocess.run(["kill", str(pid)], check=False)


def clear_neo4j(uri: str) -> None:
    """Empty the (single, Community) database between tests."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver, \
            driver.session() as session:
        session.run(  # auto-commit: CALL ... IN TRANSACTIONS needs it
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


@pytest.fixture(params=["embedded", "neo4j"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location on each backend: a file path or a Bolt URI."""
    if request.param == "embedded":
        return str(tmp_path / "test.db")
    uri = str(request.getfixturevalue("neo4j_uri"))
    clear_neo4j(uri)
    return uri
