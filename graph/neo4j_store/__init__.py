"""identigraph.graph.neo4j_store."""
