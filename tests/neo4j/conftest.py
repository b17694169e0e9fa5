"""Fixtures of the Neo4j store tests: a cleared database, a second server with auth on."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from n4j_support import clear

NEO4J_START = Path(__file__).resolve().parent.parent / "neo4j_server" / "start.sh"
AUTH_PASSWORD = "identigraph-test-pw"  # Neo4j wants at least 8 characters


@pytest.fixture
def neo4j_store(neo4j_uri: str) -> str:
    """The test server's URI, its database emptied first."""
    clear(neo4j_uri)
    return neo4j_uri


@pytest.fixture(scope="session")
def auth_neo4j_uri() -> Iterator[str]:
    """A second test server, with authentication on (user neo4j, AUTH_PASSWORD)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "NEO4J_AUTH_PASSWORD": AUTH_PASSWORD}
    out = subprocess.run([str(NEO4J_START), str(port)], capture_output=True, text=True,
                         timeout=600, check=False, env=env)
    if out.returncode != 0:
        pytest.fail(f"could not start the auth Neo4j test server: {out.stderr[-2000:]}")
    pid = int(out.stdout.strip().splitlines()[-1])
    try:
        yield f"bolt://127.0.0.1:{port}"
    finally:
        subprocess.run(["kill", str(pid)], check=False)
