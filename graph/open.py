"""Opening a store from its location: a file path (embedded) or a Bolt URI (Neo4j)."""

from __future__ import annotations

import os

from identigraph.errors import UsageError
from identigraph.graph.store import Store

BOLT_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
DEFAULT_STORE = "identigraph.db"


def default_location() -> str:
    """``$IDENTIGRAPH_STORE`` or ``identigraph.db`` in the current folder."""
    return os.environ.get("IDENTIGRAPH_STORE") or DEFAULT_STORE


def is_bolt(location: str) -> bool:
    """True for a Neo4j URI."""
    return location.lower().startswith(BOLT_SCHEMES)


def open_store(location: str | None = None, *, create: bool = True) -> Store:
    """The store at a location; ``create=False`` refuses to make a new embedded file."""
    loc = location or default_location()
    if is_bolt(loc):
        try:
            from identigraph.graph.neo4j_store import Neo4jStore
        except ModuleNotFoundError as exc:  # the optional extra is not installed
            if exc.name is None or not exc.name.startswith("neo4j"):
                raise
            raise UsageError(f"{loc} is a Neo4j store: install the Neo4j driver with "
                             "pip install 'identigraph[neo4j]'") from exc
        return Neo4jStore(loc)
    from identigraph.graph.embedded.store import EmbeddedStore

    return EmbeddedStore(loc, create=create)
