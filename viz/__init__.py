"""Render an identity cluster to HTML, SVG, PNG, GraphML, GEXF or JSON, chosen by extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .common import Cluster
from .redact import redact_cluster

__all__ = ["SUPPORTED_EXTENSIONS", "Cluster", "redact_cluster", "render"]

SUPPORTED_EXTENSIONS = (".html", ".svg", ".png", ".graphml", ".gexf", ".json")
#: Formats drawn for people (the others are data for tools and keep every node).
_DRAWN = (".html", ".svg", ".png")


def _writer(ext: str) -> Callable[[Cluster, Path], None]:
    """Return the writer for an extension, importing heavy backends only when needed."""
    if ext == ".html":
        from .html import write_html

        return write_html
    if ext in {".svg", ".png"}:
        from .static import write_static

        return lambda cluster, path: write_static(cluster, path, ext[1:])
    from . import export

    writers: dict[str, Callable[[Cluster, Path], None]] = {
        ".graphml": export.write_graphml,
        ".gexf": export.write_gexf,
        ".json": export.write_json,
    }
    return writers[ext]


def render(cluster: Cluster, path: Path | str, *, redact: bool = False) -> Path:
    """Write the cluster to path in the format its extension names; return the path."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ValueError(
            f"unsupported output extension {ext or '(none)'!r} for {path.name}; "
            f"use one of: {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if ext in _DRAWN:
        from .focus import MAX_DRAWN, MAX_DRAWN_HTML, focus

        # past a size, the neighbourhood that matters
        cluster = focus(cluster, MAX_DRAWN_HTML if ext == ".html" else MAX_DRAWN)
    data = redact_cluster(cluster) if redact else cluster
    _writer(ext)(data, path)
    return path
