"""Shortest evidence paths between two identifiers, and the one canonical path to show.

Backends may find all shortest paths their own way (breadth-first here, Cypher's
``allShortestPaths`` in Neo4j); :func:`canonical_path` then picks the same one for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from identigraph.graph.records import Edge

#: At most this many shortest paths are enumerated before one is picked.
MAX_PATHS = 1000


def _other(edge: Edge, node: str) -> str:
    return edge.to if edge.from_ == node else edge.from_


def bfs_shortest_paths(
    neighbours: Callable[[Sequence[str]], list[Edge]], a: str, b: str,
    merging_only: bool, max_hops: int,
) -> list[list[Edge]]:
    """All shortest a-b paths, found level by level with one edge query per level."""
    if a == b:
        return []
    preds: dict[str, list[Edge]] = {a: []}
    frontier = [a]
    found = False
    for _ in range(max_hops):
        level: dict[str, list[Edge]] = {}
        for edge in neighbours(frontier):
            if merging_only and not edge.merges:
                continue
            for node in (edge.from_, edge.to):
                nxt = _other(edge, node)
                if node in frontier and nxt not in preds:
                    level.setdefault(nxt, []).append(edge)
        if not level:
            return []
        preds.update(level)
        if b in level:
            found = True
            break
        frontier = sorted(level)
    if not found:
        return []
    paths: list[list[Edge]] = []

    def walk(node: str, tail: list[Edge]) -> None:
        if len(paths) >= MAX_PATHS:
            return
        if node == a:
            paths.append(list(reversed(tail)))
            return
        for edge in preds[node]:
            walk(_other(edge, node), [*tail, edge])

    walk(b, [])
    return paths


def _best_edge(edges: list[Edge]) -> Edge:
    """Among parallel edges of one hop: a merging one first, then the earliest."""
    return min(edges, key=lambda e: (not e.merges, e.ts, e.event_id))


def canonical_path(paths: list[list[Edge]], a: str) -> list[Edge]:
    """The path to show: the smallest sequence of node keys, best edge per hop, oriented a->b."""
    if not paths:
        return []
    by_nodes: dict[tuple[str, ...], list[list[Edge]]] = {}
    for path in paths:
        nodes = [a]
        for edge in path:
            nodes.append(_other(edge, nodes[-1]))
        hops = by_nodes.setdefault(tuple(nodes), [[] for _ in path])
        for hop, edge in zip(hops, path, strict=True):
            if edge not in hop:
                hop.append(edge)
    best = min(by_nodes)
    out = []
    for i, hop in enumerate(by_nodes[best]):
        edge = _best_edge(hop)
        if edge.from_ != best[i]:
            edge = edge.model_copy(update={"from_": edge.to, "to": edge.from_})
        out.append(edge)
    return out
