"""identigraph.graph."""
