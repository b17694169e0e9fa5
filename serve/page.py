"""The explorer page: one self-contained HTML document (vis-network, script and style
inlined; it fetches only the server's own ``/api/``)."""

from __future__ import annotations

import functools
import re
from importlib import resources

from identigraph.viz.common import (
    CHANNEL_COLORS,
    HIGHLIGHT_COLOR,
    KIND_STYLES,
    LABEL_MAX,
    MEMBER_COLOR,
    OTHER_CHANNEL_COLOR,
    OTHER_KIND,
)
from identigraph.viz.html import json_island, script_safe, vis_network_js

_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


def _static(name: str) -> str:
    return (resources.files("identigraph.serve") / "static" / name).read_text(encoding="utf-8")


@functools.cache
def explorer_html() -> str:
    """The page, built once per process."""
    data = {
        "style": {"kinds": KIND_STYLES, "other_kind": OTHER_KIND, "channels": CHANNEL_COLORS,
                  "other_channel": OTHER_CHANNEL_COLOR, "member": MEMBER_COLOR,
                  "highlight": HIGHLIGHT_COLOR, "label_max": LABEL_MAX},
    }
    parts = {"css": _static("explorer.css"), "vis_js": vis_network_js(),
             "data": json_island(data), "app_js": script_safe(_static("explorer.js"))}
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _static("explorer.html"))
