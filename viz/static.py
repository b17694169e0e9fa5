"""Draw a cluster to SVG/PNG with networkx + matplotlib (Agg) for reports and tickets."""

from __future__ import annotations

import math
import textwrap
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
    Cluster,
    edge_color,
    highlighted_edges,
    kind_style,
    node_label,
    truncate,
)

Pos = dict[str, Any]
_SEED = 7
#: networkx's spring layout switches to a scipy-only method at this many nodes.
_SPARSE_FROM = 500
#: Event edges labelled at most (the highlighted path and non-merging ones first).
_EDGE_LABELS = 40
Label = tuple[float, float, str, float, dict[str, Any]]  # x, y, text, font size, style


def _layout(cluster: Cluster) -> Pos:
    """Place nodes with a seeded spring layout so the same cluster always looks the same."""
    graph = nx.Graph()
    graph.add_nodes_from(str(n["id"]) for n in cluster.get("nodes") or [])
    graph.add_edges_from((str(e["from"]), str(e["to"])) for e in cluster.get("edges") or [])
    n = max(graph.number_of_nodes(), 1)
    if n >= _SPARSE_FROM:  # networkx needs scipy past this; viz.focus keeps drawings smaller
        return dict(nx.circular_layout(graph))
    pos: Pos = nx.spring_layout(graph, seed=_SEED, k=1.6 / math.sqrt(n), iterations=200)
    return pos


def _draw_nodes(ax: Any, cluster: Cluster, pos: Pos, size: float, font: float) -> list[Label]:
    """Draw nodes grouped by kind (colour + marker); return their truncated labels."""
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
    below = -math.sqrt(size) / 2 - 2  # points under the node's centre
    return [(*pos[str(node["id"])], truncate(node_label(node)), font, {"dy": below, "va": "top"})
            for node in cluster.get("nodes") or []]


def _edge_text(edge: dict[str, Any]) -> str:
    """A merging edge's event type and date; a non-merging one's rule (and date)."""
    label = str(edge.get("label") or edge.get("event_type") or "")
    if edge.get("merges") is False:
        return f"{edge.get('rule')}\n{label}" if label else str(edge.get("rule"))
    return label


def _labelled(cluster: Cluster) -> set[int]:
    """The event edges that get a label: the path, then non-merging, then the rest."""
    edges = cluster.get("edges") or []
    on_path = highlighted_edges(cluster)
    events = [i for i, e in enumerate(edges) if e.get("kind") == "event"]
    events.sort(key=lambda i: (i not in on_path, edges[i].get("merges") is not False, i))
    return set(events[:_EDGE_LABELS])


