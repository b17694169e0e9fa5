"""identigraph.cypher."""
