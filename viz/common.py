"""Shared cluster type and palette so every output format looks and reads the same."""

from __future__ import annotations

import zlib
from typing import Any, Final, TypedDict

Cluster = dict[str, Any]
"""A cluster as built from the store: center, nodes, edges, highlight (see docs/viz.md)."""


class KindStyle(TypedDict):
    """How one node kind is drawn, shared by the HTML and static renderers."""

    name: str
    color: str
    vis_shape: str
    marker: str


KIND_STYLES: Final[dict[str, KindStyle]] = {
    "email": {"name": "email", "color": "#4C78A8", "vis_shape": "dot", "marker": "o"},
    "phone": {"name": "phone", "color": "#F58518", "vis_shape": "square", "marker": "s"},
    "external_id": {
        "name": "external id",
        "color": "#54A24B",
        "vis_shape": "diamond",
        "marker": "D",
    },
    "profile": {"name": "profile", "color": "#B279A2", "vis_shape": "hexagon", "marker": "h"},
    "collapsed": {
        "name": "identifiers not drawn (count)",
        "color": "#DDDDDD",
        "vis_shape": "box",
        "marker": "8",
    },
}
#: Vendor namespaces (``klaviyo_id``, ``shopify_customer_id``, ...) get one of these each,
#: chosen by name so that a namespace always looks the same and two differ.
NAMESPACE_STYLES: Final[tuple[tuple[str, str, str], ...]] = (
    ("#E45756", "triangle", "^"),
    ("#72B7B2", "triangleDown", "v"),
    ("#EECA3B", "star", "*"),
    ("#9D755D", "ellipse", "p"),
    ("#FF9DA6", "database", "P"),
    ("#BAB0AC", "text", "X"),
)
OTHER_KIND: Final[KindStyle] = {
    "name": "other",
    "color": "#9D9D9D",
    "vis_shape": "dot",
    "marker": "o",
}

CHANNEL_COLORS: Final[dict[str, str]] = {
    "web": "#1F77B4",
    "api": "#17BECF",
    "import": "#8C564B",
    "checkout": "#2CA02C",
    "sms": "#D62728",
}
OTHER_CHANNEL_COLOR: Final = "#7F7F7F"
MEMBER_COLOR: Final = "#BBBBBB"
HIGHLIGHT_COLOR: Final = "#FFB000"
LABEL_MAX: Final = 28


def kind_style(kind: object) -> KindStyle:
    """Return the style for a node kind; a vendor namespace gets its own shape and colour."""
    name = str(kind)
    if name in KIND_STYLES:
        return KIND_STYLES[name]
    if not name or name == "None":
        return OTHER_KIND
    color, vis_shape, marker = NAMESPACE_STYLES[zlib.crc32(name.encode()) % len(NAMESPACE_STYLES)]
    return {"name": name.replace("_", " "), "color": color, "vis_shape": vis_shape,
            "marker": marker}


def edge_color(edge: dict[str, Any]) -> str:
    """Return an edge's colour: grey for membership, else by channel with a fallback."""
    if edge.get("kind") == "member":
        return MEMBER_COLOR
    return CHANNEL_COLORS.get(str(edge.get("channel")), OTHER_CHANNEL_COLOR)


def node_label(node: dict[str, Any]) -> str:
    """Return the text shown for a node: its label, else value, else id."""
    return str(node.get("label") or node.get("value") or node.get("id", ""))


def truncate(text: str, limit: int = LABEL_MAX) -> str:
    """Shorten long labels with an ellipsis so drawings stay readable."""
    return "\n".join(line if len(line) <= limit else line[: limit - 1] + "…"
                     for line in text.split("\n"))


def highlighted_edges(cluster: Cluster) -> set[int]:
    """Return the indexes of the edges on the highlighted path, if any."""
    highlight = cluster.get("highlight") or {}
    return {int(i) for i in highlight.get("edges") or []}
