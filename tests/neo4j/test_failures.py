"""Failure paths against real servers: down, wrong or missing credentials (exit code 3)."""

from __future__ import annotations

import pytest
from n4j_support import one_error_line
from support import AUTH_PASSWORD, cli, free_port

from identigraph.errors import StoreError
from identigraph.graph.neo4j_store import Neo4jStore


def test_server_down_is_a_store_error() -> None:
    """The store refuses to open, with one readable line."""
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match="cannot reach Neo4j at") as info:
        Neo4jStore(uri)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("command", [["profiles"], ["explain", "a@example.com", "+14155550101"],
                                     ["stats", "--json"]])
def test_cli_server_down_exits_3(command: list[str]) -> None:
    """Every command on an unreachable server: exit 3, one stderr line, nothing on stdout."""
    out = cli(*command, store=f"bolt://127.0.0.1:{free_port()}", process=True)
    assert out.returncode == 3, out
    assert "cannot reach Neo4j" in one_error_line(out.stderr)
    assert out.stdout == ""


def test_cli_load_server_down_exits_3(tmp_path: object) -> None:
    """A load into an unreachable server fails the same way."""
    from pathlib import Path

    data = Path(__file__).parent / "data" / "parity.jsonl"
    out = cli("load", str(data), store=f"neo4j://127.0.0.1:{free_port()}", process=True)
    assert out.returncode == 3, out
    one_error_line(out.stderr)


def test_cli_bad_uri_exits_3() -> None:
    """A URI the driver cannot use is a store error too."""
    out = cli("profiles", store="bolt://127.0.0.1:notaport", process=True)
    assert out.returncode == 3, out
    assert "bad Neo4j store URI" in one_error_line(out.stderr)


def test_cli_wrong_password_exits_3(auth_neo4j_uri: str) -> None:
    """Bad credentials: exit 3 and a line naming the variables to fix."""
    out = cli("profiles", env={"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "not-the-password"}, store=auth_neo4j_uri, process=True)
    assert out.returncode == 3, out
    assert "refused the credentials" in one_error_line(out.stderr)


def test_cli_missing_credentials_exits_3(auth_neo4j_uri: str) -> None:
    """No credentials for a server that wants some."""
    out = cli("stats", store=auth_neo4j_uri, process=True)
    assert out.returncode == 3, out
    assert "requires credentials" in one_error_line(out.stderr)


def test_right_password_works(auth_neo4j_uri: str) -> None:
    """The same server with the right credentials answers (an empty store)."""
    out = cli("profiles", "--json", env={"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": AUTH_PASSWORD}, store=auth_neo4j_uri, process=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
