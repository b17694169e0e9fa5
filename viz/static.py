"""Draw a cluster to SVG/PNG with networkx + matplotlib (Agg) for reports and tickets."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .common import (
    HIGHLIGHT_COLOR,
    KIND_STYLES,
    MEMBER_COLOR,
    OTHER_KIND,
    Cluster,
    edge_color,
    highlighted_edges,
    kind_style,
    node_label,
    truncate,
)

Pos = dict[str, Any]
_SEED = 7


def _layout(cluster: Cluster) -> Pos:
    """Place nodes with a seeded spring layout so the same cluster always looks the same."""
    graph = nx.Graph()
    graph.add_nodes_from(str(n["id"]) for n in cluster.get("nodes") or [])
    graph.add_edges_from((str(e["from"]), str(e["to"])) for e in cluster.get("edges") or [])
    n = max(graph.number_of_nodes(), 1)
    pos: Pos = nx.spring_layout(graph, seed=_SEED, k=1.6 / math.sqrt(n), iterations=200)
    return pos


def _draw_nodes(ax: Any, cluster: Cluster, pos: Pos, size: float, font: float) -> None:
    """Draw nodes grouped by kind (colour + marker) and their truncated labels."""
    highlight = cluster.get("highlight") or {}
    ends = {highlight.get("a"), highlight.get("b")}
    if None in ends:  # no --path: nothing to mark, the center keeps its dark border
        ends = set()
    graph = nx.Graph()
    graph.add_nodes_from(pos)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in cluster.get("nodes") or []:
        groups[str(node.get("kind"))].append(node)
    for kind, nodes in groups.items():
        style = kind_style(kind)
        ids = [str(n["id"]) for n in nodes]
        borders = [
            HIGHLIGHT_COLOR if i in ends else "#222222" if i == cluster.get("center") else "white"
            for i in ids
        ]
        nx.draw_networkx_nodes(
            graph, pos, nodelist=ids, ax=ax, node_shape=style["marker"],
            node_color=style["color"], node_size=size, edgecolors=borders, linewidths=2.0,
        )  # fmt: skip
    for node in cluster.get("nodes") or []:
        x, y = pos[str(node["id"])]
        ax.annotate(
            truncate(node_label(node)), (x, y), xytext=(0, -math.sqrt(size) / 2 - 2),
            textcoords="offset points", ha="center", va="top", fontsize=font,
            parse_math=False, annotation_clip=False,
        )  # fmt: skip


def _draw_edges(ax: Any, cluster: Cluster, pos: Pos, size: float, font: float) -> None:
    """Draw edges coloured by channel, dashed when they do not merge, parallel ones curved."""
    graph = nx.DiGraph()
    graph.add_nodes_from(pos)
    on_path = highlighted_edges(cluster)
    seen: dict[frozenset[str], int] = defaultdict(int)
    groups: dict[tuple[str, bool, float, float], list[tuple[str, str]]] = defaultdict(list)
    edges = cluster.get("edges") or []
    label_rules = sum(e.get("merges") is False for e in edges) <= 40  # else unreadable
    for index, edge in enumerate(edges):
        u, v = str(edge["from"]), str(edge["to"])
        nth = seen[frozenset((u, v))]
        seen[frozenset((u, v))] += 1
        rad = 0.0 if nth == 0 else 0.18 * ((nth + 1) // 2) * (1 if nth % 2 else -1)
        dashed = edge.get("merges") is False
        if index in on_path:
            groups[(HIGHLIGHT_COLOR, dashed, 4.5, rad)].append((u, v))
        groups[(edge_color(edge), dashed, 1.4, rad)].append((u, v))
        if dashed and label_rules and edge.get("rule"):
            (x1, y1), (x2, y2) = pos[u], pos[v]
            mx, my = (x1 + x2) / 2 + rad * (y2 - y1) / 2, (y1 + y2) / 2 - rad * (x2 - x1) / 2
            ax.text(
                mx, my, str(edge["rule"]), fontsize=font * 0.9, color="#444444",
                ha="center", va="center", parse_math=False, zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )  # fmt: skip
    for (color, dashed, width, rad), edgelist in groups.items():
        nx.draw_networkx_edges(
            graph, pos, edgelist=edgelist, ax=ax, edge_color=color, width=width,
            style="dashed" if dashed else "solid", arrows=True, arrowstyle="-|>",
            arrowsize=8, node_size=size, connectionstyle=f"arc3,rad={rad}",
        )  # fmt: skip


def _legend(ax: Any, cluster: Cluster) -> None:
    """Add a legend for node kinds, channels present, line styles and the highlight."""
    kinds = {str(n.get("kind")) for n in cluster.get("nodes") or []}
    styles = list(KIND_STYLES.values()) + ([OTHER_KIND] if kinds - set(KIND_STYLES) else [])
    handles: list[Line2D] = [
        Line2D([], [], marker=s["marker"], color="none", markerfacecolor=s["color"],
               markeredgecolor="white", markersize=10, label=s["name"])
        for s in styles
    ]  # fmt: skip
    edges = cluster.get("edges") or []
    channels = sorted({str(e.get("channel")) for e in edges if e.get("kind") != "member"})
    handles += [Line2D([], [], color=edge_color({"channel": c}), label=c) for c in channels]
    if any(e.get("kind") == "member" for e in edges):
        handles.append(Line2D([], [], color=MEMBER_COLOR, label="member of profile"))
    handles.append(Line2D([], [], color="#333333", label="merges"))
    handles.append(Line2D([], [], color="#333333", linestyle="--", label="does not merge"))
    if highlighted_edges(cluster):
        handles.append(Line2D([], [], color=HIGHLIGHT_COLOR, linewidth=4, label="path"))
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       fontsize=8, frameon=False)  # fmt: skip
    for text in legend.get_texts():
        text.set_parse_math(False)


def write_static(cluster: Cluster, path: Path, fmt: str) -> None:
    """Render the cluster to an SVG or PNG file; same input gives the same bytes."""
    n = len(cluster.get("nodes") or [])
    side = min(24.0, max(6.0, 1.9 * math.sqrt(n) + 2.5))
    size = max(120.0, 700.0 - 3.0 * n)
    font = 8.0 if n <= 60 else 6.0
    fig = Figure(figsize=(side + 2.5, side), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, side / (side + 2.5) - 0.04, 0.92))
    ax.set_axis_off()
    center = next(
        (n for n in cluster.get("nodes") or [] if n.get("id") == cluster.get("center")), None
    )
    title = truncate(node_label(center), 60) if center else "cluster"
    ax.set_title(f"identigraph: {title} ({n} nodes)", fontsize=10, parse_math=False)
    pos = _layout(cluster)
    _draw_edges(ax, cluster, pos, size, font)
    _draw_nodes(ax, cluster, pos, size, font)
    ax.margins(0.08)
    _legend(ax, cluster)
    with matplotlib.rc_context({"svg.hashsalt": "identigraph", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(path, format=fmt, metadata=metadata, facecolor="white")
