"""The Neo4j store: the same rows as the embedded store, as a graph in Neo4j (``bolt://``)."""

from identigraph.graph.neo4j_store.store import Neo4jStore

__all__ = ["Neo4jStore"]