def _draw_edges(ax: Any, cluster: Cluster, pos: Pos, size: float, font: float) -> list[Label]:
    """Draw edges coloured by channel, dashed when they do not merge, parallel ones curved;
    return their labels (event type and date, or the rule that kept them apart)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(pos)
    on_path = highlighted_edges(cluster)
    seen: dict[frozenset[str], int] = defaultdict(int)
    groups: dict[tuple[str, bool, float, float], list[tuple[str, str]]] = defaultdict(list)
    edges = cluster.get("edges") or []
    labelled = _labelled(cluster)
    labels: list[Label] = []
    for index, edge in enumerate(edges):
        u, v = str(edge["from"]), str(edge["to"])
        nth = seen[frozenset((u, v))]
        seen[frozenset((u, v))] += 1
        rad = 0.0 if nth == 0 else 0.18 * ((nth + 1) // 2) * (1 if nth % 2 else -1)
        dashed = edge.get("merges") is False
        if index in on_path:
            groups[(HIGHLIGHT_COLOR, dashed, 4.5, rad)].append((u, v))
        groups[(edge_color(edge), dashed, 1.4, rad)].append((u, v))
        if index in labelled and _edge_text(edge):
            (x1, y1), (x2, y2) = pos[u], pos[v]
            mx, my = (x1 + x2) / 2 + rad * (y2 - y1) / 2, (y1 + y2) / 2 - rad * (x2 - x1) / 2
            labels.append((mx, my, _edge_text(edge), font * 0.85, {"dy": 0.0, "va": "center"}))
    for (color, dashed, width, rad), edgelist in groups.items():
        nx.draw_networkx_edges(
            graph, pos, edgelist=edgelist, ax=ax, edge_color=color, width=width,
            style="dashed" if dashed else "solid", arrows=True, arrowstyle="-|>",
            arrowsize=8, node_size=size, connectionstyle=f"arc3,rad={rad}",
        )  # fmt: skip
    return labels


def _overlaps(box: Any, placed: list[Any]) -> bool:
    return any(box.overlaps(other) for other in placed)


def _place_labels(ax: Any, renderer: Any, labels: list[Label], avoid: list[Any]) -> None:
    """Write the labels, each moved (up or down, a little further each try) off the ones
    already written and off the legend, so that none overlaps another."""
    fig = ax.get_figure()
    to_data = ax.transData.inverted()
    placed: list[Any] = list(avoid)
    for x, y, text, size, style in labels:
        anchor = ax.transData.transform((x, y))
        artist = ax.text(x, y, text, fontsize=size, ha="center", va=style["va"],
                         parse_math=False, zorder=4, color="#222222",
                         bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                               "alpha": 0.85})  # fmt: skip
        base = style["dy"] * fig.dpi / 72.0
        box = None
        for attempt in range(16):
            step = (attempt + 1) // 2 * (1 if attempt % 2 else -1)
            shifted = (anchor[0], anchor[1] + base + step * size * 1.4 * fig.dpi / 72.0)
            artist.set_position(tuple(to_data.transform(shifted)))
            box = artist.get_window_extent(renderer).expanded(1.04, 1.08)
            if not _overlaps(box, placed):
                break
        placed.append(box)


def _legend(ax: Any, cluster: Cluster) -> Any:
    """Add a legend for node kinds, channels present, line styles and the highlight."""
    kinds = {str(n.get("kind")) for n in cluster.get("nodes") or []}
    styles = [s for k, s in KIND_STYLES.items() if k != "collapsed" or k in kinds] + [
        kind_style(k) for k in sorted(kinds - set(KIND_STYLES))]
    handles: list[Line2D] = [
        Line2D([], [], marker=s["marker"], color="none", markerfacecolor=s["color"],
               markeredgecolor="white", markersize=10, label=s["name"])
        for s in styles
    ]  # fmt: skip
    edges = cluster.get("edges") or []
    channels = sorted({str(e["channel"]) for e in edges
                       if e.get("kind") == "event" and e.get("channel")})
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
    return legend


def caption(cluster: Cluster) -> str:
    """The sentence under a drawing: the summary, and what was left out of a big one."""
    return " ".join(str(cluster[k]) for k in ("summary", "note") if cluster.get(k))


def write_static(cluster: Cluster, path: Path, fmt: str) -> None:
    """Render the cluster to an SVG or PNG file; same input gives the same bytes."""
    fig = figure(cluster)
    with matplotlib.rc_context({"svg.hashsalt": "identigraph", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(path, format=fmt, metadata=metadata, facecolor="white")


def figure(cluster: Cluster) -> Figure:
    """The drawing: nodes, edges, their labels placed apart, the legend and the caption."""
    n = len(cluster.get("nodes") or [])
    side = min(24.0, max(7.0, 1.9 * math.sqrt(n) + 3.0))
    size = max(120.0, 700.0 - 3.0 * n)
    font = 8.0 if n <= 60 else 6.0
    width = side + 2.5
    lines = textwrap.wrap(caption(cluster), width=int(width * 72 / 5.4) - 8) or [""]
    bottom = (0.25 + 0.16 * len(lines)) / side
    fig = Figure(figsize=(width, side), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, bottom, side / width - 0.04, 0.94 - bottom))
    ax.set_axis_off()
    center = next(
        (n for n in cluster.get("nodes") or [] if n.get("id") == cluster.get("center")), None
    )
    title = truncate(node_label(center), 60) if center else "cluster"
    ax.set_title(f"identigraph: {title} ({n} nodes)", fontsize=10, parse_math=False)
    fig.text(0.02, 0.1 / side, "\n".join(lines), fontsize=9, ha="left", va="bottom",
             parse_math=False, color="#222222")
    pos = _layout(cluster)
    edge_labels = _draw_edges(ax, cluster, pos, size, font)
    node_labels = _draw_nodes(ax, cluster, pos, size, font)
    ax.margins(0.1)
    ax.autoscale_view()
    legend = _legend(ax, cluster)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    _place_labels(ax, renderer, node_labels + edge_labels, [legend.get_window_extent(renderer)])
    return fig
