"""Write a cluster as GraphML, GEXF or JSON so it can be opened in Gephi, yEd or scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from .common import Cluster, highlighted_edges

Scalar = str | int | float | bool


def _scalar(value: Any) -> Scalar | None:
    """Turn a value into one GraphML can store: scalars kept, None dropped, rest as JSON."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _flat(record: dict[str, Any], skip: set[str]) -> dict[str, Scalar]:
    """Flatten a node/edge record: None dropped, `attributes` spread as `attr_<name>`."""
    out: dict[str, Scalar] = {}
    for key, value in record.items():
        if key in skip:
            continue
        if key == "attributes" and isinstance(value, dict):
            for name, attr in value.items():
                flat = _scalar(attr)
                if flat is not None:
                    out[f"attr_{name}"] = flat
            continue
        flat = _scalar(value)
        if flat is not None:
            out[key] = flat
    return out


def cluster_to_graph(cluster: Cluster) -> nx.MultiDiGraph:
    """Build a MultiDiGraph keeping every node/edge attribute and parallel event edges."""
    graph = nx.MultiDiGraph()
    highlight = cluster.get("highlight") or {}
    meta = {
        "center": cluster.get("center"),
        "highlight_a": highlight.get("a"),
        "highlight_b": highlight.get("b"),
        "same_profile": highlight.get("same_profile"),
    }
    graph.graph.update({k: v for k, v in meta.items() if v is not None})
    for node in cluster.get("nodes") or []:
        graph.add_node(str(node["id"]), **_flat(node, {"id"}))
    on_path = highlighted_edges(cluster)
    for index, edge in enumerate(cluster.get("edges") or []):
        u, v = str(edge["from"]), str(edge["to"])
        base = str(edge.get("event_id") or edge.get("kind") or "edge")
        key, n = base, 1
        while graph.has_edge(u, v, key):
            n += 1
            key = f"{base}#{n}"
        attrs = _flat(edge, {"from", "to"})
        attrs["highlighted"] = index in on_path
        graph.add_edge(u, v, key=key, **attrs)
    return graph


def write_graphml(cluster: Cluster, path: Path) -> None:
    """Write the cluster as GraphML (typed attributes, one <edge> per cluster edge)."""
    nx.write_graphml(cluster_to_graph(cluster), path)


def write_gexf(cluster: Cluster, path: Path) -> None:
    """Write the cluster as GEXF for Gephi."""
    nx.write_gexf(cluster_to_graph(cluster), path)


def write_json(cluster: Cluster, path: Path) -> None:
    """Write the cluster itself as pretty JSON with sorted keys (stable diffs)."""
    text = json.dumps(cluster, indent=2, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
