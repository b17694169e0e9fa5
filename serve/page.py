"""The explorer page: one self-contained HTML document (vis-network, script and style
inlined; it fetches only the server's own ``/api/``)."""

from __future__ import annotations

import functools
from importlib import resources

from identigraph.viz.html import fill, json_island, page_css, palette, script_safe, vis_network_js


def _static(name: str) -> str:
    return (resources.files("identigraph.serve") / "static" / name).read_text(encoding="utf-8")


@functools.cache
def explorer_html() -> str:
    """The page, built once per process."""
    data = {"style": palette({})}  # the palette of `viz` (kinds the view meets fall back)
    parts = {"css": page_css(_static("explorer.css")), "vis_js": vis_network_js(),
             "data": json_island(data), "app_js": script_safe(_static("explorer.js"))}
    return fill(_static("explorer.html"), parts)
