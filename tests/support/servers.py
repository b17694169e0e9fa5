"""The real Neo4j test server (tests/neo4j_server): started for a test session, emptied
between tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.data import ROOT
from support.ports import free_port

NEO4J_START = ROOT / "tests" / "neo4j_server" / "start.sh"
NEO4J_LIB = ROOT / "tests" / "neo4j_server" / "target" / "lib"
AUTH_PASSWORD = "identigraph-test-pw"  # of the server with auth on (Neo4j wants 8+ characters)


def start_neo4j(port: int, home: Path | None = None, password: str | None = None) -> int:
    """Start the embedded Neo4j test server on ``port`` (its database in ``home``, kept
    when given; auth on when ``password`` is given, user ``neo4j``); returns its pid."""
    env = {**os.environ, **({"NEO4J_AUTH_PASSWORD": password} if password else {})}
    args = [str(NEO4J_START), str(port), *([str(home)] if home is not None else [])]
    out = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False,
                         env=env)
    if out.returncode != 0:
        pytest.fail(f"could not start the Neo4j test server: {out.stdout[-2000:]}"
                    f"{out.stderr[-2000:]}")
    return int(out.stdout.strip().splitlines()[-1])


@contextmanager
def neo4j_server(password: str | None = None, home: Path | None = None) -> Iterator[str]:
    """Start the embedded Neo4j test server on a free port (see :func:`start_neo4j`);
    yields its Bolt URI and stops it at the end."""
    port = free_port()
    pid = start_neo4j(port, home=home, password=password)
    try:
        yield f"bolt://127.0.0.1:{port}"
    finally:
        subprocess.run(["kill", str(pid)], check=False)


def clear_neo4j(uri: str) -> None:
    """Empty the (single, Community) test database; constraints and indexes stay."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver, \
            driver.session() as session:
        session.run(  # auto-commit: CALL ... IN TRANSACTIONS needs it
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def neo4j_admin(home: Path, *args: str, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    """Run ``neo4j-admin`` (Neo4j 5.26's own AdminTool, from the test server's Maven jars)
    on the databases of ``home``."""
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    (home / "conf").mkdir(parents=True, exist_ok=True)
    return subprocess.run(["java", "-Xmx512m", "-cp", f"{NEO4J_LIB}/*",
                           "org.neo4j.cli.AdminTool", *args], capture_output=True, text=True,
                          timeout=900, check=False, env=env, cwd=cwd)
