"""GraphML / GEXF / JSON exports keep every node, edge and attribute of the cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
from vizdata import Cluster

from identigraph.viz import render


def _expected_edge_attrs(edge: dict[str, Any]) -> dict[str, Any]:
    """The attributes a cluster edge should carry once exported (None dropped)."""
    return {k: v for k, v in edge.items() if k not in {"from", "to"} and v is not None}


def test_graphml_round_trip_keeps_nodes_edges_and_attributes(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Reading the GraphML back gives the same nodes, edge count and typed attributes."""
    graph = nx.read_graphml(render(cluster, tmp_path / "c.graphml"), force_multigraph=True)
    assert set(graph.nodes) == {n["id"] for n in cluster["nodes"]}
    assert graph.number_of_edges() == len(cluster["edges"])
    assert graph.is_directed()

    for node in cluster["nodes"]:
        data = graph.nodes[node["id"]]
        assert data["kind"] == node["kind"]
        assert data["value"] == node["value"]
        assert data["label"] == node["label"]
        assert data.get("profile_id") == node["profile_id"]
        for name, value in (node.get("attributes") or {}).items():
            assert data[f"attr_{name}"] == value

    exported = [
        {k: v for k, v in d.items() if k != "highlighted"} | {"ends": (u, v_)}
        for u, v_, d in graph.edges(data=True)
    ]
    for edge in cluster["edges"]:
        want = _expected_edge_attrs(edge) | {"ends": (edge["from"], edge["to"])}
        assert want in exported, f"edge {edge} lost or changed in GraphML"


def test_graphml_keeps_parallel_event_edges_keyed_by_event(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Two events linking the same email and phone stay two edges, keyed ev1 and ev2."""
    graph = nx.read_graphml(render(cluster, tmp_path / "c.graphml"), force_multigraph=True)
    keys = set(graph["email:ann@example.com"]["phone:+14155550101"])
    assert keys == {"ev1", "ev2"}
    assert graph["email:ann@example.com"]["profile:prof_1a2b3c"]["member"]["rule"] == "member"


def test_graphml_types_bools_and_marks_the_highlighted_path(
    cluster: Cluster, tmp_path: Path
) -> None:
    """`merges` reads back as a real bool; path edges are flagged; graph knows the center."""
    graph = nx.read_graphml(render(cluster, tmp_path / "c.graphml"), force_multigraph=True)
    sms = graph["phone:+14155550101"]["email:bob.smith@example.org"]["ev4"]
    assert sms["merges"] is False
    assert sms["highlighted"] is True
    assert graph["email:ann@example.com"]["phone:+14155550101"]["ev2"]["highlighted"] is False
    assert graph.graph["center"] == cluster["center"]
    assert graph.graph["same_profile"] is False


def test_gexf_round_trip_keeps_counts(cluster: Cluster, tmp_path: Path) -> None:
    """Gephi's format holds the same nodes and every parallel edge."""
    graph = nx.read_gexf(render(cluster, tmp_path / "c.gexf"))
    assert set(graph.nodes) == {n["id"] for n in cluster["nodes"]}
    assert graph.number_of_edges() == len(cluster["edges"])
    rules = sorted(d["rule"] for _, _, d in graph.edges(data=True))
    assert rules == sorted(e["rule"] for e in cluster["edges"])


def test_json_is_the_cluster_pretty_and_sorted(cluster: Cluster, tmp_path: Path) -> None:
    """The JSON output loads back to the exact cluster, with stable key order."""
    text = render(cluster, tmp_path / "c.json").read_text(encoding="utf-8")
    assert json.loads(text) == cluster
    assert text == json.dumps(cluster, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
