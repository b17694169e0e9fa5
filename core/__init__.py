"""identigraph: graph-based identity resolution for marketing contacts (email, SMS, ids)."""

__version__ = "0.1.0"
