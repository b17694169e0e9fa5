"""identigraph.loaders."""
