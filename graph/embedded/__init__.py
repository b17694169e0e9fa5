"""The embedded store: one local DuckDB file, no server."""

from identigraph.graph.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
