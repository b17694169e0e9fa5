"""Connecting to Neo4j: driver settings from the URI and environment, errors as StoreError."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j import exceptions as neo4j_errors

from identigraph.errors import StoreError

# the driver logs connection failures too: we report them once, as a StoreError
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: Seconds to wait for a TCP connection before calling a server unreachable.
CONNECT_TIMEOUT = 15.0


def auth_from_env() -> tuple[str, str] | None:
    """Basic auth from NEO4J_USER / NEO4J_PASSWORD; None (no auth) when neither is set."""
    user, password = os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD")
    if user is None and password is None:
        return None
    return (user or "neo4j", password or "")


def _line(exc: BaseException) -> str:
    """An exception's message on one line (the socket's reason when there is one)."""
    server = exc.message if isinstance(exc, neo4j_errors.Neo4jError) else None
    text = str(server or exc).strip()
    reason = re.search(r"\(reason (.+?)\)\s*$", text)
    if reason:
        return reason.group(1)
    return " ".join(text.split()) if text else type(exc).__name__


def describe(uri: str, exc: BaseException) -> str:
    """One readable line for a driver error."""
    if isinstance(exc, neo4j_errors.ConstraintError):
        return (f"Neo4j at {uri} refused a write: {_line(exc)} (a constraint identigraph did "
                "not create? SHOW CONSTRAINTS lists them)")
    if isinstance(exc, neo4j_errors.AuthError):
        return (f"Neo4j at {uri} refused the credentials (NEO4J_USER / NEO4J_PASSWORD): "
                f"{_line(exc)}")
    if isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return f"cannot reach Neo4j at {uri}: {_line(exc)}"
    if isinstance(exc, neo4j_errors.ConfigurationError | ValueError):
        return f"bad Neo4j store URI {uri}: {_line(exc)}"
    return f"Neo4j at {uri}: {_line(exc)}"


#: What a failed write adds to its cause: the store says it is unfinished until a load ends.
UNFINISHED = "; the load did not finish: load the same files again once that is mended"


@contextmanager
def store_errors(uri: str, *, writing: bool = False) -> Iterator[None]:
    """Turn driver and server errors into StoreError (exit code 3, one line); ``writing``:
    the line also says that the next load finishes the store."""
    try:
        yield
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
        raise StoreError(describe(uri, exc) + (UNFINISHED if writing else "")) from exc


def open_driver(uri: str) -> neo4j.Driver:
    """A driver with a verified connection; StoreError when unreachable or refused."""
    auth = auth_from_env()
    with store_errors(uri):
        try:
            driver = neo4j.GraphDatabase.driver(
                uri, auth=auth, connection_timeout=CONNECT_TIMEOUT,
                notifications_min_severity="OFF", user_agent="identigraph",
            )
        except ValueError as exc:  # malformed URI
            raise neo4j_errors.ConfigurationError(str(exc)) from exc
        try:
            driver.verify_connectivity()
        except neo4j_errors.AuthError as exc:
            driver.close()
            if auth is None:
                raise StoreError(f"Neo4j at {uri} requires credentials: set NEO4J_USER and "
                                 "NEO4J_PASSWORD") from exc
            raise
        except ValueError as exc:  # an address that cannot be resolved (bad port)
            driver.close()
            raise neo4j_errors.ConfigurationError(str(exc)) from exc
        except BaseException:
            driver.close()
            raise
    return driver
