"""The embedded backend: one SQLite file, no server."""

from identigraph.graph.embedded.sqlite import SqliteStore

__all__ = ["SqliteStore"]
