"""identigraph.rules."""
