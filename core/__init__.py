"""identigraph: graph-based identity resolution for marketing contacts (email, SMS, ids).

``identigraph.open(location)`` is the way in (see docs/api.md)::

    import identigraph

    with identigraph.open("contacts.db") as graph:
        graph.load(["examples/forms.jsonl"])
        print(graph.explain("maria.lopez@example.com", "+1 (415) 555-0134").reason)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from identigraph.handle import IdentityGraph

__version__ = "0.1.0"
__all__ = ["__version__", "open"]


def open(location: str | Path | None = None, *, default_region: str = "US") -> IdentityGraph:
    """The identity graph at ``location``: a file path (the embedded store; default
    ``$IDENTIGRAPH_STORE`` or ``identigraph.db``) or a Bolt URI (Neo4j, with the
    ``identigraph[neo4j]`` extra). ``default_region`` reads national phone numbers."""
    from identigraph.handle import IdentityGraph

    return IdentityGraph(location, default_region=default_region)
